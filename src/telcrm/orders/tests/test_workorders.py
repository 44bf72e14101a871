"""Work orders: who may claim, complete, return, reassign and escalate (permission, queue, data scope),
what each writes (history, audit, notifications), deadlines on the working calendar, SLA warnings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from telcrm.orders import actions, queries
from telcrm.orders.actions.dispatch import deadline
from telcrm.orders.models import Priority, WorkOrder, WorkOrderEvent, WorkOrderMove, WorkOrderState
from telcrm.orders.testing import chain, user
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog, Holiday, HolidayKind, Notification
from telcrm.platform.testing import make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def work_order(carrier, publish, run):
    """An open work order of the back-office queue at the Hangzhou city company (from a clerk's order
    at the West Lake branch)."""
    publish("order.test", chain(user("approve", name="核定", category="verification", sla_minutes="60")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], business_key="DD42")
    run(instance)
    return WorkOrder.objects.get(instance=instance)


# --- deadlines ----------------------------------------------------------------------------------------------
def test_deadlines_count_working_time_only(carrier):
    # office hours 09:00–12:00, 13:30–18:00 on weekdays; Friday 2026-03-06 17:00 + 120 working minutes
    start = dt.datetime(2026, 3, 6, 17, 0, tzinfo=SHANGHAI)
    d = deadline(start, sla_minutes=120, category="general", calendar_code="office")
    assert d.due_at == dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)  # Monday 10:00
    assert d.warn_at == dt.datetime(2026, 3, 9, 9, 36, tzinfo=SHANGHAI)  # 80 % = 96 minutes
    Holiday.objects.create(date=dt.date(2026, 3, 9), kind=HolidayKind.HOLIDAY, name="test")
    d = deadline(start, sla_minutes=120, category="general", calendar_code="office")
    assert d.due_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # the holiday is skipped
    d = deadline(start, sla_minutes=120, category="general", calendar_code="7x24")
    assert d.due_at == dt.datetime(2026, 3, 6, 19, 0, tzinfo=SHANGHAI)


def test_sla_comes_from_the_task_else_the_category_else_the_parameter(carrier, set_param):
    start = dt.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI)  # a Wednesday
    assert deadline(start, sla_minutes=30, category="verification").sla_minutes == 30
    assert deadline(start, sla_minutes=None, category="verification").sla_minutes == 120  # dictionary extra
    set_param("orders.default_sla_minutes", 90)
    assert deadline(start, sla_minutes=None, category="general2").sla_minutes == 90


# --- claiming and scope -------------------------------------------------------------------------------------
def test_queue_members_see_and_claim_open_work_orders(carrier, work_order):
    backoffice = carrier["backoffice"]
    assert work_order.org_unit == carrier.city and work_order.queue_role.code == "backoffice"
    assert list(queries.team_queue(backoffice)) == [work_order]
    wo = actions.work_order_claim(actor=backoffice, work_order=work_order)
    assert wo.state == WorkOrderState.CLAIMED and wo.assignee == backoffice
    assert list(queries.team_queue(backoffice)) == []
    assert list(queries.my_work_orders(backoffice)) == [wo]
    with pytest.raises(ValidationError) as exc:
        actions.work_order_claim(actor=backoffice, work_order=wo)
    assert exc.value.error_dict["state"][0].code == "invalid_state"
    assert list(wo.events.values_list("move", flat=True)) == [WorkOrderMove.CREATE, WorkOrderMove.CLAIM]
    assert AuditLog.objects.filter(action="work_order.claim", object_id=str(wo.pk)).exists()


def test_who_sees_a_work_order(carrier, work_order):
    other_city_bo = make_user("nb_backoffice", "backoffice", carrier.other_city)
    same_role_below = make_user("hz_bo_team", "backoffice", carrier.team)
    visible = lambda u: WorkOrder.objects.restrict(u).filter(pk=work_order.pk).exists()  # noqa: E731
    assert visible(carrier["backoffice"]) and visible(same_role_below)  # queue members (unit or below)
    assert visible(carrier["clerk"])  # own scope: the clerk started the process
    assert visible(carrier["branch_manager"])  # the origin branch is in the manager's subtree
    assert visible(carrier["admin"])
    assert not visible(other_city_bo) and not visible(carrier["other_clerk"])
    assert not visible(carrier["other_branch_manager"]) and not visible(carrier["installer"])
    with pytest.raises(NotFoundInScope):
        actions.work_order_claim(actor=other_city_bo, work_order=work_order)


def test_only_members_with_the_permission_claim(carrier, work_order):
    with pytest.raises(AccessDenied):
        actions.work_order_claim(actor=carrier["clerk"], work_order=work_order)  # sees it, may not handle
    with pytest.raises(NotFoundInScope):  # another role's queue: not even visible
        actions.work_order_claim(actor=carrier["installer"], work_order=work_order)
    with pytest.raises(AccessDenied):
        actions.work_order_claim(actor=carrier["service"], work_order=work_order)  # may view, not handle


def test_release_and_the_assignee_rule(carrier, work_order):
    backoffice = carrier["backoffice"]
    colleague = make_user("hz_bo_2", "backoffice", carrier.city)
    actions.work_order_claim(actor=backoffice, work_order=work_order)
    with pytest.raises(AccessDenied):
        actions.work_order_complete(actor=colleague, work_order=work_order)
    with pytest.raises(AccessDenied):
        actions.work_order_release(actor=colleague, work_order=work_order)  # not a supervisor
    wo = actions.work_order_release(actor=backoffice, work_order=work_order, note="请假")
    assert wo.state == WorkOrderState.OPEN and wo.assignee is None
    actions.work_order_claim(actor=colleague, work_order=wo)
    actions.work_order_release(actor=carrier["branch_manager"], work_order=wo)  # a supervisor may
    assert Notification.objects.filter(recipient=colleague).exists()


def test_completing_an_open_work_order_claims_it_first(carrier, work_order):
    wo = actions.work_order_complete(actor=carrier["backoffice"], work_order=work_order, note="资料齐全")
    assert wo.state == WorkOrderState.COMPLETED and wo.completed_by == carrier["backoffice"]
    moves = list(wo.events.values_list("move", flat=True))
    assert moves == [WorkOrderMove.CREATE, WorkOrderMove.CLAIM, WorkOrderMove.COMPLETE]
    with pytest.raises(ValidationError):
        actions.work_order_complete(actor=carrier["backoffice"], work_order=wo)


def test_outcomes_must_be_one_offered(carrier, publish, run):
    publish("order.test", chain(user("approve", outcomes="approved:通过|Approve,rejected:不通过|Reject")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    with pytest.raises(ValidationError) as exc:
        actions.work_order_complete(actor=carrier["backoffice"], work_order=wo, outcome="maybe")
    assert "outcome" in exc.value.error_dict
    wo = actions.work_order_complete(actor=carrier["backoffice"], work_order=wo, outcome="rejected")
    assert wo.outcome == "rejected"


def test_return_needs_a_reason_and_tells_the_clerk(carrier, work_order):
    backoffice = carrier["backoffice"]
    with pytest.raises(ValidationError) as exc:
        actions.work_order_return(actor=backoffice, work_order=work_order, reason=" ")
    assert "reason" in exc.value.error_dict
    wo = actions.work_order_return(actor=backoffice, work_order=work_order, reason="身份证过期")
    assert (wo.state, wo.outcome, wo.return_reason) == (WorkOrderState.RETURNED, "returned", "身份证过期")
    assert Notification.objects.filter(recipient=carrier["clerk"], level="warning").exists()


# --- supervisors --------------------------------------------------------------------------------------------
def test_reassign_to_a_person_or_a_queue(carrier, work_order):
    manager = carrier["branch_manager"]  # dispatch permission; the order came from the branch
    colleague = make_user("hz_bo_3", "backoffice", carrier.city)
    with pytest.raises(AccessDenied):
        actions.work_order_reassign(actor=carrier["backoffice"], work_order=work_order, assignee=colleague)
    with pytest.raises(ValidationError) as exc:
        actions.work_order_reassign(actor=manager, work_order=work_order, assignee=carrier["other_clerk"])
    assert exc.value.error_dict["assignee"][0].code == "not_member"
    wo = actions.work_order_reassign(
        actor=manager, work_order=work_order, assignee=colleague, note="熟悉此类"
    )
    assert wo.state == WorkOrderState.CLAIMED and wo.assignee == colleague
    assert Notification.objects.filter(recipient=colleague).count() == 1
    with pytest.raises(ValidationError):
        actions.work_order_reassign(
            actor=manager, work_order=wo, queue_unit=carrier.other_city
        )  # not in scope
    admin = carrier["admin"]
    wo = actions.work_order_reassign(actor=admin, work_order=wo, queue_unit=carrier.other_city)
    assert wo.state == WorkOrderState.OPEN and wo.org_unit == carrier.other_city and wo.assignee is None
    assert WorkOrderEvent.objects.filter(work_order=wo, move=WorkOrderMove.REQUEUE).exists()


def test_escalate_raises_priority_and_tells_the_supervisors(carrier, work_order):
    supervisor = make_user("hz_lead", "branch_manager", carrier.city)
    backoffice = carrier["backoffice"]
    actions.work_order_claim(actor=backoffice, work_order=work_order)
    with pytest.raises(AccessDenied):
        actions.work_order_escalate(actor=carrier["clerk"], work_order=work_order, reason="急")
    wo = actions.work_order_escalate(actor=backoffice, work_order=work_order, reason="客户投诉催单")
    assert wo.priority == Priority.URGENT and wo.escalation_level == 1 and wo.state == WorkOrderState.CLAIMED
    assert Notification.objects.filter(recipient=supervisor, level="warning").exists()
    with pytest.raises(ValidationError) as exc:
        actions.work_order_escalate(actor=carrier["admin"], work_order=wo, reason="x", to_unit=carrier.branch)
    assert exc.value.error_dict["to_unit"][0].code == "not_above"
    wo = actions.work_order_escalate(
        actor=carrier["admin"], work_order=wo, reason="升级到省公司", to_unit=carrier.province
    )
    assert wo.escalation_level == 2 and wo.state == WorkOrderState.OPEN and wo.org_unit == carrier.province


# --- SLA control --------------------------------------------------------------------------------------------
def test_sla_check_warns_then_alerts_once(carrier, work_order):
    supervisor = make_user("hz_lead2", "branch_manager", carrier.city)
    backoffice = carrier["backoffice"]
    before = work_order.warn_at - dt.timedelta(seconds=1)
    assert actions.work_order_sla_check(now=before) == {"warned": 0, "overdue": 0, "notified": 0}
    result = actions.work_order_sla_check(now=work_order.warn_at)
    assert result["warned"] == 1 and result["notified"] >= 1  # the queue's members, nobody claimed it
    assert Notification.objects.filter(recipient=backoffice, level="warning").count() == 1
    assert actions.work_order_sla_check(now=work_order.warn_at)["warned"] == 0  # once
    actions.work_order_claim(actor=backoffice, work_order=work_order)
    result = actions.work_order_sla_check(now=work_order.due_at)
    assert result["overdue"] == 1
    assert Notification.objects.filter(recipient=backoffice, level="danger").count() == 1
    assert Notification.objects.filter(recipient=supervisor, level="danger").count() == 1
    assert actions.work_order_sla_check(now=work_order.due_at + dt.timedelta(hours=1))["overdue"] == 0
    moves = list(work_order.events.values_list("move", flat=True))
    assert moves.count(WorkOrderMove.WARN) == 1 and moves.count(WorkOrderMove.OVERDUE) == 1


def test_finished_work_orders_raise_no_alerts(carrier, work_order):
    actions.work_order_complete(actor=carrier["backoffice"], work_order=work_order)
    assert actions.work_order_sla_check(now=work_order.due_at + dt.timedelta(days=1))["overdue"] == 0


def test_statistics_count_in_scope(carrier, work_order, publish, run):
    stats = queries.statistics(carrier["backoffice"])
    assert stats["by_state"] == {WorkOrderState.OPEN: 1} and stats["active"] == 1
    assert stats["categories"] == {"verification": {WorkOrderState.OPEN: 1}}
    assert queries.statistics(carrier["other_branch_manager"])["total"] == 0
    actions.work_order_complete(actor=carrier["backoffice"], work_order=work_order)
    stats = queries.statistics(carrier["admin"])
    assert stats["finished"] == 1 and stats["on_time_rate"] == 100.0
