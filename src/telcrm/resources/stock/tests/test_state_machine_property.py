"""Property test of the item state machine: any sequence of operations on a SIM card — the order
module's, the stock manager's, transfers (received, short, called back) and stock counts — leaves the
card exactly where the state table (states.py) says, refuses every move the table does not allow
without changing anything, and writes one movement per change."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.resources.stock import actions, states
from telcrm.resources.stock.models import Movement, SimCard
from telcrm.resources.stock.states import ItemState, ItemType, Move
from telcrm.resources.stock.testing import make_sims

pytestmark = pytest.mark.django_db
S = ItemState
ORDER_MOVES = ("allocate", "activate", "release", "fault", "return")
OPS = (*ORDER_MOVES, "transfer", "transfer_short", "transfer_called_back", "count_seen", "count_not_seen")
_numbers = itertools.count(1)


class Model:
    def __init__(self, unit):
        self.state, self.unit, self.moves = S.IN_STOCK, unit, 0


def _people(carrier, unit):
    here = unit == carrier.branch
    return {
        "clerk": carrier["clerk"] if here else carrier["other_clerk"],
        "manager": carrier["branch_manager"] if here else carrier["other_branch_manager"],
        "other_manager": carrier["other_branch_manager"] if here else carrier["branch_manager"],
        "other_unit": carrier.other_branch if here else carrier.branch,
    }


def _order_move(op, sim, p):
    if op == "allocate":
        actions.sim_allocate(p["clerk"], sim.iccid, reference="DD1")
    elif op == "activate":
        actions.sim_activate(p["clerk"], sim.iccid, msisdn=f"138{next(_numbers):08d}", reference="DD1")
    elif op == "release":
        actions.sim_release(p["clerk"], sim.iccid, reference="DD1")
    elif op == "fault":
        actions.sim_mark_faulty(p["manager"], sim.iccid, reason="坏卡")
    else:
        actions.sim_return(p["manager"], sim.iccid, reason="退库")


def _transfer(op, sim, p, unit) -> bool:
    """Ship the card (and, for a short delivery, a companion card); False when it could not be added."""
    t = actions.transfer_create(actor=p["manager"], to_unit=p["other_unit"])
    codes = [sim.iccid]
    if op == "transfer_short":
        codes.append(make_sims(unit)[0].iccid)
    try:
        actions.transfer_add_items(actor=p["manager"], transfer=t, codes=codes)
    except ValidationError:
        actions.transfer_cancel(actor=p["manager"], transfer=t)
        return False
    actions.transfer_ship(actor=p["manager"], transfer=t)
    if op == "transfer":
        actions.transfer_receive(actor=p["other_manager"], transfer=t, all_arrived=True)
    elif op == "transfer_short":
        actions.transfer_receive(actor=p["other_manager"], transfer=t, codes=codes[1:])
    else:
        actions.transfer_cancel(actor=p["manager"], transfer=t, reason="撤回")
    return True


def _count(op, sim, p, unit) -> None:
    c = actions.stock_count_start(actor=p["manager"], item_type=ItemType.SIM, org_unit=unit)
    if op == "count_seen":
        actions.stock_count_scan(actor=p["manager"], stock_count=c, codes=sim.iccid)
    actions.stock_count_close(actor=p["manager"], stock_count=c)


def expect(model: Model, op: str, carrier) -> tuple[bool, str, object, int]:
    """(allowed, state, unit, movements written) after ``op`` according to the state table."""
    if op in ORDER_MOVES:
        move = Move.FAULT if op == "fault" else Move(op)
        if model.state in states.allowed(ItemType.SIM, move):
            return True, states.target(ItemType.SIM, model.state, move), model.unit, 1
        return False, model.state, model.unit, 0
    if op.startswith("transfer"):
        if model.state != S.IN_STOCK:
            return False, model.state, model.unit, 0
        other = carrier.other_branch if model.unit == carrier.branch else carrier.branch
        return {
            "transfer": (True, S.IN_STOCK, other, 2),
            "transfer_short": (True, S.MISSING, model.unit, 2),
            "transfer_called_back": (True, S.IN_STOCK, model.unit, 2),
        }[op]
    if op == "count_seen" and model.state == S.MISSING:
        return True, S.IN_STOCK, model.unit, 1
    if op == "count_not_seen" and model.state == S.IN_STOCK:
        return True, S.MISSING, model.unit, 1
    return True, model.state, model.unit, 0  # the count changes nothing for this card


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.sampled_from(OPS), max_size=8))
def test_any_sequence_of_operations_follows_the_state_table(carrier, ops):
    sim = make_sims(carrier.branch)[0]
    model = Model(carrier.branch)
    for op in ops:
        p = _people(carrier, model.unit)
        allowed, state, unit, moves = expect(model, op, carrier)
        if op in ORDER_MOVES:
            if allowed:
                _order_move(op, sim, p)
            else:
                with pytest.raises(ValidationError):
                    _order_move(op, sim, p)
        elif op.startswith("transfer"):
            assert _transfer(op, sim, p, model.unit) == allowed
        else:
            _count(op, sim, p, model.unit)
        model.state, model.unit, model.moves = state, unit, model.moves + moves
        row = SimCard.objects.get(pk=sim.pk)
        assert (row.state, row.org_unit_id) == (model.state, model.unit.pk), (ops, op)
        assert row.transfer_id is None  # nothing is left in transit
        history = list(Movement.objects.filter(sim=sim).order_by("id"))
        assert len(history) == model.moves, (ops, op)
        if history:
            assert history[-1].state_to == row.state
            for before, after in itertools.pairwise(history):
                assert after.state_from == before.state_to  # the history is a chain
        if row.state == S.ALLOCATED:
            assert row.allocated_at is not None and row.reference == "DD1"
        if row.state == S.ACTIVATED:
            assert row.msisdn
