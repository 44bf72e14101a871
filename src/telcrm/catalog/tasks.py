"""Celery tasks of the catalog. Thin: they call the actions."""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="catalog.expire_group_tariffs")
def expire_group_tariffs() -> int:
    """Mark approved group tariffs whose last day has passed as expired (beat, daily). Quotes never
    apply a tariff outside its validity anyway; this keeps the status the lists show right."""
    from .actions import tariffs_expire

    with context.acting(channel="task"):
        return tariffs_expire()
