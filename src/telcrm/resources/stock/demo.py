"""Demo stock: ``manage.py demo_data`` (after the customers and the number pool, order 35).

- every demo branch receives a SIM delivery (consecutive ICCIDs 898602…, IMSIs 46002…, mostly
  triple-cut cards) and a terminal delivery (phones and 5G CPEs of a dozen models with valid IMEIs);
  a few items are allocated to pending orders, faulty or returned; about 400 SIM cards and 30
  terminals per branch at the default volume (scaled by ``--customers``);
- 西湖文三路营业厅 (ZJ-HZ-B01, the demo branch manager's) holds far fewer SIM cards than its threshold,
  so the low-stock check — run at the end — alerts its manager, and its home page shows it;
- transfers: two shipped and still in transit (one on its way to ZJ-HZ-B01: the demo branch manager
  can receive it), one received last week, one draft; one closed stock count with a missing terminal;
- the ICCID of every demo subscription (customers_subscription.iccid) is recorded as an activated
  SIM card of the line's branch with the line's number (IMSI 46000 + the line's id), under one
  "cards of existing lines" delivery per branch. Each run adds the lines added since.

Bulk rows go through ``copy_rows`` (COPY on PostgreSQL) with one movement per change, as the actions
would write them; transfers, counts and the alert check go through the ORM and the actions.
``--reset`` deletes all stock rows, refused when stock not made by the demo exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from stdnum import luhn

from telcrm.platform.demo import DemoResetRefused, copy_rows, demo_generator

from .models import (
    BatchStatus,
    CountDiscrepancy,
    CountScan,
    CountStatus,
    DiscrepancyKind,
    LowStockAlert,
    Movement,
    SimCard,
    SimKind,
    StockBatch,
    StockCount,
    Terminal,
    Transfer,
    TransferItem,
    TransferOutcome,
    TransferStatus,
)
from .states import ItemState, ItemType, Move

ICCID_PREFIX = "898602"  # demo stock cards; the demo lines' cards are 898600…
IMSI_PREFIX = "46002"
LINE_IMSI_PREFIX = "46000"
DEMO_NOTE = "DEMO-"  # delivery notes of demo deliveries start with it
LINES_NOTE = f"{DEMO_NOTE}LINES"  # the deliveries holding the cards of the demo lines
LOW_BRANCH = "ZJ-HZ-B01"
SUPPLIERS_SIM = ("东信和平科技", "恒宝股份", "紫光同芯微电子", "天喻信息")
# brand, model, colours, price (yuan), type allocation code (TAC, 8 digits)
TERMINALS = (
    ("华为", "Mate 60 Pro", ("雅丹黑", "雅川青", "白沙银"), 6999, "86918705"),
    ("华为", "nova 12", ("曜金黑", "樱语白"), 2999, "86918706"),
    ("荣耀", "X50", ("典雅黑", "燃橙色"), 1399, "86732104"),
    ("小米", "14", ("黑色", "白色", "岩石青"), 3999, "86452107"),
    ("小米", "Redmi K70", ("墨羽", "晴雪"), 2499, "86452108"),
    ("OPPO", "Reno11", ("曜石黑", "萤石青"), 2499, "86620105"),
    ("vivo", "X100", ("辰夜黑", "落日橙"), 3999, "86833603"),
    ("Apple", "iPhone 15", ("黑色", "蓝色", "粉色"), 5999, "35328115"),
    ("Apple", "iPhone 15 Pro", ("原色钛金属", "黑色钛金属"), 7999, "35328116"),
    ("中兴", "5G CPE MC888", ("白色",), 899, "86612003"),
    ("中国移动", "随身WiFi MF935", ("白色",), 199, "86045802"),
)
SIM_KIND_WEIGHTS = ((SimKind.TRIPLE, 70), (SimKind.NANO, 15), (SimKind.NORMAL, 8), (SimKind.ESIM, 7))

ITEM_COLUMNS = ("org_unit_id", "state", "batch_id", "reference", "note", "state_changed_at", "allocated_at",
                "created_at", "updated_at")  # fmt: skip
SIM_COLUMNS = ("iccid", "imsi", "kind", "msisdn", "activated_at", *ITEM_COLUMNS)
TERMINAL_COLUMNS = ("imei", "brand", "model", "colour", "price_fen", "sold_at", *ITEM_COLUMNS)
MOVE_COLUMNS = ("sim_id", "terminal_id", "move", "state_from", "state_to", "org_unit_id", "from_unit_id",
                "actor_id", "reference", "batch_id", "transfer_id", "stock_count_id", "note",
                "at")  # fmt: skip


def iccid(branch_no: int, seq: int) -> str:
    body = f"{ICCID_PREFIX}{branch_no:02d}{seq:011d}"
    return body + luhn.calc_check_digit(body)


def imsi(branch_no: int, seq: int) -> str:
    return f"{IMSI_PREFIX}{branch_no:02d}{seq:08d}"


def imei(tac: str, branch_no: int, seq: int) -> str:
    body = f"{tac}{branch_no:02d}{seq:04d}"
    return body + luhn.calc_check_digit(body)


def _weighted(rng: random.Random, pairs):
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def _branches():
    from telcrm.platform.models import OrgKind, OrgUnit

    return list(OrgUnit.objects.filter(kind=OrgKind.BRANCH, code__startswith="ZJ-").order_by("code"))


def _managers(branches) -> dict[int, object]:
    from telcrm.platform.models import User

    out = {}
    for u in User.objects.filter(org_unit__in=branches, role__code="branch_manager", is_active=True).order_by(
        "id"
    ):
        out.setdefault(u.org_unit_id, u)
    return out


def _move(*, sim=None, terminal=None, move, state_from, state_to, unit, at, actor=None, batch=None,
          transfer=None, count=None, from_unit=None, reference="", note="") -> tuple:  # fmt: skip
    return (sim, terminal, move, state_from, state_to, unit, from_unit, actor, reference, batch, transfer,
            count, note, at)  # fmt: skip


# --- stock at the branches ----------------------------------------------------------------------------
def _receive_branch(rng, branch, branch_no: int, *, sims: int, terminals: int, manager, now) -> dict:
    """One SIM and one terminal delivery into ``branch``; a few items allocated, faulty, returned."""
    actor = manager.pk if manager else None
    received_at = now - dt.timedelta(days=rng.randint(5, 60), hours=rng.randint(0, 8))
    sim_batch = StockBatch.objects.create(
        org_unit=branch,
        owner=manager,
        item_type=ItemType.SIM,
        status=BatchStatus.RECEIVED,
        supplier=rng.choice(SUPPLIERS_SIM),
        delivery_note=f"{DEMO_NOTE}{branch.code}-S",
        sim_kind=SimKind.TRIPLE,
        file_name=f"SIM入库清单-{branch.code}.xlsx",
        rows=sims,
        received_count=sims,
        received_at=received_at,
    )
    term_batch = StockBatch.objects.create(
        org_unit=branch,
        owner=manager,
        item_type=ItemType.TERMINAL,
        status=BatchStatus.RECEIVED,
        supplier="浙江移动终端公司",
        delivery_note=f"{DEMO_NOTE}{branch.code}-T",
        file_name=f"终端入库清单-{branch.code}.xlsx",
        rows=terminals,
        received_count=terminals,
        received_at=received_at + dt.timedelta(hours=1),
    )
    StockBatch.objects.filter(pk__in=[sim_batch.pk, term_batch.pk]).update(created_at=received_at)
    later = []  # (kind, index, state, reference, note, when)

    def fate(n: int, reference_prefix: str):
        out = {}
        for i in rng.sample(range(n), min(n, rng.randint(2, 6))):
            out[i] = (ItemState.ALLOCATED, f"{reference_prefix}{rng.randrange(10**8):08d}", "")
        for i in rng.sample(range(n), min(n, rng.randint(0, 3))):
            out.setdefault(i, (ItemState.FAULTY, "", rng.choice(("写卡失败", "芯片损坏", "卡片断裂"))))
        for i in rng.sample(range(n), min(n, rng.randint(0, 2))):
            out.setdefault(i, (ItemState.RETURNED, "", "退回供应商"))
        return out

    sim_fates = fate(sims, "DD")
    term_fates = fate(terminals, "DD")
    sim_rows = []
    for seq in range(sims):
        state, ref, note = sim_fates.get(seq, (ItemState.IN_STOCK, "", ""))
        when = (
            received_at if state == ItemState.IN_STOCK else received_at + dt.timedelta(days=rng.randint(1, 4))
        )
        later.append(("sim", seq, state, ref, note, when))
        sim_rows.append(
            (
                iccid(branch_no, seq),
                imsi(branch_no, seq),
                _weighted(rng, SIM_KIND_WEIGHTS),
                "",
                None,
                branch.pk,
                state,
                sim_batch.pk,
                ref,
                note,
                when,
                when if state == ItemState.ALLOCATED else None,
                received_at,
                when,
            )
        )
    copy_rows(SimCard, SIM_COLUMNS, sim_rows)
    term_rows = []
    for seq in range(terminals):
        brand, model, colours, price, tac = (
            TERMINALS[seq % len(TERMINALS)] if seq < len(TERMINALS) else rng.choice(TERMINALS)
        )
        state, ref, note = term_fates.get(seq, (ItemState.IN_STOCK, "", ""))
        when = (
            received_at if state == ItemState.IN_STOCK else received_at + dt.timedelta(days=rng.randint(1, 4))
        )
        later.append(("terminal", seq, state, ref, note, when))
        term_rows.append(
            (
                imei(tac, branch_no, seq),
                brand,
                model,
                rng.choice(colours),
                price * 100,
                None,
                branch.pk,
                state,
                term_batch.pk,
                ref,
                note,
                when,
                when if state == ItemState.ALLOCATED else None,
                received_at,
                when,
            )
        )
    copy_rows(Terminal, TERMINAL_COLUMNS, term_rows)
    sim_ids = dict(SimCard.objects.filter(batch=sim_batch).values_list("iccid", "pk"))
    term_ids = dict(Terminal.objects.filter(batch=term_batch).values_list("imei", "pk"))
    moves = []
    for pk in sim_ids.values():
        moves.append(
            _move(
                sim=pk,
                move=Move.RECEIVE,
                state_from="",
                state_to=ItemState.IN_STOCK,
                unit=branch.pk,
                at=received_at,
                actor=actor,
                batch=sim_batch.pk,
            )
        )
    for pk in term_ids.values():
        moves.append(
            _move(
                terminal=pk,
                move=Move.RECEIVE,
                state_from="",
                state_to=ItemState.IN_STOCK,
                unit=branch.pk,
                at=received_at,
                actor=actor,
                batch=term_batch.pk,
            )
        )
    by_state = {
        ItemState.ALLOCATED: Move.ALLOCATE,
        ItemState.FAULTY: Move.FAULT,
        ItemState.RETURNED: Move.RETURN,
    }
    for kind, seq, state, ref, note, when in later:
        if state == ItemState.IN_STOCK:
            continue
        if kind == "sim":
            key = {"sim": sim_ids[iccid(branch_no, seq)]}
        else:
            key = {"terminal": term_ids[term_rows[seq][0]]}
        moves.append(
            _move(
                **key,
                move=by_state[state],
                state_from=ItemState.IN_STOCK,
                state_to=state,
                unit=branch.pk,
                at=when,
                actor=actor,
                reference=ref,
                note=note,
            )
        )
    copy_rows(Movement, MOVE_COLUMNS, moves)
    return {"sims": len(sim_ids), "terminals": len(term_ids), "moves": len(moves)}


# --- transfers and a count ----------------------------------------------------------------------------
def _available(model, unit, n: int, *, order: str):
    return list(model.objects.filter(org_unit=unit, state=ItemState.IN_STOCK).order_by(order)[:n])


def _transfer(*, src, dst, sims: int, terminals: int, status: str, manager, receiver, when, note) -> Transfer:
    t = Transfer.objects.create(
        org_unit=src, to_unit=dst, owner=manager, note=note, status=TransferStatus.DRAFT
    )
    # at most a third of what the sender holds, so no branch is emptied at small volumes
    sims = min(sims, SimCard.objects.filter(org_unit=src, state=ItemState.IN_STOCK).count() // 3)
    terminals = min(terminals, Terminal.objects.filter(org_unit=src, state=ItemState.IN_STOCK).count() // 3)
    items = [(ItemType.SIM, i) for i in _available(SimCard, src, sims, order="-iccid")]
    items += [(ItemType.TERMINAL, i) for i in _available(Terminal, src, terminals, order="-imei")]
    outcome = TransferOutcome.RECEIVED if status == TransferStatus.RECEIVED else TransferOutcome.PENDING
    TransferItem.objects.bulk_create(
        [
            TransferItem(
                transfer=t,
                item_type=kind,
                code=i.code,
                outcome=outcome,
                **({"sim": i} if kind == ItemType.SIM else {"terminal": i}),
            )
            for kind, i in items
        ]
    )
    t.item_count = len(items)
    moves = []
    if status in (TransferStatus.SHIPPED, TransferStatus.RECEIVED):
        shipped = when
        t.shipped_at, t.shipped_by = shipped, manager
        for kind, i in items:
            fk = {"sim": i.pk} if kind == ItemType.SIM else {"terminal": i.pk}
            moves.append(
                _move(
                    **fk,
                    move=Move.SHIP,
                    state_from=ItemState.IN_STOCK,
                    state_to=ItemState.IN_TRANSIT,
                    unit=src.pk,
                    at=shipped,
                    actor=getattr(manager, "pk", None),
                    transfer=t.pk,
                    note=str(dst)[:200],
                )
            )
        if status == TransferStatus.SHIPPED:
            for model, kind in ((SimCard, ItemType.SIM), (Terminal, ItemType.TERMINAL)):
                model.objects.filter(pk__in=[i.pk for k, i in items if k == kind]).update(
                    state=ItemState.IN_TRANSIT, transfer=t, state_changed_at=shipped
                )
        else:
            got = shipped + dt.timedelta(days=1, hours=3)
            t.received_at, t.received_by, t.received_count = got, receiver, len(items)
            for model, kind in ((SimCard, ItemType.SIM), (Terminal, ItemType.TERMINAL)):
                model.objects.filter(pk__in=[i.pk for k, i in items if k == kind]).update(
                    org_unit=dst, state_changed_at=got
                )
            for kind, i in items:
                fk = {"sim": i.pk} if kind == ItemType.SIM else {"terminal": i.pk}
                moves.append(
                    _move(
                        **fk,
                        move=Move.TRANSFER_IN,
                        state_from=ItemState.IN_TRANSIT,
                        state_to=ItemState.IN_STOCK,
                        unit=dst.pk,
                        from_unit=src.pk,
                        at=got,
                        actor=getattr(receiver, "pk", None),
                        transfer=t.pk,
                    )
                )
    t.status = status
    t.save()
    Transfer.objects.filter(pk=t.pk).update(created_at=when - dt.timedelta(hours=2))
    copy_rows(Movement, MOVE_COLUMNS, moves)
    return t


def _closed_count(unit, manager, when) -> StockCount:
    """A terminal count that found one device missing (now recorded missing)."""
    c = StockCount.objects.create(
        org_unit=unit, owner=manager, item_type=ItemType.TERMINAL, note="月末盘点", status=CountStatus.OPEN
    )
    books = list(Terminal.objects.filter(org_unit=unit, state=ItemState.IN_STOCK).order_by("imei"))
    if not books:
        c.delete()
        return None
    lost, present = books[-1], books[:-1]
    CountScan.objects.bulk_create(
        [CountScan(stock_count=c, code=t.imei, scanned_at=when, scanned_by=manager) for t in present]
    )
    CountDiscrepancy.objects.create(
        stock_count=c, kind=DiscrepancyKind.MISSING, code=lost.imei, terminal=lost
    )
    Terminal.objects.filter(pk=lost.pk).update(state=ItemState.MISSING, state_changed_at=when)
    copy_rows(
        Movement,
        MOVE_COLUMNS,
        [
            _move(
                terminal=lost.pk,
                move=Move.LOSE,
                state_from=ItemState.IN_STOCK,
                state_to=ItemState.MISSING,
                unit=unit.pk,
                at=when,
                actor=getattr(manager, "pk", None),
                count=c.pk,
                note=f"盘点 {c.number}",
            )
        ],
    )
    c.status = CountStatus.CLOSED
    c.expected_count, c.counted_count, c.missing_count = len(books), len(present), 1
    c.closed_at, c.closed_by = when, manager
    c.save()
    StockCount.objects.filter(pk=c.pk).update(created_at=when - dt.timedelta(hours=1))
    return c


# --- the demo lines' cards ------------------------------------------------------------------------------
def record_line_cards(*, now=None) -> int:
    """Record the ICCID of every demo subscription not recorded yet as an activated SIM card of the
    line's unit, with its number and one "activated" movement. Returns how many were added.

    Two ``INSERT … SELECT`` statements (cards, then their movements), so the database does the work at
    any volume (17M lines at 10M customers); the NOT EXISTS probes use the unique ICCID index and the
    movements' (sim, at) index, which also makes a second run add only the lines added since.
    """
    from django.db import connection

    from telcrm.customers.models import Subscription

    now = now or timezone.now()
    subs = Subscription.objects.dangerously_unscoped().exclude(iccid="")
    have = set(StockBatch.objects.filter(delivery_note=LINES_NOTE).values_list("org_unit_id", flat=True))
    for unit_id in set(subs.order_by().values_list("org_unit_id", flat=True).distinct()) - have:
        StockBatch.objects.create(
            org_unit_id=unit_id,
            item_type=ItemType.SIM,
            status=BatchStatus.RECEIVED,
            supplier="存量开户卡",
            delivery_note=LINES_NOTE,
            sim_kind=SimKind.TRIPLE,
            received_at=now,
        )
    qn = connection.ops.quote_name
    sub_t, sim_t = qn(Subscription._meta.db_table), qn(SimCard._meta.db_table)
    batch_t, move_t = qn(StockBatch._meta.db_table), qn(Movement._meta.db_table)
    pad = (
        "lpad(CAST(s.id AS text), 10, '0')"
        if connection.vendor == "postgresql"
        else "substr('0000000000' || s.id, -10)"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    when = "COALESCE(s.activated_at, %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {sim_t} (iccid, imsi, kind, msisdn, activated_at, org_unit_id, owner_id,
                    state, batch_id, transfer_id, reference, note, state_changed_at, allocated_at, created_at,
                    updated_at)
                SELECT s.iccid, %s || {pad}, %s, s.msisdn, {when}, s.org_unit_id, NULL, %s,
                    b.id, NULL, '', '', {when}, NULL, {when}, {when}
                FROM {sub_t} s JOIN {batch_t} b ON b.org_unit_id = s.org_unit_id AND b.delivery_note = %s
                WHERE s.iccid <> '' AND NOT EXISTS (SELECT 1 FROM {sim_t} c WHERE c.iccid = s.iccid)""",  # noqa: S608
            [LINE_IMSI_PREFIX, SimKind.TRIPLE, stamp, ItemState.ACTIVATED, stamp, stamp, stamp, LINES_NOTE],
        )
        added = max(cursor.rowcount, 0)
        cursor.execute(
            f"""INSERT INTO {move_t} (sim_id, terminal_id, move, state_from, state_to, org_unit_id,
                    from_unit_id, actor_id, reference, batch_id, transfer_id, stock_count_id, note, at)
                SELECT c.id, NULL, %s, %s, %s, c.org_unit_id, NULL, NULL, '', c.batch_id, NULL, NULL,
                    %s || c.msisdn, c.activated_at
                FROM {sim_t} c JOIN {batch_t} b ON b.id = c.batch_id AND b.delivery_note = %s
                WHERE NOT EXISTS (SELECT 1 FROM {move_t} m WHERE m.sim_id = c.id)""",  # noqa: S608
            [Move.ACTIVATE, ItemState.ALLOCATED, ItemState.ACTIVATED, "开户 ", LINES_NOTE],
        )
    if added:
        for batch in StockBatch.objects.filter(delivery_note=LINES_NOTE):
            n = SimCard.objects.filter(batch=batch).count()
            StockBatch.objects.filter(pk=batch.pk).update(rows=n, received_count=n)
    return added


# --- the generator ------------------------------------------------------------------------------------------
def _has_demo_stock() -> bool:
    return (
        StockBatch.objects.filter(delivery_note__startswith=DEMO_NOTE)
        .exclude(delivery_note__startswith=f"{DEMO_NOTE}LINES")
        .exists()
    )


def reset_stock(*, stdout) -> None:
    """Delete every stock row; refused when stock not made by the demo exists (received by a user)."""
    foreign = (
        SimCard.objects.exclude(batch__delivery_note__startswith=DEMO_NOTE).count()
        + Terminal.objects.exclude(batch__delivery_note__startswith=DEMO_NOTE).count()
    )
    if foreign:
        raise DemoResetRefused(
            f"{foreign} SIM cards or terminals were received outside the demo; delete them first, or start "
            "from a fresh database (embedded: remove var/telcrm.sqlite3, then make migrate)."
        )
    counts = {}
    for model in (CountDiscrepancy, CountScan, Movement, TransferItem, LowStockAlert):
        counts[model._meta.model_name], _ = model.objects.all().delete()
    SimCard.objects.update(transfer=None)
    Terminal.objects.update(transfer=None)
    for model in (StockCount, Transfer, SimCard, Terminal, StockBatch):
        counts[model._meta.model_name], _ = model.objects.all().delete()
    stdout.write(
        "  stock: deleted "
        + ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        + (" rows" if any(counts.values()) else "nothing")
    )


@demo_generator(order=35, name="stock", reset=reset_stock)
def stock_demo(*, stdout, customers: int, rng: random.Random) -> None:
    from .actions import low_stock_check

    now = timezone.now()
    made = {"sims": 0, "terminals": 0, "moves": 0}
    branches = _branches()
    if customers and branches and not _has_demo_stock():
        managers = _managers(branches)
        per_branch = max(20, min(600, customers // 45))
        terminals = max(8, min(60, customers // 600))
        for n, branch in enumerate(branches, start=1):
            sims = per_branch if branch.code != LOW_BRANCH else max(10, per_branch * 3 // 10)
            sims = int(sims * rng.uniform(0.85, 1.15)) if branch.code != LOW_BRANCH else sims
            got = _receive_branch(
                rng,
                branch,
                n,
                sims=sims,
                terminals=int(terminals * rng.uniform(0.7, 1.3)),
                manager=managers.get(branch.pk),
                now=now,
            )
            for k in made:
                made[k] += got[k]
        by_code = {b.code: b for b in branches}
        plan = (
            ("ZJ-HZ-B02", LOW_BRANCH, 80, 0, TransferStatus.SHIPPED, 1, "西湖文三路营业厅补货"),
            ("ZJ-NB-B01", "ZJ-NB-B02", 20, 3, TransferStatus.SHIPPED, 2, "门店间调剂"),
            ("ZJ-JX-B01", "ZJ-JX-B02", 30, 2, TransferStatus.RECEIVED, 8, "新店备货"),
            (LOW_BRANCH, "ZJ-HZ-B03", 0, 4, TransferStatus.DRAFT, 0, "旗舰机型调配"),
        )
        transfers = 0
        for src, dst, n_sims, n_terms, status, days, note in plan:
            if src in by_code and dst in by_code:
                _transfer(
                    src=by_code[src],
                    dst=by_code[dst],
                    sims=n_sims,
                    terminals=n_terms,
                    status=status,
                    manager=managers.get(by_code[src].pk),
                    receiver=managers.get(by_code[dst].pk),
                    when=now - dt.timedelta(days=days, hours=rng.randint(1, 5)),
                    note=note,
                )
                transfers += 1
        if "ZJ-SX-B01" in by_code:
            _closed_count(
                by_code["ZJ-SX-B01"], managers.get(by_code["ZJ-SX-B01"].pk), now - dt.timedelta(days=3)
            )
        stdout.write(
            f"  stock: {made['sims']:,} SIM cards and {made['terminals']:,} terminals "
            f"at {len(branches)} branches, "
            f"{transfers} transfers, {made['moves']:,} movements"
        )
    elif customers:
        stdout.write("  stock: demo deliveries exist already")
    else:
        stdout.write("  stock: no customers requested, no demo stock")
    lines = record_line_cards(now=now)
    if lines:
        stdout.write(f"  stock: {lines:,} cards of demo lines recorded as activated")
    alerts = low_stock_check(actor=None) if customers else {"opened": 0}
    if alerts["opened"]:
        stdout.write(f"  stock: {alerts['opened']} low-stock alerts opened")
