"""Adapter commands through the outbox: written in the caller's transaction, run by the dispatcher
with their idempotency key, retried with back-off, dead after the last attempt, replayed by an
operator; the completion handler resumes the caller; the simulator applies each key once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from telcrm.integration import actions, commands
from telcrm.integration.adapters import get_adapter
from telcrm.integration.adapters.base import RetryableError
from telcrm.integration.dispatch import claim, dispatch_due, record_failure, retry_delay
from telcrm.integration.models import Command, SimulatedCall, SimulatedResource, State
from telcrm.platform.models import AuditLog

pytestmark = pytest.mark.django_db

CALLS: list[tuple[str, str, dict | None]] = []
FAIL_NEXT = {"n": 0}


@commands.completion_handler("tests.record")
def _record(command, result):
    if FAIL_NEXT["n"]:
        FAIL_NEXT["n"] -= 1
        raise RuntimeError("the order is locked")
    CALLS.append((command.key, command.state, result))


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAIL_NEXT["n"] = 0


def _activate(key="order:O1:activate", msisdn="13800000001", **kw):
    with transaction.atomic():
        return commands.request(
            "network",
            "activate_line",
            {"msisdn": msisdn, "iccid": "89860000000000000001"},
            key=key,
            on_done="tests.record",
            **kw,
        )


def test_a_request_in_a_rolled_back_transaction_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        _activate()
        raise RuntimeError("the order failed validation")
    assert not Command.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        commands.request("network", "resume_line", {"msisdn": "13800000001"}, key="k")
    assert not Command.objects.exists()


@pytest.mark.parametrize(
    ("adapter", "operation", "payload", "message"),
    [
        ("boss", "open_account", {}, "unknown adapter"),
        ("network", "fly", {}, "no operation"),
        ("network", "activate_line", {"msisdn": "1"}, "iccid"),
        ("network", "resume_line", {"msisdn": "1", "colour": "red"}, "colour"),
    ],
)
def test_mistakes_of_the_calling_code_show_at_request_time(adapter, operation, payload, message):
    with pytest.raises(ValueError, match=message), transaction.atomic():
        commands.request(adapter, operation, payload, key="k")


def test_an_unknown_completion_handler_is_refused():
    with pytest.raises(ValueError, match="completion handler"), transaction.atomic():
        commands.request("network", "resume_line", {"msisdn": "1"}, key="k", on_done="nobody.listens")


def test_the_same_key_answers_the_same_command_and_refuses_other_arguments():
    first = _activate()
    assert _activate().pk == first.pk
    with pytest.raises(ValueError, match="other arguments"):
        _activate(msisdn="13900000000")
    assert Command.objects.count() == 1


def test_success_stores_the_result_and_calls_the_completion_handler(carrier):
    cmd = _activate(aggregate=("orders.order", 7), org_unit=carrier.branch)
    assert dispatch_due() == {"done": 1}
    cmd.refresh_from_db()
    assert cmd.state == State.DONE and cmd.attempts == 1 and cmd.finished_at
    assert cmd.result["status"] == "active" and cmd.result["imsi"].startswith("46000")
    assert [("order:O1:activate", State.DONE, cmd.result)] == CALLS
    assert commands.for_aggregate(("orders.order", 7)) == [cmd]
    assert cmd.org_unit_id == carrier.branch.pk


def test_failures_retry_with_back_off_then_land_in_the_error_queue(set_param, clock):
    set_param("integration.simulator_faults", {"network.activate_line": -1})
    set_param("integration.max_attempts", 3)
    set_param("integration.retry_base_seconds", 10)
    set_param("integration.retry_max_seconds", 15)
    cmd = _activate()
    assert dispatch_due(now=clock.now) == {"failed": 1}
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts, cmd.error_code) == (State.FAILED, 1, "simulated_outage")
    assert cmd.next_attempt_at == clock.now + retry_delay(1, base=10, cap=15)
    assert dispatch_due(now=clock.advance(9)) == {}  # not due yet
    assert dispatch_due(now=clock.advance(1)) == {"failed": 1}
    cmd.refresh_from_db()
    assert cmd.next_attempt_at == clock.now + retry_delay(2, base=10, cap=15)  # 20 s, capped at 15
    assert (cmd.next_attempt_at - clock.now).total_seconds() == 15
    assert dispatch_due(now=clock.advance(15)) == {"dead": 1}
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts) == (State.DEAD, 3)
    assert "simulated outage" in cmd.last_error
    assert dispatch_due(now=clock.advance(3600)) == {}  # dead rows wait for an operator
    call = SimulatedCall.objects.get(key=cmd.key)
    assert (call.received, call.failures, call.applied) == (3, 3, False)
    assert CALLS == []


def test_replay_of_a_dead_command_runs_it_again_and_is_audited(carrier, set_param, clock):
    set_param("integration.simulator_faults", {"network.activate_line": -1})
    set_param("integration.max_attempts", 1)
    cmd = _activate()
    dispatch_due(now=clock.now)
    cmd.refresh_from_db()
    assert cmd.state == State.DEAD
    set_param("integration.simulator_faults", {})
    with pytest.raises(ValidationError):  # a done command cannot be discarded or replayed twice
        actions.command_discard(actor=carrier["admin"], command=cmd, reason="")
    actions.command_replay(actor=carrier["admin"], command=cmd)
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts, cmd.replays) == (State.PENDING, 0, 1)
    assert AuditLog.objects.filter(action="command.replay", object_id=str(cmd.pk)).exists()
    assert dispatch_due(now=clock.now) == {"done": 1}
    cmd.refresh_from_db()
    assert cmd.state == State.DONE and len(CALLS) == 1
    assert SimulatedCall.objects.get(key=cmd.key).applied
    with pytest.raises(ValidationError) as exc:
        actions.command_replay(actor=carrier["admin"], command=cmd)
    assert exc.value.error_dict["state"][0].code == "invalid_state"


def test_discarding_a_command_tells_the_waiting_process(carrier, set_param, clock):
    set_param("integration.simulator_faults", {"network.activate_line": "reject"})
    cmd = _activate()
    assert dispatch_due(now=clock.now) == {"dead": 1}  # a refusal is permanent: no retries
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts, cmd.error_code) == (State.DEAD, 1, "rejected")
    actions.command_discard(actor=carrier["admin"], command=cmd, reason="customer withdrew the order")
    cmd.refresh_from_db()
    assert cmd.state == State.DISCARDED and cmd.last_error.startswith("discarded: customer withdrew")
    assert [(cmd.key, State.DISCARDED, None)] == CALLS
    entry = AuditLog.objects.get(action="command.discard", object_id=str(cmd.pk))
    assert entry.after["reason"] == "customer withdrew the order"


def test_a_discard_the_waiting_process_refuses_changes_nothing(carrier, set_param, clock):
    set_param("integration.simulator_faults", {"network.activate_line": "reject"})
    cmd = _activate()
    dispatch_due(now=clock.now)
    FAIL_NEXT["n"] = 1
    with pytest.raises(ValidationError) as exc:
        actions.command_discard(actor=carrier["admin"], command=cmd, reason="give up")
    assert exc.value.error_dict["__all__"][0].code == "handler_failed"
    cmd.refresh_from_db()
    assert cmd.state == State.DEAD


def test_a_failing_completion_handler_is_retried_and_the_adapter_applies_once(clock):
    cmd = _activate()
    FAIL_NEXT["n"] = 1
    assert dispatch_due(now=clock.now) == {"failed": 1}
    cmd.refresh_from_db()
    assert cmd.state == State.FAILED and cmd.error_code == "handler_failed" and cmd.result is None
    assert "the order is locked" in cmd.last_error
    assert dispatch_due(now=clock.advance(3600)) == {"done": 1}
    call = SimulatedCall.objects.get(key=cmd.key)
    assert (call.received, call.applied) == (2, True)
    assert len(CALLS) == 1


def test_a_worker_dying_mid_call_is_covered_by_the_lease_and_the_key(set_param, clock):
    """The worker called the simulator and died before recording it: after the lease another
    dispatcher runs the command again with the same key, and the simulator applies it once."""
    set_param("integration.lease_seconds", 60)
    cmd = _activate()
    taken = claim(Command, clock.now)
    get_adapter("network").call(taken.operation, taken.payload, key=taken.key)  # ...and the worker dies
    assert dispatch_due(now=clock.advance(59)) == {}  # still held by the dead worker
    assert dispatch_due(now=clock.advance(1)) == {"done": 1}
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts) == (State.DONE, 2)
    call = SimulatedCall.objects.get(key=cmd.key)
    assert (call.received, call.applied) == (2, True)
    line = SimulatedResource.objects.get(adapter="network", kind="line", ref="13800000001")
    assert line.state["status"] == "active"
    # the dead worker, had it woken up, finds the row taken by the other and records nothing
    assert record_failure(taken, RetryableError("late"), clock.now) == "lost"
    cmd.refresh_from_db()
    assert cmd.state == State.DONE
    assert len(CALLS) == 1


def test_the_simulator_enforces_the_network_rules():
    net = get_adapter("network")
    net.activate_line(key="a1", msisdn="13800000009", iccid="8986001")
    with pytest.raises(Exception, match="in service") as exc:
        net.activate_line(key="a2", msisdn="13800000009", iccid="8986002")
    assert exc.value.code == "line_in_service" and not exc.value.retryable
    assert net.suspend_line(key="s1", msisdn="13800000009")["status"] == "suspended"
    assert net.deactivate_line(key="d1", msisdn="13800000009")["status"] == "deactivated"
    with pytest.raises(Exception, match="deactivated"):
        net.resume_line(key="r1", msisdn="13800000009")
    first = net.activate_port(key="p1", element="OLT-1", address="文三路 1 号", bandwidth_mbps=300)
    second = net.activate_port(key="p2", element="OLT-1", address="文三路 2 号", bandwidth_mbps=300)
    assert (first["port"], second["port"]) == ("OLT-1/0/1", "OLT-1/0/2")
    assert net.activate_port(key="p1", element="OLT-1", address="文三路 1 号", bandwidth_mbps=300) == first


def test_the_billing_simulator_keeps_accounts():
    billing = get_adapter("billing")
    opened = billing.open_account(key="o1", account_no="A1", customer_no="C1", name="张三", plan="P1")
    assert opened == billing.open_account(key="o1", account_no="A1", customer_no="C1", name="张三", plan="P1")
    again = billing.open_account(key="o2", account_no="A1", customer_no="C1", name="张三")  # a second line
    assert (again["status"], again["existing"], again["billing_id"]) == ("open", True, opened["billing_id"])
    with pytest.raises(Exception, match="exists") as exc:  # someone else's account number
        billing.open_account(key="o3", account_no="A1", customer_no="C2", name="李四")
    assert exc.value.code == "account_exists"
    assert billing.add_addon(key="x1", account_no="A1", msisdn="138", addon="VIDEO")["addons"] == ["VIDEO"]
    closed = billing.close_account(key="c1", account_no="A1")
    assert closed["status"] == "closed" and set(closed) >= {"balance", "arrears"}
    with pytest.raises(Exception, match="closed"):
        billing.change_plan(key="x2", account_no="A1", msisdn="138", plan="P2")
    balance = billing.query_balance(key="q", account_no="A1")
    assert balance == billing.query_balance(key="q2", account_no="A1")  # deterministic
    with pytest.raises(Exception, match="used for"):
        billing.close_account(key="o1", account_no="A1")  # a key is one call
