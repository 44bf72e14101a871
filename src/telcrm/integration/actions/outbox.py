"""The error queue's writes: replay and discard a delivery or a command, and the purge of finished rows.

Replay puts a dead (or retrying) row back to ``pending`` with its attempts reset: the dispatcher sends
it again at once, with the same idempotency key, so a receiver that did apply it before applies it
no second time. Discard gives up on it (with a reason); for a command the waiting process hears of it
through its completion handler (``result`` None), in the same transaction. Both are audited.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_event, audit_write_many
from telcrm.platform.errors import field_error
from telcrm.platform.models import AuditKind
from telcrm.platform.parameters import param

from .. import commands, kick
from ..i18n import _
from ..models import FINISHED_STATES, OPEN_STATES, Command, Delivery, Event, State
from ..parameters import RETENTION_DAYS
from ..permissions import MANAGE

REASON_MAX = 200
BULK_MAX = 500
KINDS = {"delivery": Delivery, "command": Command}
AUDITED = ("state", "attempts", "replays", "error_code", "next_attempt_at")


def _pk(obj):
    return obj.pk if isinstance(obj, Model) else obj


def _fetch(model, actor, row):
    related = ("event", "subscription") if model is Delivery else ()
    return access(model.objects.select_related(*related), actor, _pk(row), for_update=True)


def _state_of(row) -> dict:
    return {k: getattr(row, k) for k in AUDITED}


def _replayable(row) -> None:
    if not row.can_replay:
        raise field_error(
            "state",
            _("Only a dead or retrying row can be replayed; this one is %(state)s."),
            "invalid_state",
            state=State(row.state).label,
        )
    if isinstance(row, Delivery) and row.subscription_id and row.subscription.deleted_at is not None:
        raise field_error(
            "subscription",
            _("Its subscription was deleted, so it cannot be sent again."),
            "subscription_deleted",
        )


def _replay(row, now) -> dict:
    before = _state_of(row)
    row.state = State.PENDING
    row.attempts = 0
    row.replays += 1
    row.next_attempt_at = now
    row.finished_at = None
    row.save(update_fields=["state", "attempts", "replays", "next_attempt_at", "finished_at", "updated_at"])
    return before


def _label(row) -> str:
    return "delivery" if isinstance(row, Delivery) else "command"


def _audit(actor, rows_before: list[tuple], action: str, **extra) -> None:
    audit_write_many(
        {
            "action": f"{_label(row)}.{action}",
            "actor": actor,
            "obj": row,
            "before": before,
            "after": {**_state_of(row), **extra},
        }
        for row, before in rows_before
    )


@transaction.atomic
def delivery_replay(*, actor, delivery) -> Delivery:
    """Send a dead or retrying delivery again (now, attempts reset)."""
    require_perm(actor, MANAGE)
    row = _fetch(Delivery, actor, delivery)
    _replayable(row)
    _audit(actor, [(row, _replay(row, timezone.now()))], "replay")
    kick.on_commit()
    return row


@transaction.atomic
def command_replay(*, actor, command) -> Command:
    """Run a dead or retrying command again (now, attempts reset, same idempotency key)."""
    require_perm(actor, MANAGE)
    row = _fetch(Command, actor, command)
    _replayable(row)
    _audit(actor, [(row, _replay(row, timezone.now()))], "replay")
    kick.on_commit()
    return row


def clean_reason(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise field_error("reason", _("Say why it is discarded."), "required")
    if len(text) > REASON_MAX:
        raise field_error(
            "reason", _("Keep the reason to %(max)s characters or fewer."), "max_length", max=REASON_MAX
        )
    return text


def _discardable(row) -> None:
    if not row.can_discard:
        raise field_error(
            "state",
            _("Only a pending, retrying or dead row can be discarded; this one is %(state)s."),
            "invalid_state",
            state=State(row.state).label,
        )


def _discard(row, reason: str, now) -> dict:
    before = _state_of(row)
    row.state = State.DISCARDED
    row.finished_at = now
    row.last_error = (f"discarded: {reason}\n{row.last_error}" if row.last_error else f"discarded: {reason}")[
        :2000
    ]
    row.save(update_fields=["state", "finished_at", "last_error", "updated_at"])
    return before


@transaction.atomic
def delivery_discard(*, actor, delivery, reason) -> Delivery:
    """Give up on a delivery (it is never sent again)."""
    require_perm(actor, MANAGE)
    reason = clean_reason(reason)
    row = _fetch(Delivery, actor, delivery)
    _discardable(row)
    _audit(actor, [(row, _discard(row, reason, timezone.now()))], "discard", reason=reason)
    return row


@transaction.atomic
def command_discard(*, actor, command, reason) -> Command:
    """Give up on a command; its completion handler hears of it (``result`` None) in this transaction,
    so the process waiting for it can take its failure path."""
    require_perm(actor, MANAGE)
    reason = clean_reason(reason)
    row = _fetch(Command, actor, command)
    _discardable(row)
    before = _discard(row, reason, timezone.now())
    try:
        with transaction.atomic():
            commands.complete(row, None)
    except Exception as exc:
        raise field_error(
            "__all__",
            _("The waiting process refused the discard (%(error)s); nothing was changed."),
            "handler_failed",
            error=f"{type(exc).__name__}: {exc}"[:200],
        ) from exc
    _audit(actor, [(row, before)], "discard", reason=reason)
    return row


@transaction.atomic
def replay_many(*, actor, kind: str, ids) -> tuple[int, int]:
    """Replay the given deliveries or commands (``kind``) that can be replayed; returns (replayed,
    skipped). Rows outside the actor's scope count as skipped."""
    require_perm(actor, MANAGE)
    model = KINDS.get(kind)
    if model is None:
        raise field_error("kind", _("Choose deliveries or commands."), "invalid")
    ids = sorted({int(i) for i in ids if str(i).isdigit()})
    if not ids:
        raise field_error("ids", _("Select at least one row."), "required")
    if len(ids) > BULK_MAX:
        raise field_error("ids", _("Select at most %(max)s rows at once."), "max_length", max=BULK_MAX)
    related = ("subscription",) if model is Delivery else ()
    rows = list(
        model.objects.restrict(actor)
        .select_related(*related)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
    )
    now, done = timezone.now(), []
    for row in rows:
        try:
            _replayable(row)
        except ValidationError:
            continue
        done.append((row, _replay(row, now)))
    if done:
        _audit(actor, done, "replay")
        kick.on_commit()
    return len(done), len(ids) - len(done)


def outbox_purge(*, now=None, batch: int = 1000, max_batches: int = 200) -> dict:
    """Delete finished commands, and events whose deliveries all finished, older than
    ``integration.retention_days``; the error queue is kept. One transaction per batch."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(param(RETENTION_DAYS)))
    purged = {"commands": 0, "events": 0}
    for _i in range(max_batches):
        with transaction.atomic():
            ids = list(
                Command.objects.filter(state__in=FINISHED_STATES, finished_at__lt=cutoff).values_list(
                    "id", flat=True
                )[:batch]
            )
            Command.objects.filter(pk__in=ids).delete()
        purged["commands"] += len(ids)
        if len(ids) < batch:
            break
    for _i in range(max_batches):
        with transaction.atomic():
            ids = list(
                Event.objects.filter(created_at__lt=cutoff)
                .exclude(deliveries__state__in=OPEN_STATES)
                .values_list("id", flat=True)[:batch]
            )
            Delivery.objects.filter(event_id__in=ids).delete()
            Event.objects.filter(pk__in=ids).delete()
        purged["events"] += len(ids)
        if len(ids) < batch:
            break
    if purged["commands"] or purged["events"]:
        audit_event(
            kind=AuditKind.WRITE,
            action="outbox.purge",
            actor=None,
            object_type="integration.event",
            object_repr=f"{purged['events']} events, {purged['commands']} commands",
            after={**purged, "before": cutoff.isoformat()},
        )
    return purged
