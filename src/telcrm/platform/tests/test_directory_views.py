"""Org tree, users and roles UI (PLT-1): pages, permissions, data scope, exports, PII reveal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.platform.models import AuditLog, Job, JobStatus, OrgUnit, Role, User
from telcrm.platform.testing import count_queries, make_user

from ._directory_fixtures import city_admin, valid_id  # noqa: F401 (fixture)


def admin_pages(c):
    clerk = c["clerk"]
    role = Role.objects.get(code="marketer")
    return [
        reverse("org-tree"),
        reverse("org-tree") + "?q=西湖",
        reverse("org-create"),
        reverse("org-create") + f"?parent={c.city.pk}",
        reverse("org-detail", args=[c.branch.pk]),
        reverse("org-edit", args=[c.branch.pk]),
        reverse("user-list"),
        reverse("user-create"),
        reverse("user-detail", args=[clerk.pk]),
        reverse("user-edit", args=[clerk.pk]),
        reverse("user-password", args=[clerk.pk]),
        reverse("role-list"),
        reverse("role-edit", args=[role.pk]),
        reverse("profile"),
    ]


def test_every_page_renders_for_admin(carrier, client_for):
    client = client_for(carrier["admin"])
    for url in admin_pages(carrier):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<html" in response.content


def test_clerk_gets_403_on_admin_pages(carrier, client_for):
    clerk = carrier["clerk"]
    client = client_for(clerk)
    role = Role.objects.get(code="marketer")
    for url in [
        reverse("org-tree"),
        reverse("org-create"),
        reverse("org-edit", args=[carrier.branch.pk]),
        reverse("org-detail", args=[carrier.branch.pk]),
        reverse("user-list"),
        reverse("user-create"),
        reverse("user-detail", args=[clerk.pk]),
        reverse("user-edit", args=[clerk.pk]),
        reverse("user-password", args=[clerk.pk]),
        reverse("role-list"),
        reverse("role-edit", args=[role.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("user-unlock", args=[clerk.pk])).status_code == 403
    assert client.post(reverse("user-export")).status_code == 403
    assert (
        client.post(
            reverse("org-create"), {"kind": "team", "code": "X", "name": "x", "parent": carrier.branch.pk}
        ).status_code
        == 403
    )
    assert not OrgUnit.objects.filter(code="X").exists()


def test_profile_renders_for_every_role(carrier, client_for):
    for code in ("clerk", "installer", "agent"):
        response = client_for(carrier[code]).get(reverse("profile"))
        assert response.status_code == 200
        assert carrier[code].username in response.content.decode()


def test_pages_need_sign_in(client, db):
    response = client.get(reverse("user-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- data scope -------------------------------------------------------------------------------
def test_branch_manager_sees_users_of_his_branch_only(carrier, client_for):
    client = client_for(carrier["branch_manager"])
    html = client.get(reverse("user-list")).content.decode()
    assert reverse("user-detail", args=[carrier["clerk"].pk]) in html
    assert reverse("user-detail", args=[carrier["other_clerk"].pk]) not in html
    assert reverse("user-detail", args=[carrier["admin"].pk]) not in html
    html = client.get(reverse("user-list"), {"q": "clerk"}).content.decode()
    assert reverse("user-detail", args=[carrier["clerk"].pk]) in html
    assert reverse("user-detail", args=[carrier["other_clerk"].pk]) not in html


def test_user_outside_scope_is_404(carrier, client_for):
    client = client_for(carrier["branch_manager"])
    other = carrier["other_clerk"]
    assert client.get(reverse("user-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("user-detail", args=[carrier["clerk"].pk])).status_code == 200
    assert client.post(reverse("user-reveal", args=[other.pk, "id_number"])).status_code == 404
    assert client.get(reverse("user-detail", args=[999999])).status_code == 404


def test_scoped_admin_gets_404_outside_his_city(carrier, client_for, city_admin):  # noqa: F811
    client = client_for(city_admin)
    other = carrier["other_clerk"]
    for url in [
        reverse("user-detail", args=[other.pk]),
        reverse("user-edit", args=[other.pk]),
        reverse("user-password", args=[other.pk]),
        reverse("org-detail", args=[carrier.other_branch.pk]),
        reverse("org-edit", args=[carrier.other_branch.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("user-unlock", args=[other.pk])).status_code == 404
    assert client.post(reverse("user-reveal", args=[other.pk, "id_number"])).status_code == 404
    assert (
        client.post(
            reverse("user-password", args=[other.pk]),
            {"password": "Zx9!kq2Lm#r8", "password_confirm": "Zx9!kq2Lm#r8"},
        ).status_code
        == 404
    )
    assert client.get(reverse("user-edit", args=[carrier["clerk"].pk])).status_code == 200


def test_org_tree_shows_only_units_in_scope(carrier, client_for):
    html = client_for(carrier["branch_manager"]).get(reverse("org-tree")).content.decode()
    assert carrier.branch.name in html
    assert carrier.other_branch.name not in html
    assert reverse("org-detail", args=[carrier.city.pk]) not in html
    html = client_for(carrier["admin"]).get(reverse("org-tree")).content.decode()
    c = carrier
    for unit in (c.hq, c.province, c.city, c.branch, c.other_branch, c.team):
        assert reverse("org-detail", args=[unit.pk]) in html


def test_org_tree_counts_users_per_unit_and_subtree(carrier, client_for):
    html = client_for(carrier["admin"]).get(reverse("org-tree")).content.decode()
    # West Lake branch: branch_manager, clerk, account_manager placed directly in it.
    import re

    pattern = r'data-testid="org-([A-Z][\w-]*)".*?data-testid="user-count">(\d+)<'
    counts = dict(re.findall(pattern, html, re.S))
    # West Lake branch: branch_manager, clerk and account_manager are placed directly in it.
    assert counts[carrier.branch.code] == "3" and counts[carrier.other_branch.code] == "2"
    assert counts[carrier.hq.code] == "2"


def test_org_detail_lists_children_and_users(carrier, client_for):
    html = client_for(carrier["admin"]).get(reverse("org-detail", args=[carrier.city.pk])).content.decode()
    children = html.split('data-testid="children"')[1].split("</ul>")[0]
    assert carrier.branch.name in children and carrier.team.name in children
    assert carrier.other_branch.name not in children
    users = html.split('data-testid="unit-users"')[1].split("</table>")[0]
    assert carrier["backoffice"].username in users and carrier["clerk"].username not in users


def test_org_tree_search(carrier, client_for):
    html = client_for(carrier["admin"]).get(reverse("org-tree"), {"q": "海曙"}).content.decode()
    assert reverse("org-detail", args=[carrier.other_branch.pk]) in html
    assert reverse("org-detail", args=[carrier.branch.pk]) not in html


# --- list: filters, sorting, queries ----------------------------------------------------------
def test_user_list_filters_and_sort(carrier, client_for):
    client = client_for(carrier["admin"])
    html = client.get(reverse("user-list"), {"org_unit": carrier.other_city.pk}).content.decode()
    assert carrier["other_clerk"].username in html and ">clerk<" not in html
    html = client.get(reverse("user-list"), {"role": "clerk"}).content.decode()
    assert carrier["other_clerk"].username in html
    assert reverse("user-detail", args=[carrier["branch_manager"].pk]) not in html
    User.objects.filter(pk=carrier["marketer"].pk).update(is_active=False)
    html = client.get(reverse("user-list"), {"active": "0"}).content.decode()
    assert html.count('data-testid="user-row"') == 1 and "marketer" in html
    html = client.get(reverse("user-list"), {"sort": "-username"}).content.decode()
    names = [u.username for u in User.objects.order_by("-username")]
    positions = [html.index(f"<small>{n}</small>") for n in names]
    assert positions == sorted(positions)


def test_user_list_bad_filters_are_reported_not_500(carrier, client_for):
    client = client_for(carrier["branch_manager"])
    for params in (
        {"org_unit": "abc"},
        {"org_unit": carrier.other_branch.pk},
        {"role": "nope"},
        {"active": "maybe"},
        {"sort": "password"},
        {"page": "x"},
        {"q": "%_"},
    ):
        response = client.get(reverse("user-list"), params)
        assert response.status_code == 200, params
    html = client.get(reverse("user-list"), {"org_unit": carrier.other_branch.pk}).content.decode()
    assert 'data-testid="filter-errors"' in html
    assert carrier["other_clerk"].username not in html


def test_user_list_htmx_gets_the_results_fragment(carrier, client_for):
    response = client_for(carrier["admin"]).get(reverse("user-list"), {"q": "clerk"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="user-results"' in html and "<html" not in html


def test_user_list_paginates_with_the_page_size_parameter(carrier, client_for):
    from telcrm.platform.actions import parameter_update
    from telcrm.platform.models import Parameter

    parameter_update(actor=carrier["admin"], parameter=Parameter.objects.get(key="ui.page_size"), value=5)
    for i in range(8):
        make_user(f"pg{i:02d}", "clerk", carrier.branch)
    client = client_for(carrier["admin"])
    html = client.get(reverse("user-list")).content.decode()
    assert html.count('data-testid="user-row"') == 5
    total = User.objects.count()
    last = client.get(reverse("user-list"), {"page": (total + 4) // 5}).content.decode()
    assert last.count('data-testid="user-row"') == total - 5 * ((total - 1) // 5)


def _list_queries(client, url):
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return len(q)


def test_user_list_query_count_does_not_grow_with_rows(carrier, client_for):
    client = client_for(carrier["admin"])
    url = reverse("user-list") + f"?org_unit={carrier.branch.pk}"
    for i in range(5):
        make_user(f"few{i}", "clerk", carrier.branch)
    client.get(url)  # warm caches (parameters, permissions)
    few = _list_queries(client, url)
    for i in range(25):
        make_user(f"many{i}", "agent", carrier.branch)
    many = _list_queries(client, url)
    assert few == many
    assert few <= 14  # auth, permissions, menu, filter choices, count, one page of rows


# --- export -----------------------------------------------------------------------------------
def test_export_contains_only_users_in_scope(
    carrier, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    client = client_for(carrier["branch_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("user-export"), {"q": "", "active": "1"})
    job = Job.objects.get(owner=carrier["branch_manager"])
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params["filters"]["active"] == "1"
    ws = load_workbook(tmp_path / job.result_file).active
    usernames = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert usernames == set(User.objects.filter(org_unit=carrier.branch).values_list("username", flat=True))
    assert "other_clerk" not in usernames
    assert AuditLog.objects.filter(kind="export", actor=carrier["branch_manager"]).exists()


def test_export_keeps_the_list_filters(
    carrier, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(carrier["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("user-export"), {"role": "clerk", "org_unit": carrier.city.pk, "sort": "-username"}
        )
    job = Job.objects.get(owner=carrier["admin"])
    assert job.params["filters"] == {"role": "clerk", "org_unit": carrier.city.pk, "sort": "-username"}
    assert job.result["rows"] == 1


def test_export_over_the_row_limit_is_refused_with_a_message(carrier, client_for):
    from telcrm.platform.actions import parameter_update
    from telcrm.platform.models import Parameter

    parameter_update(actor=carrier["admin"], parameter=Parameter.objects.get(key="export.max_rows"), value=1)
    client = client_for(carrier["admin"])
    response = client.post(reverse("user-export"), {"role": "clerk"}, follow=True)
    assert response.status_code == 200 and not Job.objects.exists()
    assert response.redirect_chain[0][0] == reverse("user-list") + "?role=clerk&sort=username"
    html = response.content.decode()
    assert "alert-danger" in html and html.count('data-testid="user-row"') == 2


def test_export_needs_permission_and_post(carrier, client_for):
    assert client_for(carrier["backoffice"]).post(reverse("user-export")).status_code == 403
    assert client_for(carrier["admin"]).get(reverse("user-export")).status_code == 405
    assert not Job.objects.exists()


# --- PII reveal -------------------------------------------------------------------------------
@pytest.fixture
def clerk_with_id(carrier):
    clerk = carrier["clerk"]
    clerk.id_number = valid_id()
    clerk.save()
    return clerk


def test_detail_masks_and_reveal_writes_audit(carrier, client_for, clerk_with_id):
    client = client_for(carrier["branch_manager"])
    plain = valid_id()
    html = client.get(reverse("user-detail", args=[clerk_with_id.pk])).content.decode()
    assert plain not in html and "330***********" in html
    assert reverse("user-reveal", args=[clerk_with_id.pk, "id_number"]) in html
    url = reverse("user-reveal", args=[clerk_with_id.pk, "id_number"])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert plain in response.content.decode() and "<html" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    log = AuditLog.objects.get(kind="reveal")
    assert log.actor == carrier["branch_manager"] and log.object_id == str(clerk_with_id.pk)
    assert log.field == "id_number"


def test_reveal_without_permission_is_403_and_shows_nothing(carrier, client_for, clerk_with_id):
    client = client_for(carrier["analyst"])  # sees every user, may not reveal
    html = client.get(reverse("user-detail", args=[clerk_with_id.pk])).content.decode()
    assert "reveal-id-number" not in html
    response = client.post(reverse("user-reveal", args=[clerk_with_id.pk, "id_number"]))
    assert response.status_code == 403
    assert valid_id() not in response.content.decode()
    assert not AuditLog.objects.filter(kind="reveal").exists()


def test_reveal_of_unprotected_field_is_400(carrier, client_for, clerk_with_id):
    response = client_for(carrier["admin"]).post(reverse("user-reveal", args=[clerk_with_id.pk, "username"]))
    assert response.status_code == 400
    assert not AuditLog.objects.filter(kind="reveal").exists()
