"""Billing adapter (INT-3, CUS-4): simulator, HTTP adapter against a local server, account sync, the
periodic task that refreshes stale accounts."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.utils import timezone

from telcrm.customers import billing, tasks
from telcrm.customers.billing import (
    AccountState,
    BillingAccountNotFound,
    BillingError,
    HttpBilling,
    SimulatedBilling,
    account_sync,
    get_billing,
    parse_state,
    stale_accounts,
    sync_stale_accounts,
)
from telcrm.customers.models import Account, AccountStatus
from telcrm.customers.testing import make_customer

# --- simulator and parsing ------------------------------------------------------------------------


def test_simulator_is_deterministic_and_plausible():
    sim = SimulatedBilling()
    states = [sim.get_account_state(f"A{i:09d}") for i in range(500)]
    assert states == [sim.get_account_state(f"A{i:09d}") for i in range(500)]
    assert all(isinstance(s, AccountState) and s.balance >= 0 and s.arrears >= 0 for s in states)
    in_arrears = [s for s in states if s.arrears > 0]
    assert 50 < len(in_arrears) < 150  # about one in five
    assert all(s.balance == 0 for s in in_arrears)
    assert all(s.balance == s.balance.quantize(Decimal("0.01")) for s in states)
    with pytest.raises(BillingAccountNotFound):
        sim.get_account_state("")


def test_simulator_is_the_default_and_the_url_switches_to_http(monkeypatch):
    monkeypatch.delenv("TELCRM_BILLING_URL", raising=False)
    assert isinstance(get_billing(), SimulatedBilling)
    monkeypatch.setenv("TELCRM_BILLING_URL", "https://boss.example/api/")
    monkeypatch.setenv("TELCRM_BILLING_TIMEOUT", "2.5")
    adapter = get_billing()
    assert isinstance(adapter, HttpBilling)
    assert (adapter.base_url, adapter.timeout) == ("https://boss.example/api", 2.5)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://boss", "boss.example", "http://"])
def test_http_adapter_refuses_other_schemes(url):
    with pytest.raises(ValueError):
        HttpBilling(url)


def test_parse_json_and_xml_replies():
    assert parse_state(b'{"balance": "12.3", "arrears": 0}') == (Decimal("12.30"), Decimal("0.00"))
    xml = b"<accountState><balance>-1.50</balance><arrears>20</arrears></accountState>"
    assert parse_state(xml, "application/xml") == (Decimal("-1.50"), Decimal("20.00"))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{}",
        b'{"balance": "x"}',
        b'{"balance": "NaN"}',
        b'{"balance": 1, "arrears": -1}',
        b"<a><b>",
        b"[1]",
    ],
)
def test_malformed_replies_are_billing_errors(body):
    with pytest.raises(BillingError):
        parse_state(body)


# --- HTTP adapter against a real local server -------------------------------------------------------


class _Boss(BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):
        _Boss.seen.append((self.path, self.headers.get("Authorization")))
        if "/accounts/A404/" in self.path:
            self.send_response(404)
            self.end_headers()
            return
        if "/accounts/A500/" in self.path:
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps({"balance": "88.80", "arrears": "1.20"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def boss():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Boss)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Boss.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/boss"
    server.shutdown()
    server.server_close()


def test_http_adapter_asks_billing(boss):
    adapter = HttpBilling(boss, token="s3cret", timeout=2)
    assert adapter.get_account_state("A 1/2") == (Decimal("88.80"), Decimal("1.20"))
    assert _Boss.seen == [("/boss/accounts/A%201%2F2/state", "Bearer s3cret")]  # number quoted
    with pytest.raises(BillingAccountNotFound):
        adapter.get_account_state("A404")
    with pytest.raises(BillingError):
        adapter.get_account_state("A500")


def test_http_adapter_unreachable_is_a_billing_error():
    with pytest.raises(BillingError):
        HttpBilling("http://127.0.0.1:9", timeout=0.5).get_account_state("A1")


# --- sync -------------------------------------------------------------------------------------------


class _Fixed(billing.BillingAdapter):
    def __init__(self, fail=()):
        self.fail = set(fail)
        self.calls = []

    def get_account_state(self, account_no):
        self.calls.append(account_no)
        if account_no in self.fail:
            raise BillingError("down")
        return AccountState(Decimal("9.99"), Decimal("1.01"))


def test_account_sync_updates_the_mirror(carrier):
    account = make_customer(carrier.branch).accounts.get()
    history_before = account.history.count()
    account_sync(account, adapter=_Fixed())
    account.refresh_from_db()
    assert (account.balance, account.arrears) == (Decimal("9.99"), Decimal("1.01"))
    assert account.synced_at is not None
    assert account.history.count() == history_before  # billing's figures, not a user's edit


def test_stale_accounts_oldest_first_closed_skipped(carrier):
    now = timezone.now()
    a_never, a_old, a_fresh, a_closed = (make_customer(carrier.branch).accounts.get() for _ in range(4))
    Account.objects.filter(pk=a_old.pk).update(synced_at=now - dt.timedelta(days=2))
    Account.objects.filter(pk=a_fresh.pk).update(synced_at=now)
    Account.objects.filter(pk=a_closed.pk).update(status=AccountStatus.CLOSED)
    assert list(stale_accounts()) == [a_never, a_old]
    assert list(stale_accounts(limit=1)) == [a_never]


def test_periodic_task_refreshes_stale_accounts_and_survives_failures(carrier, monkeypatch):
    accounts = [make_customer(carrier.branch).accounts.get() for _ in range(3)]
    adapter = _Fixed(fail={accounts[1].account_no})
    assert sync_stale_accounts(adapter=adapter) == {"synced": 2, "failed": 1, "missing": 0}
    accounts[1].refresh_from_db()
    assert accounts[1].synced_at is None  # retried next run
    assert list(stale_accounts()) == [accounts[1]]


def test_periodic_task_stops_when_billing_is_down(carrier):
    accounts = [make_customer(carrier.branch).accounts.get() for _ in range(8)]
    adapter = _Fixed(fail={a.account_no for a in accounts})
    result = sync_stale_accounts(adapter=adapter)
    assert (
        result["failed"] == billing.STOP_AFTER_FAILURES and len(adapter.calls) == billing.STOP_AFTER_FAILURES
    )


def test_celery_task_uses_the_simulator_and_is_scheduled(carrier, monkeypatch):
    monkeypatch.delenv("TELCRM_BILLING_URL", raising=False)
    account = make_customer(carrier.branch).accounts.get()
    assert tasks.sync_stale_accounts.delay().get() == {"synced": 1, "failed": 0, "missing": 0}
    account.refresh_from_db()
    expected = SimulatedBilling().get_account_state(account.account_no)
    assert (account.balance, account.arrears) == expected
    assert tasks.sync_account.delay(account.pk).get() is True
    assert tasks.sync_account.delay(10**9).get() is False
    entry = settings.CELERY_BEAT_SCHEDULE["customers-sync-accounts"]
    assert entry["task"] == "customers.sync_stale_accounts"
