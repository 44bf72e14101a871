"""A customer and its party are locked in one order by every action: customer first, then party.

``customer_update`` locks the customer and later saves its party; the TMF party update used to lock the
party first and then the customer (through ``customer_update``), so two clerks, one on each path, could
deadlock. PostgreSQL only: SQLite serialises writing transactions, so nothing waits on a row lock.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from telcrm.customers.models import Customer, Party
from telcrm.customers.testing import make_customer
from telcrm.customers.tmf.actions import party_update

pytestmark = [
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")  # live, unlike pg_stat_activity
        return cur.fetchone()[0] > 0


def test_party_update_waits_for_the_customer_before_it_locks_the_party(carrier):
    clerk = carrier["clerk"]
    customer = make_customer(carrier.branch, owner=clerk, name="任盈盈")
    out: dict = {}

    def rename_the_party() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SET lock_timeout = '20s'")
            party = Party.objects.get(pk=customer.party_id)
            out["party"] = party_update(actor=clerk, party=party, name="任盈盈（改）")
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=rename_the_party)
    with transaction.atomic():
        # as customer_update does: the customer first …
        Customer.objects.select_for_update().get(pk=customer.pk)
        thread.start()
        for _ in range(2000):  # until the other clerk's transaction waits on a row lock
            if _waiting_on_a_lock() or not thread.is_alive():
                break
            thread.join(timeout=0.005)
        assert _waiting_on_a_lock(), out
        with connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '2s'")
        # … then its party: free, because the party update waits on the customer without holding it
        Party.objects.select_for_update().get(pk=customer.party_id)
    thread.join(timeout=60)
    assert "error" not in out, out
    customer.refresh_from_db()
    assert customer.name == "任盈盈（改）"
