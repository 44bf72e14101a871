# ruff: noqa: F811  (the site fixture is imported from installation_fixtures)
"""Pending installations (待装): dispatch to a team's slot within its capacity, rebooking with a reason and
the appointments kept, assigning an installer of the team, the installer's feedback driving the process
(installed → on; failed → back to dispatch with the reason), the customer's contact revealed with an
audit record, overdue and SLA alerts, the state history, cancellation and the data scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telcrm.orders import actions
from telcrm.orders.actions import installations as inst_actions
from telcrm.orders.actions.installation_flow import installation_overdue_check
from telcrm.orders.models import (
    AppointmentState,
    InstallAppointment,
    Installation,
    InstallCapacity,
    InstallMove,
    InstallState,
    WorkOrder,
    WorkOrderState,
)
from telcrm.orders.processes import engine
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import AuditLog, Notification, OrgKind
from telcrm.platform.testing import make_unit, make_user

from .installation_fixtures import PHONE, site, tomorrow  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def moves(inst) -> list[str]:
    return list(inst.events.order_by("at", "id").values_list("move", flat=True))


def visit(inst) -> WorkOrder:
    return WorkOrder.objects.filter(instance=inst.instance, element_id="install").order_by("id").last()


def error_codes(exc) -> dict:
    return {k: [e.code for e in v] for k, v in exc.value.error_dict.items()}


# --- dispatch and capacity ----------------------------------------------------------------------------------
def test_dispatch_books_the_slot_and_the_visit_goes_to_the_installer(site):
    inst = site.start()
    assert inst.state == InstallState.AWAITING_DISPATCH and inst.address == "杭州市西湖区文三路1号"
    assert inst.customer == site.customer and inst.org_unit == site.carrier.branch
    dispatch = inst.work_order
    assert dispatch.element_id == "dispatch" and moves(inst) == [InstallMove.ENTERED]

    site.dispatch(inst)
    dispatch.refresh_from_db()
    appt = inst.appointment
    assert dispatch.state == WorkOrderState.COMPLETED and dispatch.result["install_team"] == site.team.code
    assert dispatch.result["installer"] == site.installer.username
    assert dispatch.result["appointment_at"].startswith(f"{tomorrow().isoformat()}T09:00")
    wo = visit(inst)
    assert inst.work_order == wo and wo.assignee == site.installer and wo.org_unit == site.team
    assert (inst.state, inst.team, inst.dispatcher) == (InstallState.BOOKED, site.team, site.backoffice)
    assert (appt.day, appt.window, appt.state) == (tomorrow(), "am1", AppointmentState.BOOKED)
    assert moves(inst) == ["entered", "booked", "dispatched", "queued", "assigned"]
    from telcrm.integration.models import Event

    assert Event.objects.filter(topic="installation.booked", aggregate_id=str(inst.pk)).exists()


def test_a_team_takes_no_more_than_its_capacity_in_a_slot(site, set_param):
    set_param("orders.install_slot_capacity", 1)
    site.booked()
    second = site.start()
    with pytest.raises(ValidationError) as exc:
        site.dispatch(second)
    assert error_codes(exc) == {"slot": ["full"]}
    second.refresh_from_db()
    assert second.state == InstallState.AWAITING_DISPATCH and not second.appointments.exists()
    site.dispatch(second, window="am2")  # another window of the same day has room

    # a figure of the team for that day and window beats the parameter
    InstallCapacity.objects.create(team=site.team, window="am1", day=tomorrow(), capacity=2)
    site.booked()
    InstallCapacity.objects.create(team=site.team, window="", day=None, capacity=0)  # closed on other days
    with pytest.raises(ValidationError) as exc:
        site.dispatch(site.start(), day=tomorrow() + dt.timedelta(days=1))
    assert error_codes(exc) == {"slot": ["full"]}


def test_only_offered_slots_and_installer_teams_can_be_booked(site, set_param):
    inst = site.start()
    for day, window in ((timezone.localdate() - dt.timedelta(days=1), "am1"), (tomorrow(), "nope")):
        with pytest.raises(ValidationError) as exc:
            site.dispatch(inst, day=day, window=window)
        assert error_codes(exc) == {"slot": ["invalid_choice"]}
    set_param("orders.install_booking_days", 1)  # today only
    with pytest.raises(ValidationError):
        site.dispatch(inst)
    set_param("orders.install_booking_days", 14)
    with pytest.raises(ValidationError) as exc:
        site.dispatch(inst, team=site.carrier.branch)  # not a team with installers
    assert error_codes(exc) == {"team": ["invalid_choice"]}
    with pytest.raises(ValidationError) as exc:
        site.dispatch(inst, installer=site.carrier["clerk"])
    assert error_codes(exc) == {"installer": ["not_member"]}
    assert not InstallAppointment.objects.exists()  # nothing half-written


def test_rebooking_needs_a_reason_and_the_appointments_are_kept(site, set_param):
    set_param("orders.install_slot_capacity", 1)
    inst = site.booked()
    with pytest.raises(ValidationError) as exc:
        inst_actions.installation_book(actor=site.backoffice, installation=inst, day=tomorrow(), window="pm1")
    assert error_codes(exc) == {"reason": ["required"]}
    with pytest.raises(ValidationError) as exc:
        inst_actions.installation_book(
            actor=site.backoffice, installation=inst, day=tomorrow(), window="am1", reason="同一时段"
        )
    assert error_codes(exc) == {"slot": ["unchanged"]}

    appt = inst_actions.installation_book(
        actor=site.backoffice, installation=inst, day=tomorrow(), window="pm1", reason="客户改约下午"
    )
    inst.refresh_from_db()
    old = inst.appointments.get(window="am1")
    assert (old.state, old.reason) == (AppointmentState.REPLACED, "客户改约下午")
    assert (
        inst.appointment == appt
        and appt.state == AppointmentState.BOOKED
        and inst.state == InstallState.BOOKED
    )
    assert moves(inst)[-1] == InstallMove.REBOOKED
    assert "客户改约下午" in inst.events.last().detail
    site.booked()  # the place given back in am1 is free again for another installation
    # the installer agreed another time with the customer: they may rebook their own visit
    inst_actions.installation_book(
        actor=site.installer, installation=inst, day=tomorrow(), window="pm2", reason="客户电话改约"
    )
    assert inst.appointments.count() == 3
    assert AuditLog.objects.filter(action="installation.rebook", object_id=str(inst.pk)).count() == 2


def test_the_dispatcher_assigns_an_installer_of_the_team(site, carrier):
    inst = site.booked(installer=None)
    wo = visit(inst)
    assert wo.state == WorkOrderState.OPEN and wo.assignee is None and inst.state == InstallState.BOOKED
    other_team = make_unit("ZJ-HZ-T2", "杭州装维二班", OrgKind.TEAM, carrier.city)
    stranger = make_user("far_installer", "installer", other_team)
    colleague = make_user("colleague", "installer", site.team)
    for person, code in ((carrier["clerk"], "not_member"), (stranger, "not_member")):
        with pytest.raises(ValidationError) as exc:
            inst_actions.installation_assign(actor=site.backoffice, installation=inst, installer=person)
        assert error_codes(exc) == {"installer": [code]}
    with pytest.raises(PermissionDenied):
        inst_actions.installation_assign(actor=site.installer, installation=inst, installer=colleague)

    inst_actions.installation_assign(
        actor=site.backoffice, installation=inst, installer=colleague, note="就近"
    )
    wo.refresh_from_db()
    assert wo.assignee == colleague and wo.state == WorkOrderState.CLAIMED
    assert Notification.objects.filter(recipient=colleague, link__endswith=f"/workorders/{wo.pk}/").exists()
    inst_actions.installation_assign(actor=site.backoffice, installation=inst, installer=site.installer)
    assert Notification.objects.filter(recipient=colleague, title__contains=inst.business_key).exists()
    events = inst.events.filter(move=InstallMove.ASSIGNED).order_by("id")
    assert [e.assignee for e in events] == [colleague, site.installer]


# --- the installer's feedback -------------------------------------------------------------------------------
def test_installed_records_the_serials_and_the_process_moves_on(site):
    inst = site.booked()
    inst_actions.installation_arrive(actor=site.installer, installation=inst)
    inst.refresh_from_db()
    assert inst.state == InstallState.ON_SITE and inst.appointment.arrived_at is not None
    with pytest.raises(ValidationError) as exc:
        inst_actions.installation_arrive(actor=site.installer, installation=inst)
    assert error_codes(exc) == {"state": ["unchanged"]}

    with pytest.raises(ValidationError) as exc:
        inst_actions.installation_finish(actor=site.installer, installation=inst, result="installed")
    assert error_codes(exc) == {"ont_serial": ["required"]}
    with pytest.raises(ValidationError) as exc:  # the task's own required field (端口号)
        inst_actions.installation_finish(
            actor=site.installer, installation=inst, result="installed", ont_serial="hwtc1a2b3c4d"
        )
    assert error_codes(exc) == {"port_no": ["required"]}
    inst.refresh_from_db()
    assert inst.state == InstallState.ON_SITE and inst.ont_serial == ""  # nothing half-written

    inst_actions.installation_finish(
        actor=site.installer,
        installation=inst,
        result="installed",
        ont_serial="hwtc1a2b3c4d",
        other_serials="stb-0001, STB-0001 rt-77",
        notes="信号良好",
        answers={"port_no": "OLT-3/1/7", "cable_meters": "35", "signal_ok": True},
    )
    inst.refresh_from_db()
    wo = visit(inst)
    assert wo.state == WorkOrderState.COMPLETED and wo.outcome == "installed" and wo.note == "信号良好"
    assert (inst.state, inst.result, inst.ont_serial) == (InstallState.INSTALLED, "installed", "HWTC1A2B3C4D")
    assert inst.other_serials == ["STB-0001", "RT-77"] and inst.finished_by == site.installer
    assert inst.appointment.state == AppointmentState.KEPT
    site.run(inst.instance)
    data = engine.workflow_data(inst.instance)
    assert (
        data["ont_serial"] == "HWTC1A2B3C4D" and data["port_no"] == "OLT-3/1/7" and data["signal_ok"] is True
    )
    assert inst.instance.current  # waiting for the line test before activation
    assert moves(inst)[-2:] == [InstallMove.ARRIVED, InstallMove.INSTALLED]
    from telcrm.integration.models import Event

    assert Event.objects.filter(topic="installation.completed", aggregate_id=str(inst.pk)).exists()


def test_a_failed_visit_goes_back_to_dispatch_with_its_reason(site):
    inst = site.booked()
    with pytest.raises(ValidationError) as exc:
        inst_actions.installation_finish(actor=site.installer, installation=inst, result="failed")
    assert error_codes(exc) == {"failure_reason": ["required"]}
    inst_actions.installation_finish(
        actor=site.installer,
        installation=inst,
        result="failed",
        failure_reason="customer_absent",
        notes="电话无人接听",
    )
    inst.refresh_from_db()
    wo = visit(inst)
    assert wo.state == WorkOrderState.RETURNED and wo.return_reason == "客户不在家：电话无人接听"
    assert (inst.state, inst.failure_reason) == (InstallState.FAILED, "customer_absent")
    assert inst.appointment.state == AppointmentState.MISSED
    assert Notification.objects.filter(recipient=site.backoffice, title__contains=inst.business_key).exists()

    site.run(inst.instance)  # the broadband process takes it back to dispatch
    inst.refresh_from_db()
    assert inst.state == InstallState.AWAITING_DISPATCH and inst.work_order.element_id == "dispatch"
    assert inst.work_order.state == WorkOrderState.OPEN and "客户不在家" in inst.events.last().detail

    site.dispatch(inst, window="pm2")
    assert inst.state == InstallState.BOOKED and visit(inst) != wo and inst.result == ""
    assert [a.state for a in inst.appointments.order_by("id")] == [
        AppointmentState.MISSED,
        AppointmentState.BOOKED,
    ]
    assert moves(inst) == [
        "entered", "booked", "dispatched", "queued", "assigned", "failed",
        "entered", "booked", "dispatched", "queued", "assigned",
    ]  # fmt: skip


def test_only_the_installer_of_the_visit_reports_and_a_team_member_takes_an_open_one(site, carrier):
    colleague = make_user("colleague", "installer", site.team)
    inst = site.booked()
    with pytest.raises(NotFoundInScope):  # claimed by someone else: not in the colleague's queue
        inst_actions.installation_arrive(actor=colleague, installation=inst)
    with pytest.raises(PermissionDenied):  # no field permission
        inst_actions.installation_arrive(actor=site.backoffice, installation=inst)

    open_one = site.booked(installer=None)
    inst_actions.installation_arrive(actor=colleague, installation=open_one)  # takes it on the way
    assert visit(open_one).assignee == colleague
    assert InstallMove.ASSIGNED in moves(open_one)
    third = site.booked(installer=None)
    inst_actions.installation_claim(actor=site.installer, installation=third)
    assert visit(third).assignee == site.installer
    with pytest.raises(ValidationError):
        inst_actions.installation_claim(actor=site.installer, installation=third)


def test_the_contact_is_revealed_to_the_installer_and_audited(site, carrier):
    inst = site.booked()
    assert str(site.customer.primary_phone) != PHONE  # masked
    contact = inst_actions.installation_contact_reveal(actor=site.installer, installation=inst)
    assert contact == {"name": "王小明", "phone": PHONE}
    reveal = AuditLog.objects.get(kind="reveal", actor=site.installer)
    assert (reveal.field, reveal.object_id) == ("primary_phone", str(site.customer.pk))
    with pytest.raises(PermissionDenied):  # the back office sees the installation, may not reveal
        inst_actions.installation_contact_reveal(actor=site.backoffice, installation=inst)
    assert (
        inst_actions.installation_contact_reveal(actor=carrier["clerk"], installation=inst)["phone"] == PHONE
    )

    inst_actions.installation_finish(
        actor=site.installer, installation=inst, result="failed", failure_reason="wrong_address"
    )
    with pytest.raises(PermissionDenied):  # not the installer's job any more
        inst_actions.installation_contact_reveal(actor=site.installer, installation=inst)


# --- alerts -------------------------------------------------------------------------------------------------
def test_an_appointment_passed_without_feedback_alerts_once(site, set_param):
    set_param("orders.install_feedback_grace_minutes", 30)
    inst = site.booked()
    arrived = site.booked(window="am2")
    inst_actions.installation_arrive(actor=site.installer, installation=arrived)
    ends = timezone.now() + dt.timedelta(days=1, hours=12)
    assert installation_overdue_check(now=ends)["alerted"] == 1  # the visit without arrival only
    inst.refresh_from_db()
    assert (
        inst.appointment.overdue_alerted_at is not None and moves(inst)[-1] == InstallMove.APPOINTMENT_OVERDUE
    )
    told = Notification.objects.filter(title__contains=inst.business_key, level="danger")
    assert {n.recipient for n in told} == {site.installer, site.backoffice}
    assert told.get(recipient=site.installer).link.endswith(f"/installations/{inst.pk}/field/")
    assert installation_overdue_check(now=ends)["alerted"] == 0  # once
    assert AuditLog.objects.filter(action="installation.overdue", object_id=str(inst.pk)).count() == 1


def test_sla_warnings_of_the_visit_reach_the_dispatcher(site):
    inst = site.booked()
    wo = visit(inst)
    past = timezone.now() - dt.timedelta(minutes=1)
    WorkOrder.objects.filter(pk=wo.pk).update(warn_at=past, due_at=past)
    result = actions.work_order_sla_check()
    assert result["overdue"] == 1
    assert moves(inst)[-1] == InstallMove.SLA_OVERDUE
    assert Notification.objects.filter(recipient=site.installer, level="danger").exists()  # the SLA check
    note = Notification.objects.get(recipient=site.backoffice, level="danger")
    assert note.link.endswith(f"/installations/{inst.pk}/") and inst.business_key in note.title


# --- the process elsewhere ----------------------------------------------------------------------------------
def test_the_generic_work_order_actions_keep_the_installation_right(site, carrier):
    inst = site.booked()
    actions.work_order_return(actor=site.installer, work_order=visit(inst), reason="客户要求改期")
    inst.refresh_from_db()
    assert inst.state == InstallState.FAILED and inst.events.last().detail == "客户要求改期"

    other_team = make_unit("ZJ-HZ-T2", "杭州装维二班", OrgKind.TEAM, carrier.city)
    make_user("far_installer", "installer", other_team)
    moved = site.booked()
    actions.work_order_reassign(actor=carrier["admin"], work_order=visit(moved), queue_unit=other_team)
    moved.refresh_from_db()
    assert (moved.state, moved.team) == (InstallState.AWAITING_APPOINTMENT, other_team)
    assert moved.appointment.state == AppointmentState.CANCELLED  # the old team's place is given back

    cancelled = site.booked()
    actions.process_cancel(actor=carrier["admin"], instance=cancelled.instance, reason="客户撤单")
    cancelled.refresh_from_db()
    assert (
        cancelled.state == InstallState.CANCELLED
        and cancelled.appointment.state == AppointmentState.CANCELLED
    )
    assert moves(cancelled)[-1] == InstallMove.CANCELLED


def test_who_sees_an_installation(site, carrier):
    inst = site.booked()

    def sees(user) -> bool:
        return Installation.objects.restrict(user).filter(pk=inst.pk).exists()

    for user in (
        site.installer,
        site.backoffice,
        carrier["clerk"],
        carrier["branch_manager"],
        carrier["admin"],
    ):
        assert sees(user), user
    for user in (carrier["other_clerk"], carrier["other_branch_manager"]):
        assert not sees(user), user


# --- capacity -----------------------------------------------------------------------------------------------
def test_capacity_is_set_by_an_administrator(site, carrier):
    admin = carrier["admin"]
    row = inst_actions.install_capacity_set(actor=admin, team=site.team, window="am1", capacity=6)
    again = inst_actions.install_capacity_set(actor=admin, team=site.team.pk, window="am1", capacity="7")
    assert again.pk == row.pk and InstallCapacity.objects.get().capacity == 7
    bad = [
        ({"window": "nope", "capacity": 1}, "window"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"capacity": 1, "day": timezone.localdate() - dt.timedelta(days=1)}, "day"),
    ]
    for kwargs, field in bad:
        with pytest.raises(ValidationError) as exc:
            inst_actions.install_capacity_set(actor=admin, team=site.team, **kwargs)
        assert set(exc.value.error_dict) == {field}
    with pytest.raises(ValidationError) as exc:
        inst_actions.install_capacity_set(actor=admin, team=carrier.branch, capacity=1)
    assert set(exc.value.error_dict) == {"team"}
    with pytest.raises(PermissionDenied):
        inst_actions.install_capacity_set(actor=site.backoffice, team=site.team, capacity=1)
    inst_actions.install_capacity_delete(actor=admin, capacity=row)
    assert not InstallCapacity.objects.exists()
    assert AuditLog.objects.filter(action__startswith="install_capacity.").count() == 3


def test_a_work_order_from_before_installations_were_kept_enters_when_it_moves(site):
    inst = site.booked(installer=None)
    wo = visit(inst)
    Installation.objects.filter(pk=inst.pk).delete()  # as on a database older than the installations
    actions.work_order_claim(actor=site.installer, work_order=wo)
    again = Installation.objects.get(instance=wo.instance)
    assert again.work_order == wo and again.state == InstallState.AWAITING_APPOINTMENT
    assert again.address == "杭州市西湖区文三路1号" and again.customer == site.customer


def test_the_overdue_check_is_on_the_beat(site):
    from django.conf import settings

    from telcrm.orders.tasks import check_installations

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "orders.check_installations" in scheduled
    inst = site.booked()
    past = timezone.now() - dt.timedelta(hours=3)
    InstallAppointment.objects.filter(pk=inst.appointment_id).update(ends_at=past)
    assert check_installations()["alerted"] == 1
