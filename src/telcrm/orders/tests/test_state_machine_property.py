"""Property tests of the work-order state machine: the table itself (no move leaves a finished work
order, every move ends in a known state), and any sequence of what people do to a real work order —
claim, release, complete, return, reassign, move to another queue, escalate, cancel the process —
leaves it exactly where a model of the table says, refuses every illegal move without changing
anything, and writes one history line per change."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.orders import actions
from telcrm.orders.models import WorkOrder, WorkOrderEvent, WorkOrderState
from telcrm.orders.processes import engine
from telcrm.orders.testing import chain, user
from telcrm.orders.workorder_states import ACTIVE, TERMINAL, TRANSITIONS, TransitionRefused, target
from telcrm.platform.errors import AccessDenied
from telcrm.platform.testing import make_user

S = WorkOrderState
OPS = ("claim", "release", "complete", "return", "assign", "requeue", "escalate", "cancel")
_names = itertools.count(1)


@given(st.sampled_from(list(S.values)), st.sampled_from(list(TRANSITIONS)))
def test_the_table_never_leaves_a_finished_state(state, move):
    try:
        after = target(state, move)
    except TransitionRefused:
        assert state not in TRANSITIONS[move][0]
        return
    assert state in ACTIVE, "a finished work order cannot move"
    assert after in S.values


@given(st.lists(st.sampled_from(list(TRANSITIONS)), max_size=12))
def test_any_path_from_open_stays_in_known_states(moves):
    state = S.OPEN
    for move in moves:
        try:
            state = target(state, move)
        except TransitionRefused:
            continue
        if state in TERMINAL:
            assert all(state not in starts for starts, _end in TRANSITIONS.values())


class Model:
    def __init__(self):
        self.state, self.assignee, self.events, self.instance_open = S.OPEN, None, 1, True


def _apply(op, wo, people, model: Model) -> bool:
    """Do ``op`` to the work order as the person who would; True when it was accepted."""
    handler, manager, colleague, admin = (
        people["handler"],
        people["manager"],
        people["colleague"],
        people["admin"],
    )
    if op == "claim":
        actions.work_order_claim(actor=handler, work_order=wo)
    elif op == "release":
        actions.work_order_release(actor=manager, work_order=wo)
    elif op == "complete":
        actions.work_order_complete(actor=handler, work_order=wo)
    elif op == "return":
        actions.work_order_return(actor=handler, work_order=wo, reason="资料不全")
    elif op == "assign":
        actions.work_order_reassign(actor=manager, work_order=wo, assignee=colleague)
    elif op == "requeue":
        actions.work_order_reassign(actor=admin, work_order=wo, queue_unit=people["province"])
    elif op == "escalate":
        actions.work_order_escalate(actor=manager, work_order=wo, reason="催单")
    else:
        actions.process_cancel(actor=admin, instance=wo.instance_id, reason="撤单")
    return True


def _expect(op, model: Model, people) -> tuple[bool, str, object, int]:
    """(accepted, state, assignee, new history lines) the table and the rules predict for ``op``."""
    active = model.state in ACTIVE
    handler = people["handler"]
    if op == "claim":
        return (model.state == S.OPEN, S.CLAIMED, handler, 1)
    if op == "release":
        return (model.state == S.CLAIMED, S.OPEN, None, 1)
    if op in ("complete", "return"):
        end = S.COMPLETED if op == "complete" else S.RETURNED
        if model.state == S.OPEN:
            return (True, end, handler, 2)  # claimed on the way (the handler is a member)
        return (model.state == S.CLAIMED and model.assignee == handler, end, handler, 1)
    if op == "assign":
        return (active, S.CLAIMED, people["colleague"], 1)
    if op == "requeue":
        return (active, S.OPEN, None, 1)
    if op == "escalate":
        return (active, model.state, model.assignee, 1)
    return (model.instance_open, S.CANCELLED if active else model.state, model.assignee, 1 if active else 0)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=7))
def test_any_sequence_of_actions_follows_the_table(carrier, publish, ops):
    from telcrm.orders.models import ProcessDefinition

    if not ProcessDefinition.objects.filter(key="order.prop").exists():
        publish("order.prop", chain(user("approve")))
    n = next(_names)
    people = {
        "handler": carrier["backoffice"],
        "manager": make_user(f"lead{n}", "branch_manager", carrier.city),
        "colleague": make_user(f"bo{n}", "backoffice", carrier.city),
        "admin": carrier["admin"],
        "province": carrier.province,
    }
    instance = actions.process_start(key="order.prop", actor=carrier["clerk"])
    engine.advance(instance)
    wo = WorkOrder.objects.get(instance=instance)
    model = Model()
    for op in ops:
        accepted, state, assignee, lines = _expect(op, model, people)
        try:
            _apply(op, wo, people, model)
            done = True
        except (ValidationError, AccessDenied):
            done = False
        wo.refresh_from_db()
        assert done == accepted, (op, model.state)
        if done:
            model.state, model.assignee = state, assignee
            model.events += lines
            if op == "cancel":
                model.instance_open = False
        assert wo.state == model.state, (op, ops)
        assert wo.assignee_id == (model.assignee.pk if model.assignee else None), (op, ops)
        assert WorkOrderEvent.objects.filter(work_order=wo).count() == model.events, (op, ops)
