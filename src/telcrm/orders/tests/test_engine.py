"""The process engine end to end: start, user tasks as work orders, service handlers, version pinning,
resuming after a crash without running a handler twice, failures and retries, timers, cancellation,
rule tasks over the catalog's decision tables."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from telcrm.orders import actions
from telcrm.orders.models import InstanceState, ProcessStep, StepKind, WorkOrder, WorkOrderState
from telcrm.orders.processes import engine
from telcrm.orders.processes.registry import TransientError, service_task
from telcrm.orders.testing import chain, service, timer, user

pytestmark = pytest.mark.django_db

CALLS: Counter = Counter()
BEHAVIOUR: dict = {}


class SimulatedCrash(BaseException):
    """What a SIGKILL looks like to the code: nothing after it runs, no except clause catches it."""


def _handler(name):
    def handle(step):
        CALLS[name] += 1
        action = BEHAVIOUR.get(name)
        if action is not None:
            BEHAVIOUR.pop(name)
            raise action
        return {"handler": name, "key": step.idempotency_key, "echo": step.params}

    return handle


for _n in ("test.first", "test.second", "test.third"):
    service_task(_n)(_handler(_n))


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    BEHAVIOUR.clear()
    yield


THREE = chain(
    service("first", "test.first", result="first", params={"msisdn": "msisdn"}),
    service("second", "test.second", result="second"),
    service("third", "test.third", result="third"),
)


def _data(instance):
    return engine.workflow_data(instance)


# --- a whole order: new line ---------------------------------------------------------------------------
def test_new_line_runs_from_verification_to_archive(carrier, bo_team, publish, run):
    publish("order.new_line", "new_line")
    clerk, handler = carrier["clerk"], carrier["bo_handler"]
    instance = actions.process_start(
        key="order.new_line", actor=clerk, data={"msisdn": "13800000001"}, business_key="DD0001"
    )
    assert instance.state == InstanceState.RUNNING and instance.org_unit == carrier.branch

    run(instance)
    assert instance.state == InstanceState.WAITING
    wo = WorkOrder.objects.get(instance=instance)
    assert (wo.element_id, wo.category, wo.state) == ("verify", "verification", WorkOrderState.OPEN)
    assert wo.queue_role.code == "backoffice" and wo.org_unit == bo_team  # @city/BO1 of the branch's city
    assert wo.origin_unit == carrier.branch and wo.owner == clerk and wo.business_key == "DD0001"
    assert wo.warn_at < wo.due_at and wo.sla_minutes == 120  # the verification category's SLA
    assert instance.current == "订单核定"

    actions.work_order_claim(actor=handler, work_order=wo)
    actions.work_order_complete(actor=handler, work_order=wo)
    run(instance)
    assert instance.state == InstanceState.COMPLETED and instance.completed_at is not None
    steps = list(ProcessStep.objects.filter(instance=instance).values_list("element_id", "kind"))
    assert steps == [
        ("verify", StepKind.USER),
        ("open_account", StepKind.SERVICE),
        ("activate_line", StepKind.SERVICE),
        ("billing_entry", StepKind.SERVICE),
        ("archive", StepKind.SERVICE),
        ("end", StepKind.END),
    ]
    data = _data(instance)
    assert data["provisioning"]["handler"] == "network.activate_line"
    assert data["provisioning"]["params"]["msisdn"] == "13800000001"
    assert data["archive"]["idempotency_key"].startswith(str(instance.uuid))


def test_returned_verification_goes_back_to_the_counter(carrier, bo_team, publish, run):
    publish("order.new_line", "new_line")
    handler = carrier["bo_handler"]
    instance = actions.process_start(key="order.new_line", actor=carrier["clerk"])
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    actions.work_order_claim(actor=handler, work_order=wo)
    actions.work_order_return(actor=handler, work_order=wo, reason="证件照片不清晰")
    run(instance)
    assert instance.state == InstanceState.COMPLETED
    elements = set(ProcessStep.objects.filter(instance=instance).values_list("element_id", flat=True))
    assert "return_to_counter" in elements and "open_account" not in elements
    assert _data(instance)["return_reason"] == "证件照片不清晰"


def test_start_needs_an_active_version(carrier, publish):
    with pytest.raises(Exception) as exc:
        actions.process_start(key="order.nothing", actor=carrier["clerk"])
    assert "key" in exc.value.message_dict
    version = publish("order.test", THREE)
    actions.process_version_retire(actor=carrier["admin"], version=version)
    with pytest.raises(Exception) as exc:
        actions.process_start(key="order.test", actor=carrier["clerk"])
    assert exc.value.message_dict["key"]


def test_process_data_must_be_json(carrier, publish):
    publish("order.test", THREE)
    with pytest.raises(Exception) as exc:
        actions.process_start(key="order.test", actor=carrier["clerk"], data={"x": object()})
    assert "data" in exc.value.message_dict


# --- version pinning ----------------------------------------------------------------------------------------
def test_running_instances_keep_their_version(carrier, publish, run):
    v1 = publish("order.test", chain(user("approve"), service("first", "test.first")))
    old = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(old)
    v2 = publish("order.test", chain(user("approve"), service("second", "test.second")))
    v1.refresh_from_db()
    assert (v1.state, v2.state) == ("retired", "active")
    new = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(new)
    assert old.version_id == v1.pk and new.version_id == v2.pk
    backoffice = carrier["backoffice"]
    for instance in (old, new):
        wo = WorkOrder.objects.get(instance=instance)
        actions.work_order_complete(actor=backoffice, work_order=wo)
        run(instance)
        assert instance.state == InstanceState.COMPLETED
    assert CALLS == {"test.first": 1, "test.second": 1}
    assert ProcessStep.objects.filter(instance=old, element_id="first").exists()
    assert ProcessStep.objects.filter(instance=new, element_id="second").exists()


# --- crashes, failures, retries -----------------------------------------------------------------------------
def test_a_killed_worker_resumes_without_repeating_handlers(carrier, publish, run):
    publish("order.test", THREE)
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], data={"msisdn": "13900000000"})
    BEHAVIOUR["test.second"] = SimulatedCrash()
    with pytest.raises(SimulatedCrash):
        engine.advance(instance)
    instance.refresh_from_db()
    assert instance.state == InstanceState.RUNNING and instance.steps == 1  # the first step committed
    assert list(ProcessStep.objects.filter(instance=instance).values_list("element_id", flat=True)) == [
        "first"
    ]
    run(instance)
    assert instance.state == InstanceState.COMPLETED
    assert CALLS == {"test.first": 1, "test.second": 2, "test.third": 1}
    assert ProcessStep.objects.filter(instance=instance, kind=StepKind.SERVICE).count() == 3


def test_a_recorded_step_is_never_run_again(carrier, publish, run):
    """Even when the workflow state lags behind the step records, the handler is not called again: its
    recorded result is used."""
    publish("order.test", THREE)
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    before = instance.workflow_json
    run(instance)
    assert CALLS == {"test.first": 1, "test.second": 1, "test.third": 1}
    instance.workflow_json = before  # as if the state of the later steps had been lost
    instance.state = InstanceState.RUNNING
    instance.save()
    run(instance)
    assert instance.state == InstanceState.COMPLETED
    assert CALLS == {"test.first": 1, "test.second": 1, "test.third": 1}
    assert _data(instance)["second"]["handler"] == "test.second"


def test_a_failing_handler_fails_the_process_until_retried(carrier, publish, run):
    publish("order.test", THREE)
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    BEHAVIOUR["test.second"] = RuntimeError("billing said no")
    run(instance)
    assert instance.state == InstanceState.FAILED
    assert instance.error_task == "second" and "billing said no" in instance.error_message
    with pytest.raises(Exception):
        actions.process_retry(actor=carrier["clerk"], instance=instance)  # operators only
    actions.process_retry(actor=carrier["admin"], instance=instance)
    run(instance)
    assert instance.state == InstanceState.COMPLETED and instance.error_message == ""
    assert CALLS == {"test.first": 1, "test.second": 2, "test.third": 1}


def test_transient_errors_retry_with_backoff(carrier, publish, run, set_param):
    set_param("orders.retry_max_attempts", 2)
    publish("order.test", THREE)
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    BEHAVIOUR["test.second"] = TransientError("billing busy")
    run(instance)
    assert instance.state == InstanceState.RUNNING and instance.attempts == 1
    assert instance.wake_at > timezone.now()
    run(instance)  # not yet: the backoff has not passed
    assert CALLS["test.second"] == 1
    assert instance.pk in engine.due_instance_ids(now=instance.wake_at + dt.timedelta(seconds=1))
    instance.wake_at = timezone.now() - dt.timedelta(seconds=1)
    instance.save()
    BEHAVIOUR["test.second"] = TransientError("still busy")
    run(instance)
    assert instance.state == InstanceState.FAILED and instance.attempts == 2  # out of attempts


def test_a_flow_that_loops_without_waiting_fails(carrier, publish, run):
    from telcrm.orders.testing import document, flow

    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" default="back"/>'
        '<bpmn:endEvent id="end"/>'
        + flow("f0", "start", "gw")
        + flow("back", "gw", "gw")
        + flow("out", "gw", "end", "never == 1")
    )
    publish("order.test", document(body))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    assert instance.state == InstanceState.FAILED and "loops" in instance.error_message


# --- timers, cancellation -----------------------------------------------------------------------------------
class _Clock(dt.datetime):
    offset = dt.timedelta()

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.now(tz) + cls.offset


def test_a_timer_waits_and_fires_when_due(carrier, publish, run):
    publish("order.test", chain(timer("wait", '"PT10M"'), service("first", "test.first")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    assert instance.state == InstanceState.WAITING and CALLS["test.first"] == 0
    assert dt.timedelta(minutes=9) < instance.wake_at - timezone.now() <= dt.timedelta(minutes=10)
    assert instance.pk not in engine.due_instance_ids()
    assert instance.pk in engine.due_instance_ids(now=instance.wake_at)
    with mock.patch("SpiffWorkflow.bpmn.specs.event_definitions.timer.datetime", _Clock):
        _Clock.offset = dt.timedelta(minutes=11)
        run(instance)
    assert instance.state == InstanceState.COMPLETED and CALLS["test.first"] == 1
    assert ProcessStep.objects.filter(instance=instance, element_id="wait", kind=StepKind.TIMER).exists()


def test_broadband_dispatch_installation_and_timer(carrier, publish, run):
    publish("order.broadband", "broadband")
    backoffice, installer = carrier["backoffice"], carrier["installer"]
    instance = actions.process_start(key="order.broadband", actor=carrier["clerk"], business_key="KD1")
    run(instance)
    verify = WorkOrder.objects.get(instance=instance, element_id="verify")
    actions.work_order_complete(actor=backoffice, work_order=verify)
    run(instance)
    dispatch = WorkOrder.objects.get(instance=instance, element_id="dispatch")
    assert [f["name"] for f in dispatch.form] == ["install_team", "appointment_at", "installer"]
    with pytest.raises(ValidationError) as exc:
        actions.work_order_complete(actor=backoffice, work_order=dispatch, data={"install_team": "NOPE"})
    assert set(exc.value.message_dict) == {"install_team", "appointment_at"}
    actions.work_order_complete(
        actor=backoffice,
        work_order=dispatch,
        data={
            "install_team": carrier.team.code,
            "appointment_at": "2026-05-20 14:30",
            "installer": installer.username,
        },
    )
    run(instance)
    install = WorkOrder.objects.get(instance=instance, element_id="install")
    assert install.org_unit == carrier.team and install.queue_role.code == "installer"
    assert install.assignee == installer and install.state == WorkOrderState.CLAIMED  # pre-assigned
    actions.work_order_return(actor=installer, work_order=install, reason="客户不在家")
    run(instance)
    again = WorkOrder.objects.filter(instance=instance, element_id="dispatch").order_by("id")
    assert again.count() == 2 and again.last().state == WorkOrderState.OPEN  # back to dispatch
    actions.work_order_complete(
        actor=backoffice,
        work_order=again.last(),
        data={"install_team": carrier.team.code, "appointment_at": "2026-05-21 09:00"},
    )
    run(instance)
    install = WorkOrder.objects.filter(instance=instance, element_id="install").order_by("id").last()
    assert install.state == WorkOrderState.OPEN
    actions.work_order_claim(actor=installer, work_order=install)
    actions.work_order_complete(
        actor=installer,
        work_order=install,
        outcome="installed",
        data={"port_no": "OLT-3/1/7", "cable_meters": "35"},
    )
    run(instance)
    assert instance.state == InstanceState.WAITING and instance.wake_at is not None  # the line test timer
    with mock.patch("SpiffWorkflow.bpmn.specs.event_definitions.timer.datetime", _Clock):
        _Clock.offset = dt.timedelta(minutes=11)
        run(instance)
    assert instance.state == InstanceState.COMPLETED
    data = _data(instance)
    assert data["cable_meters"] == 35 and data["port_no"] == "OLT-3/1/7" and data["signal_ok"] is False
    assert CALLS == {}  # only the shipped stand-in handlers ran


def test_cancelling_a_process_cancels_its_work_orders(carrier, publish, run):
    publish("order.test", chain(user("approve")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    actions.process_cancel(actor=carrier["admin"], instance=instance, reason="客户撤单")
    wo.refresh_from_db()
    instance.refresh_from_db()
    assert instance.state == InstanceState.CANCELLED and wo.state == WorkOrderState.CANCELLED
    assert wo.events.last().detail == "客户撤单"
    with pytest.raises(Exception):
        actions.work_order_complete(actor=carrier["backoffice"], work_order=wo)


def test_a_boundary_timer_cancels_the_work_order_it_interrupts(carrier, publish, run):
    from telcrm.orders.testing import document, flow

    body = (
        '<bpmn:startEvent id="start"/>'
        + user("approve")
        + '<bpmn:boundaryEvent id="too_late" attachedToRef="approve" cancelActivity="true">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:boundaryEvent>"
        + service("first", "test.first")
        + '<bpmn:endEvent id="end"/><bpmn:endEvent id="end2"/>'
        + flow("f0", "start", "approve")
        + flow("f1", "approve", "end")
        + flow("f2", "too_late", "first")
        + flow("f3", "first", "end2")
    )
    publish("order.test", document(body))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    assert wo.state == WorkOrderState.OPEN and instance.wake_at is not None
    with mock.patch("SpiffWorkflow.bpmn.specs.event_definitions.timer.datetime", _Clock):
        _Clock.offset = dt.timedelta(hours=2)
        run(instance)
    wo.refresh_from_db()
    assert instance.state == InstanceState.COMPLETED and CALLS["test.first"] == 1
    assert wo.state == WorkOrderState.CANCELLED


# --- conditions and rule tasks ------------------------------------------------------------------------------
def test_gateway_conditions_route_on_process_data(carrier, publish, run):
    publish("order.suspend_resume", "suspend_resume")
    suspend = actions.process_start(
        key="order.suspend_resume", actor=carrier["clerk"], data={"action": "suspend"}
    )
    resume = actions.process_start(
        key="order.suspend_resume", actor=carrier["clerk"], data={"action": "resume"}
    )
    for instance in (suspend, resume):
        run(instance)
        assert instance.state == InstanceState.COMPLETED
    ran = lambda i: set(ProcessStep.objects.filter(instance=i).values_list("element_id", flat=True))  # noqa: E731
    assert {"suspend_line", "billing_suspend"} <= ran(suspend) and "resume_line" not in ran(suspend)
    assert {"resume_line", "billing_resume"} <= ran(resume) and "suspend_line" not in ran(resume)


def _lines_table(admin):
    from telcrm.catalog.rules import actions as rule_actions
    from telcrm.catalog.rules import dmn

    grid = dmn.Grid(
        columns=[dmn.Column("input_1", "live_lines", "live_lines")],
        rows=[dmn.Row("five", ["> 4"], "deny", "一证最多五号", "At most five lines per ID")],
        decision_id="lines",
        name="lines",
    )
    table = rule_actions.rule_table_create(
        actor=admin, code="T-LINES", name="一证五号", kind="eligibility", dmn_xml=dmn.to_xml(grid)
    )
    rule_actions.rule_version_publish(actor=admin, version=table.versions.get())


def test_rule_tasks_ask_the_catalog_rule_tables(carrier, publish, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _lines_table(carrier["admin"])
    publish("order.plan_change", "plan_change")
    refused = actions.process_start(
        key="order.plan_change",
        actor=carrier["clerk"],
        data={"facts": {"live_lines": 5, "offering": "5G-CX-128"}},
    )
    allowed = actions.process_start(
        key="order.plan_change",
        actor=carrier["clerk"],
        data={"facts": {"live_lines": 1, "offering": "5G-CX-128"}},
    )
    for instance in (refused, allowed):
        run(instance)
        assert instance.state == InstanceState.COMPLETED
    rules = _data(refused)["rules"]
    assert rules["denied"] is True and rules["outcomes"][0]["table"] == "T-LINES"
    assert "return_to_counter" in set(
        ProcessStep.objects.filter(instance=refused).values_list("element_id", flat=True)
    )
    assert _data(allowed)["rules"]["denied"] is False
    assert ProcessStep.objects.filter(instance=allowed, element_id="archive").exists()


def test_instances_are_found_by_their_subject(carrier, publish):
    publish("order.test", chain(user("approve")))
    branch = carrier.branch  # any model row can be the subject (the order module's orders later)
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], subject=branch)
    assert instance.subject == branch and instance.subject_id == str(branch.pk)
    from telcrm.orders import queries

    assert list(queries.instances_for_subject(branch)) == [instance]
    assert list(queries.instances_for_subject(carrier.other_branch)) == []
