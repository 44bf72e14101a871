"""The dispatcher: sends what is due in the outbox, at least once, until it succeeds or lands in the
error queue (models/outbox.py draws the states).

One row at a time, in three short steps, so no transaction is open while another system is called:

1. **claim** — in one transaction, take the row due first (``FOR UPDATE SKIP LOCKED`` on PostgreSQL:
   parallel dispatchers never take the same row, nor wait for each other; SQLite serialises writing
   transactions, which does the same), mark it ``in_flight`` with a lease
   (``integration.lease_seconds``) and count the attempt; commit.
2. **call** — the adapter with the command's idempotency key, the webhook with the event id, or the
   code subscriber.
3. **record** — in a new transaction, only if the row is still ours (``in_flight`` with our attempt
   number: a worker that outlived its lease finds it taken and records nothing): ``done`` (for a
   command with its result, and its completion handler in the same transaction; a code subscriber
   runs there too), or ``failed`` with the next attempt after the back-off, or ``dead``.

A worker killed between 1 and 3 leaves the row ``in_flight``; when the lease is over it is due again
and another worker sends it again with the same key — the receiver applies it once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from telcrm.platform.parameters import param

from . import commands, events, webhooks
from .adapters import AdapterError, RetryableError, get_adapter
from .models import DUE_STATES, ERROR_MAX, Command, Delivery, State
from .parameters import LEASE, MAX_ATTEMPTS, RETRY_BASE, RETRY_MAX, RUN_MAX_ROWS

log = logging.getLogger(__name__)

RELATED = {Delivery: ("event", "subscription"), Command: ()}


def retry_delay(attempts: int, *, base: int, cap: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: ``base`` seconds, doubled after every further
    failure, never more than ``cap`` (and never less than one second)."""
    base, cap = max(int(base), 1), max(int(cap), 1)
    seconds = base * 2 ** min(max(attempts, 1) - 1, 32)
    return timedelta(seconds=min(seconds, cap))


def next_delay(attempts: int) -> timedelta:
    return retry_delay(attempts, base=param(RETRY_BASE), cap=param(RETRY_MAX))


def claim(model: type[Command] | type[Delivery], now=None):
    """The row of ``model`` due first, now ``in_flight`` with one more attempt; None when none is due."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*RELATED[model])
            .filter(state__in=DUE_STATES, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.state = State.IN_FLIGHT
        row.attempts += 1
        row.last_attempt_at = now
        row.next_attempt_at = now + timedelta(seconds=int(param(LEASE)))
        row.save(update_fields=["state", "attempts", "last_attempt_at", "next_attempt_at", "updated_at"])
        return row


def _still_ours(row: Model):
    """``row`` locked again if it is still in flight with our attempt (inside a transaction)."""
    return (
        type(row)
        .objects.select_for_update(of=("self",))
        .select_related(*RELATED[type(row)])
        .filter(pk=row.pk, state=State.IN_FLIGHT, attempts=row.attempts)
        .first()
    )


def _finish(row: Model, now, **changes) -> None:
    for name, value in {
        "state": State.DONE,
        "finished_at": now,
        "error_code": "",
        "last_error": "",
        **changes,
    }.items():
        setattr(row, name, value)
    row.save()


def record_failure(row: Model, exc: AdapterError, now=None) -> str:
    """``row`` failed with ``exc``: ``failed`` with the back-off, or ``dead`` when the error is
    permanent or the attempts are used up. Returns the new state ("lost" if the row is not ours)."""
    now = now or timezone.now()
    dead = not exc.retryable or row.attempts >= int(param(MAX_ATTEMPTS))
    state = State.DEAD if dead else State.FAILED
    updated = (
        type(row)
        .objects.filter(pk=row.pk, state=State.IN_FLIGHT, attempts=row.attempts)
        .update(
            state=state,
            next_attempt_at=now if dead else now + next_delay(row.attempts),
            error_code=(exc.code or "error")[:40],
            last_error=str(exc)[:ERROR_MAX],
            updated_at=now,
        )
    )
    if not updated:
        return "lost"
    if dead:
        log.warning("%s %s is dead after %s attempts: %s", type(row).__name__, row.pk, row.attempts, exc)
    return state


def _unexpected(row: Model, exc: Exception) -> RetryableError:
    log.exception("%s %s failed unexpectedly", type(row).__name__, row.pk)
    return RetryableError(f"{type(exc).__name__}: {exc}", code="internal")


def run_command(command: Command, now=None) -> str:
    """Call the adapter for a claimed command and record the outcome; returns the new state."""
    try:
        result = get_adapter(command.adapter).call(command.operation, command.payload, key=command.key)
    except AdapterError as exc:
        return record_failure(command, exc, now)
    except Exception as exc:
        return record_failure(command, _unexpected(command, exc), now)
    try:
        with transaction.atomic():
            row = _still_ours(command)
            if row is None:
                return "lost"
            _finish(row, now or timezone.now(), result=result)
            commands.complete(row, result)
    except Exception as exc:  # the completion handler failed: roll back, retry later (same key, same result)
        log.exception("completion handler %s of command %s failed", command.on_done, command.pk)
        error = RetryableError(
            f"completion handler {command.on_done} failed: {type(exc).__name__}: {exc}", code="handler_failed"
        )
        return record_failure(command, error, now)
    return State.DONE


def run_delivery(delivery: Delivery, now=None) -> str:
    """Deliver a claimed delivery and record the outcome; returns the new state."""
    if delivery.handler:
        return _run_code_subscriber(delivery, now)
    subscription = delivery.subscription
    if subscription.deleted_at is not None or not subscription.active:
        return _park(delivery, now)
    try:
        webhooks.send(delivery)
    except AdapterError as exc:
        return record_failure(delivery, exc, now)
    except Exception as exc:
        return record_failure(delivery, _unexpected(delivery, exc), now)
    with transaction.atomic():
        row = _still_ours(delivery)
        if row is None:
            return "lost"
        _finish(row, now or timezone.now())
    return State.DONE


def _run_code_subscriber(delivery: Delivery, now) -> str:
    subscriber = events.code_subscriber(delivery.handler)
    if subscriber is None:
        error = RetryableError(f"no subscriber {delivery.handler!r} is registered", code="no_handler")
        return record_failure(delivery, error, now)
    try:
        with transaction.atomic():
            row = _still_ours(delivery)
            if row is None:
                return "lost"
            subscriber.fn(row.event)
            _finish(row, now or timezone.now())
    except AdapterError as exc:
        return record_failure(delivery, exc, now)
    except Exception as exc:
        return record_failure(delivery, _unexpected(delivery, exc), now)
    return State.DONE


def _park(delivery: Delivery, now) -> str:
    """A delivery to a paused (inactive) subscription waits without using up an attempt; a deleted
    subscription's is discarded."""
    now = now or timezone.now()
    base = Delivery.objects.filter(pk=delivery.pk, state=State.IN_FLIGHT, attempts=delivery.attempts)
    if delivery.subscription.deleted_at is not None:
        base.update(
            state=State.DISCARDED,
            finished_at=now,
            error_code="deleted",
            last_error="the subscription was deleted",
            updated_at=now,
        )
        return State.DISCARDED
    base.update(
        state=State.PENDING,
        attempts=delivery.attempts - 1,
        error_code="paused",
        next_attempt_at=now + timedelta(seconds=int(param(RETRY_MAX))),
        updated_at=now,
    )
    return "paused"


def dispatch_due(*, now=None, max_rows: int | None = None) -> dict[str, int]:
    """Send due commands and deliveries (alternating, commands first) until none is due or
    ``max_rows`` (parameter ``integration.dispatch_max_rows``) were handled. ``now`` fixes the clock
    (tests). Returns how many rows ended in each state."""
    limit = int(max_rows or param(RUN_MAX_ROWS))
    outcome: Counter = Counter()
    while sum(outcome.values()) < limit:
        command = claim(Command, now)
        if command is not None:
            outcome[run_command(command, now)] += 1
        delivery = claim(Delivery, now) if sum(outcome.values()) < limit else None
        if delivery is not None:
            outcome[run_delivery(delivery, now)] += 1
        if command is None and delivery is None:
            break
    return {str(k): v for k, v in outcome.items()}
