# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""Clerks choosing the same number at once on PostgreSQL: exactly one draft gets it, every other one
gets a clear error on ``number``, and no number is ever held by two orders — through the actions, and
with fifty counters submitting whole orders through the REST API at once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from telcrm.orders import actions
from telcrm.orders.models import OrderItem
from telcrm.resources.models import Number, NumberState

from .acceptance_fixtures import shop, verified_customer  # noqa: F401

CLERKS = 8
NUMBER = "13805710003"


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (TELCRM_DATABASE_URL=postgresql://…): SQLite serialises writers")


@pytest.mark.django_db(transaction=True)
def test_many_drafts_racing_for_one_number(shop, postgres_only):
    from telcrm.platform.testing import make_user

    clerks = [make_user(f"racer{i}", "clerk", shop.carrier.branch) for i in range(CLERKS)]
    drafts = [
        actions.order_create(
            actor=clerk,
            customer=verified_customer(shop.carrier, owner=clerk, id_number=f"33010619900101{1000 + i}"),
            order_type="new_line",
        )
        for i, clerk in enumerate(clerks)
    ]
    start = threading.Barrier(CLERKS)
    results: list = []
    lock = threading.Lock()

    def choose(clerk, order):
        try:
            start.wait(timeout=30)
            outcome = actions.order_number_choose(actor=clerk, order=order, number=NUMBER)
        except Exception as exc:  # the losers' errors are checked below
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=choose, args=pair) for pair in zip(clerks, drafts, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    winners = [r for r in results if isinstance(r, OrderItem)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == CLERKS - 1, results
    assert all("number" in e.error_dict for e in losers)
    assert OrderItem.objects.filter(number__msisdn=NUMBER, holds_number=True).count() == 1
    number = Number.objects.get(msisdn=NUMBER)
    assert number.state == NumberState.RESERVED and number.reservation_ref == winners[0].order.order_no


# --- fifty counters through the REST API ----------------------------------------------------------------
API_CLERKS = 50
CONTESTED = [f"1380571002{i}" for i in range(5)]  # ten clerks want each of these numbers


@pytest.fixture
def api_server():
    """The site on a local port, threaded, with a listen backlog for fifty clients connecting at once
    (pytest-django's live_server keeps socketserver's small default and resets the surplus)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class Server(ThreadedWSGIServer):
        request_queue_size = 128

    class Thread(LiveServerThread):
        server_class = Server

    thread = Thread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def _token(user) -> str:
    from datetime import timedelta

    from django.utils import timezone

    from telcrm.platform.actions.tokens import digest
    from telcrm.platform.models import ApiToken

    raw = f"tc_race_{user.pk}_{user.username}"
    ApiToken.objects.create(
        user=user, digest=digest(raw), prefix=raw[:8], expires_at=timezone.now() + timedelta(hours=1)
    )
    return raw


def _post(base_url: str, token: str, body: dict) -> tuple[int, dict]:
    import json
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    conn = HTTPConnection(url.hostname, url.port, timeout=120)
    try:
        conn.request(
            "POST",
            "/api/v1/orders/",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_fifty_clerks_submitting_through_the_api_for_the_same_numbers(postgres_only, shop, api_server):
    """50 clerks at once, each submitting a whole new-line order (POST /api/v1/orders, submit=true) for
    one of five numbers: each number is assigned to exactly one order, and each of the 45 others gets a
    400 naming ``number`` with the reason in Chinese and in English — no 500, no half-written order."""
    from telcrm.platform.testing import make_user
    from telcrm.resources.models import NumberEvent
    from telcrm.resources.stock.testing import make_sims

    from ..models import Order

    carrier = shop.carrier
    sims = [sim.iccid for sim in make_sims(carrier.branch, API_CLERKS)]
    bodies, tokens = [], []
    for i in range(API_CLERKS):
        clerk = make_user(f"counter{i}", "clerk", carrier.branch)
        customer = verified_customer(carrier, owner=clerk, id_number=f"33010619850202{2000 + i}")
        tokens.append(_token(clerk))
        bodies.append(
            {
                "customer": customer.pk,
                "order_type": "new_line",
                "offerings": [{"code": "5G-128"}],
                "number": CONTESTED[i % len(CONTESTED)],
                "iccid": sims[i],
                "payments": [{"method": "account", "amount_fen": 1}],
                "submit": True,
            }
        )
    start = threading.Barrier(API_CLERKS)
    results: list = []
    lock = threading.Lock()

    def clerk_submits(token, body):
        try:
            start.wait(timeout=60)
            outcome = _post(api_server, token, body)
        except Exception as exc:  # reported below
            outcome = (0, {"exception": repr(exc)})
        with lock:
            results.append((body["number"], *outcome))

    threads = [threading.Thread(target=clerk_submits, args=pair) for pair in zip(tokens, bodies, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert len(results) == API_CLERKS
    assert {status for _n, status, _b in results} <= {201, 400}, [
        r for r in results if r[1] not in (201, 400)
    ]
    winners = [(n, b) for n, status, b in results if status == 201]
    losers = [(n, b) for n, status, b in results if status == 400]
    assert sorted(n for n, _b in winners) == sorted(CONTESTED)  # one order per number
    assert all(b["state"] == "submitted" for _n, b in winners)
    assert len(losers) == API_CLERKS - len(CONTESTED)
    for msisdn, body in losers:
        [error] = body["errors"]
        assert error["field"] == "number", body
        assert msisdn in error["message_zh"] and msisdn in error["message_en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message_zh"]), error  # Chinese
        assert "number" in error["message_en"].lower(), error
    # zero double assignments, and nothing half-written by the losers
    for msisdn in CONTESTED:
        number = Number.objects.get(msisdn=msisdn)
        assert number.state == NumberState.ASSIGNED
        assert NumberEvent.objects.filter(number=number, action="assign").count() == 1
        assert OrderItem.objects.filter(number=number).values("order").distinct().count() == 1
    assert Order.objects.count() == len(CONTESTED)
