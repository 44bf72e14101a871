"""Eligibility through the real decision tables: the ``channel`` fact holds the catalog's sales-channel
codes (what an offering's ``channels`` lists), and ``access_technology`` comes from the coverage of the
installation address, so a table can refuse gigabit broadband on copper."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.catalog import eligibility
from telcrm.catalog.models import SalesChannel
from telcrm.catalog.rules import engine, facts
from telcrm.catalog.rules.tests._helpers import grid, make_published
from telcrm.customers.models import Address
from telcrm.customers.testing import make_customer
from telcrm.platform.tests._api_fixtures import client_as
from telcrm.resources.coverage import actions as coverage

from ._fixtures import offering

pytestmark = pytest.mark.django_db

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路88号"}
GIGABIT_ON_COPPER = grid(
    ["offering", "access_technology"], [("gigabit_copper", ['"BB-1000M"', '"copper"'], "deny")]
)


@pytest.fixture(autouse=True)
def _fresh_engine():
    engine.reset_local()
    yield
    engine.reset_local()


@pytest.fixture
def publish(carrier, django_capture_on_commit_callbacks):
    def run(code, g):
        with django_capture_on_commit_callbacks(execute=True):
            return make_published(carrier["admin"], code, g)

    return run


@pytest.fixture
def person(carrier):
    return make_customer(carrier.branch, name="李四", owner=carrier["clerk"], credit_level=4)


def rule_reasons(verdict) -> list[tuple[str, str]]:
    return [(r.code, r.rule) for r in verdict.reasons]


def covered_by(carrier, kind: str, bandwidth: int, code: str):
    """An element of ``kind`` in service covering :data:`ADDRESS` (dslam: copper, olt: fibre)."""
    admin = carrier["admin"]
    element = coverage.element_create(
        actor=admin,
        code=code,
        kind=kind,
        org_unit=carrier.city,
        ports_total=50,
        max_bandwidth_mbps=bandwidth,
        status="in_service",
    )
    coverage.covered_address_create(actor=admin, element=element, **ADDRESS)
    return element


# --- channel ----------------------------------------------------------------------------------------
def test_the_channel_fact_takes_the_catalogs_sales_channel_codes():
    assert tuple(SalesChannel.values) == facts.CHANNELS
    assert facts.DEFAULTS["channel"] in facts.CHANNELS
    assert all(sample["channel"] in facts.CHANNELS for sample in facts.SAMPLES)
    # the catalog passes exactly the facts the rules declare
    assert tuple(f.name for f in facts.FACTS) == eligibility.FACT_KEYS


def test_a_rule_on_channel_works_with_an_offerings_channel_code(carrier, publish, person):
    sold = offering(carrier["admin"], "5G-TEL", channels=[SalesChannel.TELESALES, SalesChannel.AGENT])
    publish(
        "ELIG-CHANNEL",
        grid(["offering", "channel"], [("no_telesales", ['"5G-TEL"', '"telesales"'], "deny")]),
    )
    assert eligibility.check(person, sold, channel="agent").ok
    refused = eligibility.check(person, sold, channel=sold.channels[0])
    assert rule_reasons(refused) == [("rule_deny", "no_telesales")] and not refused.ok
    assert rule_reasons(eligibility.check_many(person, [sold], channel="telesales")[sold.pk]) == [
        ("rule_deny", "no_telesales")
    ]


def test_the_rule_test_api_takes_sales_channels_and_nothing_else(carrier):
    client = client_as(carrier["admin"])
    base = {"customer_type": "individual", "credit_level": 3, "offering": "X", "offering_kind": "plan"}
    ok = client.post(
        "/api/v1/catalog/rules/evaluate", {"facts": {**base, "channel": "telesales"}}, format="json"
    )
    assert ok.status_code == 200, ok.content
    bad = client.post("/api/v1/catalog/rules/evaluate", {"facts": {**base, "channel": "api"}}, format="json")
    assert bad.status_code == 400 and {i["field"] for i in bad.json()["errors"]} == {"facts.channel"}


# --- access technology ------------------------------------------------------------------------------
def test_access_technology_is_the_best_way_to_install_at_the_address(carrier, person):
    assert eligibility.access_technology(None) == ""
    assert eligibility.access_technology(ADDRESS) == ""  # not covered
    covered_by(carrier, "dslam", 100, "HZ-DSLAM01")
    assert eligibility.access_technology(ADDRESS) == "copper"
    row = Address.objects.create(customer=person, **ADDRESS)  # a customer's address row works too
    assert eligibility.facts_for(person, "BB-1000M", address=row)["access_technology"] == "copper"
    assert eligibility.facts_for(person, "BB-1000M")["access_technology"] == ""
    covered_by(carrier, "olt", 1000, "HZ-OLT01")
    assert eligibility.access_technology(ADDRESS) == "fibre"


def test_a_table_refuses_gigabit_broadband_on_copper(carrier, publish, person):
    gigabit = offering(carrier["admin"], "BB-1000M", kind="broadband", monthly=19900)
    publish("COMPAT-BB", GIGABIT_ON_COPPER)
    assert eligibility.check(person, gigabit).ok  # no address: nothing known about the access
    covered_by(carrier, "dslam", 100, "HZ-DSLAM01")
    refused = eligibility.check(person, gigabit, address=ADDRESS)
    assert rule_reasons(refused) == [("rule_deny", "gigabit_copper")]
    many = eligibility.check_many(person, [gigabit], address=ADDRESS)
    assert rule_reasons(many[gigabit.pk]) == [("rule_deny", "gigabit_copper")]
    covered_by(carrier, "olt", 1000, "HZ-OLT01")  # fibre arrives
    assert eligibility.check(person, gigabit, address=ADDRESS).ok


def test_the_eligibility_api_takes_one_of_the_customers_addresses(client_for, carrier, publish, person):
    offering(carrier["admin"], "BB-1000M", kind="broadband", monthly=19900)
    publish("COMPAT-BB", GIGABIT_ON_COPPER)
    covered_by(carrier, "dslam", 100, "HZ-DSLAM01")
    home = Address.objects.create(customer=person, **ADDRESS)
    other = Address.objects.create(customer=make_customer(carrier.branch, name="王五"), **ADDRESS)
    client = client_for(carrier["clerk"])
    url = reverse("api-catalog-eligibility")
    body = {"customer": person.pk, "code": "BB-1000M"}
    assert client.post(url, body, content_type="application/json").json()["ok"] is True
    refused = client.post(url, {**body, "address": home.pk}, content_type="application/json").json()
    assert refused["ok"] is False and refused["reasons"][0]["rule"] == "gigabit_copper"
    wrong = client.post(url, {**body, "address": other.pk}, content_type="application/json")
    assert wrong.status_code in (400, 404) and wrong.json()["errors"][0]["field"] == "address"
