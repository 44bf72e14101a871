"""Demo customers' loader: chunks (in worker processes), loading them with ``copy_rows``, reset."""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os

from django.db import IntegrityError, connection, transaction

from telcrm.platform.demo import DemoResetRefused, copy_rows

from .data import CHUNK, CUSTOMER_COLUMNS, CUSTOMER_PREFIX, MAX_CUSTOMERS, tables
from .plan import Plan, build_plan
from .rows import generate_chunk
from .values import customer_index, customer_no

# --- running it -------------------------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(plan: Plan, search_text) -> None:
    _WORKER.update(plan=plan, search_text=search_text)


def _worker_chunk(chunk: int) -> dict[str, list]:
    return generate_chunk(_WORKER["plan"], chunk, _WORKER["search_text"])


def default_workers(count: int) -> int:
    env = os.environ.get("TELCRM_DEMO_WORKERS", "")
    if env.strip():
        return max(0, int(env))
    return (os.cpu_count() or 1) if count >= 50_000 else 0


def chunks(plan: Plan, workers: int):
    """Yield the chunks' rows in order; with workers, at most 2 chunks per worker in flight."""
    search_text = _search_text_function()
    numbers = range(plan.start // CHUNK, (plan.stop + CHUNK - 1) // CHUNK)
    if not workers:
        for n in numbers:
            yield generate_chunk(plan, n, search_text)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(plan, search_text)) as pool:
        pending = collections.deque()
        todo = iter(numbers)
        for n in itertools.islice(todo, workers * 2):
            pending.append(pool.apply_async(_worker_chunk, (n,)))
        while pending:
            result = pending.popleft().get()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.apply_async(_worker_chunk, (nxt,)))
            yield result


def _search_text_function():
    from ..search import build_search_text

    return build_search_text


def existing_demo_customers() -> int:
    """How many demo customers exist: the index of the highest demo number + 1 (they load in order)."""
    from ..models import Customer

    last = (
        Customer.objects.filter(
            customer_no__gte=customer_no(0), customer_no__lte=f"{CUSTOMER_PREFIX}99999999"
        )
        .order_by("-customer_no")
        .values_list("customer_no", flat=True)
        .first()
    )
    return customer_index(last) + 1 if last else 0


def _defaulted(model, columns) -> list:
    """NOT NULL columns the generator does not fill (added to the model since), given their default."""
    given = set(columns)
    return [
        f
        for f in model._meta.concrete_fields
        if not f.null
        and not f.primary_key
        and f.attname not in given
        and f.name not in given
        and f.has_default()
    ]


def load_customers(*, count: int, seed: int, workers: int | None = None, progress=None) -> dict[str, int]:
    """Generate demo customers up to ``count`` (top-up); returns rows loaded per table."""
    from ..models import Account, Customer, Party

    if count > MAX_CUSTOMERS:
        raise ValueError(f"at most {MAX_CUSTOMERS:,} demo customers (unique ID numbers run out)")
    start = existing_demo_customers()
    loaded = dict.fromkeys([key for key, _m, _c in tables()], 0)
    if start >= count:
        return loaded
    plan = build_plan(seed=seed, start=start, stop=count)
    workers = default_workers(count - start) if workers is None else workers
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # check foreign keys per COPY, not all at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    layout, defaults = [], {}
    for key, model, columns in tables():
        extra = _defaulted(model, columns)
        layout.append((key, model, (*columns, *(f.attname for f in extra))))
        defaults[key] = tuple(f.get_default() for f in extra)
    done = 0
    for rows in chunks(plan, workers):
        if rows["fixups"]:
            ids = dict(
                Customer.objects.filter(customer_no__in={no for _pos, no in rows["fixups"]}).values_list(
                    "customer_no", "id"
                )
            )
            parent_col = CUSTOMER_COLUMNS.index("parent_id")
            for pos, no in rows["fixups"]:
                row = list(rows["customer"][pos])
                row[parent_col] = ids.get(no)
                rows["customer"][pos] = tuple(row)
        for key, model, columns in layout:
            if rows[key]:
                extra = defaults[key]
                data = rows[key] if not extra else (row + extra for row in rows[key])
                loaded[key] += copy_rows(model, columns, data, batch_size=5000)
        done += len(rows["customer"])
        if progress:
            progress(done, count - start)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Party, Customer, Account]):
                cursor.execute(statement)
    return loaded


def reset_customers(*, stdout) -> None:
    """Delete the demo customers and what hangs off them; refused when other data refers to them.

    Demo customers are those with a demo number (C571…) and no history record: customers created
    through actions after the demo continue its numbering (next free number) but always have a
    history row, and a demo customer someone edited has one too — both are kept. Plain DELETEs by
    id (the ORM's cascade would load millions of rows); foreign keys are checked immediately, so a
    row elsewhere that refers to a demo customer refuses the reset.
    """
    from ..models import CreditChange, Customer, Party, UpdateRequest

    qn = connection.ops.quote_name
    customers = qn(Customer._meta.db_table)
    history = qn(Customer.history.model._meta.db_table)
    statements = [
        (
            f"CREATE TEMPORARY TABLE demo_reset AS SELECT c.id, c.party_id FROM {customers} c "  # noqa: S608
            "WHERE c.customer_no BETWEEN %s AND %s "
            f"AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = c.id)",
            [customer_no(0), f"{CUSTOMER_PREFIX}99999999"],
        ),
        *(
            (f"DELETE FROM {qn(m._meta.db_table)} WHERE customer_id IN (SELECT id FROM demo_reset)", [])  # noqa: S608
            for m in [m for key, m, _c in reversed(tables()) if key not in ("party", "customer")]
            + [CreditChange, UpdateRequest]
        ),
        (f"DELETE FROM {customers} WHERE id IN (SELECT id FROM demo_reset)", []),  # noqa: S608
        (f"DELETE FROM {qn(Party._meta.db_table)} WHERE id IN (SELECT party_id FROM demo_reset)", []),  # noqa: S608
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql, params in statements:
                cursor.execute(sql, params)
                if sql.startswith("CREATE"):
                    cursor.execute("SELECT COUNT(*) FROM demo_reset")
                    n = cursor.fetchone()[0]
            if connection.vendor != "postgresql":
                connection.check_constraints()  # SQLite checks deferred foreign keys only at commit
            cursor.execute("DROP TABLE demo_reset")
    except IntegrityError as exc:
        raise DemoResetRefused(
            "other data still refers to demo customers (orders, tickets, merges…); delete it first, or "
            "start from a fresh database."
        ) from exc
    stdout.write(f"  customers: deleted {n:,} demo customers and their accounts, lines and contacts")
