"""Who holds the integration permissions: the built-in roles get them from sync_roles (new databases)
and from migration 0002 (databases whose roles existed before the module)."""

from __future__ import annotations

import pytest

from telcrm.integration.permissions import INTEGRATION_PERMISSIONS
from telcrm.platform.models import Role

pytestmark = pytest.mark.django_db


def test_roles_hold_what_the_module_grants(carrier):
    for code in Role.objects.filter(is_system=True).values_list("code", flat=True):
        user = carrier[code]
        assert user.has_perm("integration.view_outbox") == (code in ("admin", "backoffice")), code
        assert user.has_perm("integration.manage_outbox") == (code in ("admin", "backoffice")), code
        assert user.has_perm("integration.manage_subscriptions") == (code == "admin"), code
    assert set(INTEGRATION_PERMISSIONS) == {"admin", "backoffice"}


def test_the_data_migration_grants_them_to_existing_roles(db):
    from django.apps import apps as global_apps
    from django.db import connection

    from telcrm.platform.roles import grant_app_permissions

    backoffice = Role.objects.get(code="backoffice")
    backoffice.permissions.remove(*backoffice.permissions.filter(content_type__app_label="integration"))
    grant_app_permissions("integration")(global_apps, connection.schema_editor())
    assert set(
        backoffice.permissions.filter(content_type__app_label="integration").values_list(
            "codename", flat=True
        )
    ) == {"view_outbox", "manage_outbox"}
