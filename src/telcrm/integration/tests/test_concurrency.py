"""Parallel dispatchers on PostgreSQL never take the same row: FOR UPDATE SKIP LOCKED hands each row
to one of them, and every command is run exactly once. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction

from telcrm.integration import commands
from telcrm.integration import dispatch as dispatcher
from telcrm.integration.models import Command, State

pytestmark = [
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL: SQLite serialises writers"),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 6
ROWS = 60


def test_parallel_dispatchers_run_each_command_once(monkeypatch):
    calls: Counter = Counter()
    lock = threading.Lock()

    class Counting:
        def call(self, operation, payload, *, key):
            with lock:
                calls[key] += 1
            return {"ok": "1"}

    monkeypatch.setattr(dispatcher, "get_adapter", lambda system: Counting())
    with transaction.atomic():
        for i in range(ROWS):
            commands.request("network", "resume_line", {"msisdn": f"138{i:08d}"}, key=f"c{i}")
    barrier = threading.Barrier(WORKERS)
    errors = []

    def work():
        try:
            barrier.wait(timeout=30)
            dispatcher.dispatch_due()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert Command.objects.filter(state=State.DONE).count() == ROWS
    assert set(calls.values()) == {1} and len(calls) == ROWS
    assert set(Command.objects.values_list("attempts", flat=True)) == {1}
