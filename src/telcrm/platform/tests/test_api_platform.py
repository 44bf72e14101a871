"""Org units, roles, parameters, dictionaries, holidays, jobs, audit and notifications over the API."""

from __future__ import annotations

import datetime as dt

import pytest

from telcrm.platform import actions
from telcrm.platform.models import AuditLog, Holiday, Job, JobStatus, Notification, OrgUnit, Parameter
from telcrm.platform.parameters import param

from ._api_fixtures import assert_error, client_as, results
from ._directory_fixtures import city_admin  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


# --- org units ------------------------------------------------------------------------------------
def test_org_units_are_scoped(carrier):
    codes = {u["code"] for u in results(client_as(carrier["branch_manager"]).get("/api/v1/org-units/"))}
    assert codes == {"ZJ-HZ-01"}
    codes = {u["code"] for u in results(client_as(carrier["backoffice"]).get("/api/v1/org-units/"))}
    assert codes == {"ZJ-HZ", "ZJ-HZ-01", "ZJ-HZ-T1"}
    assert_error(client_as(carrier["backoffice"]).get(f"/api/v1/org-units/{carrier.other_branch.pk}"), 404)
    assert (
        client_as(carrier["backoffice"]).get(f"/api/v1/org-units/{carrier.branch.pk}").json()["kind"]
        == "branch"
    )


def test_org_unit_filters(carrier):
    client = client_as(carrier["admin"])
    assert {u["code"] for u in results(client.get("/api/v1/org-units/", {"kind": "city"}))} == {
        "ZJ-HZ",
        "ZJ-NB",
    }
    assert {u["code"] for u in results(client.get("/api/v1/org-units/", {"q": "NB"}))} == {
        "ZJ-NB",
        "ZJ-NB-01",
    }
    assert_error(client.get("/api/v1/org-units/", {"kind": "planet"}), 400, field="kind")


def test_org_unit_create_and_update(carrier):
    client = client_as(carrier["admin"])
    response = client.post(
        "/api/v1/org-units/",
        {"code": "ZJ-HZ-02", "name": "武林营业厅", "kind": "branch", "parent": carrier.city.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    unit = OrgUnit.objects.get(code="ZJ-HZ-02")
    assert unit.path.startswith(carrier.city.path)
    response = client.patch(f"/api/v1/org-units/{unit.pk}", {"address": "武林广场1号"}, format="json")
    assert response.status_code == 200 and response.json()["address"] == "武林广场1号"
    # The tree's rule (a branch cannot sit under a branch) comes back as a bilingual field error.
    item = assert_error(
        client.post(
            "/api/v1/org-units/",
            {"code": "X", "name": "X", "kind": "branch", "parent": carrier.branch.pk},
            format="json",
        ),
        400,
        field="kind",
        code="invalid_parent",
    )
    assert item["message_zh"] != item["message_en"]


def test_org_unit_writes_need_manage_platform(carrier):
    client = client_as(carrier["branch_manager"])
    assert_error(
        client.post(
            "/api/v1/org-units/",
            {"code": "X", "name": "X", "kind": "team", "parent": carrier.branch.pk},
            format="json",
        ),
        403,
    )
    assert_error(client.patch(f"/api/v1/org-units/{carrier.branch.pk}", {"name": "X"}, format="json"), 403)
    assert_error(
        client.patch(f"/api/v1/org-units/{carrier.other_branch.pk}", {"name": "X"}, format="json"), 404
    )
    assert not OrgUnit.objects.filter(name="X").exists()


def test_org_unit_parent_outside_scope_is_rejected(carrier, city_admin):  # noqa: F811
    # For an administrator of Hangzhou, a unit in Ningbo does not exist.
    client = client_as(city_admin)
    for parent in (carrier.other_city.pk, 999999):
        response = client.post(
            "/api/v1/org-units/", {"code": "Y", "name": "Y", "kind": "team", "parent": parent}, format="json"
        )
        assert_error(response, 400, field="parent", code="does_not_exist")
    response = client.post(
        "/api/v1/org-units/",
        {"code": "Y", "name": "Y", "kind": "team", "parent": carrier.city.pk},
        format="json",
    )
    assert response.status_code == 201
    assert not OrgUnit.objects.filter(code="Y", parent=carrier.other_city).exists()


# --- roles ----------------------------------------------------------------------------------------
def test_roles_list_with_permissions_and_counts(carrier):
    roles = {r["code"]: r for r in results(client_as(carrier["admin"]).get("/api/v1/roles/"))}
    assert "platform.manage_platform" in roles["admin"]["permissions"]
    assert [p for p in roles["clerk"]["permissions"] if p.startswith("platform.")] == ["platform.reveal_pii"]
    assert roles["clerk"]["user_count"] == 2
    # A branch manager counts only the users in his scope.
    roles = {r["code"]: r for r in results(client_as(carrier["branch_manager"]).get("/api/v1/roles/"))}
    assert roles["clerk"]["user_count"] == 1


# --- parameters -----------------------------------------------------------------------------------
def test_parameter_list_and_update(carrier):
    client = client_as(carrier["admin"])
    keys = {p["key"] for p in results(client.get("/api/v1/parameters/", {"group": "auth", "page_size": 100}))}
    assert "auth.lockout_threshold" in keys and "ui.page_size" not in keys
    response = client.patch(
        "/api/v1/parameters/auth.lockout_threshold", {"value": 7, "reason": "policy"}, format="json"
    )
    assert response.status_code == 200 and response.json()["value"] == 7
    assert param("auth.lockout_threshold") == 7
    assert AuditLog.objects.filter(action="parameter.update").exists()


@pytest.mark.parametrize(
    "value,code",
    [
        ("abc", "invalid"),
        (1000, "max_value"),
        (0, "min_value"),
        ({"x": 1}, "invalid"),
        (None, "null"),
        (True, "invalid"),
    ],
)
def test_parameter_bad_values_are_bilingual_400(carrier, value, code):
    response = client_as(carrier["admin"]).patch(
        "/api/v1/parameters/auth.lockout_threshold", {"value": value}, format="json"
    )
    item = assert_error(response, 400, field="value", code=code)
    assert item["message_zh"] != item["message_en"]
    assert Parameter.objects.get(key="auth.lockout_threshold").value == 5


def test_parameter_update_needs_manage_parameters(carrier):
    assert_error(
        client_as(carrier["clerk"]).patch(
            "/api/v1/parameters/auth.lockout_threshold", {"value": 9}, format="json"
        ),
        403,
    )
    assert_error(
        client_as(carrier["admin"]).patch("/api/v1/parameters/no.such.key", {"value": 9}, format="json"), 404
    )
    assert param("auth.lockout_threshold") == 5


# --- dictionaries ---------------------------------------------------------------------------------
def test_dictionaries_and_items(carrier):
    client = client_as(carrier["clerk"])
    codes = {d["code"]: d for d in results(client.get("/api/v1/dictionaries/"))}
    assert codes["gender"]["item_count"] == 3
    items = results(client.get("/api/v1/dictionaries/gender/items"))
    assert [i["code"] for i in items] == ["m", "f", "u"]
    assert items[0] == {"code": "m", "label": "男", "label_en": "Male", "parent": None}
    assert_error(client.get("/api/v1/dictionaries/no-such-code/items"), 404)
    assert_error(
        client.get("/api/v1/dictionaries/gender/items", {"active_only": "perhaps"}), 400, field="active_only"
    )


# --- holidays -------------------------------------------------------------------------------------
def test_holidays_create_list_delete(carrier):
    client = client_as(carrier["admin"])
    response = client.post("/api/v1/holidays/", {"date": "2031-10-01", "name": "国庆节"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "holiday"
    client.post("/api/v1/holidays/", {"date": "2032-01-01", "name": "元旦"}, format="json")
    assert [h["name"] for h in results(client.get("/api/v1/holidays/", {"year": 2031}))] == ["国庆节"]
    holiday = Holiday.objects.get(date=dt.date(2031, 10, 1))
    assert_error(client_as(carrier["clerk"]).delete(f"/api/v1/holidays/{holiday.pk}"), 403)
    assert client.delete(f"/api/v1/holidays/{holiday.pk}").status_code == 204
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert_error(
        client.post("/api/v1/holidays/", {"date": "2031-02-30", "name": "x"}, format="json"),
        400,
        field="date",
    )
    assert_error(
        client_as(carrier["clerk"]).post(
            "/api/v1/holidays/", {"date": "2031-05-01", "name": "劳动节"}, format="json"
        ),
        403,
    )


# --- jobs -----------------------------------------------------------------------------------------
def _job(user, title="export") -> Job:
    return actions.job_start(actor=user, kind="platform.export", title=title, params={"dataset": "users"})


def test_jobs_own_or_in_scope(carrier):
    mine, theirs = _job(carrier["clerk"], "mine"), _job(carrier["other_clerk"], "theirs")
    client = client_as(carrier["clerk"])
    assert [j["title"] for j in results(client.get("/api/v1/jobs/"))] == ["mine"]
    assert client.get(f"/api/v1/jobs/{mine.pk}").json()["percent"] == 0
    assert_error(client.get(f"/api/v1/jobs/{theirs.pk}"), 404)
    assert_error(client.post(f"/api/v1/jobs/{theirs.pk}/cancel"), 404)
    assert {j["title"] for j in results(client_as(carrier["admin"]).get("/api/v1/jobs/"))} == {
        "mine",
        "theirs",
    }
    assert_error(client.get("/api/v1/jobs/", {"status": "bogus"}), 400, field="status")
    assert_error(client.get("/api/v1/jobs/not-a-uuid"), 404)


def test_job_cancel_and_retry(carrier):
    job = _job(carrier["clerk"])
    Job.objects.filter(pk=job.pk).update(progress_total=200, progress_done=50)
    client = client_as(carrier["clerk"])
    assert client.get(f"/api/v1/jobs/{job.pk}").json()["percent"] == 25
    response = client.post(f"/api/v1/jobs/{job.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == JobStatus.CANCELLED
    item = assert_error(
        client.post(f"/api/v1/jobs/{job.pk}/cancel"), 400, field="status", code="invalid_state"
    )
    assert item["message_zh"] != item["message_en"]
    response = client.post(f"/api/v1/jobs/{job.pk}/retry")
    assert response.status_code == 200 and response.json()["status"] == JobStatus.QUEUED


# --- audit ----------------------------------------------------------------------------------------
def test_audit_search_needs_view_audit_and_is_scoped(carrier):
    actions.user_update(actor=carrier["admin"], user=carrier["clerk"], full_name="杭州改名")
    actions.user_update(actor=carrier["admin"], user=carrier["other_clerk"], full_name="宁波改名")
    assert_error(client_as(carrier["clerk"]).get("/api/v1/audit/"), 403)
    everything = results(client_as(carrier["admin"]).get("/api/v1/audit/", {"action": "user.update"}))
    assert {r["object_id"] for r in everything} == {str(carrier["clerk"].pk), str(carrier["other_clerk"].pk)}
    mine = results(client_as(carrier["branch_manager"]).get("/api/v1/audit/", {"action": "user.update"}))
    assert {r["object_id"] for r in mine} == {str(carrier["clerk"].pk)}
    hidden = AuditLog.objects.get(action="user.update", object_id=str(carrier["other_clerk"].pk))
    assert_error(client_as(carrier["branch_manager"]).get(f"/api/v1/audit/{hidden.pk}"), 404)
    found = results(client_as(carrier["admin"]).get("/api/v1/audit/", {"q": "宁波改名", "kind": "write"}))
    assert [r["object_id"] for r in found] == [str(carrier["other_clerk"].pk)]
    assert_error(
        client_as(carrier["admin"]).get("/api/v1/audit/", {"date_from": "yesterday"}), 400, field="date_from"
    )


# --- notifications --------------------------------------------------------------------------------
def test_notifications_are_own_and_mark_read(carrier):
    a = actions.notify(recipient=carrier["clerk"], title="one")
    b = actions.notify(recipient=carrier["clerk"], title="two")
    other = actions.notify(recipient=carrier["other_clerk"], title="not yours")
    client = client_as(carrier["clerk"])
    assert {n["title"] for n in results(client.get("/api/v1/notifications/"))} == {"one", "two"}
    response = client.post("/api/v1/notifications/mark-read", {"ids": [a.pk, other.pk]}, format="json")
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert [n["title"] for n in results(client.get("/api/v1/notifications/", {"unread_only": "1"}))] == [
        "two"
    ]
    assert client.post("/api/v1/notifications/mark-read", {}, format="json").json() == {"marked": 1}
    assert Notification.objects.get(pk=b.pk).read_at is not None
    assert_error(
        client.post("/api/v1/notifications/mark-read", {"ids": ["x"]}, format="json"), 400, field="ids.0"
    )
