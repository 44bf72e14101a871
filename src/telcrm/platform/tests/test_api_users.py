"""/api/v1/users/: data scope on list, detail, search, write and export; PII masking and reveal."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from telcrm.platform import actions
from telcrm.platform.models import AuditKind, AuditLog, DataScope, Job, JobStatus, User
from telcrm.platform.testing import PASSWORD, UserFactory, count_queries

from ._api_fixtures import assert_error, bearer, client_as, results

pytestmark = pytest.mark.django_db

ID_HZ = "330106199001011234"
ID_NB = "330203198512124321"


def usernames(response) -> set[str]:
    return {u["username"] for u in results(response)}


def visible_to(actor, target) -> bool:
    """The oracle: what the role's data scope lets ``actor`` see, from the org tree alone."""
    if actor.data_scope == DataScope.ALL:
        return True
    if actor.data_scope == DataScope.SUBTREE:
        return target.org_unit.path.startswith(actor.org_unit.path)
    return target.pk == actor.pk


def in_subtree(carrier, unit) -> set[str]:
    return {u.username for u in carrier.users.values() if u.org_unit.path.startswith(unit.path)}


# --- scope ----------------------------------------------------------------------------------------
def test_branch_manager_lists_only_users_of_his_branch(carrier):
    names = usernames(client_as(carrier["branch_manager"]).get("/api/v1/users/?page_size=500"))
    assert names == in_subtree(carrier, carrier.branch)
    assert "branch_manager" in names and "clerk" in names
    assert not names & {"other_clerk", "other_branch_manager", "admin", "backoffice"}


def test_clerk_with_own_scope_lists_only_himself(carrier):
    assert usernames(client_as(carrier["clerk"]).get("/api/v1/users/")) == {"clerk"}


def test_admin_lists_everyone(carrier):
    assert usernames(client_as(carrier["admin"]).get("/api/v1/users/?page_size=500")) == set(
        User.objects.values_list("username", flat=True)
    )


def test_detail_follows_the_scope_for_every_pair_of_users(carrier):
    """Property over the whole fixture carrier: GET /users/{target} is 200 exactly when the scope allows."""
    users = list(carrier.users.values())
    for actor in users:
        client = client_as(actor)
        listed = usernames(client.get("/api/v1/users/?page_size=500"))
        for target in users:
            expected = visible_to(actor, target)
            response = client.get(f"/api/v1/users/{target.pk}")
            assert response.status_code == (200 if expected else 404), (actor.username, target.username)
            assert (target.username in listed) == expected, (actor.username, target.username)


def test_out_of_scope_user_is_404_on_get_and_patch_and_nothing_changes(carrier):
    client = client_as(carrier["branch_manager"])
    target = carrier["other_clerk"]
    assert_error(client.get(f"/api/v1/users/{target.pk}/"), 404, field="__all__", code="not_found")
    writes_before = AuditLog.objects.filter(kind=AuditKind.WRITE).count()
    assert_error(client.patch(f"/api/v1/users/{target.pk}", {"full_name": "改掉"}, format="json"), 404)
    target.refresh_from_db()
    assert target.full_name != "改掉"
    assert AuditLog.objects.filter(kind=AuditKind.WRITE).count() == writes_before
    # The same answer as for an id that does not exist: nothing tells the two apart.
    missing = client.get("/api/v1/users/999999999").json()
    assert client.get(f"/api/v1/users/{target.pk}").json() == missing


def test_in_scope_patch_without_manage_platform_is_403(carrier):
    target = carrier["clerk"]
    assert_error(
        client_as(carrier["branch_manager"]).patch(
            f"/api/v1/users/{target.pk}", {"full_name": "X"}, format="json"
        ),
        403,
    )
    target.refresh_from_db()
    assert target.full_name != "X"


def test_search_q_is_scoped(carrier):
    assert usernames(client_as(carrier["branch_manager"]).get("/api/v1/users/", {"q": "other"})) == set()
    assert usernames(client_as(carrier["admin"]).get("/api/v1/users/", {"q": "other"})) == {
        "other_clerk",
        "other_branch_manager",
    }
    assert usernames(client_as(carrier["clerk"]).get("/api/v1/users/", {"q": "clerk"})) == {"clerk"}


def test_filters_and_ordering(carrier):
    client = client_as(carrier["admin"])
    assert usernames(client.get("/api/v1/users/", {"role": "clerk"})) == {"clerk", "other_clerk"}
    assert usernames(client.get("/api/v1/users/", {"org_unit": carrier.other_city.pk})) == {
        "other_clerk",
        "other_branch_manager",
    }
    names = [
        u["username"]
        for u in results(client.get("/api/v1/users/", {"ordering": "-username", "page_size": 500}))
    ]
    assert names == sorted(names, reverse=True)
    actions.user_update(actor=carrier["admin"], user=carrier["installer"], is_active=False)
    assert usernames(client.get("/api/v1/users/", {"active": "false"})) == {"installer"}
    assert "installer" not in usernames(client.get("/api/v1/users/", {"active": "true", "page_size": 500}))


# --- PII ------------------------------------------------------------------------------------------
@pytest.fixture
def with_ids(carrier):
    for code, number in (("clerk", ID_HZ), ("other_clerk", ID_NB)):
        actions.user_update(actor=carrier["admin"], user=carrier[code], id_number=number)
    return carrier


def test_id_number_is_always_masked_in_output(with_ids):
    client = client_as(with_ids["admin"])
    for response in (
        client.get("/api/v1/users/?page_size=500"),
        client.get(f"/api/v1/users/{with_ids['clerk'].pk}"),
    ):
        assert ID_HZ not in response.content.decode() and ID_NB not in response.content.decode()
    detail = client.get(f"/api/v1/users/{with_ids['clerk'].pk}").json()
    assert detail["id_number"] == "330***********1234"


def test_exact_lookup_by_id_number_is_scoped(with_ids):
    assert usernames(client_as(with_ids["admin"]).get("/api/v1/users/", {"id_number": ID_HZ})) == {"clerk"}
    # Full-width digits and spaces normalise to the same blind index.
    spaced = " ".join(ID_NB[i : i + 6] for i in range(0, 18, 6))
    assert usernames(client_as(with_ids["admin"]).get("/api/v1/users/", {"id_number": spaced})) == {
        "other_clerk"
    }
    assert (
        usernames(client_as(with_ids["branch_manager"]).get("/api/v1/users/", {"id_number": ID_NB})) == set()
    )
    assert (
        usernames(client_as(with_ids["admin"]).get("/api/v1/users/", {"id_number": "110101190001010000"}))
        == set()
    )


def test_reveal_returns_plaintext_and_is_audited(with_ids):
    clerk = with_ids["clerk"]
    response = client_as(with_ids["branch_manager"]).post(
        f"/api/v1/users/{clerk.pk}/reveal", {"field": "id_number"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": ID_HZ}
    row = AuditLog.objects.get(kind=AuditKind.REVEAL)
    assert (
        row.actor == with_ids["branch_manager"]
        and row.object_id == str(clerk.pk)
        and row.field == "id_number"
    )
    assert ID_HZ not in json.dumps([row.before, row.after, row.object_repr])


def test_reveal_is_forbidden_without_reveal_pii_and_404_out_of_scope(with_ids):
    clerk = with_ids["clerk"]
    assert not with_ids["marketer"].has_perm("platform.reveal_pii")
    response = client_as(with_ids["marketer"]).post(
        f"/api/v1/users/{clerk.pk}/reveal", {"field": "id_number"}, format="json"
    )
    assert_error(response, 403, field="__all__", code="permission_denied")
    assert ID_HZ not in response.content.decode()
    other = with_ids["other_clerk"]
    assert_error(
        client_as(with_ids["branch_manager"]).post(
            f"/api/v1/users/{other.pk}/reveal", {"field": "id_number"}, format="json"
        ),
        404,
    )
    assert_error(
        client_as(with_ids["branch_manager"]).post(
            f"/api/v1/users/{clerk.pk}/reveal", {"field": "password"}, format="json"
        ),
        400,
        field="field",
    )
    assert not AuditLog.objects.filter(kind=AuditKind.REVEAL).exists()


# --- writes ---------------------------------------------------------------------------------------
def test_admin_creates_and_updates_a_user(carrier):
    client = client_as(carrier["admin"])
    response = client.post(
        "/api/v1/users/",
        {
            "username": "new_clerk",
            "full_name": "新营业员",
            "password": "Long-enough-pw-42",
            "org_unit": carrier.branch.pk,
            "role": "clerk",
            "id_number": ID_HZ,
            "language": "en",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == "330***********1234" and body["role"]["code"] == "clerk"
    user = User.objects.get(username="new_clerk")
    assert user.check_password("Long-enough-pw-42") and user.language == "en"
    response = client.patch(
        f"/api/v1/users/{user.pk}/", {"full_name": "改名", "is_active": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["full_name"] == "改名"
    assert response.json()["is_active"] is False
    assert (
        AuditLog.objects.filter(action__in=["user.create", "user.update"], object_id=str(user.pk)).count()
        == 2
    )


def test_create_user_errors(carrier):
    client = client_as(carrier["admin"])
    base = {
        "username": "u1",
        "full_name": "U",
        "password": "Long-enough-pw-42",
        "org_unit": carrier.branch.pk,
    }
    assert_error(
        client.post("/api/v1/users/", {**base, "username": "clerk"}, format="json"), 400, field="username"
    )
    item = assert_error(
        client.post("/api/v1/users/", {**base, "password": "short"}, format="json"), 400, field="password"
    )
    assert item["message_zh"] != item["message_en"]
    assert_error(
        client.post("/api/v1/users/", {**base, "role": "no-such-role"}, format="json"), 400, field="role"
    )
    assert_error(
        client.post("/api/v1/users/", {**base, "email": "not-an-email"}, format="json"), 400, field="email"
    )
    assert not User.objects.filter(username="u1").exists()
    # A unit outside the actor's scope cannot be chosen.
    assert_error(client_as(carrier["branch_manager"]).post("/api/v1/users/", base, format="json"), 403)


def test_create_user_needs_manage_platform(carrier):
    response = client_as(carrier["branch_manager"]).post("/api/v1/users/", {"username": "x"}, format="json")
    assert_error(response, 403)


# --- export ---------------------------------------------------------------------------------------
def test_export_holds_exactly_the_scoped_rows(carrier, tmp_path, django_capture_on_commit_callbacks):
    client = client_as(carrier["branch_manager"])
    with override_settings(MEDIA_ROOT=tmp_path), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/users/export", {"filters": {"ordering": "username"}}, format="json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/jobs/{job.pk}/"
    assert job.owner == carrier["branch_manager"]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    rows = list(load_workbook(tmp_path / job.result_file, read_only=True).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == in_subtree(carrier, carrier.branch)
    assert AuditLog.objects.filter(kind=AuditKind.EXPORT, actor=carrier["branch_manager"]).exists()
    detail = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert detail["percent"] == 100 and detail["download_url"]


def test_export_with_search_keeps_the_scope(carrier, tmp_path, django_capture_on_commit_callbacks):
    with override_settings(MEDIA_ROOT=tmp_path), django_capture_on_commit_callbacks(execute=True):
        response = client_as(carrier["branch_manager"]).post(
            "/api/v1/users/export", {"filters": {"q": "clerk"}}, format="json"
        )
    job = Job.objects.get(pk=response.json()["id"])
    job.refresh_from_db()
    assert job.result == {"rows": 1}  # "clerk" only; "other_clerk" is in Ningbo


def test_export_needs_export_data_and_valid_filters(carrier):
    assert_error(client_as(carrier["clerk"]).post("/api/v1/users/export", {}, format="json"), 403)
    assert_error(
        client_as(carrier["admin"]).post(
            "/api/v1/users/export", {"filters": {"ordering": "password"}}, format="json"
        ),
        400,
        field="filters.ordering",
    )
    assert_error(
        client_as(carrier["admin"]).post("/api/v1/users/export", {"filters": "all"}, format="json"),
        400,
        field="filters",
    )
    assert not Job.objects.exists()


# --- query count ----------------------------------------------------------------------------------
def test_list_query_count_does_not_grow_with_rows(carrier):
    client = bearer(carrier["admin"])
    client.get("/api/v1/users/")  # warm up: token last-used stamp, caches

    def count() -> int:
        with count_queries() as queries:
            assert client.get("/api/v1/users/?page_size=100").status_code == 200
        return len(queries)

    UserFactory.create_batch(5, org_unit=carrier.branch, role=carrier["clerk"].role, id_number=ID_HZ)
    few = count()
    UserFactory.create_batch(25, org_unit=carrier.other_branch, role=carrier["clerk"].role, id_number=ID_NB)
    assert count() == few


# --- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method,url,body,status,field",
    [
        ("post", "/api/v1/users/", "{not json", 400, "__all__"),
        ("post", "/api/v1/users/", "[1, 2, 3]", 400, "__all__"),
        ("post", "/api/v1/users/", "null", 400, "__all__"),
        (
            "post",
            "/api/v1/users/",
            '{"username": {"x": 1}, "full_name": [], "password": 5, "org_unit": "abc"}',
            400,
            "username",
        ),
        (
            "post",
            "/api/v1/users/",
            '{"username": "a", "full_name": "b", "password": "Long-enough-pw-42", '
            '"org_unit": 100000000000000000000000}',
            400,
            "org_unit",
        ),
        (
            "post",
            "/api/v1/users/",
            '{"username": "a", "full_name": "b", "password": "Long-enough-pw-42", "org_unit": 1.5}',
            400,
            "org_unit",
        ),
        (
            "post",
            "/api/v1/users/",
            '{"username": "a", "full_name": "b", "password": "Long-enough-pw-42", "org_unit": true}',
            400,
            "org_unit",
        ),
        ("patch", "/api/v1/users/{clerk}", '{"is_active": "perhaps"}', 400, "is_active"),
        ("patch", "/api/v1/users/{clerk}", '{"language": 7}', 400, "language"),
        ("patch", "/api/v1/users/{clerk}", '{"org_unit": -1}', 400, "org_unit"),
        ("post", "/api/v1/users/{clerk}/reveal", "{}", 400, "field"),
        ("get", "/api/v1/users/?page=abc", None, 400, "page"),
        ("get", "/api/v1/users/?page=0", None, 400, "page"),
        ("get", "/api/v1/users/?page_size=-3", None, 400, "page_size"),
        ("get", "/api/v1/users/?page=99999", None, 404, "__all__"),
        ("get", "/api/v1/users/?org_unit=abc", None, 400, "org_unit"),
        ("get", "/api/v1/users/?org_unit=99999999999999999999999", None, 400, "org_unit"),
        ("get", "/api/v1/users/?ordering=password", None, 400, "ordering"),
        ("get", "/api/v1/users/?active=maybe", None, 400, "active"),
        ("get", "/api/v1/users/abc", None, 404, "__all__"),
        ("get", "/api/v1/users/99999999999999999999999", None, 404, "__all__"),
        ("get", "/api/v1/no-such-endpoint/", None, 404, "__all__"),
    ],
)
def test_bad_input_is_4xx_never_500(carrier, method, url, body, status, field):
    client = client_as(carrier["admin"])
    url = url.format(clerk=carrier["clerk"].pk)
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    item = assert_error(getattr(client, method)(url, **kwargs), status, field=field)
    if status == 400:
        assert item["message_zh"] != item["message_en"], item


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
USER_FIELDS = [
    "username",
    "full_name",
    "password",
    "org_unit",
    "role",
    "email",
    "mobile",
    "employee_no",
    "id_number",
    "language",
    "is_active",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.sampled_from(USER_FIELDS), JSON, max_size=6))
def test_any_json_to_user_writes_is_answered_without_500(carrier, payload):
    client = APIClient()
    client.force_authenticate(carrier["admin"])
    for response in (
        client.post("/api/v1/users/", payload, format="json"),
        client.patch(f"/api/v1/users/{carrier['installer'].pk}", payload, format="json"),
    ):
        assert response.status_code in (200, 201, 400), (response.status_code, response.content)
        if response.status_code == 400:
            assert_error(response, 400)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "org_unit", "role", "active", "ordering", "page", "page_size", "id_number"]),
        st.text(max_size=12),
        max_size=4,
    )
)
def test_any_query_string_to_user_list_is_answered_without_500(carrier, params):
    client = APIClient()
    client.force_authenticate(carrier["branch_manager"])
    response = client.get("/api/v1/users/", params)
    assert response.status_code in (200, 400, 404), (response.status_code, response.content)
    if response.status_code == 200:
        assert usernames(response) <= in_subtree(carrier, carrier.branch)
    else:
        assert_error(response, response.status_code)


def test_password_is_never_in_output(carrier):
    body = client_as(carrier["admin"]).get("/api/v1/users/?page_size=500").content.decode()
    assert "password" not in body and PASSWORD not in body
