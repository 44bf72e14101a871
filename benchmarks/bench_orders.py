"""Order benchmarks: submissions per second through the API, and submit → completed end to end.

``prepare`` loads the demo carrier (``demo_data --customers BENCH_ORDER_CUSTOMERS``, default 20,000, so
the demo clerk's branch has enough customers) unless the database has it, lifts the per-user
reservation limit (the clients are one user), and sets aside what the orders use: customers in the
demo clerk's data scope without an order yet, each checked with a rolled-back ``order_take``; free
ordinary numbers of the regions the clerk may use; new SIM cards in stock at the clerk's branch. The
clients call ``POST /api/v1/orders/`` through ``django.test.Client`` (the whole middleware and DRF
stack, no HTTP server) with a Bearer token that ``POST /api/v1/auth/token`` issued to the demo clerk.

With ``TELCRM_REDIS_URL`` the run starts ``celery -A telcrm worker`` (concurrency 2) as a subprocess
on the same database and broker — run.py sets eager tasks, so this module switches the benchmark
process back to queueing — and stops it at the end. Without it the tasks run eagerly in the process
that commits, so a submission also advances its process to the verification work order. Figures are
labelled with the mode.

(a) ``BENCH_ORDERS`` (default 320) new-line orders from ``BENCH_ORDER_CLIENTS`` (default 8)
    concurrent clients — threads, whose Python shares one GIL, or with ``BENCH_ORDER_PROCESSES=1`` (eager
    mode only) forked processes as web server workers are; each its own connection — each order
    on a distinct free number and SIM, submitted in the same call (after a warm-up order per client);
    the value is wall-clock seconds per order, and the p95 of one call. Baseline: the same kind and
    number of clients writing, with raw psycopg statements in one transaction per order, every row a
    submission inserts (order, items, payment, process instance, number history, stock movement,
    outbox events, audit rows — read back from an ``order_take`` rolled back inside its transaction)
    and the number and SIM card moved on.
(b) ``BENCH_E2E_ORDERS`` (default 30) orders one after the other, from the submit call until the
    order is COMPLETED on the simulator adapters, the verification work order (订单核定) completed by
    the demo back-office user through ``work_order_complete`` as soon as it appears (polled every
    10 ms); p50 / p95. Baseline with the worker: the same path with eager tasks in this process,
    interleaved order by order; without it: the raw-SQL insert of an order's rows from one client.

    TELCRM_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/telcrm_obench \
        TELCRM_REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python benchmarks/run.py --only orders
"""

from __future__ import annotations

import atexit
import io
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from django.db import connection, connections, transaction

from benchmarks.harness import Context, Figure, percentile

URL = "/api/v1/orders/"
OFFERING = "5G-CX-128"
DEADLINE = 60.0  # seconds to wait for a process step
POLL = 0.01


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _volume() -> tuple[int, int, int]:
    """(clients, orders, end-to-end orders)."""
    return _env("BENCH_ORDER_CLIENTS", 8), _env("BENCH_ORDERS", 320), _env("BENCH_E2E_ORDERS", 30)


def _with_worker() -> bool:
    return bool(os.environ.get("TELCRM_REDIS_URL"))


def _mode() -> str:
    return "worker" if _with_worker() else "eager tasks in-process"


# --- the worker ----------------------------------------------------------------------------------------
class _Worker:
    """``celery -A telcrm worker`` in its own process group, on the benchmark's database and broker."""

    process: subprocess.Popen | None = None

    def start(self) -> None:
        from django.conf import settings

        from telcrm.celery import app

        if self.process is not None:
            return
        app.conf.task_always_eager = False  # run.py set TELCRM_TASKS_EAGER=1 for the whole run
        app.control.purge()  # messages of an earlier run name instances of a dropped database
        root = Path(__file__).resolve().parent.parent
        env = {
            **os.environ,
            "TELCRM_TASKS_EAGER": "0",
            "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
        }
        self.log_path = Path(settings.VAR_DIR) / "bench-orders-worker.log"
        argv = [sys.executable, "-m", "celery", "-A", "telcrm", "worker", "--loglevel", "WARNING"]
        argv += ["--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        argv += ["--hostname", f"bench-orders-{os.getpid()}@%h"]
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                argv, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        atexit.register(self.stop)
        deadline = time.monotonic() + DEADLINE
        name = f"bench-orders-{os.getpid()}@"
        while not any(key.startswith(name) for reply in app.control.ping(timeout=0.5) for key in reply):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {self.log_path}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None


WORKER = _Worker()


# --- prepare ---------------------------------------------------------------------------------------------
def _candidates(clerk, need: int) -> list[int]:
    """Customers in the clerk's scope, without orders, that may take a new line of OFFERING (checked with
    a rolled-back order_take)."""
    from telcrm.customers.models import Customer
    from telcrm.orders.actions import order_take

    ids = list(
        Customer.objects.restrict(clerk)
        # no order yet: a second new line of a customer fails at 计费开户 (the simulator's billing refuses
        # to open the customer's account again, account_exists) — see docs/benchmarks.md
        .filter(party__id_verified_at__isnull=False, orders__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )  # all of them: on a database used before, the ineligible ones come first
    ok = []
    for pk in ids:
        try:
            with transaction.atomic():
                order_take(
                    actor=clerk,
                    customer=pk,
                    order_type="new_line",
                    offerings=[{"code": OFFERING}],
                    payments=[{"method": "account", "amount_fen": 1}],
                )
                transaction.set_rollback(True)
            ok.append(pk)
        except Exception:  # not eligible (credit, arrears, lines per ID…): not used
            continue
        if len(ok) >= need:
            break
    return ok


def _free_numbers(clerk, need: int) -> list[str]:
    from django.db.models import Q

    from telcrm.resources import queries
    from telcrm.resources.models import Number

    return list(
        Number.objects.filter(
            Q(level__is_default=True) | Q(level__isnull=True),
            state="free",
            region_id__in=queries.visible_region_ids(clerk),
        )
        .order_by("msisdn")
        .values_list("msisdn", flat=True)[:need]
    )


def _sims(unit, count: int) -> list[str]:
    """``count`` new SIM cards in stock at ``unit`` (ICCIDs 898603…, after any made by an earlier run)."""
    from telcrm.resources.stock.models import SimCard, SimKind
    from telcrm.resources.stock.states import ItemState
    from telcrm.resources.stock.testing import iccid_for, imsi_for

    last = (
        SimCard.objects.filter(iccid__startswith="898603").order_by("-iccid").values_list("iccid", flat=True)
    )
    start = int(last[0][6:19]) + 1 if last else 1
    cards = SimCard.objects.bulk_create(
        SimCard(
            iccid=iccid_for(start + i),
            imsi=imsi_for(start + i),
            kind=SimKind.TRIPLE,
            org_unit=unit,
            state=ItemState.IN_STOCK,
        )
        for i in range(count)
    )
    return [c.iccid for c in cards]


def prepare(ctx: Context) -> str:
    from django.core.management import call_command
    from django.test import Client

    from telcrm.platform.demo import DEMO_PASSWORD
    from telcrm.platform.models import Parameter, User
    from telcrm.platform.parameters import invalidate
    from telcrm.resources.models import Number
    from telcrm.resources.stock.models import SimCard

    customers = _env("BENCH_ORDER_CUSTOMERS", 20000)
    note = []
    if not User.objects.filter(username="clerk").exists():
        started = time.perf_counter()
        call_command("demo_data", customers=customers, stdout=io.StringIO())
        note.append(f"demo_data --customers {customers} in {time.perf_counter() - started:.0f}s")
    # the demo clerk already holds the demo's reservations; K clients reserve at once under one user
    Parameter.objects.filter(key="resources.max_reservations_per_user").update(value=100_000)
    invalidate()
    clerk = User.objects.select_related("role", "org_unit").get(username="clerk")
    backoffice = User.objects.select_related("role", "org_unit").get(username="backoffice")
    k, n, e2e = _volume()
    e2e_runs = e2e * (2 if _with_worker() else 1)
    ours = k + n + e2e_runs + 3  # the warm-up round, figure (a), figure (b), the baselines' templates
    raw = k + n + e2e  # the baselines' orders
    cust = _candidates(clerk, ours)
    if len(cust) < ours:
        raise RuntimeError(
            f"only {len(cust)} eligible customers in the clerk's scope, {ours} needed: "
            "raise BENCH_ORDER_CUSTOMERS or lower BENCH_ORDERS"
        )
    numbers = _free_numbers(clerk, ours + raw)
    if len(numbers) < ours + raw:
        raise RuntimeError(f"only {len(numbers)} free ordinary numbers for the clerk, {ours + raw} needed")
    sims = _sims(clerk.org_unit, ours + raw)
    num_ids = dict(Number.objects.filter(msisdn__in=numbers).values_list("msisdn", "id"))
    sim_ids = dict(SimCard.objects.filter(iccid__in=sims).values_list("iccid", "id"))
    ctx.state["orders_jobs"] = list(zip(cust, numbers[:ours], sims[:ours], strict=True))
    ctx.state["orders_raw"] = [
        (cust[i % len(cust)], num_ids[m], sim_ids[s])
        for i, (m, s) in enumerate(zip(numbers[ours:], sims[ours:], strict=True))
    ]
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise RuntimeError(f"no token: {response.status_code} {response.content[:300]!r}")
    ctx.state["orders_token"] = response.json()["token"]
    ctx.state["orders_clerk"] = clerk
    ctx.state["orders_backoffice"] = backoffice
    if _with_worker():
        WORKER.start()
        note.append("worker started")
    note.append(f"{len(cust)} customers, {ours + raw} numbers and SIM cards set aside; tasks: {_mode()}")
    return "; ".join(note)


def _take(ctx: Context, n: int) -> list:
    jobs = ctx.state["orders_jobs"]
    taken, ctx.state["orders_jobs"] = jobs[:n], jobs[n:]
    if len(taken) < n:
        raise RuntimeError("out of prepared orders")
    return taken


def _take_raw(ctx: Context, n: int) -> list:
    jobs = ctx.state["orders_raw"]
    taken, ctx.state["orders_raw"] = jobs[:n], jobs[n:]
    if len(taken) < n:
        raise RuntimeError("out of prepared baseline rows")
    return taken


# --- the API client --------------------------------------------------------------------------------------
def _client(ctx: Context):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {ctx.state['orders_token']}")


def _submit(client, job) -> dict:
    customer, msisdn, iccid = job
    body = {
        "customer": customer,
        "order_type": "new_line",
        "offerings": [{"code": OFFERING}],
        "number": msisdn,
        "iccid": iccid,
        "payments": [{"method": "account", "amount_fen": 1}],  # charged to the billing account
        "submit": True,
    }
    response = client.post(URL, body, content_type="application/json")
    if response.status_code != 201:
        raise RuntimeError(f"order refused: {response.status_code} {response.content[:500]!r}")
    return response.json()


# --- the raw baseline: the rows of one order, cloned -------------------------------------------------------
def _dsn() -> dict:
    params = connections["default"].get_connection_params()
    return {key: params[key] for key in ("dbname", "user", "password", "host", "port") if params.get(key)}


def _models():
    """The tables a submitted new-line order inserts into, in the order the clone writes them."""
    from telcrm.integration.models import Event
    from telcrm.orders.models import Order, OrderItem, Payment, ProcessInstance
    from telcrm.platform.models import AuditLog
    from telcrm.resources.models import NumberEvent
    from telcrm.resources.stock.models import Movement

    return [Order, OrderItem, Payment, ProcessInstance, NumberEvent, Movement, Event, AuditLog]


def _template(ctx: Context, job) -> dict:
    """Every row one order submitted through ``order_take`` inserts, read back inside its transaction,
    which is then rolled back (so no process runs): what the baseline clones."""
    from telcrm.orders.actions import order_take
    from telcrm.resources.models import Number
    from telcrm.resources.stock.models import SimCard

    customer, msisdn, iccid = job
    models = _models()
    rows: dict = {}
    with transaction.atomic():
        before = {m: (m.objects.order_by("-id").values_list("id", flat=True).first() or 0) for m in models}
        order = order_take(
            actor=ctx.state["orders_clerk"],
            customer=customer,
            order_type="new_line",
            offerings=[{"code": OFFERING}],
            number=msisdn,
            iccid=iccid,
            payments=[{"method": "account", "amount_fen": 1}],
            submit=True,
        )
        table = connection.ops.quote_name
        with connection.cursor() as cur:
            for m in models:
                cur.execute(f"SELECT * FROM {table(m._meta.db_table)} WHERE id > %s ORDER BY id", [before[m]])
                names = [d[0] for d in cur.description]
                rows[m] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        old = {
            "order": order.pk,
            "order_no": order.order_no,
            "instance": order.process_id,
            "number": Number.objects.get(msisdn=msisdn).pk,
            "sim": SimCard.objects.get(iccid=iccid).pk,
            "customer": customer,
        }
        transaction.set_rollback(True)
    return {"rows": rows, "old": old}


def _raw_writer(template: dict):
    """write(cur, seq, customer_id, number_id, sim_id): the template's rows as a new order's, in the
    caller's transaction, by plain INSERT / UPDATE statements (ids, order number, UUIDs, the number,
    the SIM card and the customer replaced)."""
    from django.db import models as dj
    from psycopg.types.json import Jsonb

    from telcrm.customers.models import Customer
    from telcrm.orders.models import Order, ProcessInstance
    from telcrm.resources.models import Number
    from telcrm.resources.stock.models import SimCard

    old = template["old"]
    targets = {
        Order: "order",
        ProcessInstance: "instance",
        Number: "number",
        SimCard: "sim",
        Customer: "customer",
    }
    plans = []  # (model, insert SQL, [(column, how)], rows)
    for model, rows in template["rows"].items():
        if not rows:
            continue
        cols = [c for c in rows[0] if c != "id"]
        fields = {f.column: f for f in model._meta.concrete_fields}
        how = {}
        for c in cols:
            f = fields.get(c)
            if isinstance(f, dj.ForeignKey) and f.related_model in targets:
                how[c] = ("fk", targets[f.related_model])
            elif isinstance(f, dj.UUIDField) and f.unique:
                how[c] = ("uuid", None)
            elif isinstance(f, dj.JSONField):
                how[c] = ("json", None)
            elif isinstance(f, dj.CharField):
                how[c] = ("text", None)
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join(["%s"] * len(cols))
        sql = f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES ({marks}) RETURNING id'
        plans.append((model, sql, cols, how, rows))
    old_text = {
        str(old["order"]): "order",
        old["order_no"]: "order_no",
        str(old["instance"]): "instance",
        str(old["number"]): "number",
        str(old["sim"]): "sim",
    }

    def value(v, rule, new):
        if rule is None or v is None:
            return v
        kind, key = rule
        if kind == "fk":
            return new.get(key) if v == old[key] else v
        if kind == "uuid":
            return uuid.uuid4()
        if kind == "json":
            return Jsonb(v)
        key = old_text.get(v)  # a text column holding the order's number or an id (object_id, reference…)
        return v if key is None or new.get(key) is None else str(new[key])

    number_t, sim_t = Number._meta.db_table, SimCard._meta.db_table
    run = uuid.uuid4().int % 1_000_000  # order numbers BX<run><seq>: unique across runs on one database

    def write(cur, seq: int, customer_id: int, number_id: int, sim_id: int) -> None:
        new = {
            "order_no": f"BX{run:06d}{seq:08d}",
            "number": number_id,
            "sim": sim_id,
            "customer": customer_id,
            "order": None,
            "instance": None,
        }
        cur.execute(
            f"UPDATE \"{number_t}\" SET state = 'assigned', customer_id = %s, reserved_by_id = NULL, "
            "reserved_until = NULL, updated_at = now() WHERE id = %s AND state = 'free'",
            [customer_id, number_id],
        )
        cur.execute(
            f"UPDATE \"{sim_t}\" SET state = 'allocated', allocated_at = now(), updated_at = now() "
            "WHERE id = %s AND state = 'in_stock'",
            [sim_id],
        )
        for model, sql, cols, how, rows in plans:
            for row in rows:
                cur.execute(sql, [value(row[c], how.get(c), new) for c in cols])
                pk = cur.fetchone()[0]
                if model is Order:
                    new["order"] = pk
                elif model is ProcessInstance:
                    new["instance"] = pk
                    cur.execute('UPDATE "orders_order" SET process_id = %s WHERE id = %s', [pk, new["order"]])

    write.tables = {m._meta.db_table: len(r) for m, r in template["rows"].items() if r}
    return write


def _processes() -> bool:
    # Not with the worker: a client forked after the broker was used hung before running (Celery/kombu
    # state inherited through fork; not investigated further), so the worker runs use threads.
    return bool(os.environ.get("BENCH_ORDER_PROCESSES")) and not _with_worker()


def _kind() -> str:
    return "processes" if _processes() else "threads"


def _run_clients(k: int, work) -> tuple[float, list]:
    """work(i) in k clients started together — threads (their Python shares one GIL), or forked
    processes as web server workers are with ``BENCH_ORDER_PROCESSES=1`` — each its own connection;
    (wall-clock seconds until the last one ends, [work(i) for each i])."""
    if _processes():
        import multiprocessing

        mp = multiprocessing.get_context("fork")
        connections.close_all()  # no connection crosses the fork
        barrier, queue, spawn = mp.Barrier(k + 1), mp.SimpleQueue(), mp.Process
    else:
        import queue as queues

        barrier, queue, spawn = threading.Barrier(k + 1), queues.SimpleQueue(), threading.Thread

    def client(i):
        try:
            barrier.wait(timeout=60)
            queue.put((i, work(i), None))
        except BaseException as exc:
            queue.put((i, None, repr(exc)))
        finally:
            connections.close_all()  # this thread's or this process's

    runners = [spawn(target=client, args=(i,)) for i in range(k)]
    for runner in runners:
        runner.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    results, errors = [None] * k, []
    for _ in range(k):
        i, value, error = queue.get()
        results[i] = value
        if error:
            errors.append(error)
    elapsed = time.perf_counter() - started
    for runner in runners:
        runner.join(timeout=60)
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]}")
    return elapsed, results


_seq = [0]


def _seq_block(count: int) -> int:
    """The first of ``count`` fresh sequence numbers for the baseline's order numbers (main process)."""
    start = _seq[0] + 1
    _seq[0] += count
    return start


def _drain(order_nos: list[str], started: float) -> str:
    """Wait until the worker has taken every process of ``order_nos`` to its first wait (the
    verification work order), so the baseline does not share the cores with the backlog."""
    from telcrm.orders.models import InstanceState, ProcessInstance

    running = ProcessInstance.objects.dangerously_unscoped().filter(
        business_key__in=order_nos, state=InstanceState.RUNNING
    )
    _poll(lambda: not running.exists(), "the worker to reach the first wait of every order", 600)
    seconds = time.perf_counter() - started
    return f"; the worker had every order waiting for verification {seconds:.1f}s after the start"


# --- (a) submissions per second ---------------------------------------------------------------------------
def bench_order_submit(ctx: Context) -> list[Figure]:
    if connection.vendor != "postgresql":
        return []  # SQLite serialises every writer: no concurrency to measure
    import psycopg

    k, n, _e2e = _volume()
    per = max(1, n // k)
    n = per * k
    # warm-up: one order here, inherited by forked clients, then one per client (URL resolution,
    # serializers, cached parameters, connections)
    warm = _take(ctx, k + 1)
    _submit(_client(ctx), warm.pop())

    def warm_up(i):
        _submit(_client(ctx), warm[i])

    _run_clients(k, warm_up)
    write = _raw_writer(_template(ctx, _take(ctx, 1)[0]))
    jobs = _take(ctx, n)

    def ours(i):
        client = _client(ctx)
        mine, nos = [], []
        for job in jobs[i * per : (i + 1) * per]:
            t0 = time.perf_counter()
            nos.append(_submit(client, job)["order_no"])
            mine.append(time.perf_counter() - t0)
        return mine, nos

    started = time.perf_counter()
    ours_seconds, results = _run_clients(k, ours)
    latencies = [x for mine, _nos in results for x in mine]
    drained = _drain([no for _mine, nos in results for no in nos], started) if _with_worker() else ""
    rows = _take_raw(ctx, n)
    dsn = _dsn()
    base = _seq_block(n)

    def raw(i, rows=rows):
        mine = []
        with psycopg.connect(**dsn) as conn:
            for j, (customer_id, number_id, sim_id) in enumerate(rows[i * per : (i + 1) * per]):
                t0 = time.perf_counter()
                with conn.transaction(), conn.cursor() as cur:
                    write(cur, base + i * per + j, customer_id, number_id, sim_id)
                mine.append(time.perf_counter() - t0)
        return mine

    raw_seconds, raw_results = _run_clients(k, raw)
    raw_latencies = [x for mine in raw_results for x in mine]
    print(
        f"  orders.submit ({_mode()}): {k} client {_kind()}, {n} orders: {n / ours_seconds:,.1f} orders/s "
        f"(latency p50 {percentile(latencies, 50) * 1e3:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1e3:.0f} ms) vs raw SQL {n / raw_seconds:,.1f} orders/s "
        f"(p50 {percentile(raw_latencies, 50) * 1e3:.1f} ms, "
        f"p95 {percentile(raw_latencies, 95) * 1e3:.1f} ms); raw rows per order: {write.tables}{drained}"
    )
    ctx.state["orders_raw_writer"] = write
    return [
        Figure(
            "orders.order_take (API)",
            f"{k} client {_kind()}, {n} new lines submitted, per order (wall clock; {_mode()})",
            ours_seconds / n,
            raw_seconds / n,
            "raw SQL inserts of the same rows, same clients",
        ),
        Figure(
            "orders.order_take (API)",
            f"{k} client {_kind()}, one order's latency p95 ({_mode()})",
            percentile(latencies, 95),
            percentile(raw_latencies, 95),
            "raw SQL, p95",
        ),
    ]


# --- (b) submit → completed -------------------------------------------------------------------------------
def _poll(fn, what: str, seconds: float = DEADLINE):
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:.0f}s waiting for {what}")
        time.sleep(POLL)


def _end_to_end(ctx: Context, client, job) -> float:
    from telcrm.orders.actions import work_order_complete
    from telcrm.orders.models import Order, OrderState, WorkOrder, WorkOrderState

    backoffice = ctx.state["orders_backoffice"]
    started = time.perf_counter()
    order_id = _submit(client, job)["id"]
    process_id = Order.objects.dangerously_unscoped().values_list("process_id", flat=True).get(pk=order_id)
    wo = _poll(
        lambda: WorkOrder.objects.filter(
            instance_id=process_id, element_id="verify", state=WorkOrderState.OPEN
        ).first(),
        f"the verification work order of order {order_id}",
    )
    work_order_complete(actor=backoffice, work_order=wo, note="资料齐全")
    ends = (OrderState.COMPLETED, OrderState.FAILED, OrderState.CANCELLED)
    state = _poll(
        lambda: (
            Order.objects.dangerously_unscoped()
            .filter(pk=order_id, state__in=ends)
            .values_list("state", flat=True)
            .first()
        ),
        f"order {order_id} to complete",
    )
    if state != OrderState.COMPLETED:
        raise RuntimeError(f"order {order_id} ended {state}")
    return time.perf_counter() - started


def bench_order_end_to_end(ctx: Context) -> list[Figure]:
    import psycopg

    from telcrm.celery import app

    n = _volume()[2]
    client = _client(ctx)
    ours, theirs = [], []
    try:
        if _with_worker():
            WORKER.start()
            for job_w, job_e in zip(_take(ctx, n), _take(ctx, n), strict=True):
                ours.append(_end_to_end(ctx, client, job_w))
                app.conf.task_always_eager = True
                try:
                    theirs.append(_end_to_end(ctx, client, job_e))
                finally:
                    app.conf.task_always_eager = False
            baseline_name = "the same path with eager tasks in this process"
        else:
            for job in _take(ctx, n):
                ours.append(_end_to_end(ctx, client, job))
            write = ctx.state.get("orders_raw_writer") or _raw_writer(_template(ctx, _take(ctx, 1)[0]))
            with psycopg.connect(**_dsn()) as conn:
                for customer_id, number_id, sim_id in _take_raw(ctx, n):
                    t0 = time.perf_counter()
                    with conn.transaction(), conn.cursor() as cur:
                        write(cur, _seq_block(1), customer_id, number_id, sim_id)
                    theirs.append(time.perf_counter() - t0)
            baseline_name = "raw SQL insert of the order's rows, one client"
    finally:
        WORKER.stop()
    print(
        f"  orders.end_to_end ({_mode()}): {n} orders one after the other: p50 "
        f"{percentile(ours, 50) * 1e3:.0f} ms, p95 {percentile(ours, 95) * 1e3:.0f} ms, "
        f"max {max(ours) * 1e3:.0f} ms; baseline p50 {percentile(theirs, 50) * 1e3:.1f} ms"
    )
    return [
        Figure(
            "orders.end_to_end",
            f"submit → completed, simulator adapters, {_mode()}, {n} orders, p{p}",
            percentile(ours, p),
            percentile(theirs, p),
            baseline_name,
        )
        for p in (50, 95)
    ]
