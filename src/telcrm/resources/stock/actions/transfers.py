"""Transfers between units (调拨): draft → shipped → received, or cancelled.

The sending unit builds a draft from scanned/pasted numbers or ranges of items in stock there, then
ships it: every item moves in_stock → in_transit in one conditional UPDATE (an item allocated
meanwhile makes the shipment fail, naming it). In transit an item is in neither unit's available
stock and cannot be allocated. The receiving unit checks what arrived by scanning it (or confirms
that everything arrived): those items land in its stock, the others are recorded missing.
Cancelling a shipped transfer puts the items back in the sender's stock.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, field_error
from telcrm.platform.parameters import param

from .. import validation
from ..models import Movement, Transfer, TransferItem, TransferOutcome, TransferStatus
from ..permissions import MANAGE
from ..states import ItemState, ItemType, Move
from ._common import (
    KINDS,
    Errors,
    actor_or_none,
    kind_for_code,
    listed,
    lock_in_scope,
    parse_codes,
    scoped_unit_ids,
    stock_unit,
)

CHUNK = 500  # ids per UPDATE … WHERE id IN (…)
AUDIT_CODES = 200  # numbers written into one audit record


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _lock(actor, transfer, *, side: str) -> Transfer:
    """The transfer (visible from either end) locked; the actor must act for ``side`` ("from"/"to")."""
    require_perm(actor, MANAGE)
    t = lock_in_scope(Transfer.objects, actor, transfer)
    unit_id = t.org_unit_id if side == "from" else t.to_unit_id
    if unit_id not in scoped_unit_ids(actor):
        raise AccessDenied(
            _("Only the sending unit may do this.")
            if side == "from"
            else _("Only the receiving unit may do this.")
        )
    return t


def _require_status(t: Transfer, *statuses: str) -> None:
    if t.status not in statuses:
        raise field_error(
            "status",
            _("Transfer %(no)s is “%(status)s”; this is not possible now."),
            "invalid_state",
            no=t.number,
            status=TransferStatus(t.status).label,
        )


def _audit(actor, t: Transfer, action: str, before: dict | None, **extra) -> None:
    fields = ["status", "item_count", "received_count", "missing_count", "to_unit"]
    audit_write(
        action=f"stock.transfer_{action}",
        actor=actor,
        obj=t,
        before=before,
        after={**snapshot(t, fields), **extra},
    )


@transaction.atomic
def transfer_create(*, actor, to_unit, from_unit=None, note: str = "") -> Transfer:
    """A draft transfer from ``from_unit`` (default: the actor's own unit) to ``to_unit``."""
    require_perm(actor, MANAGE)
    errs = Errors()
    origin = errs.run(
        stock_unit, actor, from_unit if from_unit not in (None, "") else actor.org_unit, "from_unit"
    )
    dest = errs.run(stock_unit, actor, to_unit, "to_unit", in_scope=False)
    note = errs.run(validation.clean_text, note, "note", max_length=200)
    if origin is not None and dest is not None and origin.pk == dest.pk:
        errs.add("to_unit", _("Choose a destination other than the sending unit."), "same_unit")
    errs.raise_if_any()
    t = Transfer.objects.create(org_unit=origin, owner=actor, to_unit=dest, note=note or "")
    _audit(actor, t, "create", None)
    return t


def _resolve(origin_id: int, codes, ranges, *, exclude: set[str], limit: int) -> list[tuple[str, object]]:
    """(item type, item) for the codes and ranges, all in stock at the origin; else a field error."""
    errs = Errors()
    found: list[tuple[str, object]] = []
    by_type: dict[str, list[str]] = {}
    for code in codes:
        if code not in exclude:
            by_type.setdefault(kind_for_code(code).code, []).append(code)
    for type_code, wanted in by_type.items():
        kind = KINDS[type_code]
        rows = {
            getattr(i, kind.key): i
            for i in kind.model.objects.filter(**{f"{kind.key}__in": wanted, "org_unit_id": origin_id})
        }
        absent = [c for c in wanted if c not in rows]
        busy = [c for c in wanted if c in rows and rows[c].state != ItemState.IN_STOCK]
        if absent:
            errs.add(
                "codes",
                _("Not in stock at the sending unit: %(codes)s"),
                "not_found",
                codes=listed(absent),
            )
        if busy:
            errs.add(
                "codes",
                _("Not available (allocated, in transit, faulty…): %(codes)s"),
                "not_available",
                codes=listed(f"{c} ({ItemState(rows[c].state).label})" for c in busy),
            )
        found += [(type_code, rows[c]) for c in wanted if c in rows and c not in busy]
    for first, last in ranges:
        kind = KINDS[kind_for_code(first).code]
        qs = (
            kind.model.objects.annotate(_len=Length(kind.key))
            .filter(
                org_unit_id=origin_id,
                state=ItemState.IN_STOCK,
                _len=len(first),
                **{f"{kind.key}__gte": first, f"{kind.key}__lte": last},
            )
            .order_by(kind.key)
        )
        rows = list(qs[: limit + 1])
        if not rows:
            errs.add(
                "codes",
                _("No items in stock at the sending unit between %(first)s and %(last)s."),
                "empty_range",
                first=first,
                last=last,
            )
        found += [(kind.code, i) for i in rows if getattr(i, kind.key) not in exclude]
    errs.raise_if_any()
    unique: dict[str, tuple[str, object]] = {}
    for type_code, item in found:
        unique.setdefault(item.code, (type_code, item))
    return list(unique.values())


@transaction.atomic
def transfer_add_items(*, actor, transfer, codes) -> tuple[Transfer, int]:
    """Add scanned/pasted numbers and ranges (``FIRST-LAST``) to a draft. All or nothing; returns
    the transfer and how many items were added (numbers already on it are skipped)."""
    t = _lock(actor, transfer, side="from")
    _require_status(t, TransferStatus.DRAFT)
    parsed = parse_codes(codes)
    limit = int(param("stock.transfer_max_items"))
    have = set(t.items.values_list("code", flat=True))
    found = _resolve(t.org_unit_id, parsed.codes, parsed.ranges, exclude=have, limit=limit)
    if len(have) + len(found) > limit:
        raise field_error(
            "codes",
            _("A transfer holds at most %(max)d items; this would make %(n)d."),
            "too_many",
            max=limit,
            n=len(have) + len(found),
        )
    TransferItem.objects.bulk_create(
        [
            TransferItem(
                transfer=t,
                item_type=type_code,
                code=item.code,
                **({"sim": item} if type_code == ItemType.SIM else {"terminal": item}),
            )
            for type_code, item in found
        ]
    )
    before = snapshot(t, ["item_count"])
    t.item_count = len(have) + len(found)
    t.save(update_fields=["item_count", "updated_at"])
    if found:
        _audit(actor, t, "add_items", before, added=[i.code for _k, i in found][:AUDIT_CODES])
    return t, len(found)


@transaction.atomic
def transfer_remove_items(*, actor, transfer, codes) -> Transfer:
    """Take numbers off a draft (those not on it are ignored)."""
    t = _lock(actor, transfer, side="from")
    _require_status(t, TransferStatus.DRAFT)
    parsed = parse_codes(codes)
    removed, _n = t.items.filter(code__in=parsed.codes).delete()
    if removed:
        before = snapshot(t, ["item_count"])
        t.item_count = t.items.count()
        t.save(update_fields=["item_count", "updated_at"])
        _audit(actor, t, "remove_items", before, removed=parsed.codes[:AUDIT_CODES])
    return t


def _items_by_type(t: Transfer, **filters) -> dict[str, list[tuple[int, int, str]]]:
    """{item type: [(transfer item id, item id, code)]}."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for ti_id, sim_id, terminal_id, code, type_code in t.items.filter(**filters).values_list(
        "id", "sim_id", "terminal_id", "code", "item_type"
    ):
        out.setdefault(type_code, []).append((ti_id, sim_id or terminal_id, code))
    return out


def _move_all(
    t: Transfer,
    type_code: str,
    ids: list[int],
    *,
    where: dict,
    fields: dict,
    error_field: str,
    codes_of: dict[int, str],
):
    """UPDATE the items ``ids`` matching ``where`` (compare-and-set); a field error naming the items
    that did not match (someone changed them meanwhile)."""
    kind = KINDS[type_code]
    moved = 0
    for part in _chunks(ids):
        moved += kind.model.objects.filter(pk__in=part, **where).update(**fields)
    if moved != len(ids):
        # those the UPDATE did not reach (still in their old state), not the ones it already moved
        done = {k: v for k, v in fields.items() if k in ("state", "org_unit_id")}
        stale = kind.model.objects.filter(pk__in=ids).exclude(**done)
        raise field_error(
            error_field,
            _("No longer available: %(codes)s"),
            "not_available",
            codes=listed(f"{codes_of[i.pk]} ({ItemState(i.state).label})" for i in stale[:50]),
        )


def _movements(type_code: str, item_ids, **kw) -> list[Movement]:
    fk = "sim_id" if type_code == ItemType.SIM else "terminal_id"
    return [Movement(**{fk: i}, **kw) for i in item_ids]


@transaction.atomic
def transfer_ship(*, actor, transfer) -> Transfer:
    """Send the items: each in_stock → in_transit (none of them can be allocated any more)."""
    t = _lock(actor, transfer, side="from")
    _require_status(t, TransferStatus.DRAFT)
    groups = _items_by_type(t)
    if not groups:
        raise field_error("codes", _("Add the items to send first."), "empty")
    now = timezone.now()
    before = snapshot(t, ["status"])
    moves: list[Movement] = []
    for type_code, rows in groups.items():
        ids = [item_id for _ti, item_id, _c in rows]
        _move_all(
            t,
            type_code,
            ids,
            where={"org_unit_id": t.org_unit_id, "state": ItemState.IN_STOCK},
            fields={"state": ItemState.IN_TRANSIT, "transfer": t, "state_changed_at": now, "updated_at": now},
            error_field="codes",
            codes_of={item_id: code for _ti, item_id, code in rows},
        )
        moves += _movements(
            type_code,
            ids,
            move=Move.SHIP,
            state_from=ItemState.IN_STOCK,
            state_to=ItemState.IN_TRANSIT,
            org_unit_id=t.org_unit_id,
            actor=actor_or_none(actor),
            transfer=t,
            at=now,
            note=str(t.to_unit)[:200],
        )
    Movement.objects.bulk_create(moves)
    t.status = TransferStatus.SHIPPED
    t.shipped_at, t.shipped_by = now, actor_or_none(actor)
    t.save(update_fields=["status", "shipped_at", "shipped_by", "updated_at"])
    _audit(actor, t, "ship", before)
    return t


@transaction.atomic
def transfer_receive(*, actor, transfer, codes=None, all_arrived: bool = False) -> Transfer:
    """Check in a shipped transfer at the receiving unit.

    ``codes``: the numbers scanned on arrival; those land in the receiver's stock, the others of the
    transfer are recorded missing. ``all_arrived=True`` takes every item without scanning. A scanned
    number that is not on the transfer is refused (nothing is received).
    """
    t = _lock(actor, transfer, side="to")
    _require_status(t, TransferStatus.SHIPPED)
    groups = _items_by_type(t)
    on_transfer = {code for rows in groups.values() for _ti, _i, code in rows}
    if all_arrived:
        arrived = set(on_transfer)
    else:
        if codes is None or (isinstance(codes, str) and not codes.strip()):
            raise field_error(
                "codes", _("Scan the items that arrived, or confirm that all of them arrived."), "required"
            )
        parsed = parse_codes(codes)
        if parsed.ranges:
            raise field_error(
                "codes", _("Scan each item that arrived; ranges are not accepted here."), "range"
            )
        strangers = [c for c in parsed.codes if c not in on_transfer]
        if strangers:
            raise field_error(
                "codes",
                _("Not part of transfer %(no)s: %(codes)s"),
                "not_on_transfer",
                no=t.number,
                codes=listed(strangers),
            )
        arrived = set(parsed.codes)
    now = timezone.now()
    before = snapshot(t, ["status", "received_count", "missing_count"])
    moves: list[Movement] = []
    received = missing = 0
    for type_code, rows in groups.items():
        codes_of = {item_id: code for _ti, item_id, code in rows}
        got = [item_id for _ti, item_id, code in rows if code in arrived]
        lost = [item_id for _ti, item_id, code in rows if code not in arrived]
        where = {"state": ItemState.IN_TRANSIT, "transfer": t}
        if got:
            _move_all(
                t,
                type_code,
                got,
                where=where,
                fields={
                    "state": ItemState.IN_STOCK,
                    "org_unit_id": t.to_unit_id,
                    "transfer": None,
                    "state_changed_at": now,
                    "updated_at": now,
                },
                error_field="codes",
                codes_of=codes_of,
            )
            moves += _movements(
                type_code,
                got,
                move=Move.TRANSFER_IN,
                state_from=ItemState.IN_TRANSIT,
                state_to=ItemState.IN_STOCK,
                org_unit_id=t.to_unit_id,
                from_unit_id=t.org_unit_id,
                actor=actor_or_none(actor),
                transfer=t,
                at=now,
            )
        if lost:
            _move_all(
                t,
                type_code,
                lost,
                where=where,
                fields={
                    "state": ItemState.MISSING,
                    "transfer": None,
                    "state_changed_at": now,
                    "updated_at": now,
                },
                error_field="codes",
                codes_of=codes_of,
            )
            moves += _movements(
                type_code,
                lost,
                move=Move.LOSE,
                state_from=ItemState.IN_TRANSIT,
                state_to=ItemState.MISSING,
                org_unit_id=t.org_unit_id,
                actor=actor_or_none(actor),
                transfer=t,
                at=now,
                note=str(_("Not delivered with transfer %(no)s") % {"no": t.number})[:200],
            )
        received += len(got)
        missing += len(lost)
    Movement.objects.bulk_create(moves)
    t.items.filter(code__in=arrived).update(outcome=TransferOutcome.RECEIVED)
    t.items.exclude(code__in=arrived).update(outcome=TransferOutcome.MISSING)
    t.status = TransferStatus.RECEIVED
    t.received_at, t.received_by = now, actor_or_none(actor)
    t.received_count, t.missing_count = received, missing
    t.save(
        update_fields=[
            "status",
            "received_at",
            "received_by",
            "received_count",
            "missing_count",
            "updated_at",
        ]
    )
    missing_codes = sorted(on_transfer - arrived)[:AUDIT_CODES]
    _audit(actor, t, "receive", before, **({"missing": missing_codes} if missing_codes else {}))
    return t


@transaction.atomic
def transfer_cancel(*, actor, transfer, reason: str = "") -> Transfer:
    """Cancel a draft, or call back a shipped transfer (its items return to the sender's stock)."""
    t = _lock(actor, transfer, side="from")
    _require_status(t, TransferStatus.DRAFT, TransferStatus.SHIPPED)
    reason = validation.clean_text(
        reason, "reason", max_length=200, required=t.status == TransferStatus.SHIPPED
    )
    now = timezone.now()
    before = snapshot(t, ["status"])
    if t.status == TransferStatus.SHIPPED:
        moves: list[Movement] = []
        for type_code, rows in _items_by_type(t).items():
            ids = [item_id for _ti, item_id, _c in rows]
            _move_all(
                t,
                type_code,
                ids,
                where={"state": ItemState.IN_TRANSIT, "transfer": t},
                fields={
                    "state": ItemState.IN_STOCK,
                    "transfer": None,
                    "state_changed_at": now,
                    "updated_at": now,
                },
                error_field="status",
                codes_of={item_id: code for _ti, item_id, code in rows},
            )
            moves += _movements(
                type_code,
                ids,
                move=Move.UNSHIP,
                state_from=ItemState.IN_TRANSIT,
                state_to=ItemState.IN_STOCK,
                org_unit_id=t.org_unit_id,
                actor=actor_or_none(actor),
                transfer=t,
                at=now,
                note=reason[:200],
            )
        Movement.objects.bulk_create(moves)
    t.status = TransferStatus.CANCELLED
    t.cancelled_at, t.cancel_reason = now, reason
    t.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _audit(actor, t, "cancel", before, reason=reason)
    return t
