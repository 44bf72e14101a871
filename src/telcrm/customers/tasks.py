"""Celery tasks of customers. Thin: they call the code that does the work (billing.py)."""

from __future__ import annotations

from celery import shared_task

from telcrm.platform import context


@shared_task(name="customers.sync_stale_accounts")
def sync_stale_accounts(limit: int | None = None) -> dict:
    """Refresh balance and arrears of the accounts synchronised longest ago (beat, every 10 minutes)."""
    from .billing import sync_stale_accounts as run

    with context.acting(channel="task"):
        return run(limit)


@shared_task(
    name="customers.sync_account", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3
)
def sync_account(account_id: int) -> bool:
    """Refresh one account now (e.g. the 360 page's refresh button). False if it no longer exists."""
    from .billing import BillingAccountNotFound, BillingError, account_sync
    from .models import Account

    account = Account.objects.dangerously_unscoped().filter(pk=account_id).first()
    if account is None:
        return False
    with context.acting(channel="task"):
        try:
            account_sync(account)
        except BillingAccountNotFound:
            return False
        except BillingError as exc:
            raise ConnectionError(str(exc)) from exc
    return True
