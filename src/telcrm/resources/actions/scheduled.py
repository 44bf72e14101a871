"""Scheduled transitions (Celery beat, tasks.py): expired reservations and finished cooling periods
go back to the pool, in batches of ``resources.expiry_batch``.

Each batch is one transaction: select the due numbers locked (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two workers never take the same rows and a number a clerk is assigning right now is
left for the next run), one compare-and-set UPDATE that repeats the condition, the history rows
(bulk) and one audit record listing the numbers of the batch.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from telcrm.platform.auditing import audit_event
from telcrm.platform.models import AuditKind
from telcrm.platform.parameters import param

from ..models import Number, NumberEvent, NumberState

MAX_BATCHES_PER_RUN = 200


def _batch(*, state: str, due_field: str, changes: dict, action: str, now, size: int) -> int:
    with transaction.atomic():
        due = {"state": state, f"{due_field}__lte": now}
        rows = list(
            Number.objects.select_for_update(skip_locked=True)
            .filter(**due)
            .order_by(due_field)
            .values_list("id", "msisdn", "reservation_ref", "customer_id", "region_id")[:size]
        )
        if not rows:
            return 0
        ids = [r[0] for r in rows]
        updated = Number.objects.filter(pk__in=ids, **due).update(**changes, updated_at=now)
        if updated != len(ids):  # cannot happen while the rows are locked; stay exact if it does
            won = set(
                Number.objects.filter(pk__in=ids, state=NumberState.FREE, updated_at=now).values_list(
                    "id", flat=True
                )
            )
            rows = [r for r in rows if r[0] in won]
        NumberEvent.objects.bulk_create(
            [
                NumberEvent(
                    number_id=pk,
                    action=action,
                    from_state=state,
                    to_state=NumberState.FREE,
                    reference=ref,
                    customer_id=customer_id,
                    at=now,
                )
                for pk, _msisdn, ref, customer_id, _region in rows
            ]
        )
        audit_event(
            kind=AuditKind.WRITE,
            action=f"number.{action}",
            actor=None,
            object_type="resources.number",
            object_repr=f"{len(rows)} numbers",
            before={"state": state},
            after={"state": NumberState.FREE, "numbers": [r[1] for r in rows]},
        )
        return len(rows)


def _run(**kw) -> int:
    now = kw.pop("now", None) or timezone.now()
    size = int(kw.pop("batch", None) or param("resources.expiry_batch"))
    total = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        n = _batch(now=now, size=size, **kw)
        total += n
        if n < size:
            break
    return total


def reservations_expire(*, now=None, batch: int | None = None) -> int:
    """reserved past ``reserved_until`` → free. Returns how many numbers went back to the pool."""
    return _run(
        state=NumberState.RESERVED,
        due_field="reserved_until",
        changes={"state": NumberState.FREE, "reserved_until": None, "reserved_by": None,
                 "reservation_ref": "", "customer": None},
        action="expire",
        now=now,
        batch=batch,
    )  # fmt: skip


def quarantine_finish(*, now=None, batch: int | None = None) -> int:
    """quarantined past ``quarantine_until`` → free (the cooling period is over)."""
    return _run(
        state=NumberState.QUARANTINED,
        due_field="quarantine_until",
        changes={"state": NumberState.FREE, "quarantine_until": None, "customer": None},
        action="cool",
        now=now,
        batch=batch,
    )
