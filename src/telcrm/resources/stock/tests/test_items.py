"""The state changes the order module calls (allocate, activate/sell, release) and the stock manager's
(faulty, returned): every allowed transition of the state machine works, every other one is refused
with a field error, within the data scope and permission, each with a movement and an audit record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog
from telcrm.resources.stock import actions, states
from telcrm.resources.stock.models import Movement, SimCard, Terminal
from telcrm.resources.stock.states import ItemState, ItemType, Move
from telcrm.resources.stock.testing import iccid_for, make_sims, make_terminals

pytestmark = pytest.mark.django_db

S = ItemState


def field_code(exc: ValidationError) -> tuple[str, str]:
    (field, errors), *_ = exc.error_dict.items()
    return field, errors[0].code


def do(move: str, actor, item):
    """Call the action of ``move`` on ``item`` with valid extra arguments."""
    if isinstance(item, SimCard):
        table = {
            Move.ALLOCATE: lambda: actions.sim_allocate(actor, item.iccid, reference="DD0001"),
            Move.ACTIVATE: lambda: actions.sim_activate(actor, item.iccid, msisdn="13800138000"),
            Move.RELEASE: lambda: actions.sim_release(actor, item.iccid),
            Move.FAULT: lambda: actions.sim_mark_faulty(actor, item.iccid, reason="芯片损坏"),
            Move.RETURN: lambda: actions.sim_return(actor, item.iccid, reason="退回供应商"),
        }
    else:
        table = {
            Move.ALLOCATE: lambda: actions.terminal_allocate(actor, item.imei, reference="DD0001"),
            Move.SELL: lambda: actions.terminal_sell(actor, item.imei),
            Move.RELEASE: lambda: actions.terminal_release(actor, item.imei),
            Move.FAULT: lambda: actions.terminal_mark_faulty(actor, item.imei, reason="开箱损坏"),
            Move.RETURN: lambda: actions.terminal_return(actor, item.imei, reason="退回供应商"),
        }
    return table[move]()


SIM_MOVES = (Move.ALLOCATE, Move.ACTIVATE, Move.RELEASE, Move.FAULT, Move.RETURN)
TERMINAL_MOVES = (Move.ALLOCATE, Move.SELL, Move.RELEASE, Move.FAULT, Move.RETURN)
CASES = [(ItemType.SIM, state, move) for state in S.values for move in SIM_MOVES] + [
    (ItemType.TERMINAL, state, move) for state in S.values for move in TERMINAL_MOVES
]


@pytest.mark.parametrize(("item_type", "state", "move"), CASES)
def test_each_move_from_each_state_follows_the_state_machine(carrier, item_type, state, move):
    actor = carrier["branch_manager"]
    maker = make_sims if item_type == ItemType.SIM else make_terminals
    item = maker(carrier.branch, state=state, reference="DD0001" if state == S.ALLOCATED else "")[0]
    allowed = state in states.allowed(item_type, move)
    if allowed:
        changed = do(move, actor, item)
        expected = states.target(item_type, state, move)
        item.refresh_from_db()
        assert changed.state == item.state == expected
        m = Movement.objects.get(**{"sim" if item_type == ItemType.SIM else "terminal": item})
        assert (m.move, m.state_from, m.state_to, m.actor) == (move, state, expected, actor)
        log = AuditLog.objects.get(action=f"stock.{item_type}_{move}")
        assert log.before["state"] == state and log.after["state"] == expected
    else:
        with pytest.raises(ValidationError) as info:
            do(move, actor, item)
        assert field_code(info.value) == ("iccid" if item_type == ItemType.SIM else "imei", "invalid_state")
        item.refresh_from_db()
        assert item.state == state
        assert (
            not Movement.objects.exists()
            and not AuditLog.objects.filter(action__startswith="stock.").exists()
        )


def test_allocate_activate_keeps_the_order_and_number(carrier):
    clerk = carrier["clerk"]
    sim = make_sims(carrier.branch)[0]
    allocated = actions.sim_allocate(clerk, sim.iccid, reference="DD20260001")
    assert (allocated.state, allocated.reference) == (S.ALLOCATED, "DD20260001")
    assert allocated.allocated_at is not None
    active = actions.sim_activate(clerk, sim.iccid, msisdn="138 0013 8000", reference="DD20260001")
    assert (active.state, active.msisdn, active.reference) == (S.ACTIVATED, "13800138000", "DD20260001")
    assert active.activated_at is not None
    assert list(Movement.objects.filter(sim=sim).order_by("id").values_list("move", flat=True)) == [
        Move.ALLOCATE,
        Move.ACTIVATE,
    ]


def test_release_frees_the_card_for_the_next_order(carrier):
    clerk = carrier["clerk"]
    sim = make_sims(carrier.branch)[0]
    actions.sim_allocate(clerk, sim.iccid, reference="DD1")
    released = actions.sim_release(clerk, sim.iccid, reference="DD1")
    assert (released.state, released.reference, released.allocated_at) == (S.IN_STOCK, "", None)
    assert actions.sim_allocate(clerk, sim.iccid, reference="DD2").reference == "DD2"


def test_another_orders_reference_is_refused(carrier):
    clerk = carrier["clerk"]
    sim = make_sims(carrier.branch)[0]
    actions.sim_allocate(clerk, sim.iccid, reference="DD1")
    for call in (
        lambda: actions.sim_release(clerk, sim.iccid, reference="DD2"),
        lambda: actions.sim_activate(clerk, sim.iccid, msisdn="13800138000", reference="DD2"),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert field_code(info.value) == ("reference", "reference_mismatch")
    assert SimCard.objects.get(pk=sim.pk).state == S.ALLOCATED


def test_the_same_sim_cannot_be_allocated_twice(carrier):
    sim = make_sims(carrier.branch)[0]
    actions.sim_allocate(carrier["clerk"], sim.iccid, reference="DD1")
    with pytest.raises(ValidationError) as info:
        actions.sim_allocate(carrier["branch_manager"], sim.iccid, reference="DD2")
    assert field_code(info.value) == ("iccid", "invalid_state")
    assert SimCard.objects.get(pk=sim.pk).reference == "DD1"


def test_bad_iccid_checksum_is_a_field_error_before_any_lookup(carrier):
    good = make_sims(carrier.branch)[0].iccid
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as info:
        actions.sim_allocate(carrier["clerk"], bad)
    assert field_code(info.value) == ("iccid", "checksum")


def test_bad_msisdn_on_activation_names_the_field(carrier):
    sim = make_sims(carrier.branch, state=S.ALLOCATED)[0]
    with pytest.raises(ValidationError) as info:
        actions.sim_activate(carrier["clerk"], sim.iccid, msisdn="12345")
    assert field_code(info.value)[0] == "msisdn"


def test_a_clerk_takes_only_cards_of_their_own_branch(carrier):
    ningbo = make_sims(carrier.other_branch)[0]
    with pytest.raises(ValidationError) as info:
        actions.sim_allocate(carrier["clerk"], ningbo.iccid)
    assert field_code(info.value) == ("iccid", "not_found")
    assert actions.sim_allocate(carrier["other_clerk"], ningbo.iccid).state == S.ALLOCATED
    unknown = iccid_for(987654321)
    with pytest.raises(ValidationError) as info:
        actions.sim_allocate(carrier["admin"], unknown)
    assert field_code(info.value) == ("iccid", "not_found")


@pytest.mark.parametrize("role", ["installer", "backoffice", "analyst", "agent", "marketer"])
def test_roles_without_allocate_permission_are_refused(carrier, role):
    sim = make_sims(carrier.branch)[0]
    with pytest.raises(AccessDenied):
        actions.sim_allocate(carrier[role], sim.iccid)


@pytest.mark.parametrize("role", ["clerk", "installer"])
def test_only_stock_managers_mark_faulty_or_return(carrier, role):
    sim = make_sims(carrier.branch)[0]
    with pytest.raises(AccessDenied):
        actions.sim_mark_faulty(carrier[role], sim.iccid, reason="坏卡")
    with pytest.raises(AccessDenied):
        actions.sim_return(carrier[role], sim.iccid, reason="退库")


def test_reason_is_required_for_faulty_and_returned(carrier):
    sim = make_sims(carrier.branch)[0]
    with pytest.raises(ValidationError) as info:
        actions.sim_mark_faulty(carrier["branch_manager"], sim.iccid, reason="  ")
    assert field_code(info.value) == ("reason", "required")


def test_terminal_sold_from_the_shelf_or_through_an_order(carrier):
    clerk = carrier["clerk"]
    a, b = make_terminals(carrier.branch, 2)
    assert actions.terminal_sell(clerk, a.imei, reference="DD9").state == S.SOLD
    actions.terminal_allocate(clerk, b.imei, reference="DD10")
    sold = actions.terminal_sell(clerk, b.imei, reference="DD10")
    assert (sold.state, sold.reference) == (S.SOLD, "DD10") and sold.sold_at is not None
    assert Terminal.objects.filter(state=S.SOLD).count() == 2


def test_a_failed_action_inside_an_order_transaction_leaves_nothing(carrier):
    from django.db import transaction

    sim = make_sims(carrier.branch)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.sim_allocate(carrier["clerk"], sim.iccid, reference="DD1")
        raise RuntimeError("the order failed later on")
    sim.refresh_from_db()
    assert sim.state == S.IN_STOCK and not Movement.objects.exists()


def test_movements_are_append_only(carrier):
    sim = make_sims(carrier.branch)[0]
    actions.sim_allocate(carrier["clerk"], sim.iccid)
    m = Movement.objects.get()
    with pytest.raises(ValueError):
        m.save()
    with pytest.raises(ValueError):
        m.delete()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Movement.objects.filter(pk=m.pk).update(note="edited")  # the database trigger refuses it
