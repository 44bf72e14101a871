"""Writes of the directory UI: every bad input is a 200 with the error on its field and nothing written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from telcrm.platform.models import AuditLog, DataScope, OrgUnit, Role, User
from telcrm.platform.testing import PASSWORD

from ._directory_fixtures import city_admin, valid_id  # noqa: F401 (fixture)

STRONG = "Lantern-Otter-482"


def field_errors(html: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, message in re.findall(r'data-field="([\w-]+)">([^<]*)<', html):
        out.setdefault(name, []).append(message)
    return out


def new_user_data(carrier, **over):
    data = {
        "username": "newclerk",
        "full_name": "新营业员",
        "employee_no": "E1001",
        "org_unit": carrier.branch.pk,
        "role": Role.objects.get(code="clerk").pk,
        "email": "new@example.com",
        "mobile": "13800000000",
        "id_number": "",
        "language": "zh-hans",
        "password": STRONG,
        "password_confirm": STRONG,
    }
    data.update(over)
    return data


# --- users ------------------------------------------------------------------------------------
def test_admin_creates_a_user(carrier, client_for):
    client = client_for(carrier["admin"])
    response = client.post(reverse("user-create"), new_user_data(carrier, id_number=valid_id().lower()))
    user = User.objects.get(username="newclerk")
    assert response.status_code == 302 and response["Location"] == reverse("user-detail", args=[user.pk])
    assert user.check_password(STRONG) and user.org_unit == carrier.branch and user.role.code == "clerk"
    assert user.id_number.reveal_unaudited() == valid_id()
    assert AuditLog.objects.filter(action="user.create", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"username": "clerk"}, "username"),
        ({"password": "12345", "password_confirm": "12345"}, "password"),
        ({"password": "password123", "password_confirm": "password123"}, "password"),
        ({"password_confirm": "something-else"}, "password_confirm"),
        ({"org_unit": "abc"}, "org_unit"),
        ({"org_unit": ""}, "org_unit"),
        ({"role": 99999}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"id_number": "330106199001011230"}, "id_number"),
        ({"id_number": "12345"}, "id_number"),
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_input_on_create_names_the_field(carrier, client_for, over, field):
    before = User.objects.count()
    response = client_for(carrier["admin"]).post(reverse("user-create"), new_user_data(carrier, **over))
    assert response.status_code == 200
    assert field in field_errors(response.content.decode()), field_errors(response.content.decode())
    assert User.objects.count() == before


def test_weak_password_shows_djangos_validator_messages(carrier, client_for):
    response = client_for(carrier["admin"]).post(
        reverse("user-create"), new_user_data(carrier, password="12345", password_confirm="12345")
    )
    html = response.content.decode()
    messages = " ".join(field_errors(html)["password"])
    assert "至少 10 个字符" in messages  # Django's minimum-length rule, in the user's language (Chinese)
    assert "你的密码不能全都是数字" in html  # the rules stay visible as help text on the re-rendered form


def test_org_unit_outside_scope_is_a_field_error(carrier, client_for, city_admin):  # noqa: F811
    client = client_for(city_admin)
    response = client.post(reverse("user-create"), new_user_data(carrier, org_unit=carrier.other_branch.pk))
    assert response.status_code == 200
    assert "org_unit" in field_errors(response.content.decode())
    assert not User.objects.filter(username="newclerk").exists()
    html = client.get(reverse("user-create")).content.decode()
    units = html.split('name="org_unit"')[1].split("</select>")[0]
    assert f'value="{carrier.branch.pk}"' in units and f'value="{carrier.other_branch.pk}"' not in units


def test_scoped_admin_cannot_grant_the_admin_role(carrier, client_for, city_admin):  # noqa: F811
    response = client_for(city_admin).post(
        reverse("user-create"), new_user_data(carrier, role=Role.objects.get(code="admin").pk)
    )
    assert response.status_code == 200 and "role" in field_errors(response.content.decode())
    assert not User.objects.filter(username="newclerk").exists()


def test_edit_keeps_id_number_when_left_blank(carrier, client_for):
    clerk = carrier["clerk"]
    clerk.id_number = valid_id()
    clerk.save()
    client = client_for(carrier["admin"])
    data = {
        "full_name": "改名营业员",
        "employee_no": "",
        "org_unit": carrier.branch.pk,
        "role": clerk.role_id,
        "email": "",
        "mobile": "",
        "id_number": "",
        "language": "zh-hans",
        "is_active": "on",
    }
    assert client.post(reverse("user-edit", args=[clerk.pk]), data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.full_name == "改名营业员" and clerk.id_number.reveal_unaudited() == valid_id()
    replacement = valid_id("11010519491231002")
    response = client.post(reverse("user-edit", args=[clerk.pk]), data | {"id_number": replacement})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.id_number.reveal_unaudited() == replacement
    log = AuditLog.objects.filter(action="user.update").first()
    assert replacement not in str(log.before) + str(log.after)


def test_edit_errors_name_the_field(carrier, client_for):
    admin = carrier["admin"]
    client = client_for(admin)
    data = {
        "full_name": admin.full_name,
        "org_unit": admin.org_unit_id,
        "role": admin.role_id,
        "language": "zh-hans",
        "is_active": "",
    }
    response = client.post(reverse("user-edit", args=[admin.pk]), data)
    assert response.status_code == 200 and "is_active" in field_errors(response.content.decode())
    admin.refresh_from_db()
    assert admin.is_active
    response = client.post(reverse("user-edit", args=[admin.pk]), data | {"is_active": "on", "org_unit": "x"})
    assert response.status_code == 200 and "org_unit" in field_errors(response.content.decode())


def test_edit_moves_a_user_and_audits(carrier, client_for):
    clerk = carrier["clerk"]
    data = {
        "full_name": clerk.full_name,
        "org_unit": carrier.other_branch.pk,
        "role": clerk.role_id,
        "language": "en",
        "is_active": "on",
    }
    assert client_for(carrier["admin"]).post(reverse("user-edit", args=[clerk.pk]), data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.org_unit == carrier.other_branch and clerk.language == "en"
    log = AuditLog.objects.get(action="user.update")
    assert log.after == {"org_unit_id": carrier.other_branch.pk, "language": "en"}


def test_admin_resets_a_password(carrier, client_for):
    clerk = carrier["clerk"]
    client = client_for(carrier["admin"])
    url = reverse("user-password", args=[clerk.pk])
    response = client.post(url, {"password": "abc", "password_confirm": "abc"})
    assert response.status_code == 200 and "password" in field_errors(response.content.decode())
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    assert client.post(url, {"password": STRONG, "password_confirm": STRONG}).status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    assert AuditLog.objects.filter(action="user.set_password", object_id=str(clerk.pk)).exists()


def test_admin_own_password_goes_to_profile(carrier, client_for):
    admin = carrier["admin"]
    response = client_for(admin).get(reverse("user-password", args=[admin.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("profile")


def test_unlock_clears_the_lockout(carrier, client_for):
    from axes.models import AccessAttempt

    clerk = carrier["clerk"]
    AccessAttempt.objects.create(
        username=clerk.username,
        ip_address="10.0.0.1",
        user_agent="t",
        failures_since_start=99,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    client = client_for(carrier["admin"])
    assert 'data-testid="locked"' in client.get(reverse("user-detail", args=[clerk.pk])).content.decode()
    response = client.post(reverse("user-unlock", args=[clerk.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=clerk.username).exists()
    assert AuditLog.objects.filter(action="user.unlock", object_id=str(clerk.pk)).exists()
    assert 'data-testid="locked"' not in client.get(reverse("user-detail", args=[clerk.pk])).content.decode()
    assert client.get(reverse("user-unlock", args=[clerk.pk])).status_code == 405


# --- organisation units -----------------------------------------------------------------------
def test_admin_creates_a_branch(carrier, client_for):
    client = client_for(carrier["admin"])
    html = client.get(reverse("org-create"), {"parent": carrier.city.pk}).content.decode()
    assert re.search(r'<option value="branch" selected>', html)
    response = client.post(
        reverse("org-create"),
        {"parent": carrier.city.pk, "kind": "branch", "code": "ZJ-HZ-02", "name": "滨江营业厅"},
    )
    unit = OrgUnit.objects.get(code="ZJ-HZ-02")
    assert response.status_code == 302 and response["Location"] == reverse("org-detail", args=[unit.pk])
    assert unit.path.startswith(carrier.city.path) and unit.depth == carrier.city.depth + 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"parent": "PROVINCE", "kind": "branch"}, "kind"),
        ({"parent": "", "kind": "city"}, "parent"),
        ({"parent": "CITY", "kind": "galaxy"}, "kind"),
        ({"parent": "abc", "kind": "branch"}, "parent"),
        ({"parent": "CITY", "kind": "branch", "code": "ZJ-HZ-01"}, "code"),
        ({"parent": "CITY", "kind": "branch", "name": ""}, "name"),
    ],
)
def test_bad_org_input_names_the_field(carrier, client_for, data, field):
    data = {"code": "NEW-1", "name": "新单位"} | data
    named = {"PROVINCE": carrier.province.pk, "CITY": carrier.city.pk}
    data["parent"] = named.get(data["parent"], data["parent"])
    before = OrgUnit.objects.count()
    response = client_for(carrier["admin"]).post(reverse("org-create"), data)
    assert response.status_code == 200
    assert field in field_errors(response.content.decode()), field_errors(response.content.decode())
    assert OrgUnit.objects.count() == before


def test_parent_outside_scope_is_a_field_error(carrier, client_for, city_admin):  # noqa: F811
    data = {"parent": carrier.other_city.pk, "kind": "branch", "code": "NB-9", "name": "x"}
    response = client_for(city_admin).post(reverse("org-create"), data)
    assert response.status_code == 200 and "parent" in field_errors(response.content.decode())
    assert not OrgUnit.objects.filter(code="NB-9").exists()


def test_org_edit(carrier, client_for):
    client = client_for(carrier["admin"])
    url = reverse("org-edit", args=[carrier.branch.pk])
    data = {
        "name": "西湖旗舰营业厅",
        "name_en": "West Lake flagship",
        "region_code": "0571",
        "address": "",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    carrier.branch.refresh_from_db()
    assert carrier.branch.name == "西湖旗舰营业厅"
    response = client.post(url, data | {"is_active": ""})
    assert response.status_code == 200 and "is_active" in field_errors(response.content.decode())
    carrier.branch.refresh_from_db()
    assert carrier.branch.is_active


# --- roles ------------------------------------------------------------------------------------
def test_role_list_shows_scope_and_counts(carrier, client_for):
    html = client_for(carrier["admin"]).get(reverse("role-list")).content.decode()
    row = html.split('data-testid="role-clerk"')[1].split("</tr>")[0]
    assert str(DataScope.OWN.label) in row
    assert re.search(r'\?role=clerk">2<', row)


def test_role_edit_changes_scope_and_permissions_and_is_audited(carrier, client_for):
    from django.contrib.auth.models import Permission

    role = Role.objects.get(code="marketer")
    kept = Permission.objects.get(content_type__app_label="platform", codename="view_job")
    role.permissions.add(kept)  # not offered in the editor: must survive the save
    reveal = Permission.objects.get(content_type__app_label="platform", codename="reveal_pii")
    client = client_for(carrier["admin"])
    html = client.get(reverse("role-edit", args=[role.pk])).content.decode()
    assert 'id="perm-export_data" checked' in html and 'id="perm-reveal_pii">' in html
    response = client.post(
        reverse("role-edit", args=[role.pk]),
        {"name": role.name, "name_en": role.name_en, "data_scope": "own", "permissions": [reveal.pk]},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.data_scope == "own"
    platform_perms = role.permissions.filter(content_type__app_label="platform")
    assert set(platform_perms.values_list("codename", flat=True)) == {"reveal_pii", "view_job"}
    log = AuditLog.objects.get(action="role.update")
    assert log.before["data_scope"] == "subtree" and log.after["data_scope"] == "own"
    assert "reveal_pii" in log.after["permissions"]


def test_role_edit_bad_input(carrier, client_for):
    role = Role.objects.get(code="marketer")
    client = client_for(carrier["admin"])
    response = client.post(
        reverse("role-edit", args=[role.pk]), {"name": "x", "data_scope": "galaxy", "permissions": ["abc"]}
    )
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert "data_scope" in errors and "permissions" in errors
    role.refresh_from_db()
    assert role.data_scope == "subtree"
    admin_role = Role.objects.get(code="admin")
    response = client.post(
        reverse("role-edit", args=[admin_role.pk]),
        {"name": admin_role.name, "data_scope": "all", "permissions": []},
    )
    assert response.status_code == 200 and "permissions" in field_errors(response.content.decode())
    assert admin_role.permissions.filter(codename="manage_platform").exists()
    assert client.get(reverse("role-edit", args=[99999])).status_code == 404


def test_only_hq_admin_edits_roles(carrier, client_for, city_admin):  # noqa: F811
    client = client_for(city_admin)
    role = Role.objects.get(code="clerk")
    assert client.get(reverse("role-list")).status_code == 200
    assert client.get(reverse("role-edit", args=[role.pk])).status_code == 403
    response = client.post(reverse("role-edit", args=[role.pk]), {"name": "x", "data_scope": "all"})
    assert response.status_code == 403
    role.refresh_from_db()
    assert role.data_scope == "own"


# --- profile ----------------------------------------------------------------------------------
def test_profile_language_switch(carrier, client_for):
    clerk = carrier["clerk"]
    client = client_for(clerk)
    assert 'lang="zh-hans"' in client.get(reverse("profile")).content.decode()
    response = client.post(reverse("profile"), {"form": "language", "language": "en"})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.language == "en"
    html = client.get(reverse("profile")).content.decode()
    assert 'lang="en"' in html and "My profile" in html and "Language changed." in html
    response = client.post(reverse("profile"), {"form": "language", "language": "fr"})
    assert response.status_code == 200 and "language" in field_errors(response.content.decode())


def test_profile_password_change(carrier, client_for):
    clerk = carrier["clerk"]
    client = client_for(clerk)
    response = client.post(
        reverse("profile"),
        {"form": "password", "current_password": "wrong", "password": STRONG, "password_confirm": STRONG},
    )
    assert response.status_code == 200 and "current_password" in field_errors(response.content.decode())
    response = client.post(
        reverse("profile"),
        {"form": "password", "current_password": PASSWORD, "password": "short", "password_confirm": "short"},
    )
    assert response.status_code == 200 and "password" in field_errors(response.content.decode())
    response = client.post(
        reverse("profile"),
        {"form": "password", "current_password": PASSWORD, "password": STRONG, "password_confirm": STRONG},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    assert client.get(reverse("profile")).status_code == 200  # still signed in
