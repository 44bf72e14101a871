"""The process engine: runs BPMN processes (SpiffWorkflow) one committed step at a time.

Public API (the order module calls these through ``telcrm.orders.actions``)::

    start(key, *, subject=None, data=None, actor, org_unit=None, business_key="", schedule=True)
        -> ProcessInstance
    advance(instance_or_id, *, max_steps=200) -> Advance
    complete_user_task(instance_id, task_id, *, data, actor) -> ProcessInstance   (work-order actions)
    cancel(instance_or_id, *, actor, reason="") -> ProcessInstance
    retry(instance_or_id, *, actor) -> ProcessInstance
    due_instance_ids(*, now=None, limit=500) -> list[int]

How a step runs. :func:`advance` repeats :func:`_step`, each in its own transaction: lock the instance row
(``SELECT … FOR UPDATE SKIP LOCKED`` — a second worker finds it taken and leaves it to the first), load
the workflow from its JSON, fire the timers that are due, run the ready engine tasks (gateways, events,
service and rule tasks) up to and including one task that calls out (a service or rule task), and
write the new state back in the same transaction as everything that task's handler wrote and its
:class:`~telcrm.orders.models.ProcessStep`. A worker killed mid-step leaves the last committed state;
the step runs again from there. Before a handler runs, the engine looks for the step's record: a
handler that already ran for this task is never called twice (its recorded result is used). Handlers
get an idempotency key (``<instance uuid>:<task id>``) for the systems they call.

When nothing is left to run the instance settles: ready user tasks become work orders (and work orders
of tasks that are no longer ready are cancelled), the state becomes ``waiting`` (user tasks, timers,
messages) or ``completed``, and ``wake_at`` holds the next timer, which the scheduled sweep
(``orders.fire_due``) turns into an advance.

A handler that raises :class:`~.registry.TransientError` makes the step wait and run again with
backoff (parameters orders.retry_backoff_seconds, orders.retry_max_attempts); any other error fails
the instance (state ``failed``, the element and the error kept) until an operator retries it.

The subject's module hears of a failure, a retry and a cancellation through the signals of
:mod:`.signals` (the order fails, runs again or is cancelled with its process).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error
from telcrm.platform.parameters import param

from ..models import (
    OPEN_INSTANCE_STATES,
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessVersion,
    StepKind,
    VersionState,
)
from . import signals, state
from .bpmn import CATALOG_DECISIONS, CatalogRuleTask
from .expressions import ProcessScriptEngine
from .registry import StepContext, TransientError, handler_for

logger = logging.getLogger(__name__)

MAX_TASKS_PER_STEP = 500  # a flow looping through gateways without waiting is an error, not a hang
MAX_DATA = 200_000  # characters of JSON a process's data may take


@dataclass(frozen=True)
class Advance:
    """What :func:`advance` did: steps committed, the state it left, whether another worker had it."""

    steps: int
    state: str
    busy: bool = False


class _Pause(Exception):
    """Raised before a second calling-out task: the step ends and commits here."""


class _Loop(Exception):
    pass


# --- helpers --------------------------------------------------------------------------------------------
def _pk(obj):
    return obj.pk if isinstance(obj, models.Model) else obj


def _json_safe(value, field: str = "data"):
    """``value`` as plain JSON (dates become ISO text); a field error when it is not JSON at all."""
    try:
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("The process data must be plain JSON values."), "invalid") from exc
    if len(text) > MAX_DATA:
        raise field_error(field, _("The process data is too large."), "too_long")
    return json.loads(text)


def kick(instance_id: int, *, countdown: float | None = None) -> None:
    """Advance the instance in a worker once the current transaction commits."""
    from ..tasks import advance_instance

    def send():
        try:
            advance_instance.apply_async((instance_id,), countdown=countdown)
        except Exception:  # the broker being down must not fail the commit; the sweep picks it up
            logger.warning("could not queue the advance of process instance %s", instance_id, exc_info=True)

    transaction.on_commit(send)


def _is_calling_out(task) -> bool:
    spec = task.task_spec
    return isinstance(spec, CatalogRuleTask) or hasattr(spec, "operation_name")


def _timer_at(task) -> datetime | None:
    details = task.task_spec.event_definition.details(task)
    value = details.value
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = TimerEventDefinition.get_datetime(value)
        except Exception:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _label(task) -> str:
    spec = task.task_spec
    return (getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name or "")[:100]


# --- the runner of one step --------------------------------------------------------------------------------
class _Runner:
    """Calls handlers and rule tables for the tasks of one step, recording each step once."""

    def __init__(self, instance: ProcessInstance, actor=None):
        self.instance = instance
        self.actor = actor if getattr(actor, "pk", None) else None
        self.current = None  # the task being run (named in an error)

    def _existing(self, task) -> ProcessStep | None:
        return ProcessStep.objects.filter(instance=self.instance, task_id=task.id).first()

    def record(
        self, task, kind: str, *, handler: str = "", key: str = "", result=None, started=None, actor=None
    ):
        spec = task.task_spec
        ms = int((time.perf_counter() - started) * 1000) if started is not None else 0
        ProcessStep.objects.get_or_create(
            instance=self.instance,
            task_id=task.id,
            defaults={
                "element_id": (getattr(spec, "bpmn_id", None) or spec.name)[:100],
                "name": _label(task)[:200],
                "kind": kind,
                "handler": handler[:100],
                "idempotency_key": key[:100],
                "result": result,
                "actor": actor if actor is not None else self.actor,
                "at": timezone.now(),
                "duration_ms": max(ms, 0),
            },
        )

    def idempotency_key(self, task) -> str:
        return f"{self.instance.uuid}:{task.id}"

    def call_service(self, task, operation: str, params: dict) -> str:
        done = self._existing(task)
        if done is not None:  # ran and committed before: never call the handler again
            return json.dumps(done.result if done.result is not None else {})
        handler = handler_for(operation)
        if handler is None:
            raise WorkflowTaskException(f"No handler is registered as '{operation}'", task=task)
        key = self.idempotency_key(task)
        step = StepContext(
            instance=self.instance,
            task_id=str(task.id),
            element_id=task.task_spec.bpmn_id,
            element_name=_label(task),
            operation=operation,
            params={k: (v.get("value") if isinstance(v, dict) else v) for k, v in params.items()},
            data=json.loads(json.dumps(task.data, cls=DjangoJSONEncoder)),
            idempotency_key=key,
            attempt=self.instance.attempts + 1,
        )
        started = time.perf_counter()
        result = handler.fn(step)
        result = _json_safe(result if result is not None else {}, "result")
        self.record(task, StepKind.SERVICE, handler=operation, key=key, result=result, started=started)
        return json.dumps(result)

    def decide(self, task, decision: str, variable: str) -> dict:
        from telcrm.catalog.rules.engine import evaluate

        done = self._existing(task)
        if done is not None:
            return done.result or {}
        data = task.data
        facts = data.get("facts") if isinstance(data.get("facts"), dict) else data
        started = time.perf_counter()
        if decision in CATALOG_DECISIONS:
            outcomes = evaluate(facts, kind=CATALOG_DECISIONS[decision])
        else:
            outcomes = [o for o in evaluate(facts) if o.table == decision]
        result = {
            "denied": any(o.effect == "deny" for o in outcomes),
            "warned": any(o.effect == "warn" for o in outcomes),
            "outcomes": [{**asdict(o), "requires": list(o.requires)} for o in outcomes],
        }
        self.record(task, StepKind.RULE, handler=decision, result=result, started=started)
        return result


# --- loading and saving ----------------------------------------------------------------------------------
def _load(instance: ProcessInstance, runner: _Runner) -> BpmnWorkflow:
    spec, subprocess_specs = state.spec_of(instance.version)
    return state.loads(instance.workflow_json, spec, subprocess_specs, ProcessScriptEngine(runner))


def _lock(pk, *, skip_locked: bool = False) -> ProcessInstance | None:
    qs = ProcessInstance.objects.select_related("version").select_for_update(
        of=("self",), skip_locked=skip_locked
    )
    return qs.filter(pk=pk).first()


def _save(instance: ProcessInstance, workflow, **changes) -> None:
    instance.workflow_json = state.dumps(workflow)
    for k, v in changes.items():
        setattr(instance, k, v)
    instance.save()


def _set_state(instance: ProcessInstance, new: str) -> None:
    if instance.state != new:
        instance.state = new
        instance.state_changed_at = timezone.now()


# --- starting -----------------------------------------------------------------------------------------------
def active_version(key: str) -> ProcessVersion:
    version = (
        ProcessVersion.objects.select_related("definition")
        .filter(definition__key=key, state=VersionState.ACTIVE)
        .first()
    )
    if version is None:
        if not ProcessDefinition.objects.filter(key=key).exists():
            raise field_error("key", _("There is no process %(key)s."), "not_found", key=key)
        raise field_error("key", _("Process %(key)s has no active version."), "no_active_version", key=key)
    return version


def start(
    key: str,
    *,
    subject=None,
    data: dict | None = None,
    actor,
    org_unit=None,
    business_key: str = "",
    schedule: bool = True,
) -> ProcessInstance:
    """A new instance of the active version of process ``key``, in the caller's transaction; it runs
    in a worker once that transaction commits (``schedule=False``: the caller advances it)."""
    if data is not None and not isinstance(data, dict):
        raise field_error("data", _("The process data must be plain JSON values."), "invalid")
    data = _json_safe(dict(data or {}))
    business_key = (business_key or "").strip()
    if len(business_key) > 64:
        raise field_error("business_key", _("At most %(n)s characters."), "max_length", n=64)
    unit = org_unit or getattr(subject, "org_unit", None) or getattr(actor, "org_unit", None)
    if unit is None:
        raise field_error("org_unit", _("Say which org unit the process belongs to."), "required")
    version = active_version(key)
    spec, subprocess_specs = state.spec_of(version)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=ProcessScriptEngine())
    if business_key:
        data.setdefault("business_key", business_key)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(**data)
    owner = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            org_unit=unit,
            owner=owner,
            definition=version.definition,
            version=version,
            business_key=business_key,
            subject_type=ContentType.objects.get_for_model(subject)
            if isinstance(subject, models.Model)
            else None,
            subject_id=str(subject.pk) if isinstance(subject, models.Model) else "",
            state=InstanceState.RUNNING,
            state_changed_at=timezone.now(),
            workflow_json=state.dumps(workflow),
        )
        audit_write(
            action="process.start",
            actor=owner,
            obj=instance,
            after={"key": key, "version": version.number, "business_key": business_key},
        )
    if schedule:
        kick(instance.pk)
    return instance


# --- advancing ---------------------------------------------------------------------------------------------
@dataclass
class _Outcome:
    stop: bool
    state: str = ""
    busy: bool = False


def advance(instance, *, max_steps: int = 200) -> Advance:
    """Run what is ready, one committed step at a time, until the instance waits, ends or fails."""
    pk = _pk(instance)
    steps = 0
    last = ""
    while steps < max_steps:
        outcome = _step(pk)
        if outcome.stop:
            return Advance(steps, outcome.state, outcome.busy)
        steps += 1
        last = outcome.state
    kick(pk)  # still more to do: continue in a fresh task
    return Advance(steps, last)


def _step(pk) -> _Outcome:
    holder: dict = {"element": ""}
    try:
        with transaction.atomic():
            instance = _lock(pk, skip_locked=True)
            if instance is None:
                exists = ProcessInstance.objects.filter(pk=pk).values_list("state", flat=True).first()
                return _Outcome(stop=True, state=exists or "", busy=exists is not None)
            if instance.state not in OPEN_INSTANCE_STATES:
                return _Outcome(stop=True, state=instance.state)
            now = timezone.now()
            if instance.attempts and instance.wake_at and instance.wake_at > now:
                return _Outcome(stop=True, state=instance.state)  # waiting to retry a step
            runner = _Runner(instance)
            workflow = _load(instance, runner)
            ran = _run_ready(workflow, runner, holder)
            if not ran:
                _settle(instance, workflow, now)
                return _Outcome(stop=True, state=instance.state)
            _set_state(instance, InstanceState.RUNNING)
            _save(
                instance,
                workflow,
                steps=instance.steps + 1,
                attempts=0,
                wake_at=None,
                error_task="",
                error_message="",
            )
            return _Outcome(stop=False, state=instance.state)
    except TransientError as exc:
        return _failed(pk, holder["element"], exc, transient=True)
    except Exception as exc:
        logger.warning("process instance %s failed at %s", pk, holder["element"] or "?", exc_info=True)
        return _failed(pk, holder["element"], exc, transient=False)


def _run_ready(workflow: BpmnWorkflow, runner: _Runner, holder: dict) -> int:
    """Run ready engine tasks up to one calling-out task; the number of tasks run."""
    counts = {"run": 0, "calls": 0}

    def will(task):
        if _is_calling_out(task):
            if counts["calls"]:
                raise _Pause()
            counts["calls"] += 1
        if counts["run"] >= MAX_TASKS_PER_STEP:
            raise _Loop()
        holder["element"] = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        runner.current = task

    def did(task):
        counts["run"] += 1
        spec = task.task_spec
        if isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            runner.record(task, StepKind.TIMER)
        elif isinstance(spec, EndEvent):
            runner.record(task, StepKind.END)

    workflow.refresh_timers()
    try:
        workflow.do_engine_steps(will_complete_task=will, did_complete_task=did)
    except _Pause:
        pass
    except _Loop:
        raise WorkflowTaskException(
            f"More than {MAX_TASKS_PER_STEP} steps without waiting: the flow loops", task=runner.current
        ) from None
    return counts["run"]


def _settle(instance: ProcessInstance, workflow: BpmnWorkflow, now) -> None:
    """Nothing left to run: work orders for the ready user tasks, the state, the next timer."""
    from ..actions.dispatch import work_orders_sync

    work_orders_sync(instance, workflow, now=now)
    if workflow.completed:
        _set_state(instance, InstanceState.COMPLETED)
        _save(instance, workflow, completed_at=now, wake_at=None, current="", attempts=0)
        audit_write(action="process.complete", actor=None, obj=instance, after={"steps": instance.steps})
        return
    user = workflow.get_tasks(state=TaskState.READY, manual=True)
    timers = [
        t
        for t in workflow.event_manager.tasks.values()
        if isinstance(t.task_spec.event_definition, TimerEventDefinition)
    ]
    waits = [t for t in workflow.event_manager.tasks.values() if t not in timers]
    moments = [m for m in (_timer_at(t) for t in timers) if m is not None]
    current = [_label(t) for t in user] + [_label(t) for t in timers] + [_label(t) for t in waits]
    _set_state(instance, InstanceState.WAITING)
    _save(
        instance,
        workflow,
        wake_at=min(moments) if moments else None,
        current="、".join(current)[:200],
        attempts=0,
    )


def _failed(pk, element: str, exc: Exception, *, transient: bool) -> _Outcome:
    with transaction.atomic():
        instance = _lock(pk)
        if instance is None or instance.state not in OPEN_INSTANCE_STATES:
            return _Outcome(stop=True, state=instance.state if instance else "")
        now = timezone.now()
        instance.attempts += 1
        instance.error_task = (element or "")[:100]
        instance.error_message = f"{type(exc).__name__}: {exc}"[:2000]
        if transient and instance.attempts < int(param("orders.retry_max_attempts")):
            delay = int(param("orders.retry_backoff_seconds")) * 2 ** (instance.attempts - 1)
            instance.wake_at = now + timedelta(seconds=delay)
            instance.save()
            kick(instance.pk, countdown=delay)
            return _Outcome(stop=True, state=instance.state)
        _set_state(instance, InstanceState.FAILED)
        instance.wake_at = None
        instance.save()
        audit_write(
            action="process.fail",
            actor=None,
            obj=instance,
            after={
                "element": instance.error_task,
                "error": instance.error_message[:500],
                "attempts": instance.attempts,
            },
        )
        _tell_failed(instance)
        return _Outcome(stop=True, state=instance.state)


def _tell_failed(instance: ProcessInstance) -> None:
    """``instance_failed`` to the subject's module (the order fails with it), in a savepoint: a
    receiver's error is logged and its writes undone, the instance's failure is kept."""
    try:
        with transaction.atomic():
            signals.instance_failed.send(sender=ProcessInstance, instance=instance)
    except Exception:
        logger.exception("a receiver of instance_failed failed for process instance %s", instance.pk)


# --- work orders done, operators' actions -------------------------------------------------------------------
def complete_user_task(instance_id, task_id, *, data: dict, actor) -> ProcessInstance:
    """Complete the ready user task ``task_id`` with ``data`` merged into the process data (the caller —
    a work-order action — holds the transaction; the instance is locked here, before the work order)."""
    instance = _lock(instance_id)
    if instance is None:
        raise field_error("instance", _("The process of this work order no longer exists."), "not_found")
    if instance.state not in OPEN_INSTANCE_STATES:
        raise field_error(
            "instance",
            _("The process is %(state)s; its work orders cannot be completed."),
            "process_closed",
            state=InstanceState(instance.state).label,
        )
    runner = _Runner(instance, actor)
    workflow = _load(instance, runner)
    task = workflow.get_task_from_id(task_id if isinstance(task_id, uuid.UUID) else uuid.UUID(str(task_id)))
    if task is None or not task.has_state(TaskState.READY) or not task.task_spec.manual:
        raise field_error("state", _("The process is no longer at this step."), "not_ready")
    values = _json_safe(data)
    task.set_data(**values)
    task.run()
    runner.record(task, StepKind.USER, result=values, actor=runner.actor)
    _set_state(instance, InstanceState.RUNNING)
    _save(instance, workflow)
    kick(instance.pk)
    return instance


def cancel(instance, *, actor, reason: str = "") -> ProcessInstance:
    """Stop an open instance; its open work orders are cancelled. In the caller's transaction."""
    from ..actions.dispatch import work_orders_cancel_all

    with transaction.atomic():
        locked = _lock(_pk(instance))
        if locked is None:
            raise field_error("instance", _("Not found."), "not_found")
        if locked.state not in OPEN_INSTANCE_STATES and locked.state != InstanceState.FAILED:
            raise field_error(
                "state",
                _("Process %(no)s is %(state)s; it cannot be cancelled."),
                "invalid_state",
                no=locked.number,
                state=InstanceState(locked.state).label,
            )
        workflow = _load(locked, _Runner(locked, actor))
        workflow.cancel()
        before = locked.state
        _set_state(locked, InstanceState.CANCELLED)
        _save(locked, workflow, wake_at=None, current="")
        work_orders_cancel_all(locked, actor=actor, reason=reason)
        signals.instance_cancelled.send(sender=ProcessInstance, instance=locked, actor=actor, reason=reason)
        audit_write(
            action="process.cancel",
            actor=actor,
            obj=locked,
            before={"state": before},
            after={"state": locked.state, "reason": reason[:200]},
        )
    return locked


def retry(instance, *, actor) -> ProcessInstance:
    """Run a failed instance again from its last committed step."""
    with transaction.atomic():
        locked = _lock(_pk(instance))
        if locked is None:
            raise field_error("instance", _("Not found."), "not_found")
        if locked.state != InstanceState.FAILED:
            raise field_error("state", _("Only a failed process can be retried."), "not_failed")
        before = {"state": locked.state, "element": locked.error_task, "error": locked.error_message[:500]}
        _set_state(locked, InstanceState.RUNNING)
        locked.attempts = 0
        locked.wake_at = None
        locked.save()
        audit_write(
            action="process.retry", actor=actor, obj=locked, before=before, after={"state": locked.state}
        )
        signals.instance_retried.send(sender=ProcessInstance, instance=locked, actor=actor)
        kick(locked.pk)
    return locked


def due_instance_ids(*, now=None, limit: int = 500) -> list[int]:
    """Open instances whose timer or retry is due, and running ones idle for orders.stuck_minutes."""
    now = now or timezone.now()
    stuck_before = now - timedelta(minutes=int(param("orders.stuck_minutes")))
    due = ProcessInstance.objects.dangerously_unscoped().filter(
        state__in=OPEN_INSTANCE_STATES, wake_at__lte=now
    )
    stuck = ProcessInstance.objects.dangerously_unscoped().filter(
        state=InstanceState.RUNNING, wake_at__isnull=True, updated_at__lt=stuck_before
    )
    ids = list(due.order_by("wake_at").values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        ids += [
            i
            for i in stuck.order_by("updated_at").values_list("pk", flat=True)[: limit - len(ids)]
            if i not in ids
        ]
    return ids


def waiting_tasks(instance: ProcessInstance) -> dict:
    """For the instance page: ids of the elements done, ready and waiting (to mark the diagram)."""
    workflow = _load(instance, _Runner(instance))
    done, active = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.has_state(TaskState.COMPLETED):
            done.add(bpmn_id)
        elif task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            active.add(bpmn_id)
    data = workflow.last_task.data if workflow.last_task is not None else {}
    return {"done": sorted(done - active), "active": sorted(active), "data": data}


def workflow_data(instance: ProcessInstance) -> dict:
    return waiting_tasks(instance)["data"]
