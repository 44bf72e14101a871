"""Waking the dispatcher when a transaction that wrote outbox rows commits, so the embedded demo
reacts at once instead of at the next beat (every few seconds). At most one wake-up per transaction;
a broker that cannot be reached costs nothing but the wait for the beat."""

from __future__ import annotations

import logging

from django.db import connection, transaction

log = logging.getLogger(__name__)


def _wake() -> None:
    from .tasks import dispatch

    try:
        dispatch.delay()
    except Exception:  # the broker is down: celery beat runs the dispatcher anyway
        log.warning("could not wake the outbox dispatcher; the beat schedule will run it", exc_info=True)


def on_commit() -> None:
    """Wake the dispatcher after the current transaction commits (once, however often called)."""
    if any(entry[1] is _wake for entry in connection.run_on_commit):
        return
    transaction.on_commit(_wake)


def require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"{what} writes to the outbox in the caller's transaction: call it inside the action's "
            "transaction.atomic() block."
        )
