"""Receiving deliveries (入库): rows of ICCID,IMSI[,type] or IMEI,brand,model,price[,colour].

``stock_receive`` does it at once for a list of rows (API, tests, small lists); an uploaded file goes
through ``stock_batch_start`` and the ``stock.batch_receive`` job (imports.py), which feeds the rows to
``batch_receive_rows`` a chunk per transaction. Either way valid rows land in stock at the unit with
one movement each, invalid rows are reported with the field and the reason, and nothing is written
for them. A number already in stock anywhere (or twice in the delivery) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error

from .. import validation
from ..models import BatchStatus, Movement, SimCard, SimKind, StockBatch, Terminal
from ..permissions import MANAGE
from ..states import RECEIVED_STATE, ItemType, Move
from ._common import Errors, kind_of, stock_unit

SIM_FIELDS = ("iccid", "imsi", "kind")
TERMINAL_FIELDS = ("imei", "brand", "model", "price", "colour")


@dataclass
class Seen:
    """Numbers met earlier in the same delivery: {number: row}."""

    by_field: dict[str, dict[str, int]] = field(default_factory=dict)

    def first(self, name: str, value: str) -> int | None:
        return self.by_field.get(name, {}).get(value)

    def add(self, name: str, value: str, row: int) -> None:
        self.by_field.setdefault(name, {}).setdefault(value, row)


@dataclass
class ChunkResult:
    received: int = 0
    errors: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)  # (row, [(field, msg)])


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
    return [("__all__", m) for m in exc.messages]


def _clean_sim(values: dict, default_kind: str) -> dict:
    errs = Errors()
    out = {
        "iccid": errs.run(validation.clean_iccid, values.get("iccid")),
        "imsi": errs.run(validation.clean_imsi, values.get("imsi")),
        "kind": errs.run(validation.clean_sim_kind, values.get("kind"), default=default_kind),
    }
    errs.raise_if_any()
    return out


def _clean_terminal(values: dict) -> dict:
    errs = Errors()
    out = {
        "imei": errs.run(validation.clean_imei, values.get("imei")),
        "brand": errs.run(validation.clean_text, values.get("brand"), "brand", max_length=40, required=True),
        "model": errs.run(validation.clean_text, values.get("model"), "model", max_length=60, required=True),
        "colour": errs.run(validation.clean_text, values.get("colour"), "colour", max_length=30),
        "price_fen": errs.run(validation.clean_price_fen, values.get("price"), "price"),
    }
    errs.raise_if_any()
    return out


def batch_receive_rows(*, actor, batch: StockBatch, rows, seen: Seen | None = None) -> ChunkResult:
    """Validate ``rows`` ([(row number, {field: raw value})]) and put the valid ones in stock.

    Run inside the caller's transaction (the job commits a chunk at a time). ``seen`` carries the
    numbers of earlier chunks of the same delivery, so a number twice in one file is reported.
    """
    seen = seen if seen is not None else Seen()
    result = ChunkResult()
    sim = batch.item_type == ItemType.SIM
    model = SimCard if sim else Terminal
    unique = ("iccid", "imsi") if sim else ("imei",)
    cleaned: list[tuple[int, dict]] = []
    for row_no, values in rows:
        try:
            data = _clean_sim(values, batch.sim_kind or SimKind.NORMAL) if sim else _clean_terminal(values)
        except ValidationError as exc:
            result.errors.append((row_no, _messages(exc)))
            continue
        cleaned.append((row_no, data))
    # numbers already in stock (anywhere: the numbers are unique in the whole carrier)
    taken = {
        name: set(
            model.objects.dangerously_unscoped()
            .filter(**{f"{name}__in": [d[name] for _r, d in cleaned]})
            .values_list(name, flat=True)
        )
        for name in unique
    }
    good: list[tuple[int, dict]] = []
    for row_no, data in cleaned:
        problems = []
        for name in unique:
            value = data[name]
            first = seen.first(name, value)
            if value in taken[name]:
                problems.append((name, str(_("%(value)s is already in stock.") % {"value": value})))
            elif first is not None:
                problems.append(
                    (name, str(_("The same number is already in row %(row)d of this file.") % {"row": first}))
                )
        for name in unique:
            seen.add(name, data[name], row_no)
        if problems:
            result.errors.append((row_no, problems))
        else:
            good.append((row_no, data))
    if not good:
        return result
    now = timezone.now()
    items = [
        model(
            **data,
            org_unit_id=batch.org_unit_id,
            batch=batch,
            state=RECEIVED_STATE,
            state_changed_at=now,
        )
        for _r, data in good
    ]
    model.objects.bulk_create(items)
    if any(i.pk is None for i in items):  # a backend that does not return ids: read them back
        key = unique[0]
        ids = dict(
            model.objects.filter(**{f"{key}__in": [getattr(i, key) for i in items]}).values_list(key, "pk")
        )
        for i in items:
            i.pk = ids[getattr(i, key)]
    fk = "sim_id" if sim else "terminal_id"
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    Movement.objects.bulk_create(
        [
            Movement(
                **{fk: i.pk},
                move=Move.RECEIVE,
                state_from="",
                state_to=RECEIVED_STATE,
                org_unit_id=batch.org_unit_id,
                actor_id=actor_id,
                batch=batch,
                at=now,
            )
            for i in items
        ]
    )
    result.received = len(items)
    return result


def _check_start(actor, *, org_unit, item_type: str, supplier: str, delivery_note: str, sim_kind: str):
    require_perm(actor, MANAGE)
    errs = Errors()
    unit = errs.run(stock_unit, actor, org_unit, "org_unit")
    kind = errs.run(kind_of, item_type)
    supplier = errs.run(validation.clean_text, supplier, "supplier", max_length=100)
    delivery_note = errs.run(validation.clean_text, delivery_note, "delivery_note", max_length=64)
    if kind is not None and kind.code == ItemType.SIM:
        sim_kind = errs.run(validation.clean_sim_kind, sim_kind, "sim_kind", default=SimKind.NORMAL)
    else:
        sim_kind = ""
    errs.raise_if_any()
    return unit, kind, supplier or "", delivery_note or "", sim_kind or ""


def _new_batch(actor, unit, kind, supplier, delivery_note, sim_kind, file_name="") -> StockBatch:
    return StockBatch.objects.create(
        org_unit=unit,
        owner=actor,
        item_type=kind.code,
        supplier=supplier,
        delivery_note=delivery_note,
        sim_kind=sim_kind,
        file_name=file_name[:120],
    )


@transaction.atomic
def batch_finish(*, actor, batch: StockBatch, rows: int, received: int, rejected: int) -> StockBatch:
    """Close a delivery after its last row (counts, status, one audit record for the delivery)."""
    batch = StockBatch.objects.select_for_update().get(pk=batch.pk)
    before = snapshot(batch, ["status", "rows", "received_count", "rejected_count"])
    batch.status = BatchStatus.RECEIVED
    batch.rows, batch.received_count, batch.rejected_count = rows, received, rejected
    batch.received_at = timezone.now()
    batch.save(
        update_fields=["status", "rows", "received_count", "rejected_count", "received_at", "updated_at"]
    )
    audit_write(
        action="stock.batch_receive",
        actor=actor,
        obj=batch,
        before=before,
        after=snapshot(batch, ["status", "rows", "received_count", "rejected_count"]),
    )
    return batch


def batch_fail(*, batch_id: int) -> None:
    """Mark a delivery whose import job failed (its received rows stay; a retry continues)."""
    StockBatch.objects.filter(pk=batch_id, status=BatchStatus.IMPORTING).update(
        status=BatchStatus.FAILED, updated_at=timezone.now()
    )


@transaction.atomic
def stock_receive(
    *,
    actor,
    org_unit,
    item_type: str,
    rows,
    supplier: str = "",
    delivery_note: str = "",
    sim_kind: str = SimKind.NORMAL,
) -> tuple[StockBatch, list[tuple[int, list[tuple[str, str]]]]]:
    """Receive a delivery given as rows (dicts of the fields, or (row number, dict) pairs) at once.

    Returns the delivery and the rejected rows [(row number, [(field, message)])]; raises a
    ValidationError naming the field when no row at all could be received.
    """
    unit, kind, supplier, delivery_note, sim_kind = _check_start(
        actor,
        org_unit=org_unit,
        item_type=item_type,
        supplier=supplier,
        delivery_note=delivery_note,
        sim_kind=sim_kind,
    )
    numbered = [r if isinstance(r, tuple) else (n, r) for n, r in enumerate(rows or (), start=1)]
    if not numbered:
        raise field_error("rows", _("Give at least one item to receive."), "required")
    batch = _new_batch(actor, unit, kind, supplier, delivery_note, sim_kind)
    audit_write(action="stock.batch_start", actor=actor, obj=batch, after=snapshot(batch))
    result = batch_receive_rows(actor=actor, batch=batch, rows=numbered)
    if not result.received:
        first_row, problems = result.errors[0]
        field_name, message = problems[0]
        raise field_error(
            field_name if field_name != "__all__" else "rows",
            _("Row %(row)d: %(problem)s"),
            "invalid",
            row=first_row,
            problem=message,
        )
    batch = batch_finish(
        actor=actor, batch=batch, rows=len(numbered), received=result.received, rejected=len(result.errors)
    )
    return batch, result.errors


@transaction.atomic
def stock_batch_start(
    *,
    actor,
    org_unit,
    item_type: str,
    uploaded,
    layout,
    supplier: str = "",
    delivery_note: str = "",
    sim_kind: str = SimKind.NORMAL,
) -> StockBatch:
    """Store an inspected upload (imports.inspect_upload) and start the job that receives its rows."""
    from telcrm.platform.actions import job_start

    from ..imports import JOB_KIND, store

    unit, kind, supplier, delivery_note, sim_kind = _check_start(
        actor,
        org_unit=org_unit,
        item_type=item_type,
        supplier=supplier,
        delivery_note=delivery_note,
        sim_kind=sim_kind,
    )
    name = str(getattr(uploaded, "name", "") or "").rsplit("/", 1)[-1][:120]
    batch = _new_batch(actor, unit, kind, supplier, delivery_note, sim_kind, file_name=name)
    rel = store(uploaded, layout)
    try:
        job = job_start(
            actor=actor,
            kind=JOB_KIND,
            title=str(_("Stock delivery %(no)s: %(file)s") % {"no": batch.number, "file": name or rel}),
            params={
                "file": rel,
                "batch": batch.pk,
                "item_type": kind.code,
                "language": translation.get_language() or settings.LANGUAGE_CODE,
                **layout.as_params(),
            },
            total=layout.estimated_rows,
        )
    except Exception:
        (Path(settings.MEDIA_ROOT) / rel).unlink(missing_ok=True)
        raise
    batch.job = job
    batch.save(update_fields=["job", "updated_at"])
    audit_write(action="stock.batch_start", actor=actor, obj=batch, after=snapshot(batch))
    return batch
