"""/api/v1/catalog/rules/: tables and versions for catalog readers; create, draft, publish and evaluate
for catalog managers only; one bilingual error shape naming row and column."""

from __future__ import annotations

import pytest

from telcrm.catalog.rules import dmn
from telcrm.catalog.rules.models import DecisionTable, VersionStatus
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import make_user
from telcrm.platform.tests._api_fixtures import assert_error, bearer, client_as, results

from ._helpers import grid

BASE = "/api/v1/catalog/rules"
CREDIT = grid(["offering", "credit_level"], [("credit_5g", ['"5G-CX-128"', "< 2"], "deny")])
FACTS = {
    "customer_type": "individual",
    "credit_level": 1,
    "age": 30,
    "offering": "5G-CX-128",
    "offering_kind": "plan",
    "held": [],
    "cart": [],
}


@pytest.fixture
def table(publish):
    return publish("ELIG-C", CREDIT).table


def test_readers_list_and_read_tables_and_versions(carrier, table):
    client = client_as(carrier["clerk"])
    [row] = results(client.get(f"{BASE}/tables/"))
    assert row["code"] == "ELIG-C" and row["published_version"] == 1 and row["draft_version"] is None
    assert results(client.get(f"{BASE}/tables/?kind=compatibility")) == []
    assert client.get(f"{BASE}/tables/ELIG-C").json()["kind"] == "eligibility"
    [version] = results(client.get(f"{BASE}/tables/ELIG-C/versions"))
    assert version["status"] == "published" and version["published_by"]["username"] == "admin"
    detail = client.get(f"{BASE}/tables/ELIG-C/versions/1").json()
    assert detail["grid"]["rows"][0]["cells"] == ['"5G-CX-128"', "< 2"]
    assert "decisionTable" in detail["dmn_xml"]
    assert_error(client.get(f"{BASE}/tables/NOPE"), 404)
    assert_error(client.get(f"{BASE}/tables/ELIG-C/versions/7"), 404)


def test_a_manager_creates_saves_publishes_and_evaluates(carrier, django_capture_on_commit_callbacks):
    client = bearer(carrier["admin"])
    created = client.post(
        f"{BASE}/tables/", {"code": "ELIG-API", "name": "接口表", "kind": "eligibility"}, format="json"
    )
    assert created.status_code == 201 and created.json()["draft_version"] == 1
    saved = client.post(
        f"{BASE}/tables/ELIG-API/draft", {"dmn_xml": dmn.to_xml(CREDIT), "comment": "首版"}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["row_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(f"{BASE}/tables/ELIG-API/publish", {"comment": "上线"}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    response = client.post(f"{BASE}/evaluate", {"facts": FACTS}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert response.status_code == 200 and body["allowed"] is False
    assert body["outcomes"] == [
        {
            "table": "ELIG-API",
            "rule": "credit_5g",
            "effect": "deny",
            "message": "消息credit_5g",
            "requires": [],
        }
    ]
    ok = client.post(
        f"{BASE}/evaluate", {"facts": {**FACTS, "credit_level": 4}, "kind": "eligibility"}, format="json"
    )
    assert ok.json() == {"allowed": True, "outcomes": []}
    assert AuditLog.objects.filter(action="catalog_rule.publish", actor=carrier["admin"]).exists()


def test_publishing_without_a_draft_is_a_field_error(carrier, table):
    item = assert_error(
        client_as(carrier["admin"]).post(f"{BASE}/tables/ELIG-C/publish", {}, format="json"), 400
    )
    assert item["field"] == "version" and item["code"] == "no_draft"


def test_a_bad_draft_names_row_and_column_in_both_languages(carrier, table):
    bad = dmn.to_xml(CREDIT).replace("&lt; 2", "&lt;&lt; 2")
    response = client_as(carrier["admin"]).post(
        f"{BASE}/tables/ELIG-C/draft", {"dmn_xml": bad}, format="json"
    )
    item = assert_error(response, 400, field="dmn_xml")
    assert item["message_en"].startswith("Row 1, column credit_level: ")
    assert item["message_zh"].startswith("第1行，credit_level列：")
    assert not table.versions.filter(status=VersionStatus.DRAFT).exists()
    malformed = client_as(carrier["admin"]).post(
        f"{BASE}/tables/ELIG-C/draft", {"dmn_xml": "<x"}, format="json"
    )
    assert assert_error(malformed, 400, field="dmn_xml")["code"] == "malformed"


def test_update_deactivates_a_table(carrier, table):
    response = client_as(carrier["admin"]).patch(
        f"{BASE}/tables/ELIG-C", {"name": "信用", "kind": "eligibility", "is_active": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert DecisionTable.objects.get(code="ELIG-C").is_active is False


def test_facts_are_checked(carrier, table):
    response = client_as(carrier["admin"]).post(
        f"{BASE}/evaluate", {"facts": {**FACTS, "credit_level": 9, "channel": "fax"}}, format="json"
    )
    fields = {i["field"] for i in response.json()["errors"]}
    assert response.status_code == 400 and fields == {"facts.credit_level", "facts.channel"}


@pytest.mark.parametrize("role", ["clerk", "branch_manager", "analyst", "account_manager"])
def test_only_managers_write_or_evaluate(carrier, table, role):
    client = client_as(carrier[role])
    assert_error(client.post(f"{BASE}/evaluate", {"facts": FACTS}, format="json"), 403)
    assert_error(client.post(f"{BASE}/tables/ELIG-C/publish", {}, format="json"), 403)
    assert_error(
        client.post(f"{BASE}/tables/ELIG-C/draft", {"dmn_xml": dmn.to_xml(CREDIT)}, format="json"), 403
    )
    assert_error(
        client.post(f"{BASE}/tables/", {"code": "X", "name": "x", "kind": "eligibility"}, format="json"), 403
    )
    assert_error(client.patch(f"{BASE}/tables/ELIG-C", {"name": "x"}, format="json"), 403)


def test_without_a_catalog_permission_nothing_is_visible(carrier, table):
    client = client_as(make_user("nobody", None, carrier.branch))
    assert_error(client.get(f"{BASE}/tables/"), 403)
    assert_error(client.get(f"{BASE}/tables/ELIG-C/versions"), 403)


def test_anonymous_requests_are_refused(table):
    client = client_as(None)
    assert_error(client.get(f"{BASE}/tables/"), 401)
    assert_error(client.post(f"{BASE}/evaluate", {"facts": FACTS}, format="json"), 401)


def test_an_unknown_path_is_a_json_404(carrier):
    assert_error(client_as(carrier["admin"]).get(f"{BASE}/nothing/here"), 404)
