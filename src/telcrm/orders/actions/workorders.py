"""What people do with work orders (工单): claim, release, complete, return, reassign, escalate.

Each action is one transaction: it checks the permission, fetches the work order through the data
scope (a row outside it is "not found"), locks it, checks the move against the state machine
(:mod:`telcrm.orders.workorder_states`) and who may make it, changes it, writes its history line and
an audit record, and notifies whom it concerns.

- claim: a member of the queue (its role, at its unit or below) takes an open work order;
- release: the assignee (or a supervisor) puts it back in the queue;
- complete: the assignee answers it — an outcome and the task's form — and the process moves on;
- return (退单): the assignee sends it back with a reason; the process gets ``outcome = "returned"``;
- reassign: a supervisor (dispatch permission) gives it to a user, or moves it to another queue unit;
- escalate: the assignee or a supervisor raises it: priority urgent, the supervisors are told, and
  optionally it moves to the queue of a unit above.

Completing and returning lock the process instance first and the work order second — the order in
which the engine locks them too — so the two never deadlock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error
from telcrm.platform.models import OrgUnit, User

from ..models import Priority, ProcessInstance, WorkOrder, WorkOrderMove, WorkOrderState
from ..permissions import DISPATCH_WORKORDER, HANDLE_WORKORDER
from ..workorder_states import TransitionRefused, target
from . import dispatch
from .dispatch import event, in_subtree, is_member, supervisors, tell

AUDIT_FIELDS = ["state", "assignee", "org_unit", "priority", "outcome", "return_reason", "escalation_level"]
MAX_TEXT = 500


def _pk(obj):
    return getattr(obj, "pk", obj)


def _text(value, field: str, *, max_length: int = MAX_TEXT, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise field_error(field, _("At most %(n)s characters."), "max_length", n=max_length)
    return text


def _fetch(actor, work_order, *, lock: bool = True) -> WorkOrder:
    """The work order if ``actor`` may see it (data scope, assignment or queue), locked."""
    qs = WorkOrder.objects.restrict(actor).select_related("org_unit", "queue_role", "assignee", "instance")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=_pk(work_order))
    except (WorkOrder.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _move(wo: WorkOrder, move: str) -> str:
    try:
        return target(wo.state, move)
    except TransitionRefused:
        raise field_error(
            "state",
            _("Work order %(no)s is “%(state)s”; this is not possible now."),
            "invalid_state",
            no=wo.number,
            state=WorkOrderState(wo.state).label,
        ) from None


def _audit(actor, wo: WorkOrder, action: str, before: dict, **extra) -> None:
    audit_write(
        action=f"work_order.{action}",
        actor=actor,
        obj=wo,
        before=before,
        after={**snapshot(wo, AUDIT_FIELDS), **extra},
    )


def _require_assignee(actor, wo: WorkOrder) -> None:
    if wo.assignee_id != actor.pk:
        raise AccessDenied(_("Only the person who claimed this work order may do this."))


# --- claim / release ----------------------------------------------------------------------------------------
@transaction.atomic
def work_order_claim(*, actor, work_order) -> WorkOrder:
    """Take an open work order of one of my queues."""
    require_perm(actor, HANDLE_WORKORDER)
    wo = _fetch(actor, work_order)
    if not is_member(actor, wo):
        raise AccessDenied(_("This work order is not in one of your team queues."))
    before = snapshot(wo, AUDIT_FIELDS)
    state_from = wo.state
    wo.state = _move(wo, WorkOrderMove.CLAIM)
    now = timezone.now()
    wo.assignee, wo.claimed_at, wo.state_changed_at = actor, now, now
    wo.save()
    event(wo, WorkOrderMove.CLAIM, state_from, actor=actor, assignee=actor, at=now)
    _audit(actor, wo, "claim", before)
    return wo


@transaction.atomic
def work_order_release(*, actor, work_order, note: str = "") -> WorkOrder:
    """Put a claimed work order back in its queue (the assignee, or a supervisor)."""
    wo = _fetch(actor, work_order)
    if wo.assignee_id != actor.pk:
        require_perm(actor, DISPATCH_WORKORDER)
    else:
        require_perm(actor, HANDLE_WORKORDER)
    note = _text(note, "note")
    before = snapshot(wo, AUDIT_FIELDS)
    state_from, previous = wo.state, wo.assignee
    wo.state = _move(wo, WorkOrderMove.RELEASE)
    wo.assignee, wo.claimed_at, wo.state_changed_at = None, None, timezone.now()
    wo.save()
    event(wo, WorkOrderMove.RELEASE, state_from, actor=actor, detail=note)
    if previous is not None and previous.pk != actor.pk:
        tell([previous], _("Work order %(no)s was taken back into its queue"), work_order=wo)
    _audit(actor, wo, "release", before, note=note)
    return wo


# --- complete / return --------------------------------------------------------------------------------------
def _lock_for_process(actor, work_order) -> WorkOrder:
    """Lock the work order's process instance, then the work order (the engine's order)."""
    seen = _fetch(actor, work_order, lock=False)
    ProcessInstance.objects.select_for_update(of=("self",)).filter(pk=seen.instance_id).first()
    return _fetch(actor, seen.pk)


def _claim_if_member(actor, wo: WorkOrder) -> None:
    """Completing an open work order of one's own queue claims it on the way."""
    if wo.state == WorkOrderState.OPEN and is_member(actor, wo):
        state_from = wo.state
        wo.state = _move(wo, WorkOrderMove.CLAIM)
        wo.assignee, wo.claimed_at = actor, timezone.now()
        event(wo, WorkOrderMove.CLAIM, state_from, actor=actor, assignee=actor)


def clean_form(wo: WorkOrder, data: dict | None) -> dict:
    """The values of the work order's form fields from ``data``, checked and typed (unanswered ones
    None, or False for a check box); field errors name each wrong field. Keys that are not fields of
    the form are dropped."""
    data = data if isinstance(data, dict) else {}
    values: dict = {}
    errors: dict = {}
    for f in wo.form or []:
        name, kind = f["name"], f.get("type", "text")
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.get("required") and kind != "bool":
                errors[name] = field_error(name, _("This field is required."), "required")
            else:  # an unanswered field is empty in the process data, never an earlier answer
                values[name] = False if kind == "bool" else None
            continue
        try:
            values[name] = _typed(kind, raw, name)
        except ValidationError as exc:
            errors[name] = exc
    if errors:
        raise ValidationError({k: v.error_dict[k] for k, v in errors.items()})
    return values


def _typed(kind: str, raw, name: str):
    if kind == "number":
        try:
            number = Decimal(str(raw).strip())
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise field_error(name, _("Enter a number."), "invalid") from None
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "bool":
        return raw in (True, 1) or str(raw).strip().lower() in ("1", "true", "yes", "on")
    if kind == "date":
        value = raw if isinstance(raw, dt.date) else parse_date(str(raw).strip())
        if value is None:
            raise field_error(name, _("Enter a date such as 2026-05-20."), "invalid")
        return value.isoformat()
    if kind == "datetime":
        value = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw).strip())
        if value is None:
            raise field_error(name, _("Enter a date and time such as 2026-05-20 14:30."), "invalid")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.isoformat()
    if kind == "unit":
        code = str(raw).strip()
        if not OrgUnit.objects.filter(code=code, is_active=True).exists():
            raise field_error(name, _("There is no active org unit %(unit)s."), "not_found", unit=code)
        return code
    if kind == "user":
        username = str(raw).strip()
        if not User.objects.filter(username=username, is_active=True).exists():
            raise field_error(
                name, _("There is no active user %(username)s."), "not_found", username=username
            )
        return username
    return _text(raw, name)


@transaction.atomic
def work_order_complete(
    *, actor, work_order, outcome: str = "", data: dict | None = None, note: str = ""
) -> WorkOrder:
    """Answer my work order: ``outcome`` (one of its outcomes, when it has any) and its form's values
    go into the process data, and the process moves on."""
    from ..processes import engine

    require_perm(actor, HANDLE_WORKORDER)
    wo = _lock_for_process(actor, work_order)
    _claim_if_member(actor, wo)
    _require_assignee(actor, wo)
    codes = [o["code"] for o in wo.outcomes or []]
    outcome = (outcome or "").strip()
    if codes and outcome not in codes:
        raise field_error("outcome", _("Choose one of the outcomes."), "invalid_choice")
    if not codes:
        outcome = "completed"
    note = _text(note, "note")
    values = clean_form(wo, data)
    before = snapshot(wo, AUDIT_FIELDS)
    state_from = wo.state
    wo.state = _move(wo, WorkOrderMove.COMPLETE)
    engine.complete_user_task(wo.instance_id, wo.task_id, data={**values, "outcome": outcome}, actor=actor)
    now = timezone.now()
    wo.outcome, wo.result, wo.note = outcome, values, note
    wo.completed_at, wo.completed_by, wo.state_changed_at = now, actor, now
    wo.save()
    event(wo, WorkOrderMove.COMPLETE, state_from, actor=actor, detail=note or outcome, at=now)
    _audit(actor, wo, "complete", before, result=values)
    return wo


@transaction.atomic
def work_order_return(*, actor, work_order, reason: str) -> WorkOrder:
    """Send my work order back (退单) with a reason; the process decides where it goes
    (``outcome == "returned"``)."""
    from ..processes import engine

    require_perm(actor, HANDLE_WORKORDER)
    reason = _text(reason, "reason", max_length=200, required=True)
    wo = _lock_for_process(actor, work_order)
    _claim_if_member(actor, wo)
    _require_assignee(actor, wo)
    before = snapshot(wo, AUDIT_FIELDS)
    state_from = wo.state
    wo.state = _move(wo, WorkOrderMove.RETURN)
    engine.complete_user_task(
        wo.instance_id, wo.task_id, data={"outcome": "returned", "return_reason": reason}, actor=actor
    )
    now = timezone.now()
    wo.outcome, wo.return_reason = "returned", reason
    wo.completed_at, wo.completed_by, wo.state_changed_at = now, actor, now
    wo.save()
    event(wo, WorkOrderMove.RETURN, state_from, actor=actor, detail=reason, at=now)
    if wo.owner_id and wo.owner_id != actor.pk:
        tell(
            [wo.owner],
            _("Work order %(no)s was returned: %(title)s"),
            _("Order %(key)s."),
            work_order=wo,
            level="warning",
        )
    _audit(actor, wo, "return", before)
    return wo


# --- reassign / escalate ------------------------------------------------------------------------------------
def assign(wo: WorkOrder, new, *, actor, note: str = "", now=None) -> None:
    """Give the locked, active work order to ``new`` (checked by the caller): claimed by them, its history
    line written, they are told. Used by reassign and by the installation dispatcher's assignment."""
    now = now or timezone.now()
    state_from = wo.state
    wo.state = _move(wo, WorkOrderMove.ASSIGN)
    wo.assignee, wo.claimed_at, wo.state_changed_at = new, now, now
    wo.save()
    event(wo, WorkOrderMove.ASSIGN, state_from, actor=actor, assignee=new, detail=note, at=now)
    if new.pk != actor.pk:
        tell([new], _("Work order %(no)s assigned to you: %(title)s"), _("Order %(key)s."), work_order=wo)


def _unit_in_scope(actor, unit, field: str) -> OrgUnit:
    try:
        found = OrgUnit.objects.restrict(actor).filter(pk=_pk(unit), is_active=True).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise field_error(field, _("This unit is outside your data scope."), "out_of_scope")
    return found


@transaction.atomic
def work_order_reassign(*, actor, work_order, assignee=None, queue_unit=None, note: str = "") -> WorkOrder:
    """Give the work order to ``assignee`` (a user who may handle work orders, within the queue's unit),
    or move it to the queue of ``queue_unit`` (open again). A supervisor's action."""
    require_perm(actor, DISPATCH_WORKORDER)
    wo = _fetch(actor, work_order)
    note = _text(note, "note")
    if (assignee is None) == (queue_unit is None):
        raise field_error("assignee", _("Choose either a person or another queue."), "required")
    before = snapshot(wo, AUDIT_FIELDS)
    state_from, previous = wo.state, wo.assignee
    now = timezone.now()
    if queue_unit is not None:
        unit = _unit_in_scope(actor, queue_unit, "queue_unit")
        wo.state = _move(wo, WorkOrderMove.REQUEUE)
        wo.org_unit, wo.assignee, wo.claimed_at, wo.state_changed_at = unit, None, None, now
        wo.save()
        event(wo, WorkOrderMove.REQUEUE, state_from, actor=actor, detail=note or unit.code, at=now)
        new = None
    else:
        try:
            new = User.objects.select_related("org_unit").get(pk=_pk(assignee), is_active=True)
        except (User.DoesNotExist, ValueError, TypeError):
            raise field_error("assignee", _("Choose an active user."), "not_found") from None
        if not new.has_perm(HANDLE_WORKORDER) or not in_subtree(new, wo.org_unit):
            raise field_error(
                "assignee",
                _("%(name)s cannot handle work orders of this queue."),
                "not_member",
                name=str(new),
            )
        assign(wo, new, actor=actor, note=note, now=now)
    if previous is not None and previous.pk not in (actor.pk, getattr(new, "pk", None)):
        tell([previous], _("Work order %(no)s was reassigned"), work_order=wo)
    _audit(actor, wo, "reassign", before, note=note)
    return wo


@transaction.atomic
def work_order_escalate(*, actor, work_order, reason: str, to_unit=None) -> WorkOrder:
    """Raise the work order: priority urgent, one level more, the supervisors told; with ``to_unit``
    (a unit above its queue's, within my scope) it moves to that unit's queue, open again."""
    wo = _fetch(actor, work_order)
    if not (
        actor.has_perm(DISPATCH_WORKORDER)
        or (actor.has_perm(HANDLE_WORKORDER) and (wo.assignee_id == actor.pk or is_member(actor, wo)))
    ):
        raise AccessDenied()
    reason = _text(reason, "reason", max_length=200, required=True)
    before = snapshot(wo, AUDIT_FIELDS)
    state_from = wo.state
    wo.state = _move(wo, WorkOrderMove.ESCALATE)
    now = timezone.now()
    if to_unit is not None:
        unit = _unit_in_scope(actor, to_unit, "to_unit")
        if not wo.org_unit.path.startswith(unit.path) or unit.pk == wo.org_unit_id:
            raise field_error("to_unit", _("Choose a unit above the work order's queue."), "not_above")
        wo.state = _move(wo, WorkOrderMove.REQUEUE)
        wo.org_unit, wo.assignee, wo.claimed_at = unit, None, None
    wo.priority = Priority.URGENT
    wo.escalation_level += 1
    wo.state_changed_at = now
    wo.save()
    event(wo, WorkOrderMove.ESCALATE, state_from, actor=actor, detail=reason, at=now)
    tell(
        supervisors(wo.org_unit),
        _("Work order %(no)s escalated: %(title)s"),
        _("Order %(key)s."),
        work_order=wo,
        level="warning",
    )
    _audit(actor, wo, "escalate", before, reason=reason)
    return wo


__all__ = [
    "assign",
    "clean_form",
    "dispatch",
    "work_order_claim",
    "work_order_complete",
    "work_order_escalate",
    "work_order_reassign",
    "work_order_release",
    "work_order_return",
]
