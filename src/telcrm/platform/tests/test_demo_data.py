"""manage.py demo_data: the demo carrier, its sign-ins, idempotence, reset, and copy_rows."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from telcrm.platform import crypto, demo
from telcrm.platform.models import AuditLog, Holiday, HolidayKind, Job, OrgKind, OrgUnit, User
from telcrm.platform.queries import user_by_id_number

EXPECTED_ROLES = {
    "admin": "admin",
    "analyst": "analyst",
    "branchmgr": "branch_manager",
    "clerk": "clerk",
    "backoffice": "backoffice",
    "installer": "installer",
    "agent": "agent",
    "service": "service",
    "am": "account_manager",
    "marketer": "marketer",
}


def run(*args) -> str:
    out = io.StringIO()
    call_command("demo_data", "--customers", "0", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_carrier(db):
    run("--seed", "1")


def test_every_demo_user_has_its_role_and_signs_in_with_the_demo_password(demo_carrier):
    request = RequestFactory().post("/login/")
    for username, role in EXPECTED_ROLES.items():
        user = User.objects.select_related("role").get(username=username)
        assert user.role.code == role, username
        assert authenticate(request=request, username=username, password="telcrm-demo") == user, username
    assert authenticate(request=request, username="clerk", password="wrong-password") is None


def test_admin_is_django_superuser_and_others_are_not(demo_carrier):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.exclude(pk=admin.pk).filter(is_superuser=True).exists()


def test_demo_users_sit_where_their_work_is(demo_carrier):
    units = {u.username: u.org_unit for u in User.objects.select_related("org_unit")}
    assert units["admin"].kind == units["analyst"].kind == OrgKind.HQ
    assert units["marketer"].kind == OrgKind.PROVINCE
    branch = units["branchmgr"]
    assert branch.kind == OrgKind.BRANCH and branch.parent.name == "杭州分公司"
    assert units["clerk"] == branch == units["am"]
    for name in ("backoffice", "installer"):
        assert units[name].kind == OrgKind.TEAM and units[name].parent == branch.parent
    for name in ("agent", "service"):
        assert units[name].kind == OrgKind.TEAM and units[name].parent.kind == OrgKind.PROVINCE


def test_org_tree_shape(demo_carrier):
    hq = OrgUnit.objects.get(parent__isnull=True)
    assert hq.name == "集团总部" and hq.kind == OrgKind.HQ
    provinces = list(hq.children.all())
    assert [p.name for p in provinces] == ["浙江省公司"]
    cities = list(provinces[0].children.filter(kind=OrgKind.CITY))
    assert len(cities) >= 4
    assert {"杭州分公司", "宁波分公司", "温州分公司", "绍兴分公司"} <= {c.name for c in cities}
    for city in cities:
        branches = city.children.filter(kind=OrgKind.BRANCH)
        assert 2 <= branches.count() <= 4, city.name
        assert all(b.name.endswith("营业厅") and b.address.startswith("浙江省") for b in branches)
        assert city.children.filter(kind=OrgKind.TEAM, name__contains="装维").exists()
        assert city.children.filter(kind=OrgKind.TEAM, name__contains="后台").exists()
    province_teams = provinces[0].children.filter(kind=OrgKind.TEAM)
    assert province_teams.filter(name__contains="话务").exists()
    assert province_teams.filter(name__contains="客服").exists()
    for unit in OrgUnit.objects.exclude(parent__isnull=True).select_related("parent"):
        assert unit.name_en, unit.code
        assert unit.path.startswith(unit.parent.path) and unit.depth == unit.parent.depth + 1


def test_extra_staff_have_masked_id_numbers_and_mobiles(demo_carrier):
    staff = User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern)
    for city in demo.CITIES:
        assert staff.filter(username__startswith=city.code.lower()).count() >= 24, city.name
    sample = staff.order_by("pk").first()
    plain = sample.id_number.reveal_unaudited()
    assert len(plain) == 18 and str(sample.id_number) == crypto.mask_id_number(plain) != plain
    assert len(sample.mobile) == 11 and crypto.mask_phone(sample.mobile).count("*") == 4
    assert not sample.has_usable_password()
    admin = User.objects.get(username="admin")
    assert list(user_by_id_number(admin, plain)) == [sample]


def test_2026_holidays_and_make_up_workdays(demo_carrier):
    kinds = dict(Holiday.objects.filter(date__year=2026).values_list("date", "kind"))
    for day in (
        "2026-01-01",
        "2026-02-15",
        "2026-02-23",
        "2026-04-05",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-07",
    ):
        assert kinds[dt.date.fromisoformat(day)] == HolidayKind.HOLIDAY, day
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert kinds[dt.date.fromisoformat(day)] == HolidayKind.WORKDAY, day
    assert len(kinds) == len(demo.HOLIDAYS_2026) == 39


def test_if_empty_is_a_no_op_the_second_time(demo_carrier):
    counts = (
        User.objects.count(),
        OrgUnit.objects.count(),
        Holiday.objects.count(),
        AuditLog.objects.count(),
    )
    out = run("--if-empty")
    assert "not generated" in out
    assert counts == (
        User.objects.count(),
        OrgUnit.objects.count(),
        Holiday.objects.count(),
        AuditLog.objects.count(),
    )


def test_running_again_adds_nothing(demo_carrier):
    counts = (User.objects.count(), OrgUnit.objects.count(), Holiday.objects.count())
    run("--seed", "1")
    assert counts == (User.objects.count(), OrgUnit.objects.count(), Holiday.objects.count())


def test_seed_makes_the_data_reproducible(demo_carrier):
    first = list(
        User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern)
        .order_by("username")
        .values_list("username", "full_name", "mobile", "org_unit__code")
    )
    run("--reset", "--seed", "1")
    again = list(
        User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern)
        .order_by("username")
        .values_list("username", "full_name", "mobile", "org_unit__code")
    )
    assert first == again


def test_reset_replaces_staff_and_keeps_audited_rows(demo_carrier):
    before = set(
        User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern).values_list("full_name", flat=True)
    )
    out = run("--reset", "--seed", "2")
    after = set(
        User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern).values_list("full_name", flat=True)
    )
    assert "deleted" in out and before != after
    assert User.objects.filter(username__in=EXPECTED_ROLES).count() == len(EXPECTED_ROLES)


def test_reset_refuses_while_other_data_depends_on_generated_staff(demo_carrier):
    staff = User.objects.filter(username__regex=demo.STAFF_USERNAME.pattern).order_by("pk").first()
    Job.objects.create(kind="platform.export", title="held", owner=staff, org_unit=staff.org_unit)
    with pytest.raises(CommandError, match="Cannot reset the demo data"):
        run("--reset")
    assert User.objects.filter(pk=staff.pk).exists()


def test_reset_and_if_empty_exclude_each_other(db):
    with pytest.raises(CommandError):
        run("--reset", "--if-empty")


def test_generators_run_in_order_with_customers_and_their_own_rng(db, monkeypatch):
    monkeypatch.setattr(demo, "GENERATORS", dict(demo.GENERATORS))
    calls = []

    @demo.demo_generator(order=50, name="test.late")
    def late(*, stdout, customers, rng):
        calls.append(("late", customers, rng.random()))

    @demo.demo_generator(order=5, name="test.early")
    def early(*, stdout, customers, rng):
        assert User.objects.filter(username="admin").exists()  # platform (order 0) ran first
        calls.append(("early", customers, rng.random()))

    call_command("demo_data", "--customers", "123", "--seed", "9", stdout=io.StringIO())
    assert [c[:2] for c in calls] == [("early", 123), ("late", 123)]
    assert calls[0][2] == random.Random("9:test.early").random()


def test_copy_rows_loads_users_with_encrypted_columns(carrier):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from telcrm.platform.models import Role

    role = Role.objects.get(code="clerk")
    now = timezone.now()
    joined = now - dt.timedelta(days=400)
    rows = []
    for i in range(2500):  # more than one SQLite batch
        idn = demo.id_number(random.Random(i), "330106")
        rows.append(
            (
                make_password(None),
                False,
                f"copy{i:05d}",
                f"复制{i}",
                f"C{i:05d}",
                "",
                demo.mobile(random.Random(i)),
                crypto.encrypt(idn, context=demo.ID_CONTEXT),
                crypto.blind_index(idn, context=demo.ID_CONTEXT),
                carrier.branch.pk,
                role.pk,
                "zh-hans",
                True,
                False,
                joined,
                joined,
            )
        )
    assert demo.copy_rows(User, demo.USER_COLUMNS, iter(rows)) == 2500
    copied = User.objects.filter(username__startswith="copy")
    assert copied.count() == 2500
    user = copied.get(username="copy00042")
    idn = demo.id_number(random.Random(42), "330106")
    assert user.id_number.reveal_unaudited() == idn
    assert user.date_joined == joined  # values land as given: no auto_now on the bulk path
    assert list(user_by_id_number(carrier["admin"], idn)) == [user]
    assert user in User.objects.restrict(carrier["branch_manager"])


def test_copy_rows_rejects_rows_of_the_wrong_width(db):
    with pytest.raises(ValueError, match="columns"):
        demo.copy_rows(OrgUnit, ["code", "name"], [("X",)])


def test_id_numbers_carry_a_valid_check_digit():
    rng = random.Random(3)
    for _ in range(200):
        idn = demo.id_number(rng, "330106")
        total = sum(
            int(c) * w for c, w in zip(idn[:17], (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))
        )
        assert idn[17] == "10X98765432"[total % 11] and idn.startswith("330106")
