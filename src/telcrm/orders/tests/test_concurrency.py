"""Two workers advancing the same process instance on PostgreSQL: the row lock (SKIP LOCKED) lets one
run the step; the other finds the instance taken and leaves it — no handler runs twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from telcrm.orders import actions
from telcrm.orders.models import InstanceState
from telcrm.orders.processes import engine
from telcrm.orders.processes.registry import service_task
from telcrm.orders.testing import chain, service

CALLS: Counter = Counter()
ENTERED = threading.Event()
RELEASE = threading.Event()


@service_task("test.concurrency_slow")
def _slow(step):
    CALLS["slow"] += 1
    ENTERED.set()
    assert RELEASE.wait(timeout=30), "the test never released the handler"
    return {}


@service_task("test.concurrency_next")
def _next(step):
    CALLS["next"] += 1
    return {}


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every writing transaction, so two workers cannot "
            "overlap there (run with TELCRM_DATABASE_URL=postgresql://…)"
        )


def _in_thread(fn, results: list):
    def work():
        try:
            results.append(fn())
        except Exception as exc:  # reported by the test
            results.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=work)
    t.start()
    return t


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_step(carrier, publish, postgres_only):
    CALLS.clear()
    ENTERED.clear()
    RELEASE.clear()
    publish(
        "order.test",
        chain(service("slow", "test.concurrency_slow"), service("next", "test.concurrency_next")),
    )
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], schedule=False)
    first: list = []
    a = _in_thread(lambda: engine.advance(instance.pk), first)
    assert ENTERED.wait(timeout=30)
    second = engine.advance(instance.pk)  # while the first worker holds the row in its step
    assert second.busy and second.steps == 0
    RELEASE.set()
    a.join(timeout=60)
    assert not isinstance(first[0], Exception), first
    instance.refresh_from_db()
    assert instance.state == InstanceState.COMPLETED
    assert CALLS == {"slow": 1, "next": 1}
