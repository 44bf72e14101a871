"""Celery tasks of tickets. Thin: they call an action."""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="service.check_ticket_sla")
def check_ticket_sla() -> dict:
    """Celery beat: SLA warnings, escalations and auto-closing of tickets."""
    from .actions import ticket_sla_check

    with context.acting(channel="task"):
        return ticket_sla_check()
