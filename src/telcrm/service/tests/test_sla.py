"""SLA arithmetic on the working calendar (holidays, pauses), targets per category × priority, and the
scheduled escalation: warnings, breach, level by level, idempotent."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from telcrm.platform.models import Holiday, HolidayKind, Notification, User
from telcrm.platform.testing import make_user
from telcrm.service import actions
from telcrm.service.actions import routing
from telcrm.service.models import SlaTarget, Ticket, TicketMove, TicketState

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- targets and deadlines ----------------------------------------------------------------------------------
def test_targets_come_from_the_category_then_its_parent_then_the_parameters(cat, set_param):
    assert routing.targets(cat["complaint.network"], 2).resolution_minutes == 480  # the parent's row
    SlaTarget.objects.create(
        category=cat["complaint.network"], priority=2, response_minutes=20, resolution_minutes=300
    )
    t = routing.targets(cat["complaint.network"], 2)
    assert (t.response_minutes, t.resolution_minutes, t.calendar) == (20, 300, "office")
    set_param("service.resolution_minutes_p3", 999)
    assert routing.targets(cat["suggestion"], 3).resolution_minutes == 999
    cat["suggestion"].calendar = "7x24"
    cat["suggestion"].save()
    assert routing.targets(cat["suggestion"], 3).calendar == "7x24"


def test_deadlines_count_working_time_and_skip_holidays(carrier):
    # office hours 09:00–12:00, 13:30–18:00 on weekdays; Friday 2026-03-06 17:00
    start = dt.datetime(2026, 3, 6, 17, 0, tzinfo=SHANGHAI)
    goals = routing.Targets("office", 30, 120)
    d = routing.deadlines(start, goals)
    assert d.response_due_at == dt.datetime(2026, 3, 6, 17, 30, tzinfo=SHANGHAI)
    assert d.resolution_due_at == dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)  # Monday 10:00
    assert d.warn_at == dt.datetime(2026, 3, 9, 9, 36, tzinfo=SHANGHAI)  # 80 %: 96 minutes
    Holiday.objects.create(date=dt.date(2026, 3, 9), kind=HolidayKind.HOLIDAY, name="test")
    assert routing.deadlines(start, goals).resolution_due_at == dt.datetime(
        2026, 3, 10, 10, 0, tzinfo=SHANGHAI
    )


def test_a_pause_carries_the_remaining_working_time_forward(carrier):
    created = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # Monday; a working day is 450 minutes
    d = routing.deadlines(created, routing.Targets("office", 30, 450))
    assert d.resolution_due_at == dt.datetime(2026, 3, 2, 18, 0, tzinfo=SHANGHAI)
    t = Ticket(
        calendar="office", resolution_minutes=450, resolution_due_at=d.resolution_due_at, paused_minutes=5
    )
    # waiting for the customer from Monday 11:00 (330 minutes left) to Wednesday 10:00 (Tuesday a holiday)
    Holiday.objects.create(date=dt.date(2026, 3, 3), kind=HolidayKind.HOLIDAY, name="test")
    t.paused_at = dt.datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI)
    moved = routing.resume(t, dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI))
    # paused: Monday 11:00–12:00 and 13:30–18:00 (330) + Wednesday 09:00–10:00 (60) = 390, plus the 5 before
    assert moved.paused_minutes == 395
    # the 330 minutes left, from Wednesday 10:00: 10:00–12:00 (120), 13:30–17:00 (210)
    assert moved.resolution_due_at == dt.datetime(2026, 3, 4, 17, 0, tzinfo=SHANGHAI)
    assert moved.warn_at == dt.datetime(
        2026, 3, 4, 15, 30, tzinfo=SHANGHAI
    )  # 20 % of 450 = 90 minutes earlier


def test_pending_customer_stops_the_clock(carrier, take, cat):
    cat["complaint.network"].calendar = "7x24"
    cat["complaint.network"].save()
    svc = carrier["service"]
    t = take()
    actions.ticket_claim(actor=svc, ticket=t)
    actions.ticket_start(actor=svc, ticket=t)
    t = actions.ticket_pending_customer(actor=svc, ticket=t, question="请提供故障发生的具体地址")
    assert t.state == TicketState.PENDING_CUSTOMER and t.paused_at and t.responded_at
    due = t.resolution_due_at
    Ticket.objects.filter(pk=t.pk).update(paused_at=t.paused_at - timedelta(hours=2))
    t = actions.ticket_resume(actor=svc, ticket=t, note="客户已回复地址")
    assert t.paused_at is None and t.state == TicketState.IN_PROGRESS
    assert 120 <= t.paused_minutes <= 121
    assert timedelta(hours=2) <= t.resolution_due_at - due <= timedelta(hours=2, minutes=1)
    assert t.escalate_at == t.resolution_due_at
    # waiting tickets are neither warned nor escalated
    actions.ticket_pending_customer(actor=svc, ticket=t, question="再确认一次")
    assert actions.ticket_sla_check(now=t.resolution_due_at + timedelta(days=3))["escalated"] == 0


# --- escalation ---------------------------------------------------------------------------------------------
def test_warning_breach_and_escalation_level_by_level_once_each(carrier, take, set_param):
    set_param("service.escalate_next_minutes", 60)
    hz_lead = make_user("hz_lead", "branch_manager", carrier.city)
    zj_lead = make_user("zj_lead", "branch_manager", carrier.province)
    svc = carrier["service"]
    User.objects.filter(pk__in=[svc.pk, hz_lead.pk]).update(language="en")  # the titles below in English
    t = take()
    actions.ticket_claim(actor=svc, ticket=t)
    t.refresh_from_db()

    out = actions.ticket_sla_check(now=t.warn_at)
    assert out["warned"] == 1 and out["response_overdue"] == 1 and out["escalated"] == 0
    again = actions.ticket_sla_check(now=t.warn_at)  # once each
    assert again["warned"] == 0 and again["response_overdue"] == 0 and again["notified"] == 0
    assert (
        Notification.objects.filter(recipient=svc, level="warning", title__contains="due soon").count() == 1
    )
    assert Notification.objects.filter(recipient=hz_lead, title__contains="no first response").count() == 1

    late = t.resolution_due_at + timedelta(minutes=1)
    out = actions.ticket_sla_check(now=late)
    assert out["escalated"] == 1
    t.refresh_from_db()
    assert t.escalation_level == 1 and t.breached_at == late and t.escalated_to == carrier.city
    assert Notification.objects.filter(recipient=hz_lead, level="danger").count() == 1
    assert Notification.objects.filter(recipient=svc, level="danger").count() == 1
    again = actions.ticket_sla_check(now=late)  # a second run at the same moment changes nothing
    assert again["escalated"] == 0 and again["notified"] == 0

    out = actions.ticket_sla_check(now=t.escalate_at)
    assert out["escalated"] == 1
    t.refresh_from_db()
    assert t.escalation_level == 2 and t.escalated_to == carrier.province
    assert Notification.objects.filter(recipient=zj_lead, level="danger").count() == 1
    # the highest level (parameter, 2) is reached: nothing more, however late
    assert actions.ticket_sla_check(now=late + timedelta(days=30))["escalated"] == 0
    moves = list(t.events.values_list("move", flat=True))
    assert moves.count(TicketMove.ESCALATE) == 2 and moves.count(TicketMove.BREACH) == 2  # response too
    assert moves.count(TicketMove.WARN) == 1


def test_resolved_tickets_close_unconfirmed_after_the_timeout(carrier, take, set_param):
    svc = carrier["service"]
    t = take()
    for step in (actions.ticket_claim, actions.ticket_start):
        t = step(actor=svc, ticket=t)
    t = actions.ticket_resolve(actor=svc, ticket=t, resolution="已处理")
    assert actions.ticket_sla_check(now=t.resolved_at + timedelta(days=1))["closed"] == 0
    Ticket.objects.filter(pk=t.pk).update(resolved_at=t.resolved_at - timedelta(days=8))
    assert actions.ticket_sla_check()["closed"] == 1
    t.refresh_from_db()
    assert t.state == TicketState.CLOSED and not t.confirmed_by_customer
