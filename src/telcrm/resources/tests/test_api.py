"""The number pool API (/api/v1/numbers/): permissions per role, scope, the search filters and paging,
the transitions with bilingual field errors."""

from __future__ import annotations

import pytest

from telcrm.customers.testing import make_customer
from telcrm.platform.tests._api_fixtures import assert_error, bearer, client_as
from telcrm.resources import actions
from telcrm.resources.models import Number

pytestmark = pytest.mark.django_db

BASE = "/api/v1/numbers/"
VIEWERS = ("admin", "analyst", "branch_manager", "clerk", "backoffice", "agent", "account_manager")
RESERVERS = ("admin", "branch_manager", "clerk", "account_manager")


def url(msisdn: str = "", op: str = "") -> str:
    return BASE + (f"{msisdn}/" if msisdn else "") + (f"{op}/" if op else "")


@pytest.mark.parametrize("role", [*VIEWERS, "installer", "service", "marketer"])
def test_who_may_search(pool, carrier, role):
    response = client_as(carrier[role]).get(BASE, {"ends_with": "88"})
    if role in VIEWERS:
        assert response.status_code == 200, response.content
    else:
        assert_error(response, 403)


def test_signed_out_callers_are_refused(pool):
    assert_error(client_as(None).get(BASE), 401)


def test_search_with_filters_and_pages(pool, carrier):
    client = bearer(carrier["clerk"])  # a real bearer token, as an integration would use
    body = client.get(BASE, {"ends_with": "8", "no_four": "true", "per_page": 5}).json()
    assert body["page"] == 1 and body["has_next"] and body["previous"] is None
    assert [n["msisdn"] for n in body["results"]] == [
        "13805710008",
        "13805710018",
        "13805710028",
        "13805710038",
        "13805710058",
    ]
    first = body["results"][0]
    assert first["state"] == "free" and first["region"]["id"] == pool.hz.region_id
    assert set(first["level"]) == {"id", "code", "name", "rank", "price_fen", "min_spend_fen", "deposit_fen"}
    nxt = client.get(body["next"]).json()
    assert nxt["page"] == 2 and nxt["previous"] and nxt["results"][0]["msisdn"] == "13805710068"
    level = client.get(BASE, {"level": "silver", "per_page": 200}).json()["results"]
    assert level and {n["level"]["code"] for n in level} == {"silver"}
    assert all(
        n["region"]["id"] != pool.nb.region_id for n in client.get(BASE, {"per_page": 200}).json()["results"]
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [({"contains": "12a"}, "contains"), ({"state": "sold"}, "state"), ({"per_page": "0"}, "per_page"),
     ({"no_four": "maybe"}, "no_four"), ({"ends_with": "1234567890123"}, "ends_with")],
)  # fmt: skip
def test_bad_filters_are_400_naming_the_field(pool, carrier, params, field):
    assert_error(client_as(carrier["clerk"]).get(BASE, params), 400, field=field)


def test_detail_with_history_and_scope(pool, carrier):
    actions.number_reserve(carrier["clerk"], "13805710001", reference="ORD1")
    client = client_as(carrier["clerk"])
    body = client.get(url("13805710001")).json()
    assert (
        body["state"] == "reserved" and body["reserved_by"] == "clerk" and body["reservation_ref"] == "ORD1"
    )
    assert [e["action"] for e in body["events"]] == ["reserve"]
    assert_error(client.get(url("13805740001")), 404)  # Ningbo
    assert_error(client.get(url("13999999999")), 404)


@pytest.mark.parametrize("role", VIEWERS)
def test_who_may_reserve(pool, carrier, role):
    response = client_as(carrier[role]).post(url("13805710002", "reserve"), {}, format="json")
    if role in RESERVERS:
        assert response.status_code == 200 and response.json()["state"] == "reserved"
    else:
        assert_error(response, 403)


def test_reserve_release_assign_through_the_api(pool, carrier):
    customer = make_customer(carrier.branch, owner=carrier["clerk"], name="接口客户")
    clerk = client_as(carrier["clerk"])
    reserved = clerk.post(
        url("13805710003", "reserve"),
        {"reference": "ORD3", "minutes": 60, "customer": customer.pk},
        format="json",
    )
    assert reserved.status_code == 200, reserved.content
    assert reserved.json()["reservation_ref"] == "ORD3"
    again = client_as(carrier["branch_manager"]).post(url("13805710003", "reserve"), {}, format="json")
    item = assert_error(again, 400, field="number", code="not_free")
    assert "13805710003" in item["message_en"] and item["message_zh"] != item["message_en"]
    wrong = clerk.post(
        url("13805710003", "assign"), {"customer": customer.pk, "reference": "ORD9"}, format="json"
    )
    assert_error(wrong, 400, field="number", code="reserved_elsewhere")
    done = clerk.post(
        url("13805710003", "assign"), {"customer": customer.pk, "reference": "ORD3"}, format="json"
    )
    assert (
        done.status_code == 200
        and done.json()["state"] == "assigned"
        and done.json()["customer"] == customer.pk
    )
    cooled = clerk.post(url("13805710003", "quarantine"), {"reason": "销户"}, format="json")
    assert cooled.json()["state"] == "quarantined"
    clerk.post(url("13805710004", "reserve"), {}, format="json")
    assert clerk.post(url("13805710004", "release")).json()["state"] == "free"
    assert_error(clerk.post(url("13805710004", "release")), 400, field="number", code="invalid_state")
    assert_error(clerk.post(url("13805710004", "assign"), {}, format="json"), 400, field="customer")
    assert_error(
        clerk.post(url("13805710004", "reserve"), {"minutes": 0}, format="json"), 400, field="minutes"
    )


def test_freeze_is_for_the_administrator(pool, carrier):
    assert_error(
        client_as(carrier["clerk"]).post(url("13805710005", "freeze"), {"reason": "x"}, format="json"), 403
    )
    admin = client_as(carrier["admin"])
    assert_error(admin.post(url("13805710005", "freeze"), {}, format="json"), 400, field="reason")
    assert (
        admin.post(url("13805710005", "freeze"), {"reason": "预留"}, format="json").json()["state"]
        == "frozen"
    )
    assert Number.objects.get(msisdn="13805710005").frozen_reason == "预留"
    assert admin.post(url("13805710005", "unfreeze")).json()["state"] == "free"
    assert_error(client_as(carrier["clerk"]).post(url("13805710005", "unfreeze")), 403)


def test_api_search_query_count(pool, carrier, django_assert_max_num_queries):
    client = client_as(carrier["admin"])
    client.get(BASE, {"per_page": 10})
    with django_assert_max_num_queries(4):
        body = client.get(BASE, {"per_page": 200}).json()
    assert len(body["results"]) == 200
