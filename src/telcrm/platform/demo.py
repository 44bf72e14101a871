"""Demo data: a registry of generators, a fast row loader, and the platform's own demo carrier.

``manage.py demo_data`` imports the ``demo`` module of every installed app, then runs the
registered generators in ``order``::

    from telcrm.platform.demo import copy_rows, demo_generator

    @demo_generator(order=20, name="customers", reset=delete_demo_customers)
    def customers(*, stdout, customers, rng):
        ...

Each generator receives the command's output stream, the ``--customers`` volume and its own
``random.Random`` (seeded from ``--seed`` and the generator's name, so adding a module does not
change the data of the others). It runs in one transaction and must be idempotent: running the
command twice must not duplicate anything. ``reset(stdout)`` deletes what the generator made and
raises :class:`DemoResetRefused` when other data still depends on it; resets run in reverse order.

Writes go through actions except bulk volumes: :func:`copy_rows` loads rows with PostgreSQL
``COPY`` (psycopg 3) or batched INSERTs on SQLite, bypassing ``save()``, signals, audit and history
— only for generated data, never for user input.

The platform generator builds the carrier: 集团总部 → 浙江省公司 → six cities → 2–4 branches
(营业厅) each, installation and back-office teams per city, call-center and service teams at the
province; the ten demo sign-ins (password ``telcrm-demo``); a few dozen staff per city; and the
2026 public holidays (see :data:`HOLIDAYS_2026`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from . import crypto
from .bulk import copy_rows

DEMO_PASSWORD = "telcrm-demo"  # noqa: S105 - the documented demo password


# --- registry -------------------------------------------------------------------------------
class DemoResetRefused(Exception):
    """Raised by a reset function when data outside the demo still depends on demo rows."""


@dataclass(frozen=True)
class DemoGenerator:
    name: str
    order: int
    fn: Callable[..., None]
    reset: Callable[..., None] | None = None


GENERATORS: dict[str, DemoGenerator] = {}


def demo_generator(*, order: int, name: str | None = None, reset: Callable[..., None] | None = None):
    """Register ``fn(*, stdout, customers, rng)`` to run at position ``order`` (platform is 0)."""

    def register(fn):
        key = name or f"{fn.__module__}.{fn.__name__}"
        GENERATORS[key] = DemoGenerator(name=key, order=order, fn=fn, reset=reset)
        return fn

    return register


def generators() -> list[DemoGenerator]:
    return sorted(GENERATORS.values(), key=lambda g: (g.order, g.name))


def autodiscover() -> list[DemoGenerator]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")
    return generators()


def faker(rng: random.Random):
    """A Faker zh_CN seeded from ``rng`` (reproducible with --seed)."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(rng.getrandbits(32))
    return fake


# --- bulk loading: platform.bulk.copy_rows (imported above) -------------------------------------
BATCH_SIZE = 2000


# --- people ---------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(rng: random.Random, region: str, *, min_year: int = 1968, max_year: int = 2003) -> str:
    """A syntactically valid 18-digit resident ID (region, birth date, sequence, ISO 7064 check)."""
    birth = dt.date(min_year, 1, 1) + dt.timedelta(days=rng.randrange((max_year - min_year) * 365))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(
        (
            "134",
            "135",
            "136",
            "137",
            "138",
            "139",
            "147",
            "150",
            "151",
            "152",
            "157",
            "158",
            "159",
            "172",
            "178",
            "182",
            "183",
            "184",
            "187",
            "188",
            "195",
            "198",
        )
    )
    return f"{prefix}{rng.randrange(10**8):08d}"


# --- the carrier ----------------------------------------------------------------------------
@dataclass(frozen=True)
class City:
    code: str  # two letters; unit code ZJ-<code>, staff usernames <code>0001
    name: str
    name_en: str
    area_code: str
    id_region: str  # ID-number region prefix of a district of the city
    branches: tuple[tuple[str, str, str], ...]  # name, English name, street address (n = house number)


CITIES: tuple[City, ...] = (
    City(
        "HZ",
        "杭州",
        "Hangzhou",
        "0571",
        "330106",
        (
            ("西湖文三路营业厅", "Wensan Road Branch, Xihu", "西湖区文三路{n}号"),
            ("滨江江南大道营业厅", "Jiangnan Avenue Branch, Binjiang", "滨江区江南大道{n}号"),
            ("萧山人民路营业厅", "Renmin Road Branch, Xiaoshan", "萧山区城厢街道人民路{n}号"),
            ("临平迎宾路营业厅", "Yingbin Road Branch, Linping", "临平区迎宾路{n}号"),
        ),
    ),
    City(
        "NB",
        "宁波",
        "Ningbo",
        "0574",
        "330203",
        (
            ("海曙天一广场营业厅", "Tianyi Square Branch, Haishu", "海曙区中山东路{n}号"),
            ("鄞州万达营业厅", "Wanda Plaza Branch, Yinzhou", "鄞州区四明中路{n}号"),
            ("北仑新碶营业厅", "Xinqi Branch, Beilun", "北仑区新碶街道新大路{n}号"),
        ),
    ),
    City(
        "WZ",
        "温州",
        "Wenzhou",
        "0577",
        "330302",
        (
            ("鹿城五马街营业厅", "Wuma Street Branch, Lucheng", "鹿城区五马街{n}号"),
            ("瓯海娄桥营业厅", "Louqiao Branch, Ouhai", "瓯海区娄桥街道古岸头路{n}号"),
            ("乐清旭阳路营业厅", "Xuyang Road Branch, Yueqing", "乐清市城南街道旭阳路{n}号"),
        ),
    ),
    City(
        "SX",
        "绍兴",
        "Shaoxing",
        "0575",
        "330602",
        (
            ("越城解放北路营业厅", "Jiefang North Road Branch, Yuecheng", "越城区解放北路{n}号"),
            ("柯桥轻纺城营业厅", "Textile City Branch, Keqiao", "柯桥区柯桥街道金柯桥大道{n}号"),
        ),
    ),
    City(
        "JX",
        "嘉兴",
        "Jiaxing",
        "0573",
        "330402",
        (
            ("南湖中山路营业厅", "Zhongshan Road Branch, Nanhu", "南湖区中山东路{n}号"),
            ("海宁海州路营业厅", "Haizhou Road Branch, Haining", "海宁市海州街道海州西路{n}号"),
            ("桐乡振兴路营业厅", "Zhenxing Road Branch, Tongxiang", "桐乡市梧桐街道振兴东路{n}号"),
        ),
    ),
    City(
        "JH",
        "金华",
        "Jinhua",
        "0579",
        "330702",
        (
            ("婺城八一南街营业厅", "Bayi South Street Branch, Wucheng", "婺城区八一南街{n}号"),
            ("义乌商贸城营业厅", "Trade City Branch, Yiwu", "义乌市福田街道银海路{n}号"),
            ("东阳吴宁营业厅", "Wuning Branch, Dongyang", "东阳市吴宁街道人民路{n}号"),
        ),
    ),
)
PROVINCE_CODE = "ZJ"
PROVINCE_ID_REGION = "330102"
# Province-level teams: (code suffix, name, English name, role of their staff, extra staff)
PROVINCE_TEAMS = (
    ("CC1", "10086话务一班", "10086 Call Center Team 1", "agent", (12, 16)),
    ("CC2", "10086话务二班", "10086 Call Center Team 2", "agent", (12, 16)),
    ("CS1", "客服投诉处理班", "Complaints & Service Team", "service", (8, 10)),
)
# City-level teams: (code suffix, name pattern, English pattern, role, extra staff)
CITY_TEAMS = (
    ("INS1", "{city}装维一班", "{city_en} Installation Team 1", "installer", (5, 8)),
    ("INS2", "{city}装维二班", "{city_en} Installation Team 2", "installer", (4, 7)),
    ("BO1", "{city}后台工单班", "{city_en} Back-office Team", "backoffice", (3, 5)),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit: str  # org unit code
    full_name: str
    employee_no: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin", "HQ", "王建国", "HQ9001"),
    DemoUser("analyst", "analyst", "HQ", "李思远", "HQ9002"),
    DemoUser("branchmgr", "branch_manager", "ZJ-HZ-B01", "陈晓燕", "HZ9001"),
    DemoUser("clerk", "clerk", "ZJ-HZ-B01", "张丽", "HZ9002"),
    DemoUser("backoffice", "backoffice", "ZJ-HZ-BO1", "刘伟", "HZ9003"),
    DemoUser("installer", "installer", "ZJ-HZ-INS1", "赵强", "HZ9004"),
    DemoUser("agent", "agent", "ZJ-CC1", "孙婷", "ZJ9001"),
    DemoUser("service", "service", "ZJ-CS1", "周敏", "ZJ9002"),
    DemoUser("am", "account_manager", "ZJ-HZ-B01", "吴磊", "HZ9005"),
    DemoUser("marketer", "marketer", "ZJ", "郑雪", "ZJ9003"),
)
_STAFF_PREFIXES = "|".join(c.lower() for c in (PROVINCE_CODE, *(c.code for c in CITIES)))
STAFF_USERNAME = re.compile(rf"^({_STAFF_PREFIXES})\d{{4}}$")

# China's 2026 public holidays and make-up working days (国务院办公厅通知). Administrators maintain
# the Holiday table every year (Parameters → Holidays) once the State Council publishes the next year.
HOLIDAYS_2026: tuple[tuple[str, str, str], ...] = (
    *[(f"2026-01-0{d}", "元旦", "holiday") for d in (1, 2, 3)],
    ("2026-01-04", "元旦调休上班", "workday"),
    ("2026-02-14", "春节调休上班", "workday"),
    *[(f"2026-02-{d}", "春节", "holiday") for d in range(15, 24)],
    ("2026-02-28", "春节调休上班", "workday"),
    *[(f"2026-04-0{d}", "清明节", "holiday") for d in (4, 5, 6)],
    *[(f"2026-05-0{d}", "劳动节", "holiday") for d in range(1, 6)],
    ("2026-05-09", "劳动节调休上班", "workday"),
    *[(f"2026-06-{d}", "端午节", "holiday") for d in (19, 20, 21)],
    ("2026-09-20", "国庆节调休上班", "workday"),
    *[(f"2026-09-{d}", "中秋节", "holiday") for d in (25, 26, 27)],
    *[(f"2026-10-0{d}", "国庆节", "holiday") for d in range(1, 8)],
    ("2026-10-10", "国庆节调休上班", "workday"),
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    region_code: str = ""
    address: str = ""


def carrier_units(rng: random.Random) -> list[UnitSpec]:
    """The demo org tree, parents before children."""
    units = [
        UnitSpec("HQ", "集团总部", "Group Headquarters", "hq", None, "010", "北京市西城区金融大街29号"),
        UnitSpec(
            PROVINCE_CODE,
            "浙江省公司",
            "Zhejiang Company",
            "province",
            "HQ",
            "0571",
            "浙江省杭州市上城区解放东路29号",
        ),
    ]
    for code, name, name_en, _role, _n in PROVINCE_TEAMS:
        units.append(UnitSpec(f"{PROVINCE_CODE}-{code}", name, name_en, "team", PROVINCE_CODE, "0571"))
    for c in CITIES:
        city = f"{PROVINCE_CODE}-{c.code}"
        units.append(
            UnitSpec(
                city,
                f"{c.name}分公司",
                f"{c.name_en} Branch Company",
                "city",
                PROVINCE_CODE,
                c.area_code,
                f"浙江省{c.name}市",
            )
        )
        for i, (name, name_en, street) in enumerate(c.branches, start=1):
            address = f"浙江省{c.name}市" + street.format(n=rng.randrange(1, 400))
            units.append(UnitSpec(f"{city}-B{i:02d}", name, name_en, "branch", city, c.area_code, address))
        for code, name, name_en, _role, _n in CITY_TEAMS:
            units.append(
                UnitSpec(
                    f"{city}-{code}",
                    name.format(city=c.name),
                    name_en.format(city_en=c.name_en),
                    "team",
                    city,
                    c.area_code,
                )
            )
    return units


def ensure_org_tree(rng: random.Random) -> dict:
    """Create the units that are missing (through ``org_unit_create``); returns {code: OrgUnit}."""
    from .actions import org_unit_create
    from .models import OrgUnit

    existing = {u.code: u for u in OrgUnit.objects.all()}
    for spec in carrier_units(rng):
        if spec.code not in existing:
            existing[spec.code] = org_unit_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                kind=spec.kind,
                parent=existing[spec.parent] if spec.parent else None,
                region_code=spec.region_code,
                address=spec.address,
            )
    return existing


USER_COLUMNS = (
    "password",
    "is_superuser",
    "username",
    "full_name",
    "employee_no",
    "email",
    "mobile",
    "id_number",
    "id_number_bidx",
    "org_unit_id",
    "role_id",
    "language",
    "is_active",
    "is_staff",
    "date_joined",
    "updated_at",
)
ID_CONTEXT = "platform.User.id_number"


def staff_row(
    rng: random.Random,
    fake,
    *,
    username: str,
    employee_no: str,
    org_unit_id: int,
    role_id: int,
    id_region: str,
    now: dt.datetime,
) -> tuple:
    """One row of USER_COLUMNS for a generated member of staff (no usable password)."""
    idn = id_number(rng, id_region)
    joined = now - dt.timedelta(days=rng.randrange(30, 365 * 12), seconds=rng.randrange(86400))
    return (
        make_password(None),
        False,
        username,
        fake.name(),
        employee_no,
        f"{username}@zj.example.com",
        mobile(rng),
        crypto.encrypt(idn, context=ID_CONTEXT),
        crypto.blind_index(idn, context=ID_CONTEXT),
        org_unit_id,
        role_id,
        "zh-hans",
        rng.random() > 0.03,
        False,
        joined,
        joined,
    )


def _staff_plan(rng: random.Random, units: dict) -> list[tuple[str, str, str, int]]:
    """(username prefix, unit code, role code, how many) for the extra staff of each unit."""
    plan = []
    for code, _name, _en, role, (lo, hi) in PROVINCE_TEAMS:
        plan.append((PROVINCE_CODE, f"{PROVINCE_CODE}-{code}", role, rng.randint(lo, hi)))
    plan.append((PROVINCE_CODE, PROVINCE_CODE, "marketer", 3))
    for c in CITIES:
        city = f"{PROVINCE_CODE}-{c.code}"
        for i in range(1, len(c.branches) + 1):
            branch = f"{city}-B{i:02d}"
            if branch != "ZJ-HZ-B01":  # the demo branchmgr runs that one
                plan.append((c.code, branch, "branch_manager", 1))
            plan.append((c.code, branch, "clerk", rng.randint(3, 6)))
            plan.append((c.code, branch, "account_manager", rng.randint(0, 1)))
        for code, _name, _en, role, (lo, hi) in CITY_TEAMS:
            plan.append((c.code, f"{city}-{code}", role, rng.randint(lo, hi)))
    return plan


def generate_staff(rng: random.Random, units: dict) -> int:
    """A few dozen staff per city (skipped for a prefix that already has generated staff)."""
    from .models import Role, User

    roles = dict(Role.objects.values_list("code", "id"))
    regions = {PROVINCE_CODE: PROVINCE_ID_REGION, **{c.code: c.id_region for c in CITIES}}
    taken = {p for p in regions if User.objects.filter(username__regex=rf"^{p.lower()}\d{{4}}$").exists()}
    fake = faker(rng)
    now = timezone.now()
    counters = dict.fromkeys(regions, 0)
    rows = []
    for prefix, unit_code, role, n in _staff_plan(rng, units):
        for _ in range(n):
            counters[prefix] += 1
            if prefix in taken:
                continue
            seq = counters[prefix]
            rows.append(
                staff_row(
                    rng,
                    fake,
                    username=f"{prefix.lower()}{seq:04d}",
                    employee_no=f"{prefix}{seq:04d}",
                    org_unit_id=units[unit_code].pk,
                    role_id=roles[role],
                    id_region=regions[prefix],
                    now=now,
                )
            )
    return copy_rows(User, USER_COLUMNS, rows)


def ensure_demo_users(rng: random.Random, units: dict) -> dict:
    """The ten demo sign-ins (through ``user_create``); admin is also a Django superuser."""
    from .actions import user_create
    from .actions.superuser import user_grant_superuser
    from .models import Role, User

    roles = {r.code: r for r in Role.objects.all()}
    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    created = set()
    for d in DEMO_USERS:
        if d.username in existing:
            continue
        created.add(d.username)
        region = (
            PROVINCE_ID_REGION if d.unit in ("HQ", PROVINCE_CODE) or d.unit.startswith("ZJ-C") else "330106"
        )
        existing[d.username] = user_create(
            actor=None,
            username=d.username,
            full_name=d.full_name,
            org_unit=units[d.unit],
            role=roles[d.role],
            password=DEMO_PASSWORD,
            email=f"{d.username}@zj.example.com",
            mobile=mobile(rng),
            employee_no=d.employee_no,
            id_number=id_number(rng, region),
        )
    if "admin" in created:  # never promote an "admin" account that demo_data did not make
        existing["admin"] = user_grant_superuser(actor=None, user=existing["admin"])
    return existing


def ensure_holidays(actor) -> int:
    from .actions import holiday_save
    from .models import Holiday

    have = {(h.date.isoformat(), h.name, h.kind) for h in Holiday.objects.filter(date__year=2026)}
    todo = [h for h in HOLIDAYS_2026 if h not in have]
    for day, name, kind in todo:
        holiday_save(actor=actor, date=dt.date.fromisoformat(day), name=name, kind=kind)
    return len(todo)


def reset_platform(*, stdout) -> None:
    """Delete the generated staff; keep the org tree, the ten demo users and the holidays.

    The append-only audit log records the creation of every unit and demo user (a database
    trigger refuses to null its references), so those rows stay for good; generated staff are
    loaded without audit rows and are deleted unless the audit log or other data (background jobs…)
    refers to them. The next generation then tops up what is missing.
    """
    from .models import AuditLog, User

    staff = User.objects.filter(username__regex=STAFF_USERNAME.pattern)
    audited = staff.filter(pk__in=AuditLog.objects.filter(actor__isnull=False).values("actor_id"))
    try:
        _, per_model = staff.exclude(pk__in=audited.values("pk")).delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = sorted({str(o._meta.verbose_name_plural) for o in list(exc.args[1])[:50]})
        raise DemoResetRefused(
            f"other data still refers to generated staff ({', '.join(blockers)}); delete it first, or start "
            "from a fresh database (embedded: remove var/telcrm.sqlite3, then make migrate)."
        ) from exc
    kept = audited.count()
    stdout.write(
        f"  platform: deleted {per_model.get(User._meta.label, 0)} generated staff"
        + (f", kept {kept} that the audit log refers to" if kept else "")
        + "; org tree, demo users and holidays are kept"
    )


@demo_generator(order=0, name="platform", reset=reset_platform)
def platform_demo(*, stdout, customers: int, rng: random.Random) -> None:
    # One stream per part, so what already exists in one part does not shift the data of the next.
    org_rng, users_rng, staff_rng = (random.Random(rng.getrandbits(64)) for _ in range(3))  # noqa: S311
    units = ensure_org_tree(org_rng)
    users = ensure_demo_users(users_rng, units)
    staff = generate_staff(staff_rng, units)
    holidays = ensure_holidays(users["admin"])
    stdout.write(
        f"  platform: {len(units)} org units, {len(DEMO_USERS)} demo users, {staff} new staff, "
        f"{holidays} new holiday rows"
    )
