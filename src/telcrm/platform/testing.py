"""Test helpers shared by every module: a small carrier, users per role, query-count checks.

Usage in tests: the ``carrier`` fixture (root conftest.py) gives a :class:`Carrier` with the org
tree and one user per role in two branches, so scope tests can check "sees own branch, not the
other one".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import factory
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .models import OrgKind, OrgUnit, Role, User

PASSWORD = "telcrm-test-pw"  # noqa: S105 - fixture password


def make_unit(code: str, name: str, kind: str, parent: OrgUnit | None, name_en: str = "") -> OrgUnit:
    from .actions import org_unit_create

    return org_unit_create(
        actor=None, code=code, name=name, name_en=name_en or code, kind=kind, parent=parent
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    org_unit = None
    role = None
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(username: str, role_code: str | None, org_unit: OrgUnit, **kw) -> User:
    role = Role.objects.get(code=role_code) if role_code else None
    return UserFactory(username=username, role=role, org_unit=org_unit, **kw)


@dataclass
class Carrier:
    hq: OrgUnit
    province: OrgUnit
    city: OrgUnit
    branch: OrgUnit
    other_city: OrgUnit
    other_branch: OrgUnit
    team: OrgUnit
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, role_code: str) -> User:
        return self.users[role_code]


def build_carrier() -> Carrier:
    hq = make_unit("HQ", "集团总部", OrgKind.HQ, None, "Group HQ")
    zj = make_unit("ZJ", "浙江省公司", OrgKind.PROVINCE, hq, "Zhejiang")
    hz = make_unit("ZJ-HZ", "杭州分公司", OrgKind.CITY, zj, "Hangzhou")
    nb = make_unit("ZJ-NB", "宁波分公司", OrgKind.CITY, zj, "Ningbo")
    b1 = make_unit("ZJ-HZ-01", "西湖营业厅", OrgKind.BRANCH, hz, "West Lake branch")
    b2 = make_unit("ZJ-NB-01", "海曙营业厅", OrgKind.BRANCH, nb, "Haishu branch")
    team = make_unit("ZJ-HZ-T1", "杭州装维一班", OrgKind.TEAM, hz, "Hangzhou install team 1")
    c = Carrier(hq, zj, hz, b1, nb, b2, team)
    placement = {
        "admin": hq,
        "analyst": hq,
        "branch_manager": b1,
        "clerk": b1,
        "backoffice": hz,
        "installer": team,
        "agent": zj,
        "service": hz,
        "account_manager": b1,
        "marketer": hz,
    }
    for code, unit in placement.items():
        c.users[code] = make_user(code, code, unit)
    # Same roles in the other city, to prove scope boundaries.
    c.users["other_clerk"] = make_user("other_clerk", "clerk", b2)
    c.users["other_branch_manager"] = make_user("other_branch_manager", "branch_manager", b2)
    return c


@contextlib.contextmanager
def count_queries():
    """``with count_queries() as q: ...`` then ``len(q)``: the queries run inside the block."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
