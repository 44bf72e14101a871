"""Work orders from user tasks (分类派单): which queue, who, by when.

The engine calls :func:`work_orders_sync` in the transaction of the step that leaves an instance
waiting: every ready user task gets its work order (once: unique per instance and task), and every
open work order whose task is no longer ready (a boundary timer took the flow elsewhere, the process
was cancelled) is cancelled.

A work order's queue is a role at an org unit, resolved from the task's properties
(:mod:`telcrm.orders.processes.usertasks`) against the unit the business came from; its deadline is
its SLA in working minutes on the work calendar (platform.calendar: working hours, public holidays
and make-up days), with the warning at orders.sla_warn_percent of it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from SpiffWorkflow.util.task import TaskState

from telcrm.platform import calendar
from telcrm.platform.actions import notify
from telcrm.platform.auditing import audit_write
from telcrm.platform.models import DictItem, OrgKind, OrgUnit, Role, User
from telcrm.platform.parameters import param

from ..models import Priority, WorkOrder, WorkOrderEvent, WorkOrderMove, WorkOrderState
from ..models.workorder import PRIORITY_CODES, ancestor_ids
from ..processes import usertasks
from ..workorder_states import ACTIVE, target

VARIABLE_RE = re.compile(r"^\$([A-Za-z][A-Za-z0-9_]{0,49})$")


class DispatchError(Exception):
    """A user task whose queue cannot be resolved (a role or unit that no longer exists)."""


@dataclass(frozen=True)
class Deadline:
    sla_minutes: int
    calendar: str
    warn_at: datetime
    due_at: datetime


# --- queues ----------------------------------------------------------------------------------------------
def _nearest(origin: OrgUnit, kind: str) -> OrgUnit | None:
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ancestor_ids(origin))}
    for pk in reversed(ancestor_ids(origin)):
        unit = units.get(pk)
        if unit is not None and unit.kind == kind:
            return unit
    return None


def _active_unit(code) -> OrgUnit | None:
    if not isinstance(code, str) or not code:
        return None
    return OrgUnit.objects.filter(code=code, is_active=True).first()


def resolve_unit(spec: str, origin: OrgUnit, data: dict) -> OrgUnit:
    """The unit of a queue written as @origin / @city / @province / @city/SUFFIX / $name / a code."""
    spec = spec or usertasks.DEFAULT_QUEUE_UNIT
    if spec == "@origin":
        return origin
    m = VARIABLE_RE.match(spec)
    if m:
        unit = _active_unit(data.get(m.group(1)))
        if unit is None:
            raise DispatchError(f"process data {m.group(1)!r} names no active org unit")
        return unit
    if spec.startswith("@"):
        kind = OrgKind.PROVINCE if spec == "@province" else OrgKind.CITY
        found = _nearest(origin, kind) or origin
        if spec.startswith("@city/"):
            return _active_unit(f"{found.code}-{spec.split('/', 1)[1]}") or found
        return found
    unit = _active_unit(spec)
    if unit is None:
        raise DispatchError(f"there is no active org unit {spec!r}")
    return unit


def in_subtree(user, unit: OrgUnit) -> bool:
    return bool(user.org_unit_id) and user.org_unit.path.startswith(unit.path)


def is_member(user, work_order: WorkOrder) -> bool:
    """Whether ``user`` belongs to the work order's queue: its role, at its unit or below."""
    return bool(
        user is not None
        and user.is_active
        and user.role_id == work_order.queue_role_id
        and in_subtree(user, work_order.org_unit)
    )


def queue_members(work_order: WorkOrder, *, limit: int = 50) -> list[User]:
    unit = work_order.org_unit
    return list(
        User.objects.filter(
            is_active=True, role_id=work_order.queue_role_id, org_unit__path__startswith=unit.path
        ).order_by("pk")[:limit]
    )


def supervisors(unit: OrgUnit, *, limit: int = 20) -> list[User]:
    """Active users who may dispatch work orders, at the unit or the nearest unit above it with any."""
    perm = Q(
        role__permissions__codename="dispatch_workorder", role__permissions__content_type__app_label="orders"
    )
    for pk in reversed(ancestor_ids(unit)):
        users = list(
            User.objects.filter(perm, is_active=True, org_unit_id=pk).distinct().order_by("pk")[:limit]
        )
        if users:
            return users
    return []


def _user(value) -> User | None:
    if not isinstance(value, str) or not value:
        return None
    return User.objects.filter(username=value, is_active=True).select_related("org_unit").first()


# --- deadlines ----------------------------------------------------------------------------------------------
def category_extra(code: str) -> dict:
    row = (
        DictItem.objects.filter(dict_type__code=usertasks.CATEGORY_DICT, code=code)
        .values_list("extra", flat=True)
        .first()
    )
    return row if isinstance(row, dict) else {}


def deadline(start: datetime, *, sla_minutes: int | None, category: str, calendar_code: str = "") -> Deadline:
    """Due and warning moments: SLA from the task, else the category, else orders.default_sla_minutes."""
    extra = category_extra(category)
    minutes = sla_minutes
    if minutes is None:
        try:
            minutes = int(extra.get("sla_minutes")) if extra.get("sla_minutes") else None
        except (TypeError, ValueError):
            minutes = None
    minutes = minutes or int(param("orders.default_sla_minutes"))
    percent = int(param("orders.sla_warn_percent"))
    with contextlib.suppress(TypeError, ValueError):
        percent = int(extra.get("warn_percent") or percent)
    percent = min(max(percent, 1), 99)
    code = calendar_code or param("sla.default_calendar")
    cal = calendar.load(code)
    return Deadline(
        sla_minutes=minutes,
        calendar=code,
        warn_at=calendar.add_working_time(cal, start, minutes * percent / 100),
        due_at=calendar.add_working_time(cal, start, minutes),
    )


def _priority(config: usertasks.TaskConfig, data: dict) -> int:
    value = config.priority
    m = VARIABLE_RE.match(value or "")
    if m:
        value = data.get(m.group(1))
    if isinstance(value, int) and value in Priority.values:
        return value
    return PRIORITY_CODES.get(str(value or "").lower(), Priority.NORMAL)


# --- history and notices ----------------------------------------------------------------------------------
def event(work_order, move: str, state_from: str, *, actor=None, assignee=None, detail: str = "", at=None):
    row = WorkOrderEvent.objects.create(
        work_order=work_order,
        at=at or timezone.now(),
        move=move,
        state_from=state_from,
        state_to=work_order.state,
        actor=actor if getattr(actor, "pk", None) else None,
        assignee=assignee,
        detail=(detail or "")[:500],
    )
    from . import installation_flow  # the installation (待装) a work order belongs to follows its moves

    if installation_flow.concerns(work_order):
        installation_flow.work_order_moved(work_order, row)
    return row


def tell(users, title, body="", *, work_order, level: str = "info", link: str = "") -> int:
    """Notify each user once, in their own language (``link``: the work order's page unless given)."""
    link = link or reverse("workorder-detail", args=[work_order.pk])
    sent = set()
    for user in users:
        if user is None or user.pk in sent:
            continue
        with translation.override(user.language or None):
            params = {
                "no": work_order.number,
                "title": work_order.title,
                "key": work_order.business_key or "—",
            }
            notify(
                recipient=user,
                title=str(title) % params,
                body=str(body) % params if body else "",
                link=link,
                level=level,
            )
        sent.add(user.pk)
    return len(sent)


# --- creating and cancelling --------------------------------------------------------------------------------
def work_order_for_task(instance, task, *, now=None) -> WorkOrder:
    """The work order of a ready user task (created once, in the step's transaction)."""
    now = now or timezone.now()
    config = usertasks.config_of(task.task_spec)
    data = task.data
    role = Role.objects.filter(code=config.queue_role).first()
    if role is None:
        raise DispatchError(f"there is no role {config.queue_role!r}")
    unit = resolve_unit(config.queue_unit, instance.org_unit, data)
    assignee = None
    if config.assignee == "@starter":
        assignee = instance.owner
    elif config.assignee:
        assignee = _user(data.get(config.assignee[1:]))
    when = deadline(
        now, sla_minutes=config.sla_minutes, category=config.category, calendar_code=config.calendar
    )
    spec = task.task_spec
    wo = WorkOrder.objects.create(
        org_unit=unit,
        owner=instance.owner,
        instance=instance,
        task_id=task.id,
        element_id=spec.bpmn_id[:100],
        title=(spec.bpmn_name or spec.bpmn_id)[:200],
        category=config.category,
        business_key=instance.business_key,
        queue_role=role,
        origin_unit=instance.org_unit,
        assignee=assignee,
        state=WorkOrderState.CLAIMED if assignee else WorkOrderState.OPEN,
        state_changed_at=now,
        claimed_at=now if assignee else None,
        priority=_priority(config, data),
        sla_minutes=when.sla_minutes,
        calendar=when.calendar,
        warn_at=when.warn_at,
        due_at=when.due_at,
        outcomes=[c.as_dict() for c in config.outcomes],
        form=[f.as_dict() for f in config.form],
        instructions=config.instructions,
    )
    event(wo, WorkOrderMove.CREATE, "", at=now)
    if assignee is not None:
        event(wo, WorkOrderMove.ASSIGN, WorkOrderState.OPEN, assignee=assignee, at=now)
        tell(
            [assignee], _("Work order %(no)s assigned to you: %(title)s"), _("Order %(key)s."), work_order=wo
        )
    audit_write(
        action="work_order.create",
        actor=None,
        obj=wo,
        after={
            "instance": instance.pk,
            "element": wo.element_id,
            "category": wo.category,
            "queue_role": role.code,
            "queue_unit": unit.code,
            "assignee": assignee.pk if assignee else None,
            "due_at": wo.due_at,
        },
    )
    return wo


def _cancel(wo: WorkOrder, *, actor=None, detail: str = "") -> bool:
    before = wo.state
    new = target(before, WorkOrderMove.CANCEL)
    now = timezone.now()
    if not WorkOrder.objects.filter(pk=wo.pk, state=before).update(
        state=new, state_changed_at=now, completed_at=now
    ):
        return False
    wo.state, wo.state_changed_at, wo.completed_at = new, now, now
    event(wo, WorkOrderMove.CANCEL, before, actor=actor, detail=detail, at=now)
    audit_write(
        action="work_order.cancel",
        actor=actor if getattr(actor, "pk", None) else None,
        obj=wo,
        before={"state": before},
        after={"state": new, "reason": detail[:200]},
    )
    return True


def work_orders_sync(instance, workflow, *, now=None) -> tuple[int, int]:
    """Work orders for the ready user tasks; cancel those whose task moved on. (created, cancelled)"""
    ready = {t.id: t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    have = {wo.task_id: wo for wo in WorkOrder.objects.filter(instance=instance).select_related("org_unit")}
    created = cancelled = 0
    for task_id, task in ready.items():
        if task_id not in have:
            work_order_for_task(instance, task, now=now)
            created += 1
    for task_id, wo in have.items():
        if wo.state in ACTIVE and task_id not in ready:
            cancelled += _cancel(wo, detail=str(_("The process moved on without this step.")))
    return created, cancelled


def work_orders_cancel_all(instance, *, actor=None, reason: str = "") -> int:
    """Cancel every open work order of an instance (the process was cancelled)."""
    detail = reason or str(_("The process was cancelled."))
    return sum(
        _cancel(wo, actor=actor, detail=detail)
        for wo in WorkOrder.objects.filter(instance=instance, state__in=ACTIVE)
    )
