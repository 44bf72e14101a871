"""Celery tasks of the number pool. Thin: they call the scheduled actions (actions/scheduled.py).

Celery beat runs them (settings.CELERY_BEAT_SCHEDULE): ``resources-expire-reservations`` every
minute, ``resources-finish-quarantine`` every hour.
"""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="resources.expire_reservations")
def expire_reservations() -> int:
    """Reservations past their time go back to the pool (beat, every minute)."""
    from .actions import reservations_expire

    with context.acting(channel="task"):
        return reservations_expire()


@shared_task(name="resources.finish_quarantine")
def finish_quarantine() -> int:
    """Numbers whose cooling-off period is over go back to the pool (beat, every hour)."""
    from .actions import quarantine_finish

    with context.acting(channel="task"):
        return quarantine_finish()
