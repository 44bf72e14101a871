"""Demo tickets (runs after the customers and the processes): a few per branch, through the actions.

Complaints and billing disputes go to the province's complaints team (ZJ-CS1, the demo ``service``
user's team: its ``default_team`` is set on those two categories when none is set); the others to the
customer's branch. Each branch's manager takes three tickets for customers of the branch; the demo
service user claims and works some of them (one waiting for the customer, one resolved, one closed),
and two are past their deadline so the SLA check escalates them.

The repair process of fault tickets (``processes/fault_repair.bpmn``) is loaded and published once.

Idempotent: branches that already have demo tickets (description ending in the marker) are skipped.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from telcrm.platform.demo import demo_generator

MARKER = "（演示）"
MAX_BRANCHES = 40
PLAN = (
    ("complaint", "complaint.network", "phone", 3, "家里信号差，经常掉线"),
    ("fault", "fault.broadband", "counter", 2, "宽带无法上网，光猫LOS灯红色闪烁"),
    ("consultation", "consultation.plan", "web", 4, "咨询5G套餐升级和流量包"),
    ("billing_dispute", "billing_dispute", "phone", 3, "本月账单多扣了20元增值业务费"),
)


def _reset(stdout) -> None:
    from telcrm.customers.models import Interaction

    from .models import Ticket, TicketEvent

    demo = Ticket.objects.filter(description__endswith=MARKER)
    ids = [str(pk) for pk in demo.values_list("pk", flat=True)]
    Interaction.objects.filter(ref_type="service.ticket", ref_id__in=ids).delete()
    TicketEvent.objects.filter(ticket__in=demo).delete()
    Ticket.objects.filter(parent__in=demo).update(parent=None)
    Ticket.objects.filter(merged_into__in=demo).update(merged_into=None)
    n, _detail = demo.delete()
    stdout.write(f"  service: {n} demo ticket rows deleted")


@demo_generator(order=70, name="service", reset=_reset)
def service_demo(*, stdout, customers: int, rng: random.Random) -> None:
    from telcrm.customers.models import Customer
    from telcrm.platform.models import OrgKind, OrgUnit, User

    from . import actions
    from .models import Ticket, TicketCategory

    cats = {c.code: c for c in TicketCategory.objects.all()}
    team = OrgUnit.objects.filter(code="ZJ-CS1").first()
    if team is not None:
        for code in ("complaint", "billing_dispute"):
            if code in cats and cats[code].default_team_id is None:
                cats[code].default_team = team
                cats[code].save(update_fields=["default_team"])
    service = User.objects.filter(username="service", is_active=True).first()
    _load_repair_process(User.objects.filter(username="admin", is_active=True).first())
    made = worked = 0
    branches = OrgUnit.objects.filter(kind=OrgKind.BRANCH, is_active=True).order_by("code")[:MAX_BRANCHES]
    for branch in branches:
        manager = (
            User.objects.filter(org_unit=branch, role__code="branch_manager", is_active=True)
            .order_by("pk")
            .first()
        )
        if manager is None:
            continue
        if Ticket.objects.filter(org_unit=branch, description__endswith=MARKER).exists():
            continue
        people = list(Customer.objects.filter(org_unit=branch, status="active").order_by("pk")[:20])
        if not people:
            continue
        for n in range(3):
            ticket_type, category, channel, priority, subject = PLAN[(n + branch.pk) % len(PLAN)]
            if category not in cats:
                continue
            t = actions.ticket_create(
                actor=manager,
                customer=rng.choice(people),
                ticket_type=ticket_type,
                category=cats[category],
                channel=channel,
                subject=subject,
                description=f"客户来电反映：{subject}。{MARKER}",
                priority=priority,
            )
            made += 1
            if service is not None and t.team_id == getattr(team, "pk", None) and worked < 6:
                worked += 1
                _work(actions, service, t, worked)
    # two tickets that waited too long: the next SLA check warns and escalates them
    past = timezone.now() - dt.timedelta(hours=2)
    late = list(
        Ticket.objects.filter(description__endswith=MARKER, state="new")
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    Ticket.objects.filter(pk__in=late).update(
        warn_at=past - dt.timedelta(hours=1), resolution_due_at=past, escalate_at=past, response_due_at=past
    )
    stdout.write(f"  service: {made} demo tickets, {worked} worked on")


def _work(actions, user, t, n: int) -> None:
    t = actions.ticket_claim(actor=user, ticket=t)
    if n == 1:
        return
    t = actions.ticket_start(actor=user, ticket=t)
    t = actions.ticket_respond(actor=user, ticket=t, message="已收到您的反映，正在核查。", channel="phone")
    if n == 2:
        actions.ticket_pending_customer(actor=user, ticket=t, question="请提供问题发生的时间和地点。")
    elif n >= 3:
        t = actions.ticket_resolve(actor=user, ticket=t, resolution="经核查已处理，请客户确认。")
        if n >= 4:
            actions.ticket_close(actor=user, ticket=t, confirmed=True, note="客户电话确认满意")


def _load_repair_process(admin) -> None:
    """The shipped repair process of fault tickets (processes/fault_repair.bpmn), once."""
    from pathlib import Path

    from telcrm.orders import actions as orders
    from telcrm.orders.models import ProcessDefinition

    key = "service.fault_repair"
    if admin is None or ProcessDefinition.objects.filter(key=key).exists():
        return
    xml = (Path(__file__).resolve().parent / "processes" / "fault_repair.bpmn").read_text(encoding="utf-8")
    definition = orders.process_definition_create(
        actor=admin,
        key=key,
        name="故障上门维修",
        name_en="Fault repair",
        description="故障报事 → 装维班组上门维修",
        bpmn_xml=xml,
        comment="首版",
    )
    orders.process_version_publish(actor=admin, version=definition.versions.get())
