"""Customer benchmarks at volume: demo load rate, search, the 360 view and the import job.

Scale with ``BENCH_CUSTOMERS`` (default 50,000 so ``make bench`` stays quick; 10,000,000 for the big
run). ``prepare`` builds the demo carrier (``demo_data --customers 0``) and loads the customers with
the demo generator (customers/demo.py) — or, with ``BENCH_DATABASE_URL`` (see run.py), uses the
customers already loaded in that database and skips the load figure.

Baselines are measured in the same run on the same data:

(a) load: the generator's rows/s vs a raw ``COPY … FROM`` of the very same rows, exported to files
    and reloaded into the emptied tables (same indexes, same foreign-key checks); on SQLite the raw
    baseline is executemany INSERTs from the files;
(b) ``queries.customer_search`` by phone, ID number, customer number, Chinese name fragment and pinyin
    initials — p50 and p95 over many probes — vs one hand-written SQL statement doing the same lookup
    (same blind-index HMAC, same joins, LIMIT 20);
(c) ``queries.customer_360`` p50/p95 vs the hand-written SELECTs that fetch the same data;
(d) the import job (``customers.import``, rows in batches through ``customers_create_many``) for
    ``BENCH_IMPORT_ROWS`` rows (default 1,000) vs a raw COPY of the rows it stored.
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
from pathlib import Path

from django.db import connection, transaction

from benchmarks.harness import Context, Figure, percentile_compare

SEED = 2026
PROBES = int(os.environ.get("BENCH_PROBES", "40"))
LIMIT = 20


def _n() -> int:
    return int(os.environ.get("BENCH_CUSTOMERS", "50000"))


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _scratch_dir() -> Path:
    from django.conf import settings

    path = Path(settings.VAR_DIR) / "bench-customers"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- raw export/reload (the COPY baseline) ------------------------------------------------------------
def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def export_rows(model, where: str, params, path: Path) -> int:
    """Write the table's rows matching ``where`` to ``path`` (COPY text format / CSV on SQLite)."""
    cols = ", ".join(_qn(c) for c in _columns(model))
    table = _qn(model._meta.db_table)
    n = 0
    with connection.cursor() as cur, open(path, "wb") as out:
        if connection.vendor == "postgresql":
            sql = f"COPY (SELECT {cols} FROM {table} WHERE {where}) TO STDOUT"
            with cur.cursor.copy(sql, params or None) as copy:
                for block in copy:
                    out.write(block)
                    n += bytes(block).count(b"\n")
            return n
        cur.execute(f"SELECT {cols} FROM {table} WHERE {where}", params)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        w = csv.writer(text)
        for row in cur.fetchall():
            w.writerow(["\\N" if v is None else v for v in row])
            n += 1
        text.flush()
        text.detach()
    return n


def load_file(model, path: Path) -> None:
    """Raw load of a file written by :func:`export_rows` into the model's table."""
    cols = _columns(model)
    table = _qn(model._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            names = ", ".join(_qn(c) for c in cols)
            with open(path, "rb") as f, cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
            return
        stmt = "INSERT INTO {} ({}) VALUES ({})".format(
            table, ", ".join(_qn(c) for c in cols), ", ".join(["%s"] * len(cols))
        )
        with open(path, encoding="utf-8", newline="") as f:
            batch = []
            for row in csv.reader(f):
                batch.append([None if v == "\\N" else v for v in row])
                if len(batch) >= 5000:
                    cur.executemany(stmt, batch)
                    batch = []
            if batch:
                cur.executemany(stmt, batch)


def raw_reload(tables, where_for, *, truncate: bool) -> tuple[float, int]:
    """Export the rows of ``tables`` [(key, model)], delete them, reload them raw; (seconds, rows)."""
    folder = _scratch_dir()
    files = []
    for key, model in tables:
        where, params = where_for(key, model)
        path = folder / f"{key}.dat"
        files.append((model, path, export_rows(model, where, params, path), where, params))
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql" and truncate:
            # CASCADE: tables of other modules that refer to customers are empty in a scratch database
            cur.execute("TRUNCATE " + ", ".join(_qn(m._meta.db_table) for m, *_ in files) + " CASCADE")
        else:
            if connection.vendor == "postgresql":
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            doomed = []  # ids first: a parent's filter may go through a child deleted before it
            for model, _path, _n, where, params in files:
                pk = _qn(model._meta.pk.column)
                cur.execute(f"SELECT {pk} FROM {_qn(model._meta.db_table)} WHERE {where}", params)
                doomed.append((model, pk, [r[0] for r in cur.fetchall()]))
            for model, pk, ids in reversed(doomed):
                for start in range(0, len(ids), 500):
                    part = ids[start : start + 500]
                    marks = ", ".join(["%s"] * len(part))
                    cur.execute(f"DELETE FROM {_qn(model._meta.db_table)} WHERE {pk} IN ({marks})", part)
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the generator: checked per COPY
        for model, path, _n, _w, _p in files:
            load_file(model, path)
    elapsed = time.perf_counter() - started
    for _m, path, *_ in files:
        path.unlink(missing_ok=True)
    return elapsed, sum(n for _m, _p, n, _w, _pp in files)


def raw_reload_sample(last: int) -> tuple[float, int]:
    """Raw COPY of the demo rows of the newest ``last`` customers into a loaded database (deleted and
    reloaded with every index in place): the baseline for a load too big to reload whole (10M)."""
    from telcrm.customers import demo

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM customers_customer ORDER BY id DESC LIMIT 1 OFFSET %s", [last - 1])
        first = cur.fetchone()[0]
    # group parents stay (their members elsewhere refer to them); everything of the others is reloaded
    chosen = (
        f"id >= {int(first)} AND id NOT IN "
        "(SELECT parent_id FROM customers_customer WHERE parent_id IS NOT NULL)"
    )
    newest = f"(SELECT id FROM customers_customer WHERE {chosen})"

    def where_for(key, model):
        if key == "customer":
            return chosen, []
        if key == "party":
            return f"id IN (SELECT party_id FROM customers_customer WHERE {chosen})", []
        return f"customer_id IN {newest}", []

    return raw_reload([(k, m) for k, m, _c in demo.tables()], where_for, truncate=False)


# --- prepare ----------------------------------------------------------------------------------------
def prepare(ctx: Context) -> str:
    from django.core.management import call_command

    from telcrm.customers import demo

    n = _n()
    have = demo.existing_demo_customers()
    note = []
    if have < n and not os.environ.get("BENCH_DATABASE_URL"):
        if not have:
            call_command("demo_data", "--customers", "0", "--seed", str(SEED), stdout=io.StringIO())
        started = time.perf_counter()
        with transaction.atomic():
            loaded = demo.load_customers(count=n, seed=SEED)
        gen_seconds = time.perf_counter() - started
        rows = sum(loaded.values())
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        copy_seconds, copy_rows = raw_reload(
            [(key, model) for key, model, _c in demo.tables()], lambda key, model: ("1=1", []), truncate=True
        )
        assert copy_rows == rows, (copy_rows, rows)
        ctx.state["load"] = (n, rows, gen_seconds, copy_seconds)
        note.append(
            f"{n:,} customers = {rows:,} rows by the demo generator in {gen_seconds:.1f}s "
            f"({rows / gen_seconds:,.0f} rows/s, {n / gen_seconds:,.0f} customers/s); raw "
            f"{'COPY' if connection.vendor == 'postgresql' else 'INSERT'} of the same rows from files "
            f"{copy_seconds:.1f}s ({rows / copy_seconds:,.0f} rows/s)"
        )
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        note.append(f"{have:,} demo customers already in the database (no load figure)")
    from telcrm.customers.models import Customer

    ctx.state["customers_n"] = Customer.objects.count()
    _pick_probes(ctx)
    return "; ".join(note)


def _pick_probes(ctx: Context) -> None:
    from pypinyin import lazy_pinyin

    from telcrm.customers import demo
    from telcrm.customers.models import Customer
    from telcrm.platform.models import User

    rng = random.Random(SEED)
    total = demo.existing_demo_customers()
    numbers = [demo.customer_no(rng.randrange(total)) for _ in range(PROBES * 4)]
    rows = list(
        Customer.objects.filter(customer_no__in=numbers)
        .select_related("party")
        .only(
            "pk", "customer_no", "name", "customer_type", "primary_phone", "party__id_number", "party__kind"
        )
    )
    rng.shuffle(rows)
    people = [c for c in rows if c.customer_type == "individual"][:PROBES]
    firms = [c for c in rows if c.customer_type != "individual"][: max(4, PROBES // 4)]
    fragments = []
    for c in people + firms:
        if c.customer_type == "individual" and len(c.name) >= 3:
            fragments.append(c.name[1:3])  # the given name, e.g. 梓涵
        elif c.customer_type != "individual":
            fragments.append(c.name[2:6])  # word + trade, e.g. 恒达电子
    ctx.state["probes"] = {
        "phone": [c.primary_phone.reveal_unaudited() for c in rows[:PROBES]],
        "id_number": [c.party.id_number.reveal_unaudited() for c in people],
        "customer_no": [c.customer_no for c in rows[:PROBES]],
        "name_fragment": fragments[:PROBES],
        "pinyin_initials": ["".join(s[:1] for s in lazy_pinyin(c.name)) for c in people],
        "customer_pk": [c.pk for c in rows[:PROBES]],
    }
    ctx.state["admin"] = User.objects.select_related("role", "org_unit").get(username="admin")


# --- (a) load ---------------------------------------------------------------------------------------
def bench_demo_load(ctx: Context) -> list[Figure]:
    if "load" not in ctx.state:
        return []
    n, rows, gen_seconds, copy_seconds = ctx.state["load"]
    return [
        Figure(
            "customers.demo_load",
            f"{n:,} customers ({rows:,} rows), per row",
            gen_seconds / rows,
            copy_seconds / rows,
            "raw COPY from file" if connection.vendor == "postgresql" else "raw INSERT from file",
        )
    ]


# --- (b) search -------------------------------------------------------------------------------------
def _customer_cols() -> str:
    from telcrm.customers.models import Customer, Party
    from telcrm.platform.models import OrgUnit

    parts = []
    for model, alias in ((Customer, "c"), (OrgUnit, "o"), (Party, "p")):
        parts += [f"{alias}.{_qn(f.column)}" for f in model._meta.concrete_fields]
    return ", ".join(parts)


def _search_sql(where: str) -> str:
    return (
        f"SELECT {_customer_cols()} FROM customers_customer c "
        "JOIN platform_orgunit o ON o.id = c.org_unit_id JOIN customers_party p ON p.id = c.party_id "
        f"WHERE c.status <> 'merged' AND ({where}) ORDER BY c.id DESC LIMIT {LIMIT}"
    )


def _raw_lookups():
    from telcrm.platform import crypto

    def bidx(value, ctx):
        return crypto.blind_index(value, context=ctx)

    phone_sql = _search_sql(
        "c.id IN (SELECT id FROM customers_customer WHERE primary_phone_bidx = %s "
        "UNION SELECT customer_id FROM customers_contactmedium WHERE value_bidx = %s "
        "UNION SELECT customer_id FROM customers_subscription WHERE msisdn = %s)"
    )
    id_sql = _search_sql("p.id_number_bidx = %s")
    no_sql = _search_sql("c.customer_no = %s")
    like_sql = (
        f"SELECT {_customer_cols()} FROM customers_customer c "
        "JOIN platform_orgunit o ON o.id = c.org_unit_id JOIN customers_party p ON p.id = c.party_id "
        "WHERE c.id IN (SELECT id FROM customers_customer WHERE status <> 'merged' AND ({}) LIMIT "
        f"{LIMIT}) ORDER BY c.id DESC"
    )
    # on the padded tokens, as the trigram index of migration 0004 is built (' ' || search_text || ' ')
    fragment_sql = like_sql.format("(' ' || search_text || ' ') LIKE %s")
    initials_sql = like_sql.format("(' ' || search_text || ' ') LIKE %s")

    def run(sql, params):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return {
        "phone": lambda v: run(
            phone_sql,
            [bidx(v, "customers.Customer.primary_phone"), bidx(v, "customers.ContactMedium.value"), v],
        ),
        "id_number": lambda v: run(id_sql, [bidx(v, "customers.Party.id_number")]),
        "customer_no": lambda v: run(no_sql, [v]),
        # two characters have no trigram of their own: a hand-written query matches them as a token start
        "name_fragment": lambda v: run(fragment_sql, [f"% {v}%" if len(v) < 3 else f"%{v}%"]),
        "pinyin_initials": lambda v: run(initials_sql, [f"% {v}%"]),
    }


LABELS = {
    "phone": "by phone",
    "id_number": "by ID number",
    "customer_no": "by customer no.",
    "name_fragment": "by Chinese name fragment",
    "pinyin_initials": "by pinyin initials",
}


def bench_customer_search(ctx: Context) -> list[Figure]:
    from telcrm.customers.queries import customer_search

    admin = ctx.state["admin"]
    raw = _raw_lookups()
    n = ctx.state["customers_n"]
    figures = []
    for kind, label in LABELS.items():
        values = ctx.state["probes"][kind]
        if not values:
            continue
        figures += percentile_compare(
            "customers.customer_search",
            f"{label}, {n:,} customers",
            lambda v: customer_search(admin, v, limit=LIMIT),
            raw[kind],
            values,
            baseline_name="raw SQL",
            rounds=max(1, ctx.repeat // 3),
        )
    return figures


# --- (c) 360 ----------------------------------------------------------------------------------------
def _raw_360():
    """The SELECTs that fetch what customer_360 returns, written by hand."""
    from telcrm.customers.models import Customer
    from telcrm.platform.models import OrgUnit, User

    cols = ", ".join(
        [f"c.{_qn(f.column)}" for f in Customer._meta.concrete_fields]
        + [
            f"p.{_qn(f.column)}"
            for f in Customer._meta.get_field("party").related_model._meta.concrete_fields
        ]
        + [f"o.{_qn(f.column)}" for f in OrgUnit._meta.concrete_fields]
        + [f"u.{_qn(f.column)}" for f in User._meta.concrete_fields]
    )
    head = (
        f"SELECT {cols}, pc.name, pc.customer_no, "
        "(SELECT COUNT(*) FROM customers_account a WHERE a.customer_id = c.id), "
        "(SELECT COALESCE(SUM(balance), 0) FROM customers_account a WHERE a.customer_id = c.id "
        "AND a.status IN ('active', 'suspended')), "
        "(SELECT COALESCE(SUM(arrears), 0) FROM customers_account a WHERE a.customer_id = c.id), "
        "(SELECT COUNT(*) FROM customers_subscription s WHERE s.customer_id = c.id), "
        "(SELECT COUNT(*) FROM customers_subscription s WHERE s.customer_id = c.id AND s.status = 'active'), "
        "(SELECT COALESCE(SUM(monthly_fee), 0) FROM customers_subscription s WHERE s.customer_id = c.id "
        "AND s.status = 'active'), "
        "(SELECT COUNT(*) FROM customers_updaterequest r WHERE r.customer_id = c.id "
        "AND r.status = 'pending'), "
        "(SELECT COUNT(*) FROM customers_customer m WHERE m.parent_id = c.id AND m.status <> 'merged') "
        "FROM customers_customer c JOIN customers_party p ON p.id = c.party_id "
        "JOIN platform_orgunit o ON o.id = c.org_unit_id LEFT JOIN platform_user u ON u.id = c.owner_id "
        "LEFT JOIN customers_customer pc ON pc.id = c.parent_id WHERE c.id = %s"
    )
    rest = [
        "SELECT * FROM customers_contactmedium WHERE customer_id = %s ORDER BY is_primary DESC, id",
        "SELECT * FROM customers_address WHERE customer_id = %s ORDER BY is_primary DESC, id",
        "SELECT * FROM customers_contactperson WHERE customer_id = %s ORDER BY id",
        "SELECT t.* FROM customers_tag t JOIN customers_customer_tags ct ON ct.tag_id = t.id "
        "WHERE ct.customer_id = %s ORDER BY t.code",
        "SELECT * FROM customers_account WHERE customer_id = %s ORDER BY id LIMIT 50",
        "SELECT s.*, a.account_no FROM customers_subscription s "
        "JOIN customers_account a ON a.id = s.account_id "
        "WHERE s.customer_id = %s ORDER BY s.id DESC LIMIT 20",
        "SELECT i.*, u.full_name FROM customers_interaction i LEFT JOIN platform_user u ON u.id = i.owner_id "
        "WHERE i.customer_id = %s ORDER BY i.occurred_at DESC, i.id DESC LIMIT 20",
        "SELECT * FROM customers_creditchange WHERE customer_id = %s "
        "ORDER BY changed_at DESC, id DESC LIMIT 10",
        "SELECT * FROM customers_updaterequest WHERE customer_id = %s AND status = 'pending' "
        "ORDER BY created_at DESC LIMIT 20",
    ]
    blacklist = (
        "SELECT * FROM customers_blacklistentry WHERE (customer_id = %s OR id_number_bidx = %s) "
        "AND lifted_at IS NULL AND valid_from <= CURRENT_DATE "
        "AND (valid_to IS NULL OR valid_to >= CURRENT_DATE)"
    )
    bidx_col = len(Customer._meta.concrete_fields) + [
        f.name for f in Customer._meta.get_field("party").related_model._meta.concrete_fields
    ].index("id_number_bidx")

    def fetch(pk):
        with connection.cursor() as cur:
            cur.execute(head, [pk])
            row = cur.fetchone()
            out = [row]
            for sql in rest:
                cur.execute(sql, [pk])
                out.append(cur.fetchall())
            cur.execute(blacklist, [pk, row[bidx_col] or "-"])
            out.append(cur.fetchall())
        return out

    return fetch


def bench_customer_360(ctx: Context) -> list[Figure]:
    from telcrm.customers.queries import customer_360

    admin = ctx.state["admin"]
    return percentile_compare(
        "customers.customer_360",
        f"one customer, {ctx.state['customers_n']:,} customers",
        lambda pk: customer_360(admin, pk),
        _raw_360(),
        ctx.state["probes"]["customer_pk"],
        baseline_name="raw SQL",
        rounds=max(1, ctx.repeat // 3),
    )


# --- (d) import -------------------------------------------------------------------------------------
def _import_csv(rows: int) -> bytes:
    """A CSV as a clerk would upload: people with valid ID numbers and phones nobody has yet."""
    from django.db.models import Sum

    from telcrm.customers import demo
    from telcrm.platform.models import Job

    # each run takes fresh slots: after every row of the earlier imports, whatever their sizes
    earlier = Job.objects.filter(kind="customers.import").aggregate(n=Sum("progress_total"))["n"] or 0

    rng = random.Random(SEED + 1)
    family = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"]
    given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["客户名称", "客户类型", "证件类型", "证件号码", "手机号码", "省", "市", "区", "地址", "营销许可"]
    )
    for k in range(rows):
        i = demo.MAX_CUSTOMERS - 1 - k - earlier  # slots the demo never uses: new IDs and phones
        region = rng.choice(demo.ALL_REGIONS[:9])
        idn, _birth, _gender = demo.resident_id(i, region)
        phone = demo.msisdn(i * demo.LINES_PER_CUSTOMER)
        w.writerow(
            [rng.choice(family) + rng.choice(given), "个人", "居民身份证", idn, phone, "浙江省", "杭州市",
             "西湖区", f"文三路{rng.randrange(1, 500)}号", rng.choice(["是", "否"])]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def bench_customer_import(ctx: Context) -> list[Figure]:
    try:
        from telcrm.customers import imports
    except ImportError:
        return []
    from django.core.files.uploadedfile import SimpleUploadedFile

    from telcrm.customers.models import Account, Customer, Merge, Party
    from telcrm.platform.models import Job

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000"))
    admin = ctx.state["admin"]
    data = _import_csv(rows)
    from telcrm.integration.models import Event

    last = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started, cpu = time.perf_counter(), time.process_time()
    upload = SimpleUploadedFile("bench-import.csv", data, content_type="text/csv")
    layout = imports.inspect_upload(upload, upload.name, len(data))
    job = imports.import_start(actor=admin, uploaded=upload, layout=layout)
    job = Job.objects.get(pk=job.pk)
    while job.status not in ("succeeded", "failed", "cancelled") and time.perf_counter() - started < 3600:
        time.sleep(0.05)  # eager tasks run inside import_start; a real worker would need polling
        job = Job.objects.get(pk=job.pk)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    made = Customer.objects.filter(id__gt=last).count()
    if made != rows:
        print(f"  customers.import: job {job.status}, {made} of {rows} rows imported: {job.result!r}"[:400])
    if not made:
        return []
    customer_ids = f"(SELECT id FROM customers_customer WHERE id > {int(last)})"

    def where_for(key, model):
        if model is Event:
            return f"id > {int(last_event)} AND topic = 'customer.created'", []
        if model is Party:
            return f"id IN (SELECT party_id FROM customers_customer WHERE id > {int(last)})", []
        if model is Customer:
            return f"id > {int(last)}", []
        return f"customer_id IN {customer_ids}", []

    # Everything the job stored that hangs off the new customers (interactions, TMF data, …) and their
    # "created" history rows, parents first. (The audit records are left out of the baseline: the audit
    # table refuses DELETE, so they cannot be reloaded; one row per customer.)
    dependents = [
        r.related_model
        for r in Customer._meta.related_objects
        if r.related_model not in (Customer, Account, Merge)
        and not r.related_model.__name__.startswith("Historical")
        and r.field.name == "customer"
    ]
    tables = [
        ("party", Party),
        ("customer", Customer),
        ("account", Account),
        ("tag", Customer.tags.through),
        *((m._meta.model_name, m) for m in dependents),
        ("event", Event),  # the outbox's "customer.created"
    ]
    tables += [
        (f"history-{key}", model.history.model)
        for key, model in tables
        if hasattr(getattr(model, "history", None), "model")
    ]

    def where_with_history(key, model):
        if key.startswith("history-"):
            original = next(m for k, m in tables if k == key.removeprefix("history-"))
            return where_for(key, original)
        return where_for(key, model)

    copy_seconds, copied = raw_reload(tables, where_with_history, truncate=False)
    return [
        Figure(
            "customers.import",
            f"{made:,} rows (.csv) through the job, per row",
            elapsed / made,
            copy_seconds / made,
            f"raw {'COPY' if connection.vendor == 'postgresql' else 'INSERT'} of its {copied:,} rows; "
            f"import's own CPU {cpu / made * 1000:.2f} ms/row",
        )
    ]
