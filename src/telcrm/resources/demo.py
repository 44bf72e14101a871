"""Demo number pool: ``manage.py demo_data`` (runs after the customers, order 30).

- four levels (普通号 default, 银号, 金号, 钻石号) with prices, monthly minimum spend and deposits, and
  their rules (AAAA, ABCD, tail 8888/6666, AABB, tail ABAB by a regular expression…);
- one 10,000-number range (号段) per demo city block, brands from the ``number_brand`` dictionary,
  and one province-wide range: ~110,000 numbers by default, generated with the same code as the
  range generation job (COPY on PostgreSQL);
- every MSISDN of the demo customers' lines is in the pool: live lines (active, suspended, pending)
  as *assigned* to their customer, terminated ones *cooling off*; a line's number that falls into a
  demo range is that number of the range — no free number equals a live line's number;
- a few dozen reservations by the demo clerks (some for orders, for days), and numbers frozen by the
  administrator with a reason, made through the actions (audited, with history).

Idempotent: levels, ranges, reservations and holds are made once; each run adds the numbers of lines
that customers' top-ups added since (and turns a free number a new line took into an assigned one).
``--reset`` deletes the demo ranges, their numbers and the numbers of demo lines (with history).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from telcrm.platform.demo import PROVINCE_CODE, DemoResetRefused, demo_generator

from .actions.ranges import _db_value, insert_numbers
from .models import Number, NumberEvent, NumberLevel, NumberRange, NumberState
from .rules import LevelMatcher, has_four

# (code, name, English name, rank, price, minimum monthly spend, deposit (yuan), colour, default, rules)
LEVELS = (
    ("diamond", "钻石号", "Diamond", 40, 8888, 588, 2000, "danger", False,
     (("repeat", "", 5), ("tail", "8888", None), ("tail", "6666", None), ("ascending", "", 6))),
    ("gold", "金号", "Gold", 30, 1888, 288, 500, "warning", False,
     (("repeat", "", 4), ("ascending", "", 5), ("tail", "168", None), ("tail", "520", None),
      ("tail", "1314", None))),
    ("silver", "银号", "Silver", 20, 288, 128, 100, "info", False,
     (("aabb", "", None), ("tail_same", "", 3), ("ascending", "", 4), ("digit_count", "8", 4),
      ("regex", r"(\d\d)\1$", None))),
    ("ordinary", "普通号", "Ordinary", 10, 0, 0, 0, "secondary", True, ()),
)  # fmt: skip

# (region: a city code or the province, prefix → a 10,000-number block, brand, note)
RANGES = (
    ("HZ", "1380571", "gotone", "杭州主城区全球通号段"),
    ("HZ", "1390571", "gotone", ""),
    ("HZ", "1870571", "mzone", "校园动感地带"),
    ("NB", "1380574", "gotone", ""),
    ("NB", "1580574", "easyown", ""),
    ("WZ", "1390577", "gotone", ""),
    ("WZ", "1880577", "mzone", ""),
    ("SX", "1350575", "easyown", ""),
    ("JX", "1370573", "gotone", ""),
    ("JH", "1820579", "mzone", "义乌商贸城专用"),
    (PROVINCE_CODE, "1980570", "gotone", "全省通用5G号段"),
)
LIVE_LINES = ("active", "suspended", "pending")
BATCH = 20_000
FREEZE_REASONS = ("预留给集团VIP客户", "号码归属纠纷处理中", "公安机关要求暂停使用", "营销活动预留号码")
NUMBER_COLUMNS = (
    "msisdn",
    "range",
    "region",
    "level",
    "has_four",
    "state",
    "customer",
    "quarantine_until",
    "reservation_ref",
    "frozen_reason",
    "updated_at",
)


def _admin():
    from telcrm.platform.models import User

    return User.objects.filter(username="admin").first()


def ensure_levels(actor) -> int:
    from .actions import level_create, rule_create

    made = 0
    for code, name, name_en, rank, price, spend, deposit, colour, default, rules in LEVELS:
        if NumberLevel.objects.filter(code=code).exists():
            continue
        level = level_create(
            actor,
            code=code,
            name=name,
            name_en=name_en,
            rank=rank,
            price_fen=price * 100,
            min_spend_fen=spend * 100,
            deposit_fen=deposit * 100,
            colour=colour,
            is_default=default,
        )
        for kind, pattern, count in rules:
            rule_create(actor, level=level, kind=kind, pattern=pattern, count=count)
        made += 1
    return made


def _units() -> dict:
    from telcrm.platform.models import OrgUnit

    return {u.code: u for u in OrgUnit.objects.filter(kind__in=("province", "city"))}


def _region_of_units() -> dict[int, int]:
    """Every org unit → the nearest city or province at or above it (where its numbers belong)."""
    from telcrm.platform.models import OrgUnit

    units = {u["id"]: u for u in OrgUnit.objects.values("id", "kind", "parent_id")}
    out = {}
    for uid in units:
        node = units[uid]
        while node is not None and node["kind"] not in ("city", "province"):
            node = units.get(node["parent_id"])
        if node is not None:
            out[uid] = node["id"]
    return out


def load_line_numbers(matcher: LevelMatcher, rng: random.Random) -> dict[str, int]:
    """Numbers for the demo customers' lines that are not in the pool yet, and live lines whose number
    is free in the pool (a customers' top-up after the ranges were made) become assigned."""
    from telcrm.customers.models import Subscription

    region_of = _region_of_units()
    now = timezone.now()
    missing = (
        Subscription.objects.dangerously_unscoped()
        .filter(~Exists(Number.objects.filter(msisdn=OuterRef("msisdn"))))
        .order_by("id")
        .values_list("id", "msisdn", "customer_id", "status", "org_unit_id")
    )
    seen: set[str] = set()
    counts = {"assigned": 0, "quarantined": 0}
    stamp = _db_value("updated_at", now)

    def rows(batch):
        for _pk, msisdn, customer_id, status, unit_id in batch:
            region = region_of.get(unit_id)
            if region is None or msisdn in seen or len(msisdn) != 11 or not msisdn.isdigit():
                continue
            seen.add(msisdn)
            if status in LIVE_LINES:
                state, until = NumberState.ASSIGNED, None
            else:
                state = NumberState.QUARANTINED
                until = _db_value("quarantine_until", now + dt.timedelta(days=rng.randint(1, 90)))
            counts[state] += 1
            level = matcher.level_for(msisdn)
            yield (msisdn, None, region, level, has_four(msisdn), state, customer_id, until, "", "", stamp)

    # a batch is read in full before it is written: the connection cannot fetch while a COPY runs
    last = 0
    while batch := list(missing.filter(id__gt=last)[:BATCH]):
        last = batch[-1][0]
        insert_numbers(rows(batch), NUMBER_COLUMNS)
    live = Subscription.objects.dangerously_unscoped().filter(
        status__in=LIVE_LINES, msisdn=OuterRef("msisdn")
    )
    counts["taken_from_pool"] = (
        Number.objects.filter(state=NumberState.FREE)
        .filter(Exists(live))
        .update(
            state=NumberState.ASSIGNED, customer_id=Subquery(live.values("customer_id")[:1]), updated_at=now
        )
    )
    return counts


def ensure_ranges(actor, matcher: LevelMatcher) -> tuple[int, int]:
    from .actions import generate_numbers, range_create

    units = _units()
    made = numbers = 0
    for region, prefix, brand, note in RANGES:
        code = region if region == PROVINCE_CODE else f"{PROVINCE_CODE}-{region}"
        if code not in units:
            continue
        start = prefix + "0" * (11 - len(prefix))
        if NumberRange.objects.filter(start=start).exists():
            continue
        rng = range_create(actor, region=units[code], prefix=prefix, brand=brand, note=note)
        numbers += generate_numbers(rng, matcher=matcher)
        made += 1
    return made, numbers


def holds(admin, rng: random.Random) -> tuple[int, int]:
    """Reservations by the demo clerks and account managers, and the administrator's frozen numbers."""
    from telcrm.platform.models import User

    from . import queries
    from .actions import number_freeze, number_reserve

    reserved = frozen = 0
    staff = list(
        User.objects.filter(
            is_active=True, role__code__in=("clerk", "account_manager"), org_unit__kind="branch"
        )
        .select_related("role", "org_unit")
        .order_by("id")
    )
    # only the named demo users: audit records by generated staff would keep those users through a
    # demo reset (audited rows are never deleted), and a reset must reproduce the same staff
    demo = [u for u in staff if u.username in ("clerk", "am")]
    for user in demo:
        page = rng.randint(1, 5)
        picks = queries.number_search(user, page=page, per_page=50).rows or (
            queries.number_search(user, per_page=50).rows
        )
        for n in rng.sample(picks, min(len(picks), 10)):  # the per-user limit (resources.max_reservations)
            order = rng.random() < 0.4
            number_reserve(
                user,
                n,
                reference=f"ORD{timezone.localdate():%Y%m%d}{rng.randrange(10**6):06d}" if order else "",
                minutes=rng.choice((3 * 24 * 60, 2 * 24 * 60)) if order else rng.choice((30, 240, 24 * 60)),
            )
            reserved += 1
    for level in ("diamond", "gold"):
        page = queries.number_search(admin, level=level, per_page=40)
        for n in rng.sample(page.rows, min(len(page.rows), 4)):
            number_freeze(admin, n, reason=rng.choice(FREEZE_REASONS))
            frozen += 1
    return reserved, frozen


def reset_numbers(*, stdout) -> None:
    """Delete the demo ranges, their numbers and the numbers of demo lines (with their history)."""
    from telcrm.customers.demo import CUSTOMER_PREFIX, customer_no

    starts = [prefix + "0" * (11 - len(prefix)) for _r, prefix, _b, _n in RANGES]
    ranges = NumberRange.objects.filter(start__in=starts)
    demo_numbers = Number.objects.filter(range__in=ranges) | Number.objects.filter(
        range__isnull=True,
        customer__customer_no__gte=customer_no(0),
        customer__customer_no__lte=f"{CUSTOMER_PREFIX}99999999",
    )
    qn = connection.ops.quote_name
    ids = list(demo_numbers.values_list("id", flat=True))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {qn(NumberEvent._meta.db_table)} WHERE number_id IN ({marks})", part)  # noqa: S608
            cursor.execute(f"DELETE FROM {qn(Number._meta.db_table)} WHERE id IN ({marks})", part)  # noqa: S608
    if Number.objects.filter(range__in=ranges).exists():
        raise DemoResetRefused("numbers outside the demo still lie in demo ranges")
    n_ranges = ranges.count()
    ranges.delete()
    stdout.write(f"  numbers: deleted {len(ids):,} demo numbers and {n_ranges} demo ranges; levels are kept")


@demo_generator(order=30, name="numbers", reset=reset_numbers)
def numbers_demo(*, stdout, customers: int, rng: random.Random) -> None:
    admin = _admin()
    if admin is None:
        stdout.write("  numbers: no admin user; skipped")
        return
    lines_rng, holds_rng = (random.Random(rng.getrandbits(64)) for _ in range(2))  # noqa: S311
    levels = ensure_levels(admin)
    matcher = LevelMatcher.current()
    lines = load_line_numbers(matcher, lines_rng)
    made, numbers = ensure_ranges(admin, matcher)
    reserved = frozen = 0
    if made:
        reserved, frozen = holds(admin, holds_rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Number._meta.db_table)}")
    stdout.write(
        f"  numbers: {levels} new levels, {made} new ranges with {numbers:,} numbers; lines: "
        f"{lines['assigned']:,} assigned, {lines['quarantined']:,} cooling off, "
        f"{lines['taken_from_pool']:,} taken from the pool; {reserved} reserved, {frozen} frozen"
    )
