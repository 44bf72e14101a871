"""Customer and account numbers: never given twice, also when counters register at the same moment."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import OperationalError, connection

from telcrm.customers.actions import _common
from telcrm.customers.models import Account, Customer
from telcrm.customers.testing import make_customer

from ._domain_fixtures import register

THREADS = 4
PER_THREAD = 5


def _create_with_retry(actor, name: str):
    """SQLite's shared in-memory test database reports a busy writer as "locked" at once instead of
    waiting like the file database's busy timeout does; retry as that timeout would."""
    for _ in range(400):
        try:
            return register(actor, name=name)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_numbers(carrier):
    clerk = carrier["clerk"]
    barrier = threading.Barrier(THREADS)
    made, errors = [], []

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(PER_THREAD):
                made.append(_create_with_retry(clerk, f"并发{n}-{i}").pk)
        except Exception as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(made) == THREADS * PER_THREAD
    numbers = list(Customer.objects.filter(pk__in=made).values_list("customer_no", flat=True))
    accounts = list(Account.objects.filter(customer_id__in=made).values_list("account_no", flat=True))
    assert len(set(numbers)) == len(numbers) == THREADS * PER_THREAD
    assert len(set(accounts)) == len(accounts) == THREADS * PER_THREAD
    assert all(re.fullmatch(r"C\d{11}", n) for n in numbers)


@pytest.mark.django_db
def test_a_number_taken_meanwhile_is_skipped_not_reused(carrier, monkeypatch):
    first = register(carrier["clerk"])
    taken = int(first.customer_no[1:])
    real = _common._last_number
    calls = []

    def stale(model, field, prefix, digits):
        calls.append(field)
        if len(calls) == 1:  # as if another counter committed `first` after we read the index
            return taken - 1
        return real(model, field, prefix, digits)

    monkeypatch.setattr(_common, "_last_number", stale)
    second = register(carrier["clerk"])
    assert second.customer_no != first.customer_no
    assert int(second.customer_no[1:]) > taken
    assert calls[:2] == ["customer_no", "customer_no"]  # retried after the unique constraint refused


@pytest.mark.django_db
def test_numbers_continue_after_the_highest_and_ignore_other_formats(carrier):
    make_customer(carrier.branch, name="旧格式")  # T000000001 style numbers of other sources
    Customer.objects.filter(customer_no__startswith="T").update(customer_no="C99")
    c = register(carrier["clerk"])
    Customer.objects.filter(pk=c.pk).update(customer_no="C00000000500")
    assert register(carrier["clerk"]).customer_no == "C00000000501"


@pytest.mark.django_db
def test_another_integrity_error_is_not_mistaken_for_a_numbering_race(carrier):
    from django.db import IntegrityError

    broken = Customer(customer_type="individual", name="x", org_unit=carrier.branch)  # no party: NOT NULL
    with pytest.raises(IntegrityError):
        _common.insert_numbered(broken, "customer_no", "C")
