"""Clerks racing for the same SIM cards on PostgreSQL: threads, each with its own connection, try to
allocate every card of a small pool in their own order. The compare-and-set UPDATE lets exactly one
allocation per card through; every other attempt gets a field error. Zero double allocations."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from telcrm.resources.stock import actions
from telcrm.resources.stock.models import Movement, SimCard, Terminal
from telcrm.resources.stock.states import ItemState, Move
from telcrm.resources.stock.testing import make_sims, make_terminals

THREADS = 8
CARDS = 25


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every writing transaction, so threads cannot race there "
            "(CI runs this with TELCRM_DATABASE_URL=postgresql://…)"
        )


def race(jobs) -> tuple[list, list]:
    """Run ``jobs`` (callables) in threads released at the same moment; (results, unexpected errors)."""
    barrier = threading.Barrier(len(jobs))
    won, errors = [], []

    def work(job):
        try:
            barrier.wait(timeout=30)
            won.extend(job())
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return won, errors


@pytest.mark.django_db(transaction=True)
def test_racing_clerks_never_allocate_a_card_twice(carrier, postgres_only):
    cards = [s.iccid for s in make_sims(carrier.branch, CARDS)]
    clerk = carrier["clerk"]

    def clerk_at_counter(n: int):
        def job():
            mine = []
            order = cards[:]
            random.Random(n).shuffle(order)
            for iccid in order:
                try:
                    actions.sim_allocate(clerk, iccid, reference=f"DD{n:04d}")
                except ValidationError as exc:
                    assert exc.error_dict["iccid"][0].code in ("invalid_state", "conflict"), exc
                    continue
                mine.append((iccid, n))
            return mine

        return job

    won, errors = race([clerk_at_counter(n) for n in range(THREADS)])
    assert not errors, errors
    per_card = Counter(iccid for iccid, _n in won)
    assert set(per_card) == set(cards) and set(per_card.values()) == {1}  # each card exactly once
    rows = {s.iccid: s for s in SimCard.objects.filter(iccid__in=cards)}
    for iccid, n in won:
        assert rows[iccid].state == ItemState.ALLOCATED and rows[iccid].reference == f"DD{n:04d}"
    assert Movement.objects.filter(move=Move.ALLOCATE).count() == CARDS


@pytest.mark.django_db(transaction=True)
def test_shipping_and_allocating_the_same_cards_at_once(carrier, postgres_only):
    """A transfer being shipped while clerks allocate its cards: each card ends up either in transit
    or allocated, never both, and the shipment is all or nothing."""
    sims = make_sims(carrier.branch, CARDS)
    terminals = make_terminals(carrier.branch, 3)
    mgr = carrier["branch_manager"]
    t = actions.transfer_create(actor=mgr, to_unit=carrier.other_branch)
    actions.transfer_add_items(
        actor=mgr, transfer=t, codes=[s.iccid for s in sims] + [x.imei for x in terminals]
    )

    def ship():
        try:
            actions.transfer_ship(actor=mgr, transfer=t)
        except ValidationError:
            return [("ship", False)]
        return [("ship", True)]

    def allocate(n):
        def job():
            out = []
            for s in sims[n::4]:
                try:
                    actions.sim_allocate(carrier["clerk"], s.iccid)
                    out.append(("sim", s.iccid))
                except ValidationError:
                    pass
            return out

        return job

    won, errors = race([ship, *[allocate(n) for n in range(4)]])
    assert not errors, errors
    shipped = dict(w for w in won if w[0] == "ship")["ship"]
    allocated = {code for kind, code in won if kind == "sim"}
    states = dict(SimCard.objects.filter(pk__in=[s.pk for s in sims]).values_list("iccid", "state"))
    if shipped:
        assert not allocated and set(states.values()) == {ItemState.IN_TRANSIT}
        assert set(Terminal.objects.values_list("state", flat=True)) == {ItemState.IN_TRANSIT}
    else:
        assert allocated and {states[c] for c in allocated} == {ItemState.ALLOCATED}
        assert ItemState.IN_TRANSIT not in set(states.values())
        assert set(Terminal.objects.values_list("state", flat=True)) == {ItemState.IN_STOCK}
