"""Celery tasks of processes and work orders. Thin: they call the engine or an action."""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="orders.advance_instance", acks_late=True)
def advance_instance(instance_id: int) -> dict:
    """Run a process instance's ready steps (queued after the commit that made them ready)."""
    from .processes import engine

    with context.acting(channel="task"):
        result = engine.advance(instance_id)
    return {"steps": result.steps, "state": result.state, "busy": result.busy}


@shared_task(name="orders.fire_due")
def fire_due() -> dict:
    """Celery beat: queue the instances whose timer or retry is due, and running ones left idle
    (their worker was killed) — each resumes from its last committed step."""
    from .processes import engine

    ids = engine.due_instance_ids()
    for pk in ids:
        advance_instance.delay(pk)
    return {"queued": len(ids)}


@shared_task(name="orders.check_work_order_sla")
def check_work_order_sla() -> dict:
    """Celery beat: SLA warnings and overdue alerts of work orders."""
    from .actions import work_order_sla_check

    with context.acting(channel="task"):
        return work_order_sla_check()


@shared_task(name="orders.check_installations")
def check_installations() -> dict:
    """Celery beat: appointments of pending installations whose window passed without feedback."""
    from .actions.installation_flow import installation_overdue_check

    with context.acting(channel="task"):
        return installation_overdue_check()
