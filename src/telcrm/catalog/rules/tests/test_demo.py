"""The demo rule tables: built through the actions, idempotent, and deciding what a carrier expects."""

from __future__ import annotations

import io
import random

import pytest

from telcrm.catalog.rules.demo import CODES, build_demo_rules, reset_rules, rules_demo
from telcrm.catalog.rules.engine import evaluate
from telcrm.catalog.rules.models import DecisionTable, DecisionTableVersion


@pytest.fixture
def demo(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = build_demo_rules(admin)
    assert made == list(CODES)


def person(**kw):
    base = {
        "customer_type": "individual",
        "value_tier": "ordinary",
        "credit_level": 3,
        "age": 30,
        "region": "ZJ-HZ",
        "live_lines": 1,
        "tenure_months": 24,
        "offering": "5G-CX-128",
        "offering_kind": "plan",
        "held": [],
        "cart": [],
        "channel": "counter",
        "access_technology": "",
    }
    return {**base, **kw}


def rules(facts):
    return [(o.table, o.rule, o.effect) for o in evaluate(facts)]


def test_the_demo_tables_decide_as_a_carrier_expects(demo):
    assert rules(person()) == []
    assert rules(person(credit_level=1)) == [("ELIG-CUSTOMER", "credit_5g", "deny")]
    assert rules(person(offering="ENT-VNET-10")) == [("ELIG-CUSTOMER", "enterprise_only", "deny")]
    assert rules(person(offering="ENT-VNET-10", customer_type="enterprise", age=None)) == []
    assert rules(person(live_lines=5, offering="4G-FX-58")) == [("ELIG-LINES", "one_id_five_lines", "deny")]
    assert rules(person(offering="DEV-CONTRACT-5G", offering_kind="device", age=16)) == [
        ("ELIG-CUSTOMER", "minor_contract_device", "deny")
    ]
    assert rules(person(cart=["4G-FX-58"])) == [("COMPAT-OFFERINGS", "one_base_plan", "deny")]
    addon = person(offering="ADD-5G-FLOW-20G", offering_kind="add_on", held=["4G-FX-58"])
    assert rules(addon) == [("COMPAT-OFFERINGS", "addon_needs_5g", "require")]
    assert rules({**addon, "cart": ["5G-ZX-88"]}) == []
    # gigabit broadband: refused on copper, a reminder without a (covered) address, fine on fibre
    gigabit = person(offering="BB-1000M", offering_kind="broadband")
    assert rules({**gigabit, "access_technology": "copper"}) == [
        ("COMPAT-OFFERINGS", "gigabit_copper", "deny")
    ]
    assert rules(gigabit) == [("COMPAT-OFFERINGS", "gigabit_address_unknown", "warn")]
    assert rules({**gigabit, "access_technology": "fibre"}) == []
    assert rules(person(offering="DGDD-29", value_tier="vip")) == [
        ("ELIG-CUSTOMER", "vip_entry_plan", "warn")
    ]
    # the campaign table is an inactive draft: never evaluated
    assert rules(person(offering="5G-ZX-88", tenure_months=30, channel="self_service")) == []


def test_the_demo_has_history_and_is_idempotent(demo, admin):
    versions = DecisionTableVersion.objects.filter(table__code="ELIG-CUSTOMER").order_by("number")
    assert [(v.number, v.status) for v in versions] == [(1, "archived"), (2, "published")]
    assert DecisionTable.objects.get(code="ELIG-CAMPAIGN").is_active is False
    assert build_demo_rules(admin) == []
    out = io.StringIO()
    rules_demo(stdout=out, customers=0, rng=random.Random(1))
    assert "exist already" in out.getvalue()
    reset_rules(out)
    assert not DecisionTable.objects.filter(code__in=CODES).exists()
