"""``access(..., for_update=True)`` locks the one row it returns, not the rows its query joins.

PostgreSQL only: SQLite has no row locks (Django leaves FOR UPDATE out there), so there is nothing to
observe (CI runs these with TELCRM_DATABASE_URL=postgresql://…).
"""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from telcrm.platform.actions import access
from telcrm.platform.models import Job, OrgUnit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has no row locks"
)


def _in_other_connection(work):
    """``work()`` run in a thread of its own (so on a connection of its own): its result or its error."""
    out: dict = {}

    def run():
        try:
            out["result"] = work()
        except Exception as exc:  # handed to the test, a thread cannot fail it
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return out


@pytest.mark.django_db
def test_a_lock_through_a_nullable_join_is_taken(carrier):
    """select_related over a nullable foreign key is a LEFT OUTER JOIN, and PostgreSQL refuses FOR UPDATE
    on its nullable side; ``OF self`` asks for the row's own lock only."""
    job = Job.objects.create(kind="x", title="unowned", owner=None, org_unit=carrier["clerk"].org_unit)
    with transaction.atomic():
        row = access(Job.objects.select_related("owner"), carrier["admin"], job.pk, for_update=True)
    assert row == job and row.owner is None


@pytest.mark.django_db(transaction=True)
def test_the_rows_a_lock_joins_stay_free(carrier):
    """Two clerks locking two jobs of one unit do not queue on (nor deadlock over) the unit's row."""
    unit = carrier["clerk"].org_unit
    job = Job.objects.create(kind="x", title="mine", owner=carrier["clerk"], org_unit=unit)

    def nowait(model, pk):
        def lock():
            with transaction.atomic():
                return model.objects.select_for_update(nowait=True).get(pk=pk)

        return lock

    with transaction.atomic():
        row = access(Job.objects.select_related("org_unit"), carrier["admin"], job.pk, for_update=True)
        assert row.org_unit == unit
        unit_lock = _in_other_connection(nowait(OrgUnit, unit.pk))
        job_lock = _in_other_connection(nowait(Job, job.pk))
    assert unit_lock.get("result") == unit, unit_lock  # the joined unit is free
    assert isinstance(job_lock.get("error"), DatabaseError), job_lock  # the job itself is locked
