"""Eligibility (RES-3): the catalog's own reasons, the administrator's decision tables (through a fake
evaluate), the facts they see, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from telcrm.catalog import actions, eligibility
from telcrm.catalog.eligibility import FACT_KEYS
from telcrm.customers.models import Party
from telcrm.customers.testing import make_customer

from ._fixtures import line, moment, offering

pytestmark = pytest.mark.django_db


@dataclass
class Outcome:
    effect: str
    message: str
    requires: tuple = ()
    table: str = "T1"
    rule: str = "r1"


@pytest.fixture(autouse=True)
def no_rules(monkeypatch):
    monkeypatch.setattr(eligibility, "evaluate_rules", lambda facts: [])


@pytest.fixture
def catalog(carrier):
    admin = carrier["admin"]
    plan = offering(admin, "PLAN-5G")
    bb = offering(admin, "BB-500", kind="broadband", monthly=9900)
    pack = offering(admin, "PACK", kind="add_on", monthly=3000, activate=False)
    actions.offering_update(actor=admin, offering=pack, applies_to_codes=["PLAN-5G"])
    actions.offering_activate(actor=admin, offering=pack)
    iptv = offering(admin, "IPTV", kind="add_on", monthly=1500, activate=False)
    actions.offering_update(actor=admin, offering=iptv, applies_to_kinds=["broadband"])
    actions.offering_activate(actor=admin, offering=iptv)
    return {"plan": plan, "bb": bb}


@pytest.fixture
def person(carrier):
    c = make_customer(carrier.branch, name="李四", owner=carrier["clerk"], credit_level=4, value_tier="vip")
    Party.objects.filter(pk=c.party_id).update(birth_date=dt.date(2000, 6, 15))
    c.refresh_from_db()
    return c


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


def test_an_active_plan_is_available(person, catalog):
    v = eligibility.check(person, "PLAN-5G")
    assert v.ok and v.reasons == [] and v.offering == catalog["plan"]


def test_not_on_sale_draft_retired_and_outside_validity(carrier, person, catalog):
    admin = carrier["admin"]
    assert codes(eligibility.check(person, "NOPE")) == ["not_on_sale"]
    draft = offering(admin, "LATER", activate=False)
    assert codes(eligibility.check(person, draft)) == ["not_active"]
    actions.offering_retire(actor=admin, offering=catalog["bb"])
    catalog["bb"].refresh_from_db()
    assert codes(eligibility.check(person, catalog["bb"])) == ["retired"]
    future = offering(admin, "FUTURE", valid_from=moment(2099, 1, 1))
    assert codes(eligibility.check(person, future)) == ["not_yet_valid"]
    ended = offering(admin, "ENDED", valid_to=moment(2099, 1, 1))
    assert codes(eligibility.check(person, ended, at=moment(2099, 2, 1))) == ["expired"]


def test_channel(carrier, person):
    o = offering(carrier["admin"], "ENT", channels=["counter", "agent"])
    assert eligibility.check(person, o, channel="agent").ok
    v = eligibility.check(person, o, channel="self_service")
    assert codes(v) == ["channel"] and not v.ok


def test_an_add_on_needs_a_held_or_carted_plan_it_applies_to(person, catalog):
    v = eligibility.check(person, "PACK")
    assert codes(v) == ["addon_needs_plan"] and "PLAN-5G" in v.reasons[0].message
    assert eligibility.check(person, "PACK", cart=["PLAN-5G"]).ok
    assert eligibility.check(person, "PACK", cart=[catalog["plan"]]).ok
    assert not eligibility.check(person, "PACK", cart=["BB-500"]).ok
    assert eligibility.check(person, "IPTV", cart=["BB-500"]).ok  # by kind
    line(person, "PLAN-5G")
    assert eligibility.check(person, "PACK").ok
    line(person, "BB-500", status="terminated")  # a terminated line is not held
    assert not eligibility.check(person, "IPTV").ok


def test_a_bundle_with_a_member_no_longer_on_sale_cannot_be_sold(carrier, person, catalog):
    admin = carrier["admin"]
    bundle = offering(admin, "HOME", kind="bundle", monthly=16900, activate=False)
    actions.bundle_member_add(actor=admin, bundle=bundle, member="PLAN-5G")
    actions.bundle_member_add(actor=admin, bundle=bundle, member="BB-500", min_qty=0, optional=True)
    bundle = actions.offering_activate(actor=admin, offering=bundle)
    assert eligibility.check(person, bundle).ok
    actions.offering_update(actor=admin, offering=catalog["bb"], channels=["agent"])
    actions.offering_update(actor=admin, offering=catalog["plan"], channels=["agent"])
    assert eligibility.check(person, bundle).ok  # drafts do not change what sells
    from telcrm.catalog.models import ProductOffering

    for draft in ProductOffering.objects.filter(lifecycle_status="draft"):
        actions.offering_activate(actor=admin, offering=draft)
    v = eligibility.check(person, bundle)  # the optional broadband member does not block
    assert codes(v) == ["bundle_member_unavailable"] and "PLAN-5G" in v.reasons[0].message
    assert eligibility.check(person, bundle, channel="agent").ok


def test_decision_tables_deny_require_and_warn(monkeypatch, person, catalog):
    seen = {}

    def fake(facts):
        seen.update(facts)
        return [
            Outcome("warn", "请确认客户意愿"),
            Outcome("require", "需要5G套餐", requires=("PLAN-5G", "QQT")),
        ]

    monkeypatch.setattr(eligibility, "evaluate_rules", fake)
    v = eligibility.check(person, "BB-500")
    assert not v.ok
    assert [(r.code, r.blocking, r.message) for r in v.reasons] == [
        ("rule_warn", False, "请确认客户意愿"),
        ("rule_require", True, "需要5G套餐"),
    ]
    assert eligibility.check(person, "BB-500", cart=["PLAN-5G"]).ok  # the requirement is in the cart
    assert [r.code for r in eligibility.check(person, "BB-500", cart=["PLAN-5G"]).warnings] == ["rule_warn"]
    monkeypatch.setattr(
        eligibility, "evaluate_rules", lambda facts: [Outcome("deny", "信用不足", table="ELIG", rule="x")]
    )
    v = eligibility.check(person, "BB-500")
    assert not v.ok and (v.reasons[0].table, v.reasons[0].rule, v.reasons[0].message) == (
        "ELIG",
        "x",
        "信用不足",
    )
    assert seen["offering"] == "BB-500" and seen["offering_kind"] == "broadband"


def test_facts_have_exactly_the_agreed_keys(carrier, person, catalog):
    line(person, "PLAN-5G")
    line(person, "OLD", status="suspended")
    line(person, "GONE", status="terminated")
    facts = eligibility.facts_for(person, "PACK", cart=["BB-500"], channel="agent", at=moment(2026, 6, 14))
    assert tuple(facts) == FACT_KEYS
    assert facts == {
        "customer_type": "individual",
        "value_tier": "vip",
        "credit_level": 4,
        "age": 25,
        "region": "ZJ-HZ",  # the city above 西湖营业厅
        "live_lines": 2,
        "tenure_months": 29,  # since the first activation, 2024-01-01
        "offering": "PACK",
        "offering_kind": "add_on",
        "held": ["OLD", "PLAN-5G"],
        "cart": ["BB-500"],
        "channel": "agent",
        "access_technology": "",
    }


def test_facts_of_an_organisation(carrier, catalog):
    from ._fixtures import group_customer

    group = group_customer(carrier)
    facts = eligibility.facts_for(group, catalog["plan"])
    assert (facts["customer_type"], facts["age"], facts["live_lines"], facts["held"]) == (
        "group",
        None,
        0,
        [],
    )


def test_a_check_is_a_fixed_number_of_queries(carrier, person, catalog, django_assert_max_num_queries):
    for i in range(5):
        line(person, f"L{i}")
    with django_assert_max_num_queries(6):
        eligibility.check(person, "PACK", cart=["PLAN-5G", "BB-500"])
    rows = list(__import__("telcrm.catalog.queries", fromlist=["sellable"]).sellable())
    with django_assert_max_num_queries(6):
        verdicts = eligibility.check_many(person, rows, cart=["PLAN-5G"])
    assert len(verdicts) == len(rows) == 4
