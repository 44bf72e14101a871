"""Number pool benchmarks: generating a pool, number search (选号) p50/p95, reservation throughput.

Scale with ``BENCH_NUMBERS`` (default 1,000,000 on PostgreSQL, 100,000 on SQLite; the figures are
meant to run at 10,000,000 on PostgreSQL too). ``prepare`` builds the demo carrier (the platform's
demo generator: org tree and sign-ins), the demo levels and rules, and 70 ranges spread over the six
demo cities and the province, whose numbers it generates with the range-generation code itself
(``generate_numbers``: levels by the rules, COPY on PostgreSQL). With ``BENCH_DATABASE_URL`` (see
run.py) a database that already holds N numbers is used as it is (no load figure).

    BENCH_NUMBERS=1000000 TELCRM_DATABASE_URL=postgresql://…/telcrm \
        .venv/bin/python benchmarks/run.py --only numbers

Figures, each against a baseline measured in the same run on the same data:

(a) load: ``generate_numbers`` per number vs a raw ``COPY`` (executemany INSERT on SQLite) of the same
    rows into a copy of the table with the same indexes (a sample of up to 200,000 rows);
(b) ``queries.number_search`` for a counter clerk (their city and province) — ends with 4 digits,
    contains 3 and 5 digits, a level, a level with "no 4", ends with 2 digits with "no 4" in one city,
    the first page and the 20th page without filters — p50 and p95 over many probes, vs one
    hand-written SQL statement returning the same page (same joins, same conditions, same order);
(c) PostgreSQL only: reservation throughput with ``BENCH_CLIENTS`` (default 50) concurrent clients,
    threads each with its own connection calling ``number_reserve`` on random free numbers of their
    regions (collisions included), vs the same clients running the bare statements (compare-and-set
    UPDATE, history INSERT, commit) with psycopg. The value is wall-clock seconds per reservation.
"""

from __future__ import annotations

import io
import os
import random
import re
import threading
import time

from django.db import connection, transaction

from benchmarks.harness import Context, Figure, percentile_compare

SEED = 2026
PROBES = int(os.environ.get("BENCH_PROBES", "40"))
RANGES = 70  # spread over the six cities and the province
PER_PAGE = 50
SEGMENTS = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157",
            "158", "159", "172", "178", "182", "183", "184", "187", "188", "195", "198")  # fmt: skip


def _n(ctx: Context) -> int:
    default = "1000000" if ctx.vendor == "postgresql" else "100000"
    return int(os.environ.get("BENCH_NUMBERS", default))


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _spans(n: int) -> list[tuple[str, str]]:
    """RANGES consecutive blocks of about n / RANGES numbers, each in its own 10^6 block."""
    size = max(1, n // RANGES)
    spans = []
    for j in range(RANGES):
        start = int(f"{SEGMENTS[j % len(SEGMENTS)]}{j:02d}000000")
        count = size if j < RANGES - 1 else n - size * (RANGES - 1)
        spans.append((f"{start:011d}", f"{start + count - 1:011d}"))
    return spans


# --- prepare ------------------------------------------------------------------------------------------
def prepare(ctx: Context) -> str:
    from telcrm.platform.demo import GENERATORS, autodiscover
    from telcrm.platform.models import OrgUnit, User
    from telcrm.resources import actions, demo
    from telcrm.resources.models import Number, NumberRange
    from telcrm.resources.rules import LevelMatcher

    n = _n(ctx)
    if not User.objects.filter(username="admin").exists():  # the demo carrier: org tree and sign-ins only
        autodiscover()
        with transaction.atomic():
            GENERATORS["platform"].fn(
                stdout=io.StringIO(), customers=0, rng=random.Random(f"{SEED}:platform")
            )
    admin = User.objects.select_related("role", "org_unit").get(username="admin")
    demo.ensure_levels(admin)
    have = Number.objects.count()
    note = []
    if have < n and not os.environ.get("BENCH_DATABASE_URL"):
        regions = list(OrgUnit.objects.filter(code__regex=r"^ZJ(-[A-Z]{2})?$").order_by("code"))
        matcher = LevelMatcher.current()
        from telcrm.platform.models import Parameter
        from telcrm.platform.parameters import invalidate

        Parameter.objects.filter(key="resources.max_range_size").update(value=max(n, 1_000_000))
        invalidate()
        started = time.perf_counter()
        made = 0
        for j, (start, end) in enumerate(_spans(n)):
            if NumberRange.objects.filter(start=start).exists():
                continue
            rng = actions.range_create(admin, region=regions[j % len(regions)], start=start, end=end)
            made += actions.generate_numbers(rng, matcher=matcher)
        seconds = time.perf_counter() - started
        _analyze()
        raw_seconds, raw_rows = _raw_copy_baseline(min(made, 200_000))
        ctx.state["load"] = (made, seconds, raw_seconds / raw_rows if raw_rows else float("nan"))
        note.append(f"{made:,} numbers generated in {seconds:.1f}s ({made / seconds:,.0f}/s)")
    else:
        note.append(f"{have:,} numbers already in the database (no load figure)")
    ctx.state["numbers_n"] = Number.objects.count()
    clerk = User.objects.select_related("role", "org_unit").get(username="clerk")
    ctx.state["clerk"] = clerk
    ctx.state["admin"] = admin
    return "; ".join(note)


def _analyze() -> None:
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _raw_copy_baseline(rows: int) -> tuple[float, int]:
    """Seconds to load ``rows`` numbers, read back from the table, into an empty copy of it (same
    columns and indexes) with a raw COPY (executemany INSERT on SQLite)."""
    from telcrm.resources.actions.ranges import NUMBER_COLUMNS
    from telcrm.resources.models import Number

    if not rows:
        return 0.0, 0
    table = Number._meta.db_table
    cols = [Number._meta.get_field(c.removesuffix("_id")).column for c in NUMBER_COLUMNS]
    names = ", ".join(_qn(c) for c in cols)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {names} FROM {_qn(table)} ORDER BY id LIMIT %s", [rows])
        data = cur.fetchall()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TEMP TABLE bench_number (LIKE {_qn(table)} INCLUDING ALL)")
            started = time.perf_counter()
            with cur.cursor.copy(f"COPY bench_number ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE bench_number")
        else:
            cur.execute(f"CREATE TEMP TABLE bench_number AS SELECT * FROM {_qn(table)} WHERE 0")
            cur.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            for (ddl,) in cur.fetchall():  # the same indexes (partial ones included) on the copy
                ddl = ddl.replace(f'"{table}"', '"bench_number"')
                cur.execute(re.sub(r'INDEX "([^"]+)"', r'INDEX temp."bench_\1"', ddl, count=1))
            marks = ", ".join(["%s"] * len(cols))
            started = time.perf_counter()
            for i in range(0, len(data), 5000):
                cur.executemany(f"INSERT INTO bench_number ({names}) VALUES ({marks})", data[i : i + 5000])
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE bench_number")
    return seconds, len(data)


# --- (a) load -------------------------------------------------------------------------------------------
def bench_numbers_load(ctx: Context) -> list[Figure]:
    if "load" not in ctx.state:
        return []
    made, seconds, raw_per_row = ctx.state["load"]
    return [
        Figure(
            "numbers.generate",
            f"{made:,} numbers (levels by the rules), per number",
            seconds / made,
            raw_per_row,
            "raw COPY of the same rows"
            if connection.vendor == "postgresql"
            else "raw INSERT of the same rows",
        )
    ]


# --- (b) search -------------------------------------------------------------------------------------------
def _digits(rng: random.Random, k: int, alphabet: str = "0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(k))


def _probes(ctx: Context) -> dict[str, list[dict]]:
    from telcrm.platform.models import OrgUnit

    rng = random.Random(SEED)
    hz = OrgUnit.objects.get(code="ZJ-HZ")
    tails = ["8888", "6666", "1314", "0520", *(_digits(rng, 4) for _ in range(PROBES - 4))]
    return {
        "ends with 4 digits": [{"ends_with": t} for t in tails],
        "contains 3 digits": [{"contains": _digits(rng, 3)} for _ in range(PROBES)],
        "contains 5 digits": [{"contains": _digits(rng, 5)} for _ in range(PROBES)],
        "level gold": [{"level": "gold", "page": rng.randint(1, 3)} for _ in range(PROBES // 2)],
        "level diamond, no 4": [{"level": "diamond", "no_four": True} for _ in range(PROBES // 4)],
        "ends with 2 digits, no 4, one city": [
            # no 4 in the digits: with "no 4" such a search is answered without a query
            {"ends_with": _digits(rng, 2, "012356789"), "no_four": True, "region": hz.pk}
            for _ in range(PROBES)
        ],
        "no filter, page 1": [{} for _ in range(PROBES // 4)],
        "no filter, page 20": [{"page": 20} for _ in range(PROBES // 4)],
    }


def _raw_search(ctx: Context):
    """The same page as number_search, by one hand-written statement."""
    from telcrm.platform.models import OrgUnit
    from telcrm.resources import queries
    from telcrm.resources.models import Number, NumberLevel

    clerk = ctx.state["clerk"]
    visible = queries.visible_region_ids(clerk)
    levels = dict(NumberLevel.objects.values_list("code", "id"))
    cols = ", ".join(
        [f"n.{_qn(f.column)}" for f in Number._meta.concrete_fields]
        + [f"l.{_qn(f.column)}" for f in NumberLevel._meta.concrete_fields]
        + [f"o.{_qn(f.column)}" for f in OrgUnit._meta.concrete_fields]
    )
    pg = connection.vendor == "postgresql"

    def run(f: dict):
        where, params = ["n.state = 'free'"], []
        marks = ", ".join(["%s"] * len(visible))
        where.append(f"n.region_id IN ({marks})")
        params += visible
        if f.get("region"):
            where.append("n.region_id = %s")
            params.append(f["region"])
        if f.get("level"):
            where.append("n.level_id = %s")
            params.append(levels[f["level"]])
        if f.get("no_four"):
            where.append("n.has_four = %s")
            params.append(False)
        if f.get("ends_with"):
            where.append("reverse(n.msisdn) LIKE %s" if pg else "n.msisdn LIKE %s")
            params.append(f["ends_with"][::-1] + "%" if pg else "%" + f["ends_with"])
        if f.get("contains"):
            where.append("n.msisdn LIKE %s")
            params.append(f"%{f['contains']}%")
        offset = (f.get("page", 1) - 1) * PER_PAGE
        sql = (
            f"SELECT {cols} FROM resources_number n "
            "LEFT JOIN resources_numberlevel l ON l.id = n.level_id "
            "JOIN platform_orgunit o ON o.id = n.region_id "
            f"WHERE {' AND '.join(where)} ORDER BY n.msisdn LIMIT {PER_PAGE + 1} OFFSET {offset}"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run


def bench_number_search(ctx: Context) -> list[Figure]:
    from telcrm.resources.queries import number_search

    clerk = ctx.state["clerk"]
    raw = _raw_search(ctx)
    n = ctx.state["numbers_n"]
    figures = []
    for label, values in _probes(ctx).items():
        # same rows from both: the baseline is a fair one
        assert [r[1] for r in raw(values[0])][:PER_PAGE] == [
            x.msisdn for x in number_search(clerk, **values[0], per_page=PER_PAGE)
        ], label
        figures += percentile_compare(
            "numbers.number_search",
            f"{label}, {n:,} numbers",
            lambda f: number_search(clerk, **f, per_page=PER_PAGE),
            raw,
            values,
            baseline_name="raw SQL",
            rounds=max(1, ctx.repeat // 3),
        )
    return figures


# --- (c) reservations under concurrency -------------------------------------------------------------------
def _clients(k: int) -> list:
    """k counter clerks of the demo branch ZJ-HZ-B01 (made once)."""
    from telcrm.platform.models import OrgUnit, Role, User

    branch = OrgUnit.objects.get(code="ZJ-HZ-B01")
    role = Role.objects.get(code="clerk")
    for i in range(k):
        User.objects.get_or_create(
            username=f"benchclerk{i:03d}",
            defaults={"full_name": f"压测营业员{i}", "org_unit": branch, "role": role},
        )
    return list(
        User.objects.filter(username__startswith="benchclerk")
        .select_related("role", "org_unit")
        .order_by("username")[:k]
    )


def _targets(k: int) -> list[tuple[int, str]]:
    """k random free numbers of Hangzhou and the province (what the clerks see)."""
    from telcrm.platform.models import OrgUnit
    from telcrm.resources.models import Number

    regions = list(OrgUnit.objects.filter(code__in=("ZJ", "ZJ-HZ")).values_list("id", flat=True))
    ids = list(
        Number.objects.filter(state="free", region_id__in=regions).values_list("id", "msisdn")[: k * 20]
    )
    return random.Random(SEED).sample(ids, min(k, len(ids)))


def _run_clients(clients, work) -> float:
    barrier = threading.Barrier(len(clients) + 1)
    errors = []

    def run(i, client):
        try:
            barrier.wait(timeout=60)
            work(i, client)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def _reset(ids: list[int]) -> None:
    from telcrm.resources.models import Number, NumberEvent

    with transaction.atomic():
        NumberEvent.objects.filter(number_id__in=ids).delete()
        Number.objects.filter(pk__in=ids).update(
            state="free", reserved_until=None, reserved_by=None, reservation_ref="", customer=None
        )


def bench_reservation_throughput(ctx: Context) -> list[Figure]:
    if connection.vendor != "postgresql":
        return []  # SQLite serialises every writer: no concurrency to measure
    import psycopg
    from django.db import connections

    from telcrm.platform.models import Parameter
    from telcrm.platform.parameters import invalidate
    from telcrm.resources.actions import number_reserve

    k = int(os.environ.get("BENCH_CLIENTS", "50"))
    per_client = int(os.environ.get("BENCH_RESERVATIONS", "40"))
    Parameter.objects.filter(key="resources.max_reservations_per_user").update(value=100_000)
    invalidate()
    clients = _clients(k)
    user_ids = [c.pk for c in clients]
    params = connections["default"].get_connection_params()
    dsn = {key: params[key] for key in ("dbname", "user", "password", "host", "port") if params.get(key)}
    total = k * per_client
    figures = []
    for _round in range(max(1, ctx.repeat // 3)):
        targets = _targets(total + total // 10)
        ids = [pk for pk, _m in targets]
        counts = {"won": 0, "lost": 0}
        lock = threading.Lock()

        def ours(i, client, targets=targets, counts=counts, lock=lock):
            rng = random.Random(i)
            for _ in range(per_client):
                _pk, msisdn = rng.choice(targets)  # ~10% more numbers than attempts: some collide
                try:
                    number_reserve(client, msisdn, reference=f"B{i}")
                    won = True
                except Exception:
                    won = False
                with lock:
                    counts["won" if won else "lost"] += 1

        ours_seconds = _run_clients(clients, ours)
        _reset(ids)

        def raw(i, _client, targets=targets, dsn=dsn, user_ids=user_ids):
            rng = random.Random(i)
            with psycopg.connect(**dsn) as conn:
                for _ in range(per_client):
                    pk, _m = rng.choice(targets)
                    with conn.transaction(), conn.cursor() as cur:
                        cur.execute(
                            "UPDATE resources_number SET state = 'reserved', reserved_by_id = %s, "
                            "reserved_until = now() + interval '30 minutes', reservation_ref = %s, "
                            "updated_at = now() WHERE id = %s AND state = 'free'",
                            [user_ids[i], f"B{i}", pk],
                        )
                        if cur.rowcount == 1:
                            cur.execute(
                                "INSERT INTO resources_numberevent (number_id, action, from_state, to_state, "
                                "actor_id, reference, note, at) "
                                "VALUES (%s, 'reserve', 'free', 'reserved', %s, %s, '', now())",
                                [pk, user_ids[i], f"B{i}"],
                            )

        raw_seconds = _run_clients(clients, raw)
        _reset(ids)
        figures.append((ours_seconds / total, raw_seconds / total, counts))
    figures.sort(key=lambda f: f[0])
    ours_per, raw_per, counts = figures[len(figures) // 2]
    print(
        f"  numbers.reserve: {k} clients, {total:,} attempts per round: {1 / ours_per:,.0f} reservations/s "
        f"(number_reserve, {counts['won']:,} won, {counts['lost']:,} lost the race) vs "
        f"{1 / raw_per:,.0f}/s raw SQL"
    )
    return [
        Figure(
            "numbers.number_reserve",
            f"{k} concurrent clients, {ctx.state['numbers_n']:,} numbers, per reservation (wall clock)",
            ours_per,
            raw_per,
            "raw SQL (CAS UPDATE + history INSERT)",
        )
    ]
