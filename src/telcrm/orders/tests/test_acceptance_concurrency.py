# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""Clerks choosing the same number at once on PostgreSQL: exactly one draft gets it, every other one
gets a clear error on ``number``, and no number is ever held by two orders."""

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
