"""Clerks racing for the last ports of an element on PostgreSQL: exactly as many installations get a
port as there are ports, never one more (the compare-and-set UPDATE of actions.port_take)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from telcrm.resources.coverage import actions
from telcrm.resources.coverage.models import NetworkElement

from ._fixtures import cover, element, set_ports

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


@pytest.mark.parametrize("save", ["update", "save_many"])
def test_saving_an_address_leaves_its_element_free_for_ports(carrier, save):
    """Changing covered addresses locks the address rows only: an installation taking a port of their
    element (an UPDATE of the element's row) does not wait for the address work to commit."""
    el = element(carrier, code=f"PG-LOCK-{save}", ports_total=TOTAL)
    row = cover(carrier, el)
    out: dict = {}

    def take_a_port() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SET lock_timeout = '2s'")
            out["element"] = actions.port_take(element=el.pk, reference="ORD-LOCK")
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            out["error"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        if save == "update":
            actions.covered_address_update(actor=carrier["admin"], address=row.pk, max_bandwidth_mbps=100)
        else:
            address = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路88号"}
            rows = [{**address, "element": el.code, "max_bandwidth_mbps": 100}]
            ((_row, created, error),) = actions.covered_addresses_save_many(actor=carrier["admin"], rows=rows)
            assert (created, error) == (False, None)
        thread = threading.Thread(target=take_a_port)
        thread.start()
        thread.join(timeout=60)
    assert "error" not in out, out
    assert out["element"].ports_used == 1
