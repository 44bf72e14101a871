"""Billing (BOSS/计费) adapter: balance and arrears of billing accounts come from the billing system.

telcrm mirrors them on ``Account.balance``/``arrears`` with ``synced_at``; it never computes them.

- ``SimulatedBilling`` (the default, demo and tests): deterministic figures from the account number.
- ``HttpBilling``: the real one, used when ``TELCRM_BILLING_URL`` is set. It asks
  ``GET <url>/accounts/<account_no>/state`` and reads JSON ``{"balance": "12.30", "arrears": "0.00"}``
  or XML ``<accountState><balance>12.30</balance><arrears>0.00</arrears></accountState>``;
  ``TELCRM_BILLING_TOKEN`` is sent as a bearer token, ``TELCRM_BILLING_TIMEOUT`` (seconds, default 5)
  bounds every call.
- ``account_sync(account)`` refreshes one account; ``sync_stale_accounts()`` (Celery beat, see
  customers/tasks.py) refreshes the accounts synchronised longest ago, a batch at a time.

The mirror is written with a plain UPDATE: it is billing's data, not a user's edit, so it makes
neither audit nor history rows (a balance changes with every call a customer makes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple
from xml.etree import ElementTree

from django.db.models import F, Q
from django.utils import timezone

from telcrm.platform.parameters import define, param

from .models import Account, AccountStatus

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_RESPONSE_BYTES = 64 * 1024
STOP_AFTER_FAILURES = 5  # consecutive failures: billing is down, the next run tries again

define(
    "customers.billing_sync_max_age_minutes",
    group="customers",
    type="duration",
    default=720,
    min_value=1,
    max_value=10080,
    name="账户余额同步周期（分钟）",
    name_en="Refresh account balances older than (minutes)",
    description="余额和欠费超过该时长未从计费系统同步的账户，由后台任务重新同步。",
    description_en="Accounts whose balance and arrears are older than this are refreshed from billing.",
)
define(
    "customers.billing_sync_batch",
    group="customers",
    type="int",
    default=500,
    min_value=1,
    max_value=20000,
    name="每次同步账户数",
    name_en="Accounts refreshed per run",
    description="后台任务每次运行最多向计费系统查询的账户数。",
    description_en="At most this many accounts are asked from billing per run of the background task.",
)


class AccountState(NamedTuple):
    balance: Decimal
    arrears: Decimal


class BillingError(Exception):
    """Billing could not answer (down, timeout, malformed reply); the caller retries later."""


class BillingAccountNotFound(BillingError):
    """Billing does not know this account number."""


class BillingAdapter(ABC):
    name = ""

    @abstractmethod
    def get_account_state(self, account_no: str) -> AccountState:
        """(balance, arrears) of the account, in CNY; raises BillingError."""


class SimulatedBilling(BillingAdapter):
    """Figures derived from the account number: the same account always shows the same state.
    About one account in five is in arrears (with a zero balance)."""

    name = "simulated"

    def get_account_state(self, account_no: str) -> AccountState:
        if not account_no:
            raise BillingAccountNotFound("empty account number")
        h = int.from_bytes(hashlib.sha256(account_no.encode()).digest()[:8], "big")
        if h % 5 == 0:
            return AccountState(Decimal("0.00"), (Decimal((h >> 8) % 80000 + 100) / 100).quantize(CENT))
        return AccountState((Decimal((h >> 8) % 50000) / 100).quantize(CENT), Decimal("0.00"))


class HttpBilling(BillingAdapter):
    name = "http"

    def __init__(self, base_url: str, *, token: str = "", timeout: float = 5.0):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TELCRM_BILLING_URL must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def get_account_state(self, account_no: str) -> AccountState:
        url = f"{self.base_url}/accounts/{urllib.parse.quote(account_no, safe='')}/state"
        headers = {"Accept": "application/json, application/xml;q=0.9", "User-Agent": "telcrm"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - scheme checked
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_RESPONSE_BYTES + 1)
                ctype = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise BillingAccountNotFound(account_no) from exc
            raise BillingError(f"billing answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise BillingError(f"billing unreachable: {exc}") from exc
        if len(body) > MAX_RESPONSE_BYTES:
            raise BillingError("billing reply too large")
        return parse_state(body, ctype)


def parse_state(body: bytes, content_type: str = "application/json") -> AccountState:
    """Read a billing reply (JSON or XML) into an AccountState; BillingError if malformed."""
    try:
        if "xml" in content_type or body.lstrip().startswith(b"<"):
            root = ElementTree.fromstring(body)  # noqa: S314 - expat refuses entity expansion bombs
            raw = {"balance": root.findtext("balance"), "arrears": root.findtext("arrears")}
        else:
            raw = json.loads(body.decode("utf-8"))
        balance = Decimal(str(raw["balance"]))
        arrears = Decimal(str(raw.get("arrears") or "0"))
    except (ValueError, KeyError, TypeError, InvalidOperation, ElementTree.ParseError) as exc:
        raise BillingError("malformed billing reply") from exc
    if not (balance.is_finite() and arrears.is_finite()) or arrears < 0:
        raise BillingError("malformed billing reply")
    return AccountState(balance.quantize(CENT), arrears.quantize(CENT))


def get_billing() -> BillingAdapter:
    """The configured adapter: HTTP when TELCRM_BILLING_URL is set, else the simulator."""
    url = os.environ.get("TELCRM_BILLING_URL", "").strip()
    if not url:
        return SimulatedBilling()
    return HttpBilling(
        url,
        token=os.environ.get("TELCRM_BILLING_TOKEN", ""),
        timeout=float(os.environ.get("TELCRM_BILLING_TIMEOUT", "5")),
    )


def account_sync(account: Account, *, adapter: BillingAdapter | None = None) -> Account:
    """Refresh one account's balance and arrears from billing (raises BillingError)."""
    state = (adapter or get_billing()).get_account_state(account.account_no)
    now = timezone.now()
    Account.objects.filter(pk=account.pk).update(balance=state.balance, arrears=state.arrears, synced_at=now)
    account.balance, account.arrears, account.synced_at = state.balance, state.arrears, now
    return account


def stale_accounts(limit: int | None = None):
    """Open accounts never synchronised or older than the parameter, oldest first (system read)."""
    cutoff = timezone.now() - timedelta(minutes=int(param("customers.billing_sync_max_age_minutes")))
    limit = limit or int(param("customers.billing_sync_batch"))
    return (
        Account.objects.dangerously_unscoped()
        .exclude(status=AccountStatus.CLOSED)
        .filter(Q(synced_at__isnull=True) | Q(synced_at__lt=cutoff))
        .order_by(F("synced_at").asc(nulls_first=True), "id")[:limit]
    )


def sync_stale_accounts(limit: int | None = None, *, adapter: BillingAdapter | None = None) -> dict:
    """One run of the periodic refresh. Stops early when billing keeps failing (it is down)."""
    adapter = adapter or get_billing()
    synced = failed = missing = streak = 0
    for account in stale_accounts(limit).only("id", "account_no"):
        try:
            account_sync(account, adapter=adapter)
        except BillingAccountNotFound:
            missing += 1  # not billing's account (yet): stamped so the batch moves on
            Account.objects.filter(pk=account.pk).update(synced_at=timezone.now())
            continue
        except BillingError as exc:
            failed += 1
            streak += 1
            log.warning("billing sync of account %s failed: %s", account.pk, exc)
            if streak >= STOP_AFTER_FAILURES:
                break
            continue
        synced += 1
        streak = 0
    return {"synced": synced, "failed": failed, "missing": missing}
