"""Stock counts (盘点): a unit scans what is physically on its shelves and compares with the books.

While a count is open the differences are computed live (queries.count_differences): items in stock
in the books but not scanned are *missing*, scanned numbers the unit does not hold in stock are
*unexpected*, and items recorded missing earlier that turn up are *found*. Closing the count records
every difference and settles it: missing items move in_stock → missing, found ones missing →
in_stock, each with a movement; unexpected numbers are recorded for follow-up (they belong to another
unit or are not in stock, so the count cannot take them).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error
from telcrm.platform.parameters import param

from .. import validation
from ..models import (
    CountDiscrepancy,
    CountScan,
    CountStatus,
    DiscrepancyKind,
    Movement,
    StockCount,
)
from ..permissions import MANAGE
from ..states import ItemState, ItemType, Move
from ._common import (
    KINDS,
    Errors,
    actor_or_none,
    kind_for_code,
    kind_of,
    listed,
    lock_in_scope,
    parse_codes,
    stock_unit,
)

CHUNK = 500
FIELDS = ["status", "expected_count", "counted_count", "missing_count", "unexpected_count", "found_count"]


def _lock(actor, stock_count) -> StockCount:
    require_perm(actor, MANAGE)
    return lock_in_scope(StockCount.objects, actor, stock_count)


def _require_open(c: StockCount) -> None:
    if c.status != CountStatus.OPEN:
        raise field_error(
            "status",
            _("Stock count %(no)s is “%(status)s”; it can no longer be changed."),
            "invalid_state",
            no=c.number,
            status=CountStatus(c.status).label,
        )


@transaction.atomic
def stock_count_start(*, actor, item_type: str, org_unit=None, note: str = "") -> StockCount:
    """Open a count of SIM cards or terminals at a unit (one open count per unit and item type)."""
    require_perm(actor, MANAGE)
    errs = Errors()
    unit = errs.run(stock_unit, actor, org_unit if org_unit not in (None, "") else actor.org_unit, "org_unit")
    kind = errs.run(kind_of, item_type)
    note = errs.run(validation.clean_text, note, "note", max_length=200)
    if unit is not None and kind is not None:
        other = StockCount.objects.filter(org_unit=unit, item_type=kind.code, status=CountStatus.OPEN).first()
        if other is not None:
            errs.add(
                "item_type",
                _("Count %(no)s of this item type is still open at this unit; close or cancel it first."),
                "already_open",
                no=other.number,
            )
    errs.raise_if_any()
    try:
        with transaction.atomic():
            c = StockCount.objects.create(org_unit=unit, owner=actor, item_type=kind.code, note=note or "")
    except IntegrityError as exc:  # another manager opened one at the same moment
        raise field_error(
            "item_type", _("A count of this item type is already open at this unit."), "already_open"
        ) from exc
    audit_write(action="stock.count_start", actor=actor, obj=c, after=snapshot(c, ["item_type", "note"]))
    return c


@transaction.atomic
def stock_count_scan(*, actor, stock_count, codes) -> tuple[StockCount, int]:
    """Record scanned numbers (each once); returns the count and how many were new."""
    c = _lock(actor, stock_count)
    _require_open(c)
    parsed = parse_codes(codes)
    if parsed.ranges:
        raise field_error("codes", _("Scan each item; ranges are not accepted in a count."), "range")
    wrong = [code for code in parsed.codes if kind_for_code(code).code != c.item_type]
    if wrong:
        raise field_error(
            "codes",
            _("This count is of %(type)s only: %(codes)s"),
            "wrong_type",
            type=ItemType(c.item_type).label,
            codes=listed(wrong),
        )
    have = set(c.scans.filter(code__in=parsed.codes).values_list("code", flat=True))
    new = [code for code in parsed.codes if code not in have]
    limit = int(param("stock.count_max_items"))
    total = c.scans.count() + len(new)
    if total > limit:
        raise field_error(
            "codes",
            _("A count holds at most %(max)d scanned items; this would make %(n)d."),
            "too_many",
            max=limit,
            n=total,
        )
    now = timezone.now()
    CountScan.objects.bulk_create(
        [CountScan(stock_count=c, code=code, scanned_at=now, scanned_by=actor_or_none(actor)) for code in new]
    )
    c.counted_count = total
    c.save(update_fields=["counted_count", "updated_at"])
    return c, len(new)


@transaction.atomic
def stock_count_unscan(*, actor, stock_count, code) -> StockCount:
    """Take back a number scanned by mistake."""
    c = _lock(actor, stock_count)
    _require_open(c)
    kind = KINDS[c.item_type]
    value = kind.clean(code, "code")
    c.scans.filter(code=value).delete()
    c.counted_count = c.scans.count()
    c.save(update_fields=["counted_count", "updated_at"])
    return c


@transaction.atomic
def stock_count_close(*, actor, stock_count, note: str = "") -> StockCount:
    """Record the differences and settle them (missing items marked missing, found ones back in stock)."""
    from ..queries import count_differences

    c = _lock(actor, stock_count)
    _require_open(c)
    note = validation.clean_text(note, "note", max_length=200) or c.note
    kind = KINDS[c.item_type]
    diff = count_differences(c, limit=None)
    now = timezone.now()
    fk = "sim" if c.item_type == ItemType.SIM else "terminal"
    fk_id = f"{fk}_id"
    rows = [
        CountDiscrepancy(stock_count=c, kind=DiscrepancyKind.MISSING, code=i.code, **{fk_id: i.pk})
        for i in diff.missing
    ]
    rows += [
        CountDiscrepancy(stock_count=c, kind=DiscrepancyKind.FOUND, code=i.code, **{fk_id: i.pk})
        for i in diff.found
    ]
    rows += [
        CountDiscrepancy(
            stock_count=c,
            kind=DiscrepancyKind.UNEXPECTED,
            code=u.code,
            detail=str(u.detail)[:200],
            **{fk_id: u.pk},
        )
        for u in diff.unexpected
    ]
    CountDiscrepancy.objects.bulk_create(rows)
    moves: list[Movement] = []
    for items, start, end, move in (
        (diff.missing, ItemState.IN_STOCK, ItemState.MISSING, Move.LOSE),
        (diff.found, ItemState.MISSING, ItemState.IN_STOCK, Move.FIND),
    ):
        ids = [i.pk for i in items]
        changed = 0
        for k in range(0, len(ids), CHUNK):
            changed += kind.model.objects.filter(
                pk__in=ids[k : k + CHUNK], org_unit_id=c.org_unit_id, state=start
            ).update(state=end, state_changed_at=now, updated_at=now)
        if changed != len(ids):  # an item moved while the count was being closed: count again
            raise field_error(
                "status",
                _("Items changed while the count was being closed: %(codes)s. Close it again."),
                "conflict",
                codes=listed(i.code for i in items),
            )
        moves += [
            Movement(
                **{fk_id: i},
                move=move,
                state_from=start,
                state_to=end,
                org_unit_id=c.org_unit_id,
                actor=actor_or_none(actor),
                stock_count=c,
                at=now,
                note=str(_("Stock count %(no)s") % {"no": c.number}),
            )
            for i in ids
        ]
    Movement.objects.bulk_create(moves)
    before = snapshot(c, FIELDS)
    c.status = CountStatus.CLOSED
    c.expected_count = diff.expected
    c.counted_count = diff.counted
    c.missing_count, c.unexpected_count, c.found_count = (
        len(diff.missing),
        len(diff.unexpected),
        len(diff.found),
    )
    c.closed_at, c.closed_by, c.note = now, actor_or_none(actor), note
    c.save()
    audit_write(
        action="stock.count_close",
        actor=actor,
        obj=c,
        before=before,
        after={
            **snapshot(c, FIELDS),
            "missing": [i.code for i in diff.missing][:200],
            "unexpected": [u.code for u in diff.unexpected][:200],
            "found": [i.code for i in diff.found][:200],
        },
    )
    return c


@transaction.atomic
def stock_count_cancel(*, actor, stock_count) -> StockCount:
    c = _lock(actor, stock_count)
    _require_open(c)
    before = snapshot(c, ["status"])
    c.status = CountStatus.CANCELLED
    c.closed_at, c.closed_by = timezone.now(), actor_or_none(actor)
    c.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit_write(action="stock.count_cancel", actor=actor, obj=c, before=before, after=snapshot(c, ["status"]))
    return c
