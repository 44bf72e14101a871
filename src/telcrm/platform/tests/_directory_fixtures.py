"""Fixtures shared by the directory UI tests (imported by test_directory_*.py)."""

from __future__ import annotations

import pytest

from telcrm.platform.forms_directory import id_number_checksum
from telcrm.platform.models import DataScope, Role
from telcrm.platform.testing import make_user


def valid_id(prefix17: str = "33010619900101123") -> str:
    """A resident ID number with a correct check digit."""
    return prefix17 + id_number_checksum(prefix17)


@pytest.fixture
def city_admin(carrier):
    """An administrator of Hangzhou only: manage_platform with a subtree scope."""
    from django.contrib.auth.models import Permission

    role = Role.objects.create(code="city_admin", name="分公司管理员", data_scope=DataScope.SUBTREE)
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="platform",
            codename__in=["manage_platform", "view_user", "view_orgunit", "reveal_pii"],
        )
    )
    return make_user("hz_admin", "city_admin", carrier.city)
