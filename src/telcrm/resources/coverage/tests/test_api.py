"""The coverage API: the check, scoped and paginated lists, detail 404 outside the region, writes for
managers only, one error shape in both languages, fixed query counts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from telcrm.platform.testing import count_queries
from telcrm.platform.tests._api_fixtures import assert_error, bearer, client_as, results

from ._fixtures import cover, element, set_ports

pytestmark = pytest.mark.django_db

BASE = "/api/v1/coverage"


@pytest.fixture
def network(carrier):
    hz = element(carrier, code="HZ-XH-OLT01", ports_total=10)
    nb = element(carrier, unit=carrier.other_city, code="NB-HS-OLT01", ports_total=10)
    cover(carrier, hz, "文三路88号")
    cover(carrier, nb, "中山西路1号", city="宁波市", district="海曙区")
    return {"hz": hz, "nb": nb}


def test_check_answers_in_both_languages(carrier, network):
    api = bearer(carrier["clerk"])
    response = api.post(f"{BASE}/check", {"city": "杭州", "street": "文三路８８号阳光花园"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["reason_code"] == ""
    assert body["options"] == [
        {
            "technology": "fibre",
            "technology_label": "光纤（FTTH）",
            "max_bandwidth_mbps": 1000,
            "free_ports": 10,
            "element_code": "HZ-XH-OLT01",
        }
    ]
    assert body["normalized"] == {
        "province": "",
        "city": "杭州",
        "district": "",
        "street": "文三路88",
        "building": "阳光花园",
    }
    set_ports(network["hz"], 10)
    body = api.post(f"{BASE}/check/", {"city": "杭州", "street": "文三路88号"}, format="json").json()
    assert body["ok"] is False and body["reason_code"] == "no_free_ports" and body["options"] == []
    assert body["reason"] == body["reason_zh"] and body["reason_en"].startswith("Covered, but no free ports")
    assert body["matches"][0]["element_status"] == "in_service" and body["matches"][0]["usable"] is False


def test_check_input_errors_name_the_field(carrier, network):
    response = client_as(carrier["clerk"]).post(f"{BASE}/check", {"city": "杭州"}, format="json")
    item = assert_error(response, 400, field="street", code="required")
    assert item["message_en"] and item["message_zh"]


def test_every_endpoint_needs_the_permission(carrier, network):
    assert APIClient().post(f"{BASE}/check", {}, format="json").status_code == 401
    marketer = client_as(carrier["marketer"])
    for method, url in (
        ("post", f"{BASE}/check"),
        ("get", f"{BASE}/elements/"),
        ("get", f"{BASE}/elements/{network['hz'].pk}/"),
        ("get", f"{BASE}/addresses/"),
    ):
        assert_error(getattr(marketer, method)(url, {}, format="json"), 403)


def test_lists_are_scoped_to_the_region(carrier, network):
    clerk = client_as(carrier["clerk"])
    assert [e["code"] for e in results(clerk.get(f"{BASE}/elements/"))] == ["HZ-XH-OLT01"]
    assert [a["street"] for a in results(clerk.get(f"{BASE}/addresses/"))] == ["文三路88号"]
    assert_error(clerk.get(f"{BASE}/elements/{network['nb'].pk}/"), 404)
    nb_row = network["nb"].addresses.get()
    assert_error(clerk.get(f"{BASE}/addresses/{nb_row.pk}"), 404)
    admin = client_as(carrier["admin"])
    assert {e["code"] for e in results(admin.get(f"{BASE}/elements/"))} == {"HZ-XH-OLT01", "NB-HS-OLT01"}
    detail = admin.get(f"{BASE}/elements/{network['hz'].pk}").json()
    assert detail["free_ports"] == 10 and detail["org_unit"]["code"] == carrier.city.code


def test_list_filters_and_paging(carrier, network):
    admin = client_as(carrier["admin"])
    cover(carrier, element(carrier, code="HZ-XH-GNB01", kind="cell_5g"), "文三路88号")
    assert len(results(admin.get(f"{BASE}/addresses/", {"city": "杭州市"}))) == 2
    assert len(results(admin.get(f"{BASE}/addresses/", {"technology": "fwa_5g"}))) == 1
    assert len(results(admin.get(f"{BASE}/addresses/", {"element": "NB-"}))) == 1
    assert len(results(admin.get(f"{BASE}/addresses/", {"element": str(network["hz"].pk)}))) == 1
    assert [e["code"] for e in results(admin.get(f"{BASE}/elements/", {"technology": "fwa_5g"}))] == [
        "HZ-XH-GNB01"
    ]
    page = admin.get(f"{BASE}/elements/", {"page_size": 1}).json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["next"]
    assert_error(admin.get(f"{BASE}/elements/", {"technology": "laser"}), 400, field="technology")


def test_managers_create_change_and_retire(carrier, network):
    admin = client_as(carrier["admin"])
    created = admin.post(
        f"{BASE}/elements/",
        {
            "code": "HZ-API-DSL01",
            "kind": "dslam",
            "org_unit": carrier.city.pk,
            "ports_total": 48,
            "max_bandwidth_mbps": 100,
            "status": "in_service",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    el = created.json()
    assert el["technology"] == "copper" and el["ports_used"] == 0
    row = admin.post(
        f"{BASE}/addresses/",
        {
            "element": "HZ-API-DSL01",
            "province": "浙江省",
            "city": "杭州市",
            "street": "文三路90号",
            "max_bandwidth_mbps": 50,
        },
        format="json",
    )
    assert row.status_code == 201 and row.json()["technology"] == "copper"
    changed = admin.patch(f"{BASE}/elements/{el['id']}/", {"ports_total": 96}, format="json")
    assert changed.status_code == 200 and changed.json()["ports_total"] == 96
    assert_error(
        admin.patch(f"{BASE}/elements/{el['id']}/", {"ports_total": -1}, format="json"),
        400,
        field="ports_total",
    )
    moved = admin.patch(f"{BASE}/addresses/{row.json()['id']}/", {"street": "文三路92号"}, format="json")
    assert moved.status_code == 200 and moved.json()["street"] == "文三路92号"
    assert admin.post(f"{BASE}/addresses/{row.json()['id']}/retire").json()["is_active"] is False
    retired = admin.post(f"{BASE}/elements/{el['id']}/retire")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert admin.get(f"{BASE}/elements/{el['id']}").json()["status"] == "retired"


def test_rule_errors_come_back_bilingual_naming_the_field(carrier, network):
    admin = client_as(carrier["admin"])
    item = assert_error(
        admin.post(
            f"{BASE}/addresses/",
            {"element": "NO-SUCH", "province": "浙江省", "city": "杭州市", "street": "文三路1号"},
            format="json",
        ),
        400,
        field="element",
        code="unknown",
    )
    assert (
        item["message_zh"] == "未知网元“NO-SUCH”。"
        and item["message_en"] == "Unknown network element “NO-SUCH”."
    )
    assert_error(
        admin.post(
            f"{BASE}/elements/",
            {
                "code": "HZ-XH-OLT01",
                "kind": "olt",
                "org_unit": carrier.city.pk,
                "ports_total": 1,
                "max_bandwidth_mbps": 1,
            },
            format="json",
        ),
        400,
        field="code",
        code="duplicate",
    )


def test_only_managers_write(carrier, network):
    clerk = client_as(carrier["clerk"])
    assert_error(clerk.post(f"{BASE}/elements/", {"code": "X-1"}, format="json"), 403)
    assert_error(clerk.patch(f"{BASE}/elements/{network['hz'].pk}/", {"name": "x"}, format="json"), 403)
    assert_error(clerk.post(f"{BASE}/elements/{network['hz'].pk}/retire"), 403)
    assert_error(clerk.post(f"{BASE}/addresses/", {}, format="json"), 403)
    network["hz"].refresh_from_db()
    assert network["hz"].status == "in_service"


def test_list_query_counts_do_not_grow(carrier):
    admin = client_as(carrier["admin"])
    el = element(carrier)
    cover(carrier, el, "文三路1号")
    admin.get(f"{BASE}/addresses/")
    with count_queries() as few:
        admin.get(f"{BASE}/addresses/")
        admin.get(f"{BASE}/elements/")
    for n in range(2, 25):
        cover(carrier, element(carrier), f"文三路{n}号")
    with count_queries() as many:
        admin.get(f"{BASE}/addresses/")
        admin.get(f"{BASE}/elements/")
    assert len(few) == len(many)


def test_unknown_paths_get_the_json_404(carrier):
    assert_error(client_as(carrier["clerk"]).get(f"{BASE}/nothing-here"), 404)
