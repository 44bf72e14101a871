"""Celery tasks of the integration module. Thin: they call the code that does the work.

Celery beat (settings.CELERY_BEAT_SCHEDULE) runs ``integration.dispatch`` every few seconds and
``integration.purge`` daily; every transaction that writes outbox rows also wakes the dispatcher
when it commits (kick.py). Any number of dispatchers may run at once: each claims its own rows.
"""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="integration.dispatch", ignore_result=True)
def dispatch() -> dict:
    """Send what is due in the outbox (commands to adapters, events to subscribers)."""
    from .dispatch import dispatch_due

    with context.acting(channel="task"):
        return dispatch_due()


@shared_task(name="integration.purge", ignore_result=True)
def purge() -> dict:
    """Remove finished events and commands older than integration.retention_days."""
    from .actions import outbox_purge

    with context.acting(channel="task"):
        return outbox_purge()
