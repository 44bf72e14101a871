"""Every read of pending installations (待装), with the data scope applied
(:meth:`~telcrm.orders.models.installation.InstallationQuerySet.restrict`: the scope over the unit the
order came from, plus the installations of the work orders one sees)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.parameters import param

from .installation_permissions import VIEW_INSTALLATION
from .models import (
    ACTIVE_INSTALL_STATES,
    FIELD_STATES,
    AppointmentState,
    InstallAppointment,
    Installation,
    InstallationEvent,
    InstallState,
    WorkOrder,
)
from .models.workorder import queue_q
from .workorder_states import ACTIVE

MAX_Q = 64


def require_view(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(VIEW_INSTALLATION):
        raise AccessDenied()


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "work_order__assignee", "work_order__org_unit", "team", "appointment", "customer", "org_unit"
    )


def _by_appointment(qs: QuerySet) -> QuerySet:
    """Earliest appointment first; those without one after them, oldest first."""
    return qs.order_by(F("appointment__starts_at").asc(nulls_last=True), "work_order__due_at", "id")


def feedback_limit(now) -> dt.datetime:
    """Appointments that ended before this moment without arrival or result are late."""
    return now - dt.timedelta(minutes=int(param("orders.install_feedback_grace_minutes")))


def is_late(inst: Installation, now, limit) -> bool:
    """:func:`overdue_q` for one installation whose appointment and work order are loaded."""
    appt, wo = inst.appointment, inst.work_order
    missed = (
        inst.state == InstallState.BOOKED
        and appt is not None
        and appt.state == AppointmentState.BOOKED
        and appt.arrived_at is None
        and appt.ends_at <= limit
    )
    return missed or (inst.is_active and wo is not None and wo.is_active and wo.due_at <= now)


def mark_late(rows, now) -> list:
    """``rows`` with ``late`` set on each."""
    limit = feedback_limit(now)
    rows = list(rows)
    for inst in rows:
        inst.late = is_late(inst, now, limit)
    return rows


def overdue_q(now=None) -> Q:
    """Late: a booked appointment over (by orders.install_feedback_grace_minutes) with neither arrival nor
    result, or an active work order past its SLA deadline."""
    now = now or timezone.now()
    limit = feedback_limit(now)
    missed = Q(
        state=InstallState.BOOKED,
        appointment__state=AppointmentState.BOOKED,
        appointment__arrived_at__isnull=True,
        appointment__ends_at__lte=limit,
    )
    late = Q(state__in=ACTIVE_INSTALL_STATES, work_order__state__in=ACTIVE, work_order__due_at__lte=now)
    return missed | late


def installation_list(
    actor, *, state: str = "", team=None, overdue: bool = False, q: str = "", now=None
) -> QuerySet:
    """Installations in scope: active ones (``state`` empty), ``all``, or one state; of one ``team``; late
    ones only; ``q`` a business key or an installation number (AZ…)."""
    require_view(actor)
    qs = Installation.objects.restrict(actor)
    if state == "all":
        pass
    elif state in InstallState.values:
        qs = qs.filter(state=state)
    else:
        qs = qs.filter(state__in=ACTIVE_INSTALL_STATES)
    if team:
        qs = qs.filter(team_id=getattr(team, "pk", team))
    if overdue:
        qs = qs.filter(overdue_q(now))
    q = (q or "").strip()[:MAX_Q]
    if q:
        digits = q.upper().removeprefix("AZ")
        if q.upper().startswith("AZ") and digits.isdigit() and len(digits) <= 12:
            qs = qs.filter(pk=int(digits))
        else:
            qs = qs.filter(business_key=q)
    return _by_appointment(_related(qs))


def my_installations(actor) -> QuerySet:
    """The visits assigned to ``actor`` still to do, earliest appointment first."""
    require_view(actor)
    qs = Installation.objects.filter(
        state__in=FIELD_STATES, work_order__assignee_id=actor.pk, work_order__state__in=ACTIVE
    )
    return _by_appointment(_related(qs))


def team_open_installations(actor) -> QuerySet:
    """The visits waiting in the queues of ``actor``'s team that nobody has taken."""
    require_view(actor)
    open_visits = WorkOrder.objects.filter(queue_q(actor), category="installation").values("pk")
    qs = Installation.objects.filter(state__in=FIELD_STATES, work_order__in=open_visits)
    return _by_appointment(_related(qs))


def installation_get(actor, pk) -> Installation:
    require_view(actor)
    qs = _related(Installation.objects.restrict(actor)).select_related(
        "instance__org_unit", "instance__definition", "work_order__queue_role", "work_order__instance",
        "dispatcher", "finished_by", "order",
    )  # fmt: skip
    try:
        return qs.get(pk=pk)
    except (Installation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def for_instance(actor, instance_id) -> Installation | None:
    """The installation of a process instance, if ``actor`` may see it (None otherwise: the pages that
    show it are the work-order and order pages, which checked their own access)."""
    if not instance_id or actor is None or not actor.has_perm(VIEW_INSTALLATION):
        return None
    return (
        _related(Installation.objects.restrict(actor))
        .select_related("dispatcher")
        .filter(instance_id=instance_id)
        .first()
    )


def history(inst: Installation) -> QuerySet:
    return (
        InstallationEvent.objects.filter(installation=inst)
        .select_related("actor", "assignee", "work_order")
        .order_by("at", "id")
    )


def appointments(inst: Installation) -> QuerySet:
    return (
        InstallAppointment.objects.filter(installation=inst)
        .select_related("team", "booked_by")
        .order_by("-id")
    )


def counts(actor, *, now=None) -> dict:
    """Active installations in scope by state, and how many are late."""
    require_view(actor)
    qs = Installation.objects.restrict(actor).filter(state__in=ACTIVE_INSTALL_STATES)
    by_state = dict(qs.order_by().values_list("state").annotate(n=Count("id")))
    return {
        "by_state": by_state,
        "active": sum(by_state.values()),
        "overdue": qs.filter(overdue_q(now)).count(),
    }
