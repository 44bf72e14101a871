"""What people do with pending installations (待装, ORD-5): dispatch, book and rebook appointment slots,
assign the installer, report from the field, reveal the customer's contact; and the capacity of
installer teams.

Each is one transaction: it checks the permission, fetches the installation through the data scope
(outside it: "not found"), locks the process instance, the current work order and the installation (the
engine's order, see :mod:`.installation_flow`), checks the rule, changes, writes the history line and the
audit record, and announces the change (outbox). The work order itself moves only through the work-order
actions — completing the dispatch step (:func:`work_order_complete` with the chosen team, slot and
installer), assigning (:func:`workorders.assign`), completing or returning (退单) the visit — so the
process moves on exactly as from the work-order pages.

- dispatch: at the dispatch step, choose the installer team and one of its free slots (and optionally
  the installer); the process goes on to the team's queue with the appointment booked;
- book: book (or, with a reason, rebook) a slot of the installation's team while the visit is pending —
  the dispatcher, or the installer who agreed another time with the customer;
- assign: the dispatcher gives the visit to an installer of the team;
- arrive, finish: the installer's feedback — arrival, then installed (with the ONT serial and the task's
  fields) or failed (with a reason from the dictionary install_failure_reason), which returns it to
  dispatch;
- contact reveal: the customer's phone in clear, for the assigned installer (need to know) or whoever
  may reveal personal data — audited like any reveal.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_reveal, audit_write
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error
from telcrm.platform.events import emit
from telcrm.platform.models import OrgUnit, User
from telcrm.platform.queries.config import dictionary

from .. import installation_slots as slots
from ..installation_config import FAILURE_DICT
from ..installation_permissions import (
    BOOK_INSTALLATION,
    MANAGE_INSTALL_CAPACITY,
    REPORT_INSTALLATION,
)
from ..models import (
    FIELD_STATES,
    AppointmentState,
    InstallAppointment,
    Installation,
    InstallCapacity,
    InstallMove,
    InstallResult,
    InstallState,
    ProcessInstance,
    WorkOrder,
    WorkOrderState,
)
from ..permissions import HANDLE_WORKORDER
from .dispatch import in_subtree, is_member
from .installation_flow import TEAM_FIELD, close_appointment, is_dispatch, is_field, line, payload, set_state
from .workorders import _text, assign, work_order_claim, work_order_complete, work_order_return

SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$")
MAX_OTHER_SERIALS = 10
REVEAL_PII = "platform.reveal_pii"


def _pk(obj):
    return getattr(obj, "pk", obj)


def _fetch(actor, installation) -> Installation:
    try:
        return Installation.objects.restrict(actor).get(pk=_pk(installation))
    except (Installation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _lock(actor, installation) -> Installation:
    """The installation if ``actor`` may see it, with its process instance, current work order and itself
    locked, in that order."""
    seen = _fetch(actor, installation)
    ProcessInstance.objects.select_for_update(of=("self",)).filter(pk=seen.instance_id).first()
    current = Installation.objects.filter(pk=seen.pk).values_list("work_order_id", flat=True).first()
    if current:
        WorkOrder.objects.select_for_update(of=("self",)).filter(pk=current).first()
    return (
        Installation.objects.select_for_update(of=("self",))
        .select_related(
            "instance__org_unit",
            "work_order__org_unit",
            "work_order__queue_role",
            "work_order__assignee",
            "work_order__instance",
            "appointment",
            "team",
            "customer",
        )
        .get(pk=seen.pk)
    )


def _state_error(inst: Installation):
    return field_error(
        "state",
        _("Installation %(no)s is “%(state)s”; this is not possible now."),
        "invalid_state",
        no=inst.number,
        state=InstallState(inst.state).label,
    )


def _field_work_order(inst: Installation) -> WorkOrder:
    wo = inst.work_order
    if inst.state not in FIELD_STATES or wo is None or not is_field(wo) or not wo.is_active:
        raise _state_error(inst)
    return wo


def _audit(actor, inst: Installation, action: str, **after) -> None:
    audit_write(action=f"installation.{action}", actor=actor, obj=inst, after={"state": inst.state, **after})


# --- slots --------------------------------------------------------------------------------------------------
def _day(value, field: str = "day") -> dt.date:
    day = value if isinstance(value, dt.date) else parse_date(str(value or "").strip())
    if day is None:
        raise field_error(field, _("Enter a date such as 2026-05-20."), "invalid")
    return day


def _book(
    inst: Installation, team: OrgUnit, day, window: str, *, actor, reason: str, now
) -> InstallAppointment:
    """Book the slot (day, window) of ``team`` for ``inst`` (locked), replacing its booked appointment
    (a rebooking needs a reason). The team's row is locked while its places are counted."""
    day = _day(day)
    window = str(window or "").strip()
    current = inst.appointment if inst.appointment_id else None
    if current is not None and current.state != AppointmentState.BOOKED:
        current = None
    if current is not None and (current.team_id, current.day, current.window) == (team.pk, day, window):
        raise field_error("slot", _("The installation is booked for this slot already."), "unchanged")
    reason = _text(reason, "reason", max_length=200, required=current is not None)
    OrgUnit.objects.select_for_update(of=("self",)).filter(pk=team.pk).first()
    slot = slots.slot(team, day, window, now=now)
    if slot is None:
        raise field_error("slot", _("Choose one of the offered slots."), "invalid_choice")
    if slot.started:
        raise field_error("slot", _("This slot has begun; choose a later one."), "past")
    if not slot.free:
        raise field_error(
            "slot",
            _("%(team)s is fully booked on %(day)s %(window)s; choose another slot."),
            "full",
            team=team.display_name,
            day=day.isoformat(),
            window=slot.window.display,
        )
    close_appointment(current, AppointmentState.REPLACED, now, reason=reason)
    appt = InstallAppointment.objects.create(
        installation=inst,
        team=team,
        day=day,
        window=window,
        window_label=slot.window.display[:100],
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        booked_by=actor,
        booked_at=now,
        reason=reason if current is None else "",
    )
    inst.appointment = appt
    move = InstallMove.REBOOKED if current is not None else InstallMove.BOOKED
    detail = f"{appt.day:%Y-%m-%d} {appt.window_label}"
    if current is not None:
        detail = f"{current.day:%Y-%m-%d} {current.window_label} → {detail}: {reason}"
    line(inst, move, actor=actor, work_order=inst.work_order, detail=detail, at=now)
    emit("installation.booked", aggregate=inst, payload=payload(inst), actor=actor)
    return appt


def _installer(wo: WorkOrder | None, team: OrgUnit, installer) -> User | None:
    """The installer chosen for ``team``: an active user of the visit's queue role (of the installer role
    before the visit exists), at the team or below, who may handle work orders."""
    if installer in (None, ""):
        return None
    try:
        user = User.objects.select_related("org_unit", "role").get(pk=_pk(installer), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise field_error("installer", _("Choose an active user."), "not_found") from None
    if wo is not None:
        role_ok = user.role_id == wo.queue_role_id
    else:
        role_ok = user.role is not None and user.role.code == slots.INSTALLER_ROLE
    if not role_ok or not in_subtree(user, team) or not user.has_perm(HANDLE_WORKORDER):
        raise field_error(
            "installer",
            _("%(name)s is not an installer of %(team)s."),
            "not_member",
            name=str(user),
            team=team.display_name,
        )
    return user


# --- the dispatcher -----------------------------------------------------------------------------------------
@transaction.atomic
def installation_dispatch(
    *, actor, installation, team, day, window, installer=None, reason: str = "", note: str = ""
) -> Installation:
    """At the dispatch step: book the slot (day, window) of the installer ``team`` and complete the
    dispatch work order with the team, the appointment and the installer (optional), so the process sends
    the visit to that team's queue (or straight to the installer)."""
    require_perm(actor, BOOK_INSTALLATION)
    require_perm(actor, HANDLE_WORKORDER)
    inst = _lock(actor, installation)
    wo = inst.work_order
    if inst.state != InstallState.AWAITING_DISPATCH or wo is None or not is_dispatch(wo) or not wo.is_active:
        raise _state_error(inst)
    try:
        unit = slots.installer_teams(near=inst.instance.org_unit).get(pk=_pk(team))
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise field_error("team", _("Choose one of the installer teams."), "invalid_choice") from None
    person = _installer(None, unit, installer)
    note = _text(note, "note")
    now = timezone.now()
    appt = _book(inst, unit, day, window, actor=actor, reason=reason, now=now)
    inst.team, inst.dispatcher = unit, actor
    inst.save()
    names = {f.get("name") for f in wo.form or [] if isinstance(f, dict)}
    data = {TEAM_FIELD: unit.code}
    if "appointment_at" in names:
        data["appointment_at"] = timezone.localtime(appt.starts_at).isoformat()
    if "installer" in names:
        data["installer"] = person.username if person is not None else None
    work_order_complete(actor=actor, work_order=wo.pk, data=data, note=note)
    _audit(
        actor, inst, "dispatch", team=unit.code, appointment=appt.pk, installer=getattr(person, "pk", None)
    )
    return inst


@transaction.atomic
def installation_book(*, actor, installation, day, window, reason: str = "") -> InstallAppointment:
    """Book a slot of the installation's team for the pending visit, or rebook it (with a reason). The
    dispatcher does it; so may the installer of the visit, who agreed another time with the customer."""
    inst = _lock(actor, installation)
    wo = _field_work_order(inst)
    installer = actor.has_perm(REPORT_INSTALLATION) and wo.assignee_id == actor.pk
    if not (actor.has_perm(BOOK_INSTALLATION) or installer):
        raise AccessDenied()
    if inst.state == InstallState.ON_SITE:
        raise _state_error(inst)
    now = timezone.now()
    rebook = inst.appointment_id is not None and inst.appointment.state == AppointmentState.BOOKED
    appt = _book(inst, wo.org_unit, day, window, actor=actor, reason=reason, now=now)
    inst.team = wo.org_unit
    if actor.has_perm(BOOK_INSTALLATION):
        inst.dispatcher = actor
    set_state(inst, InstallState.BOOKED, now)
    inst.save()
    _audit(actor, inst, "rebook" if rebook else "book", appointment=appt.pk, day=appt.day, window=appt.window)
    return appt


@transaction.atomic
def installation_assign(*, actor, installation, installer, note: str = "") -> Installation:
    """Give the pending visit to an installer of its team (the team's role, at the team or below)."""
    require_perm(actor, BOOK_INSTALLATION)
    inst = _lock(actor, installation)
    wo = _field_work_order(inst)
    if installer in (None, ""):
        raise field_error("installer", _("Choose the installer."), "required")
    person = _installer(wo, wo.org_unit, installer)
    if wo.assignee_id == person.pk:
        raise field_error(
            "installer", _("%(name)s has this installation already."), "unchanged", name=str(person)
        )
    note = _text(note, "note")
    previous = wo.assignee
    assign(wo, person, actor=actor, note=note)
    if previous is not None and previous.pk not in (actor.pk, person.pk):
        from .installation_flow import tell_about

        tell_about(inst, [previous], _("Installation %(key)s was given to someone else"))
    inst.dispatcher = actor
    inst.save()
    _audit(actor, inst, "assign", installer=person.pk, previous=getattr(previous, "pk", None))
    return inst


# --- the installer ------------------------------------------------------------------------------------------
def _take(actor, inst: Installation) -> WorkOrder:
    """The visit's work order, mine: an open one of my team's queue is claimed on the way."""
    require_perm(actor, REPORT_INSTALLATION)
    wo = _field_work_order(inst)
    if wo.state == WorkOrderState.OPEN and is_member(actor, wo):
        work_order_claim(actor=actor, work_order=wo.pk)
        wo.refresh_from_db()
    if wo.assignee_id != actor.pk:
        raise AccessDenied(_("Only the installer of this installation may do this."))
    return wo


@transaction.atomic
def installation_claim(*, actor, installation) -> Installation:
    """Take an unassigned installation of my team's queue."""
    inst = _lock(actor, installation)
    wo = _field_work_order(inst)
    if wo.assignee_id == actor.pk:
        raise field_error("state", _("This installation is yours already."), "unchanged")
    _take(actor, inst)
    return inst


@transaction.atomic
def installation_arrive(*, actor, installation) -> Installation:
    """Record that I arrived at the customer's address."""
    inst = _lock(actor, installation)
    wo = _take(actor, inst)
    if inst.state == InstallState.ON_SITE:
        raise field_error("state", _("Your arrival is recorded already."), "unchanged")
    now = timezone.now()
    appt = inst.appointment if inst.appointment_id else None
    detail = ""
    if appt is not None and appt.state == AppointmentState.BOOKED:
        appt.arrived_at = now
        appt.save(update_fields=["arrived_at"])
        if now > appt.ends_at:
            detail = _("%(minutes)s min after the appointment window") % {
                "minutes": int((now - appt.ends_at).total_seconds() // 60)
            }
    set_state(inst, InstallState.ON_SITE, now)
    inst.save()
    line(inst, InstallMove.ARRIVED, actor=actor, work_order=wo, detail=detail, at=now)
    _audit(actor, inst, "arrive", at=now)
    return inst


def _serial(value, field: str, *, required: bool) -> str:
    text = str(value or "").strip().upper()
    if not text:
        if required:
            raise field_error(field, _("Enter the serial number."), "required")
        return ""
    if not SERIAL_RE.match(text):
        raise field_error(
            field,
            _("A serial number has 4 to 40 letters, digits, - or _ (“%(value)s”)."),
            "invalid",
            value=text[:40],
        )
    return text


def _serials(value) -> list[str]:
    parts = [p for p in re.split(r"[\s,;，；]+", str(value or "")) if p]
    if len(parts) > MAX_OTHER_SERIALS:
        raise field_error(
            "other_serials", _("At most %(n)s serial numbers."), "too_many", n=MAX_OTHER_SERIALS
        )
    out = []
    for p in parts:
        s = _serial(p, "other_serials", required=False)
        if s not in out:
            out.append(s)
    return out


@transaction.atomic
def installation_finish(
    *,
    actor,
    installation,
    result: str,
    failure_reason: str = "",
    notes: str = "",
    ont_serial: str = "",
    other_serials: str = "",
    answers: dict | None = None,
) -> Installation:
    """Report the visit: ``installed`` (the ONT serial required, the task's fields in ``answers``) completes
    the work order and the process moves on; ``failed`` (a reason from the dictionary
    install_failure_reason) returns it (退单) with that reason, and the process takes it back to dispatch."""
    inst = _lock(actor, installation)
    wo = _take(actor, inst)
    if result not in InstallResult.values:
        raise field_error("result", _("Choose installed or could not install."), "invalid_choice")
    notes = _text(notes, "notes")
    now = timezone.now()
    inst.notes, inst.finished_at, inst.finished_by = notes, now, actor
    if result == InstallResult.INSTALLED:
        inst.ont_serial = _serial(ont_serial, "ont_serial", required=True)
        inst.other_serials = _serials(other_serials)
        inst.failure_reason = ""
    else:
        labels = {i["code"]: i for i in dictionary(FAILURE_DICT)}
        code = str(failure_reason or "").strip()
        if code not in labels:
            raise field_error(
                "failure_reason", _("Choose why the installation could not be done."), "required"
            )
        inst.failure_reason = code
    inst.result = result
    appt = inst.appointment if inst.appointment_id else None
    if appt is not None and appt.state == AppointmentState.BOOKED and appt.arrived_at is None:
        appt.arrived_at = now
        appt.save(update_fields=["arrived_at"])
    inst.save()
    if result == InstallResult.INSTALLED:
        codes = [o.get("code") for o in wo.outcomes or []]
        outcome = "installed" if "installed" in codes else (codes[0] if codes else "")
        data = {**(answers or {}), "ont_serial": inst.ont_serial}
        work_order_complete(actor=actor, work_order=wo.pk, outcome=outcome, data=data, note=notes)
    else:
        from telcrm.platform.queries.config import dictionary_label

        reason = dictionary_label(FAILURE_DICT, inst.failure_reason)
        if notes:
            reason = f"{reason}：{notes}"
        work_order_return(actor=actor, work_order=wo.pk, reason=reason[:200])
    inst.refresh_from_db()
    _audit(
        actor, inst, "finish", result=result, failure_reason=inst.failure_reason, ont_serial=inst.ont_serial
    )
    return inst


@transaction.atomic
def installation_contact_reveal(*, actor, installation) -> dict:
    """The customer's name and phone in clear, for the installer of the pending visit (need to know) or
    whoever may reveal personal data; every reveal is audited."""
    inst = _fetch(actor, installation)
    wo = inst.work_order
    mine = (
        wo is not None
        and wo.assignee_id == actor.pk
        and inst.in_field
        and actor.has_perm(REPORT_INSTALLATION)
    )
    if not (mine or actor.has_perm(REVEAL_PII)):
        raise AccessDenied(_("Only the installer of this installation may see the customer's contact."))
    customer = inst.customer
    if customer is None or not customer.primary_phone:
        raise field_error("customer", _("The order has no customer phone number."), "not_found")
    audit_reveal(actor=actor, obj=customer, field="primary_phone")
    return {"name": customer.name, "phone": customer.primary_phone.reveal_unaudited()}


# --- capacity -----------------------------------------------------------------------------------------------
def _team_in_scope(actor, team) -> OrgUnit:
    try:
        return (
            slots.installer_teams()
            .filter(pk__in=OrgUnit.objects.restrict(actor).values("pk"))
            .get(pk=_pk(team))
        )
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise field_error(
            "team", _("Choose one of the installer teams in your scope."), "invalid_choice"
        ) from None


@transaction.atomic
def install_capacity_set(*, actor, team, capacity, window: str = "", day=None) -> InstallCapacity:
    """How many installations ``team`` takes per slot — in ``window`` (empty: every window) on ``day``
    (None: every day). Replaces the figure set for the same team, window and day."""
    require_perm(actor, MANAGE_INSTALL_CAPACITY)
    unit = _team_in_scope(actor, team)
    window = str(window or "").strip()
    if window and window not in {w.code for w in slots.windows()}:
        raise field_error("window", _("Choose one of the time windows."), "invalid_choice")
    if day not in (None, ""):
        day = _day(day)
        if day < slots.today():
            raise field_error("day", _("Choose today or a later day."), "past")
    else:
        day = None
    try:
        value = int(str(capacity).strip())
        if not 0 <= value <= 500:
            raise ValueError
    except (TypeError, ValueError):
        raise field_error("capacity", _("Enter a whole number from 0 to 500."), "invalid") from None
    row = InstallCapacity.objects.select_for_update().filter(team=unit, window=window, day=day).first()
    before = {"capacity": row.capacity} if row else None
    if row is None:
        row = InstallCapacity(team=unit, window=window, day=day, capacity=value)
    row.capacity, row.updated_by = value, actor
    row.save()
    audit_write(
        action="install_capacity.set",
        actor=actor,
        obj=row,
        before=before,
        after={"team": unit.code, "window": window, "day": day, "capacity": value},
    )
    return row


@transaction.atomic
def install_capacity_delete(*, actor, capacity) -> None:
    require_perm(actor, MANAGE_INSTALL_CAPACITY)
    try:
        row = InstallCapacity.objects.select_related("team").get(pk=_pk(capacity))
    except (InstallCapacity.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
    _team_in_scope(actor, row.team)
    audit_write(
        action="install_capacity.delete",
        actor=actor,
        obj=row,
        before={"team": row.team.code, "window": row.window, "day": row.day, "capacity": row.capacity},
    )
    row.delete()


__all__ = [
    "install_capacity_delete",
    "install_capacity_set",
    "installation_arrive",
    "installation_assign",
    "installation_book",
    "installation_claim",
    "installation_contact_reveal",
    "installation_dispatch",
    "installation_finish",
]
