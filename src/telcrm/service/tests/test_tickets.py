"""Tickets: creation with field errors, routing, the state machine through the actions, what each move
writes (history, timeline interaction, audit, event), merge and mass faults."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.customers.models import Interaction
from telcrm.integration.models import Event
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog, Notification
from telcrm.platform.testing import make_user
from telcrm.service import actions
from telcrm.service.models import Ticket, TicketMove, TicketState
from telcrm.service.states import TRANSITIONS, TransitionRefused, moves_from, target

pytestmark = pytest.mark.django_db


def errors(exc) -> dict[str, str]:
    return {k: v[0].code for k, v in exc.value.error_dict.items()}


# --- the state machine as data ------------------------------------------------------------------------------
def test_state_machine_refuses_moves_out_of_order():
    assert target("new", "claim") == "assigned"
    assert target("in_progress", "pending") == "pending_customer"
    assert target("resolved", "close") == "closed"
    assert target("closed", "reopen") == "reopened"
    for state, move in [
        ("new", "resolve"),
        ("new", "close"),
        ("closed", "start"),
        ("pending_customer", "resolve"),
    ]:
        with pytest.raises(TransitionRefused):
            target(state, move)
    assert "resolve" not in moves_from("new") and "close" in moves_from("resolved")
    assert all(end is None or end in TicketState.values for _starts, end in TRANSITIONS.values())


# --- create -------------------------------------------------------------------------------------------------
def test_create_numbers_routes_and_records_everything(carrier, take, customer):
    t = take()
    assert t.ticket_no.startswith("T") and len(t.ticket_no) == 12 and t.ticket_no[1:].isdigit()
    assert t.state == TicketState.NEW and t.org_unit == carrier.branch and t.owner == carrier["agent"]
    # the West Lake branch has no service staff: its city company's service desk gets it
    assert t.team == carrier.city and t.queue_role.code == "service"
    assert t.response_due_at < t.resolution_due_at and t.warn_at < t.resolution_due_at
    assert list(t.events.values_list("move", flat=True)) == [TicketMove.CREATE]
    assert Interaction.objects.filter(
        customer=customer, kind="ticket", ref_id=str(t.pk), channel="phone"
    ).exists()
    assert AuditLog.objects.filter(action="ticket.create", object_id=str(t.pk)).exists()
    assert Event.objects.filter(topic="ticket.created", aggregate_id=str(t.pk)).exists()
    assert Notification.objects.filter(recipient=carrier["service"], link__endswith=f"/{t.pk}/").exists()
    second = take()
    assert int(second.ticket_no[1:]) == int(t.ticket_no[1:]) + 1


def test_create_reports_every_wrong_field(carrier, customer):
    with pytest.raises(ValidationError) as exc:
        actions.ticket_create(
            actor=carrier["agent"],
            customer=customer,
            ticket_type="rant",
            category=None,
            channel="pigeon",
            subject="  ",
            priority=9,
        )
    assert errors(exc) == {
        "ticket_type": "invalid_choice",
        "category": "invalid_choice",
        "channel": "invalid_choice",
        "subject": "required",
        "priority": "invalid_choice",
    }
    assert not Ticket.objects.exists()


def test_create_needs_the_customer_in_scope_and_the_permission(carrier, customer, cat):
    args = dict(ticket_type="complaint", category=cat["complaint"], channel="phone", subject="x")
    with pytest.raises(ValidationError) as exc:
        actions.ticket_create(actor=carrier["other_clerk"], customer=customer, **args)
    assert errors(exc) == {"customer": "not_found"}
    with pytest.raises(AccessDenied):
        actions.ticket_create(actor=carrier["installer"], customer=customer, **args)


# --- routing ------------------------------------------------------------------------------------------------
def test_routing_category_team_inherited_region_and_vip(carrier, take, vip, cat):
    complaints = make_user("zj_complaints", "service", carrier.province)
    cat["complaint"].default_team = carrier.province
    cat["complaint"].save()
    t = take()  # complaint.network has no team of its own: its parent's
    assert t.team == carrier.province
    assert actions.ticket_claim(actor=complaints, ticket=t).assignee == complaints
    f = take(ticket_type="fault", category=cat["fault.mobile"])
    assert f.team == carrier.city  # no team on the category: the region's service desk
    v = take(customer=vip, priority=3)
    assert v.priority == 2  # VIPs first
    assert take(customer=vip, priority=1).priority == 1


# --- the lifecycle through the actions ----------------------------------------------------------------------
def test_full_lifecycle_to_confirmed_closure(carrier, take, customer):
    svc = carrier["service"]
    t = take()
    with pytest.raises(ValidationError) as exc:
        actions.ticket_resolve(actor=svc, ticket=t, resolution="done")
    assert errors(exc) == {"state": "invalid_state"}
    assert "“" in exc.value.messages[0]  # names the state
    t = actions.ticket_claim(actor=svc, ticket=t)
    t = actions.ticket_start(actor=svc, ticket=t)
    t = actions.ticket_respond(actor=svc, ticket=t, message="已派人检查基站", channel="phone")
    assert t.responded_at is not None
    t = actions.ticket_resolve(actor=svc, ticket=t, resolution="基站故障已修复")
    with pytest.raises(ValidationError):
        actions.ticket_start(actor=svc, ticket=t)
    t = actions.ticket_close(actor=svc, ticket=t, confirmed=True)
    assert t.state == TicketState.CLOSED and t.confirmed_by_customer
    moves = list(t.events.values_list("move", flat=True))
    assert moves == ["create", "claim", "start", "respond", "resolve", "close"]
    assert Interaction.objects.filter(customer=customer, ref_id=str(t.pk)).count() == 6
    assert Interaction.objects.filter(customer=customer, ref_id=str(t.pk), direction="out").count() == 2
    assert Event.objects.filter(aggregate_id=str(t.pk), topic="ticket.closed").exists()
    t = actions.ticket_reopen(actor=svc, ticket=t, reason="客户反映仍然没有信号")
    assert t.state == TicketState.REOPENED and t.reopen_count == 1 and t.closed_at is None


def test_who_may_claim_and_work(carrier, take):
    t = take()
    with pytest.raises(AccessDenied):
        actions.ticket_claim(actor=carrier["agent"], ticket=t)  # not of the service queue
    with pytest.raises(AccessDenied):
        actions.ticket_assign(actor=carrier["service"], ticket=t, assignee=carrier["service"])
    lead = make_user("hz_lead", "branch_manager", carrier.city)
    t = actions.ticket_assign(actor=lead, ticket=t, assignee=carrier["service"])
    assert t.assignee == carrier["service"] and t.state == TicketState.ASSIGNED
    with pytest.raises(ValidationError) as exc:
        actions.ticket_respond(actor=carrier["service"], ticket=t, message=" ")
    assert errors(exc) == {"message": "required"}


def test_merge_duplicate(carrier, take):
    lead = make_user("hz_lead", "branch_manager", carrier.city)
    a, b = take(), take()
    dup = actions.ticket_merge(actor=lead, ticket=b, into=a, note="同一问题")
    assert dup.state == TicketState.CLOSED and dup.merged_into == a
    with pytest.raises(ValidationError) as exc:
        actions.ticket_merge(actor=lead, ticket=a, into=b)
    assert errors(exc) == {"target": "invalid_state"}
    with pytest.raises(ValidationError) as exc:
        actions.ticket_merge(actor=lead, ticket=a, into=a)
    assert errors(exc) == {"target": "same"}


def test_mass_fault_link_and_bulk_resolve(carrier, take, cat, customer, vip):
    svc = carrier["service"]
    mass = take(ticket_type="fault", category=cat["fault.mobile"], subject="西湖区基站退服")
    complaint = take()
    with pytest.raises(ValidationError) as exc:
        actions.ticket_link_parent(actor=svc, ticket=mass, parent=complaint)
    assert errors(exc) == {"parent": "not_fault"}
    children = [take(), take(customer=vip)]
    for c in children:
        actions.ticket_link_parent(actor=svc, ticket=c, parent=mass)
    actions.ticket_claim(actor=svc, ticket=mass)
    actions.ticket_start(actor=svc, ticket=mass)
    out = actions.ticket_parent_update(actor=svc, ticket=mass, message="预计18点恢复")
    assert out == {"children": 2, "resolved": 0}
    assert Interaction.objects.filter(customer=vip, channel="sms", direction="out").exists()
    assert Event.objects.filter(topic="ticket.customer_notified").count() == 2
    out = actions.ticket_parent_update(actor=svc, ticket=mass, message="基站已恢复", resolve=True)
    assert out["resolved"] == 2
    assert set(Ticket.objects.filter(parent=mass).values_list("state", flat=True)) == {TicketState.RESOLVED}
    mass.refresh_from_db()
    assert mass.state == TicketState.RESOLVED
