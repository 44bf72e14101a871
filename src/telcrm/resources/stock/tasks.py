"""Celery tasks of the stock module. Thin: they call the action that does the work."""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="stock.check_low_stock")
def check_low_stock() -> dict:
    """Alert branch managers of branches newly below their low-stock threshold (Celery beat)."""
    from .actions import low_stock_check

    with context.acting(channel="task"):
        return low_stock_check(actor=None)
