"""Who holds the coverage permissions: the built-in roles get them from sync_roles (new databases)
and from migration 0002 (databases whose roles existed before the module)."""

from __future__ import annotations

import pytest

from telcrm.platform.models import Role
from telcrm.resources.coverage.apps import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

VIEWERS = {
    "admin",
    "analyst",
    "branch_manager",
    "clerk",
    "backoffice",
    "installer",
    "agent",
    "service",
    "account_manager",
}


def test_roles_hold_what_the_requirement_says(carrier):
    for code in [r.code for r in Role.objects.filter(is_system=True)]:
        user = carrier[code]
        assert user.has_perm("coverage.view_coverage") == (code in VIEWERS), code
        assert user.has_perm("coverage.manage_coverage") == (code == "admin"), code
    assert set(ROLE_PERMISSIONS) == VIEWERS


def test_the_data_migration_grants_them_to_existing_roles(db):
    from django.apps import apps as global_apps
    from django.db import connection

    from telcrm.platform.roles import grant_app_permissions

    clerk = Role.objects.get(code="clerk")
    clerk.permissions.remove(*clerk.permissions.filter(content_type__app_label="coverage"))
    admin = Role.objects.get(code="admin")
    admin.permissions.remove(*admin.permissions.filter(content_type__app_label="coverage"))
    grant_app_permissions("coverage")(global_apps, connection.schema_editor())
    assert set(
        clerk.permissions.filter(content_type__app_label="coverage").values_list("codename", flat=True)
    ) == {"view_coverage"}
    assert set(
        admin.permissions.filter(content_type__app_label="coverage").values_list("codename", flat=True)
    ) == {
        "view_coverage",
        "manage_coverage",
    }
