"""Clerks racing for the last ports of an element on PostgreSQL: exactly as many installations get a
port as there are ports, never one more (the compare-and-set UPDATE of actions.port_take)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from telcrm.resources.coverage import actions
from telcrm.resources.coverage.models import NetworkElement

from ._fixtures import element, set_ports

THREADS = 12
TOTAL = 20
FREE = 5  # ports left when the race starts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writing transactions, so threads cannot really race",
    ),
]


def _race(el, rounds: int) -> tuple[list[int], list[Exception]]:
    barrier = threading.Barrier(THREADS)
    taken: list[int] = []
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            for r in range(rounds):
                barrier.wait(timeout=30)
                try:
                    actions.port_take(element=el.code, reference=f"ORD-{n}-{r}")
                except ValidationError as exc:
                    assert exc.message_dict["element"], exc
                else:
                    taken.append(n)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return taken, errors


def test_threads_taking_the_last_ports_get_exactly_the_free_ones(carrier):
    el = element(carrier, code="PG-RACE-OLT", ports_total=TOTAL)
    set_ports(el, TOTAL - FREE)
    taken, errors = _race(el, rounds=3)
    assert not errors, errors
    assert len(taken) == FREE
    el = NetworkElement.objects.dangerously_unscoped().get(pk=el.pk)
    assert el.ports_used == el.ports_total == TOTAL


def test_threads_taking_and_releasing_never_exceed_the_total(carrier):
    el = element(carrier, code="PG-CHURN-OLT", ports_total=3)
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []
    seen: list[int] = []

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(10):
                try:
                    actions.port_take(element=el.pk)
                except ValidationError:
                    continue
                seen.append(NetworkElement.objects.dangerously_unscoped().get(pk=el.pk).ports_used)
                actions.port_release(element=el.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert seen and max(seen) <= 3
    assert NetworkElement.objects.dangerously_unscoped().get(pk=el.pk).ports_used == 0
