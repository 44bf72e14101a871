"""How a pending installation (待装) follows the work orders of its process, and the scheduled check of
appointments that passed without feedback.

The work-order history writer (:func:`telcrm.orders.actions.dispatch.event`) calls
:func:`work_order_moved` for every move of a work order that concerns an installation:

- an *installation dispatch* work order — category ``dispatch`` whose form asks ``install_team`` (the
  back office chooses the installer team there; the shipped broadband process's 分类派单);
- an *installation* work order — category ``installation`` (the installer's visit, 上门装机).

So the installation's state and history stay right whichever way the work order moved: through the
installation pages, the generic work-order pages, the API or the engine (a new step, a cancelled
process). Created → the installation enters (the first time) or comes back to dispatch / reaches the
team; claimed or assigned → installer assigned; completed → installed (the visit kept); returned →
failed (the visit missed; the process decides where it goes — the broadband process goes back to
dispatch); cancelled → cancelled; moved to another team's queue → the appointment of the old team is
given back; SLA warning and overdue (stamped by the SLA check, which tells the installer) → the
dispatcher is told too.

Locks, in this order everywhere: process instance → work order → installation → team unit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write
from telcrm.platform.events import emit
from telcrm.platform.parameters import param
from telcrm.platform.queries.config import dictionary_label

from ..installation_config import FAILURE_DICT
from ..models import (
    AppointmentState,
    InstallAppointment,
    Installation,
    InstallationEvent,
    InstallMove,
    InstallResult,
    InstallState,
    Order,
    WorkOrderMove,
)

INSTALLATION_CATEGORY = "installation"
DISPATCH_CATEGORY = "dispatch"
TEAM_FIELD = "install_team"
BATCH = 500


def is_dispatch(work_order) -> bool:
    return work_order.category == DISPATCH_CATEGORY and any(
        isinstance(f, dict) and f.get("name") == TEAM_FIELD for f in work_order.form or []
    )


def is_field(work_order) -> bool:
    return work_order.category == INSTALLATION_CATEGORY


def concerns(work_order) -> bool:
    return is_field(work_order) or is_dispatch(work_order)


# --- lines, states, notices --------------------------------------------------------------------------------
def line(inst, move, *, actor=None, assignee=None, work_order=None, detail="", at=None) -> InstallationEvent:
    return InstallationEvent.objects.create(
        installation=inst,
        at=at or timezone.now(),
        move=move,
        state=inst.state,
        actor=actor if getattr(actor, "pk", None) else None,
        assignee=assignee,
        work_order=work_order,
        detail=str(detail or "")[:500],
    )


def set_state(inst: Installation, state: str, now) -> None:
    if inst.state != state:
        inst.state, inst.state_changed_at = state, now


def payload(inst: Installation) -> dict:
    appt = inst.appointment if inst.appointment_id else None
    return {
        "id": inst.pk,
        "number": inst.number,
        "business_key": inst.business_key,
        "state": inst.state,
        "team": inst.team.code if inst.team_id else "",
        "appointment": (
            {
                "day": appt.day.isoformat(),
                "window": appt.window,
                "from": appt.starts_at.isoformat(),
                "until": appt.ends_at.isoformat(),
            }
            if appt is not None
            else None
        ),
        "result": inst.result,
        "failure_reason": inst.failure_reason,
    }


def page_link(inst: Installation, *, field: bool = False) -> str:
    return reverse("installation-field" if field else "installation-detail", args=[inst.pk])


def tell_about(inst: Installation, users, title, *, level: str = "info", field: bool = False) -> int:
    """Notify ``users`` about the installation (its current work order's numbers in the text)."""
    from .dispatch import tell

    if inst.work_order_id is None:
        return 0
    return tell(
        users,
        title,
        _("Order %(key)s."),
        work_order=inst.work_order,
        level=level,
        link=page_link(inst, field=field),
    )


def slot_text(appt: InstallAppointment | None) -> str:
    if appt is None:
        return ""
    return f"{appt.day:%Y-%m-%d} {appt.window_label or appt.window}"


# --- the installation of an instance -----------------------------------------------------------------------
def _details(instance) -> tuple:
    """(order, customer, address) of the business the instance runs for: its order, else (an instance
    started without one) the process data's ``customer_no`` and ``address``."""
    from telcrm.customers.models import Customer

    order = Order.objects.filter(process_id=instance.pk).select_related("customer").first()
    if order is not None:
        return order, order.customer, str(order.data.get("address") or "")[:300]
    from ..processes import engine

    data = engine.workflow_data(instance)
    number = str(data.get("customer_no") or "")[:20]
    customer = Customer.objects.filter(customer_no=number).first() if number else None
    return None, customer, str(data.get("address") or "")[:300]


def installation_for(instance, *, now=None) -> Installation:
    """The installation of ``instance``, locked; made (it enters the pending installations) if missing.
    The caller holds the instance's lock."""
    inst = (
        Installation.objects.select_for_update(of=("self",))
        .select_related("appointment", "work_order", "team")
        .filter(instance_id=instance.pk)
        .first()
    )
    if inst is not None:
        return inst
    order, customer, address = _details(instance)
    return Installation.objects.create(
        org_unit_id=instance.org_unit_id,
        owner_id=instance.owner_id,
        instance=instance,
        order=order,
        customer=customer,
        business_key=instance.business_key,
        address=address,
        state=InstallState.AWAITING_DISPATCH,
        state_changed_at=now or timezone.now(),
    )


def close_appointment(appt: InstallAppointment | None, state: str, now, *, reason: str = "") -> None:
    if appt is None or appt.state != AppointmentState.BOOKED:
        return
    appt.state, appt.closed_at = state, now
    if reason:
        appt.reason = str(reason)[:200]
    appt.save(update_fields=["state", "closed_at", "reason"])


def _clear_result(inst: Installation) -> None:
    inst.result = inst.failure_reason = inst.notes = inst.ont_serial = ""
    inst.other_serials = []
    inst.finished_at = inst.finished_by = None


# --- following the work orders -----------------------------------------------------------------------------
def work_order_moved(wo, row) -> None:
    """A work order of an installation moved (``row``: its new history line). In the mover's transaction."""
    move, now = row.move, row.at
    if move in (WorkOrderMove.WARN, WorkOrderMove.OVERDUE):
        _sla(wo, row)
        return
    inst = installation_for(wo.instance, now=now)
    if move == WorkOrderMove.CREATE or inst.work_order_id is None:
        _entered(inst, wo, now)  # (a work order from before installations were kept enters when it moves)
        if move == WorkOrderMove.CREATE:
            return
    if inst.work_order_id != wo.pk:
        return  # an earlier work order of the instance: the installation has moved on
    if is_dispatch(wo):
        _dispatch_moved(inst, wo, row)
        return
    appt = inst.appointment if inst.appointment_id else None
    if move in (WorkOrderMove.CLAIM, WorkOrderMove.ASSIGN):
        line(inst, InstallMove.ASSIGNED, actor=row.actor, assignee=row.assignee, work_order=wo, at=now)
    elif move == WorkOrderMove.RELEASE:
        line(inst, InstallMove.RELEASED, actor=row.actor, work_order=wo, detail=row.detail, at=now)
    elif move == WorkOrderMove.ESCALATE:
        line(inst, InstallMove.ESCALATED, actor=row.actor, work_order=wo, detail=row.detail, at=now)
    elif move == WorkOrderMove.REQUEUE:
        inst.team = wo.org_unit
        if appt is not None and appt.state == AppointmentState.BOOKED and appt.team_id != wo.org_unit_id:
            close_appointment(appt, AppointmentState.CANCELLED, now, reason=str(_("Moved to another team.")))
        booked = appt is not None and appt.state == AppointmentState.BOOKED
        if inst.state != InstallState.ON_SITE:
            set_state(inst, InstallState.BOOKED if booked else InstallState.AWAITING_APPOINTMENT, now)
        inst.save()
        line(inst, InstallMove.MOVED, actor=row.actor, work_order=wo, detail=wo.org_unit.display_name, at=now)
    elif move == WorkOrderMove.COMPLETE:
        close_appointment(appt, AppointmentState.KEPT, now)
        inst.result = InstallResult.INSTALLED
        inst.failure_reason = ""
        inst.ont_serial = inst.ont_serial or str((wo.result or {}).get("ont_serial") or "")[:40]
        inst.finished_at, inst.finished_by = inst.finished_at or now, inst.finished_by or row.actor
        set_state(inst, InstallState.INSTALLED, now)
        inst.save()
        detail = _("ONT %(serial)s") % {"serial": inst.ont_serial} if inst.ont_serial else wo.note
        line(inst, InstallMove.INSTALLED, actor=row.actor, work_order=wo, detail=detail, at=now)
        emit("installation.completed", aggregate=inst, payload=payload(inst), actor=row.actor)
    elif move == WorkOrderMove.RETURN:
        close_appointment(appt, AppointmentState.MISSED, now, reason=wo.return_reason)
        inst.result = InstallResult.FAILED
        inst.finished_at, inst.finished_by = inst.finished_at or now, inst.finished_by or row.actor
        set_state(inst, InstallState.FAILED, now)
        inst.save()
        line(inst, InstallMove.FAILED, actor=row.actor, work_order=wo, detail=wo.return_reason, at=now)
        emit("installation.failed", aggregate=inst, payload=payload(inst), actor=row.actor)
        if inst.dispatcher_id and inst.dispatcher_id != getattr(row.actor, "pk", None):
            tell_about(
                inst,
                [inst.dispatcher],
                _("Installation %(key)s failed and returns to dispatch"),
                level="warning",
            )
    elif move == WorkOrderMove.CANCEL:
        _cancelled(inst, wo, row)


def _entered(inst: Installation, wo, now) -> None:
    appt = inst.appointment if inst.appointment_id else None
    inst.work_order = wo
    if is_dispatch(wo):
        after_failure = inst.state == InstallState.FAILED
        set_state(inst, InstallState.AWAITING_DISPATCH, now)
        inst.save()
        detail = (
            _("Back to dispatch: %(reason)s")
            % {"reason": dictionary_label(FAILURE_DICT, inst.failure_reason)}
            if after_failure and inst.failure_reason
            else ""
        )
        line(inst, InstallMove.ENTERED, work_order=wo, detail=detail, at=now)
        return
    inst.team = wo.org_unit
    _clear_result(inst)
    if appt is not None and appt.state == AppointmentState.BOOKED and appt.team_id != wo.org_unit_id:
        close_appointment(appt, AppointmentState.CANCELLED, now, reason=str(_("Moved to another team.")))
    booked = appt is not None and appt.state == AppointmentState.BOOKED
    set_state(inst, InstallState.BOOKED if booked else InstallState.AWAITING_APPOINTMENT, now)
    inst.save()
    detail = wo.org_unit.display_name + (f" · {slot_text(appt)}" if booked else "")
    line(inst, InstallMove.QUEUED, work_order=wo, detail=detail, at=now)


def _dispatch_moved(inst: Installation, wo, row) -> None:
    if row.move == WorkOrderMove.COMPLETE:
        result = wo.result or {}
        parts = [
            str(result.get(TEAM_FIELD) or ""),
            slot_text(inst.appointment if inst.appointment_id else None),
        ]
        if result.get("installer"):
            parts.append(str(result["installer"]))
        detail = " · ".join(p for p in parts if p)
        line(inst, InstallMove.DISPATCHED, actor=row.actor, work_order=wo, detail=detail, at=row.at)
    elif row.move == WorkOrderMove.CANCEL:
        _cancelled(inst, wo, row)


def _cancelled(inst: Installation, wo, row) -> None:
    close_appointment(
        inst.appointment if inst.appointment_id else None,
        AppointmentState.CANCELLED,
        row.at,
        reason=row.detail,
    )
    set_state(inst, InstallState.CANCELLED, row.at)
    inst.save()
    line(inst, InstallMove.CANCELLED, actor=row.actor, work_order=wo, detail=row.detail, at=row.at)


def _sla(wo, row) -> None:
    """The SLA check warned or alerted about the installation work order (and told its installer, or
    the team queue, and on overdue the supervisors): the dispatcher hears of it too."""
    inst = Installation.objects.filter(work_order=wo).select_related("dispatcher", "work_order").first()
    if inst is None:
        return
    overdue = row.move == WorkOrderMove.OVERDUE
    line(inst, InstallMove.SLA_OVERDUE if overdue else InstallMove.SLA_WARNING, work_order=wo, at=row.at)
    if inst.dispatcher_id and inst.dispatcher_id != wo.assignee_id:
        title = (
            _("Installation %(key)s is overdue: %(title)s")
            if overdue
            else _("Installation %(key)s is due soon: %(title)s")
        )
        tell_about(inst, [inst.dispatcher], title, level="danger" if overdue else "warning")


# --- the scheduled check -----------------------------------------------------------------------------------
@transaction.atomic
def installation_overdue_check(*, now=None) -> dict[str, int]:
    """Alert once for each booked appointment whose window ended ``orders.install_feedback_grace_minutes``
    ago with neither arrival nor result: the installer (or the team queue while nobody has it) and the
    dispatcher (or the team's supervisors) are told. A compare-and-set UPDATE stamps each appointment, so
    overlapping runs never alert twice."""
    from .dispatch import queue_members, supervisors

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=int(param("orders.install_feedback_grace_minutes")))
    rows = (
        InstallAppointment.objects.filter(
            state=AppointmentState.BOOKED,
            arrived_at__isnull=True,
            overdue_alerted_at__isnull=True,
            ends_at__lte=limit,
            installation__state=InstallState.BOOKED,
        )
        .select_related(
            "team",
            "installation__work_order__assignee",
            "installation__work_order__org_unit",
            "installation__dispatcher",
        )
        .order_by("ends_at")
    )
    alerted = notified = 0
    for appt in rows[:BATCH]:
        if not InstallAppointment.objects.filter(pk=appt.pk, overdue_alerted_at__isnull=True).update(
            overdue_alerted_at=now
        ):
            continue
        inst, wo = appt.installation, appt.installation.work_order
        if wo is None:
            continue
        alerted += 1
        line(inst, InstallMove.APPOINTMENT_OVERDUE, work_order=wo, detail=slot_text(appt), at=now)
        field_people = [wo.assignee] if wo.assignee_id else queue_members(wo)
        office = [inst.dispatcher] if inst.dispatcher_id else supervisors(appt.team)
        title = _("Installation %(key)s: the appointment passed without feedback")
        notified += tell_about(inst, field_people, title, level="danger", field=True)
        notified += tell_about(inst, [u for u in office if u not in field_people], title, level="danger")
        audit_write(
            action="installation.overdue",
            actor=None,
            obj=inst,
            after={"appointment": appt.pk, "ends_at": appt.ends_at},
        )
    return {"alerted": alerted, "notified": notified}
