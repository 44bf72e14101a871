"""Catalog REST API (/api/v1/catalog/): offerings, quote, eligibility, group tariffs — permissions per
role, data scope, bilingual errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.catalog.models import GroupTariff, TariffStatus
from telcrm.customers.testing import make_customer

from ._fixtures import approved_tariff, category, group_customer, member_of, offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(carrier):
    admin = carrier["admin"]
    cat = category(admin, "plans-5g")
    return {"plan": offering(admin, "5G-128", monthly=12800, categories=[cat]), "cat": cat}


def test_offerings_for_every_role_and_nobody_else(client, client_for, carrier, catalog):
    assert client.get("/api/v1/catalog/offerings/").status_code in (401, 403)
    for role in ("clerk", "installer", "analyst"):
        data = client_for(carrier[role]).get("/api/v1/catalog/offerings/").json()
        assert [o["code"] for o in data["results"]] == ["5G-128"]
    detail = client_for(carrier["clerk"]).get(f"/api/v1/catalog/offerings/{catalog['plan'].pk}/").json()
    assert detail["prices"][0]["amount_fen"] == 12800 and detail["version"] == 1
    on_sale = client_for(carrier["clerk"]).get("/api/v1/catalog/offerings/?on_sale=true&kind=plan").json()
    assert on_sale["results"][0]["lifecycle_status"] == "active"


def test_a_bad_filter_is_a_bilingual_400(client_for, carrier, catalog):
    r = client_for(carrier["clerk"]).get("/api/v1/catalog/offerings/?kind=nope")
    assert r.status_code == 400
    item = r.json()["errors"][0]
    assert item["field"] == "kind" and item["message_zh"] and item["message_en"]


def test_quote_for_a_member_with_the_group_tariff(client_for, carrier, catalog):
    group = group_customer(carrier)
    person = member_of(carrier, group)
    t = approved_tariff(carrier, group, category=catalog["cat"], kind="percent_off", value=10)
    r = client_for(carrier["clerk"]).post(
        reverse("api-catalog-quote"),
        {"customer": person.pk, "items": [{"code": "5G-128", "quantity": 2}]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    line = body["lines"][0]
    assert (line["recurring_fen"], line["discount_fen"], line["net_fen"]) == (25600, 2560, 23040)
    assert line["tariff"]["id"] == t.pk and line["why"]
    assert body["net_fen"] == 23040


def test_quote_errors_and_scope(client_for, carrier, catalog):
    far = make_customer(carrier.other_branch, name="宁波", owner=carrier["other_clerk"])
    client = client_for(carrier["clerk"])
    r = client.post(
        reverse("api-catalog-quote"),
        {"customer": far.pk, "items": [{"code": "5G-128"}]},
        content_type="application/json",
    )
    assert r.status_code == 404
    mine = make_customer(carrier.branch, name="杭州", owner=carrier["clerk"])
    r = client.post(
        reverse("api-catalog-quote"),
        {"customer": mine.pk, "items": [{"code": "NOPE"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "items"
    r = client.post(
        reverse("api-catalog-quote"), {"customer": mine.pk, "items": []}, content_type="application/json"
    )
    assert r.status_code == 400


def test_eligibility_endpoint(client_for, carrier, catalog, monkeypatch):
    from telcrm.catalog import eligibility

    monkeypatch.setattr(eligibility, "evaluate_rules", lambda facts: [])
    mine = make_customer(carrier.branch, name="杭州", owner=carrier["clerk"])
    offering(carrier["admin"], "ENT", channels=["agent"])
    client = client_for(carrier["clerk"])
    ok = client.post(
        reverse("api-catalog-eligibility"),
        {"customer": mine.pk, "code": "5G-128"},
        content_type="application/json",
    ).json()
    assert ok == {"ok": True, "offering": catalog["plan"].pk, "reasons": []}
    no = client.post(
        reverse("api-catalog-eligibility"),
        {"customer": mine.pk, "code": "ENT", "channel": "counter"},
        content_type="application/json",
    ).json()
    assert no["ok"] is False and no["reasons"][0]["code"] == "channel" and no["reasons"][0]["blocking"]


def test_group_tariffs_through_the_api(client_for, carrier, catalog):
    group = group_customer(carrier)
    assert client_for(carrier["clerk"]).get("/api/v1/catalog/group-tariffs/").status_code == 403
    am = client_for(carrier["account_manager"])
    r = am.post(
        "/api/v1/catalog/group-tariffs/",
        {
            "customer": group.pk,
            "name": "集团7折",
            "offering_code": "5G-128",
            "kind": "percent_off",
            "value": 30,
            "valid_from": "2026-01-01",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["status"] == TariffStatus.PENDING and r.json()["effective_percent"] == "30.00"
    assert (
        am.post(
            f"/api/v1/catalog/group-tariffs/{tid}/approve/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    other = client_for(carrier["other_branch_manager"])
    assert (
        other.post(
            f"/api/v1/catalog/group-tariffs/{tid}/approve/", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert other.get("/api/v1/catalog/group-tariffs/").json()["results"] == []
    mgr = client_for(carrier["branch_manager"])
    r = mgr.post(f"/api/v1/catalog/group-tariffs/{tid}/reject/", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = mgr.post(
        f"/api/v1/catalog/group-tariffs/{tid}/approve/", {"note": "同意"}, content_type="application/json"
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "approved"
        and r.json()["approved_by"] == "branch_manager"
    )
    assert GroupTariff.objects.get(pk=tid).approved_by == carrier["branch_manager"]
    bad = am.post(
        "/api/v1/catalog/group-tariffs/",
        {"customer": group.pk, "name": "x", "kind": "percent_off", "value": 5, "valid_from": "2026-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "offering_code"
