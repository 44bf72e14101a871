"""What people do with tickets (报事): take one, assign or claim it, work on it, answer the customer,
wait for them, resolve, close on their confirmation, reopen.

Each action is one transaction: it checks the permission, fetches the ticket through the data scope (a
row outside it is "not found"), locks it, checks the move against the state machine
(:mod:`telcrm.service.states`), changes it, and writes its history line (TicketEvent), an interaction on
the customer's timeline, an audit record and an event (``ticket.<move>``); whom it concerns is told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions._common import Errors, insert_numbered
from telcrm.customers.models import Customer, CustomerStatus, Subscription
from telcrm.platform.actions import access, require_perm
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error
from telcrm.platform.models import User

from ..models import Priority, Ticket, TicketCategory, TicketChannel, TicketMove, TicketState, TicketType
from ..permissions import ADD_TICKET, DISPATCH_TICKET, HANDLE_TICKET
from . import routing
from ._common import (
    announce,
    audit,
    before,
    clean_text,
    event,
    fetch,
    is_member,
    move_to,
    pk_of,
    require_handler,
    tell,
    timeline,
)

TICKET_PREFIX = "T"


# --- create -------------------------------------------------------------------------------------------------
def _choice(errs: Errors, value, choices, field: str, message):
    if value not in choices:
        errs.add(field, message, "invalid_choice")
        return None
    return value


@transaction.atomic
def ticket_create(
    *,
    actor,
    customer,
    ticket_type: str,
    category,
    channel: str,
    subject: str,
    description: str = "",
    priority: int | str = Priority.P3,
    subscription=None,
    order=None,
) -> Ticket:
    """Take a ticket for a customer in scope; it is routed to a team queue with its SLA deadlines."""
    require_perm(actor, ADD_TICKET)
    errs = Errors()
    row = None
    try:
        row = access(Customer.objects.select_related("org_unit"), actor, pk_of(customer))
    except NotFoundInScope:
        errs.add("customer", _("Choose a customer you may serve."), "not_found")
    if row is not None and row.status in (CustomerStatus.MERGED, CustomerStatus.CLOSED):
        errs.add(
            "customer", _("This customer is closed or merged; take the ticket on the live record."), "closed"
        )
    _choice(errs, ticket_type, TicketType.values, "ticket_type", _("Choose a valid ticket type."))
    _choice(errs, channel, TicketChannel.values, "channel", _("Choose a valid channel."))
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = None
    _choice(errs, priority, Priority.values, "priority", _("Choose a priority from P1 to P4."))
    cat = (
        TicketCategory.objects.filter(pk=pk_of(category), is_active=True)
        .select_related("default_team", "parent")
        .first()
        if category not in (None, "")
        else None
    )
    if cat is None:
        errs.add("category", _("Choose an active ticket category."), "invalid_choice")
    subject = errs.run(clean_text, subject, "subject", max_length=200, required=True)
    description = errs.run(clean_text, description, "description", max_length=4000)
    sub = None
    if subscription not in (None, "") and row is not None:
        sub = Subscription.objects.filter(pk=pk_of(subscription), customer=row).first()
        if sub is None:
            errs.add("subscription", _("This line does not belong to the customer."), "invalid")
    ord_ = None
    if order not in (None, "") and row is not None:
        from telcrm.orders.models import Order

        ord_ = Order.objects.filter(pk=pk_of(order), customer=row).first()
        if ord_ is None:
            errs.add("order", _("This order does not belong to the customer."), "invalid")
    errs.raise_if_any()
    way = routing.route(category=cat, customer=row, priority=priority)
    goals = routing.targets(cat, way.priority)
    now = timezone.now()
    due = routing.deadlines(now, goals)
    ticket = Ticket(
        org_unit_id=row.org_unit_id,
        owner=actor,
        ticket_type=ticket_type,
        category=cat,
        priority=way.priority,
        channel=channel,
        customer=row,
        subscription=sub,
        order=ord_,
        subject=subject,
        description=description,
        state=TicketState.NEW,
        state_changed_at=now,
        team=way.team,
        queue_role=way.queue_role,
        calendar=goals.calendar,
        response_minutes=goals.response_minutes,
        resolution_minutes=goals.resolution_minutes,
        response_due_at=due.response_due_at,
        resolution_due_at=due.resolution_due_at,
        warn_at=due.warn_at,
        escalate_at=due.resolution_due_at,
    )
    insert_numbered(ticket, "ticket_no", TICKET_PREFIX)
    event(ticket, TicketMove.CREATE, "", actor=actor, at=now, note=f"{way.team.display_name}")
    timeline(ticket, _("Ticket taken: %(s)s") % {"s": subject}, actor=actor, channel=channel)
    audit(actor, ticket, "create", None)
    announce("ticket.created", ticket, actor)
    from ._common import queue_members

    tell(queue_members(ticket), _("New ticket %(no)s in your queue: %(subject)s"), ticket=ticket, skip=actor)
    return ticket


# --- assign / claim -----------------------------------------------------------------------------------------
@transaction.atomic
def ticket_assign(*, actor, ticket, assignee, note: str = "") -> Ticket:
    """A team leader gives the ticket to a member of its queue (or any active user in their scope)."""
    require_perm(actor, DISPATCH_TICKET)
    t = fetch(actor, ticket)
    note = clean_text(note, "note")
    user = User.objects.filter(pk=pk_of(assignee), is_active=True).select_related("org_unit").first()
    if user is None or not user.has_perm(HANDLE_TICKET):
        raise field_error("assignee", _("Choose an active user who handles tickets."), "invalid")
    return _give(actor, t, user, TicketMove.ASSIGN, note)


@transaction.atomic
def ticket_claim(*, actor, ticket) -> Ticket:
    """A member of the queue takes an unassigned ticket."""
    require_perm(actor, HANDLE_TICKET)
    t = fetch(actor, ticket)
    if not is_member(actor, t):
        raise AccessDenied(_("This ticket is not in one of your team queues."))
    return _give(actor, t, actor, TicketMove.CLAIM, "")


def _give(actor, t: Ticket, user, move: str, note: str) -> Ticket:
    prior = before(t)
    state_from, previous = t.state, t.assignee
    t.state = move_to(t, move)
    now = timezone.now()
    t.assignee, t.state_changed_at = user, now
    t.save()
    event(t, move, state_from, actor=actor, assignee=user, note=note, at=now)
    timeline(t, _("Assigned to %(name)s") % {"name": user.full_name}, actor=actor)
    audit(actor, t, move, prior, note=note)
    announce("ticket.assigned", t, actor)
    tell([user], _("Ticket %(no)s assigned to you: %(subject)s"), ticket=t, skip=actor)
    if previous is not None and previous.pk != user.pk:
        tell([previous], _("Ticket %(no)s was given to someone else"), ticket=t, skip=actor)
    return t


# --- work ---------------------------------------------------------------------------------------------------
def _simple(actor, ticket, move: str, *, note: str = "", required: bool = False, field: str = "note"):
    require_perm(actor, HANDLE_TICKET)
    t = fetch(actor, ticket)
    require_handler(actor, t)
    note = clean_text(note, field, required=required)
    prior = before(t)
    state_from = t.state
    t.state = move_to(t, move)
    return t, note, prior, state_from, timezone.now()


def _first_response(t: Ticket, now) -> None:
    if t.responded_at is None:
        t.responded_at = now


@transaction.atomic
def ticket_start(*, actor, ticket) -> Ticket:
    """The handler starts working on it (an unassigned ticket is claimed by whoever starts it)."""
    t, _note, prior, state_from, now = _simple(actor, ticket, TicketMove.START)
    if t.assignee_id is None:
        t.assignee = actor
    t.state_changed_at = now
    t.save()
    event(t, TicketMove.START, state_from, actor=actor, assignee=t.assignee, at=now)
    timeline(t, _("Work started"), actor=actor)
    audit(actor, t, "start", prior)
    announce("ticket.in_progress", t, actor)
    return t


@transaction.atomic
def ticket_respond(*, actor, ticket, message: str, channel: str = "phone") -> Ticket:
    """Answer the customer (the first answer stops the first-response clock)."""
    if channel not in TicketChannel.values:
        raise field_error("channel", _("Choose a valid channel."), "invalid_choice")
    t, message, prior, state_from, now = _simple(
        actor, ticket, TicketMove.RESPOND, note=message, required=True, field="message"
    )
    first = t.responded_at is None
    _first_response(t, now)
    t.save()
    event(t, TicketMove.RESPOND, state_from, actor=actor, note=message, at=now)
    timeline(t, _("Answered: %(m)s") % {"m": message}, actor=actor, channel=channel, direction="out")
    audit(actor, t, "respond", prior, first=first)
    announce("ticket.responded", t, actor)
    return t


@transaction.atomic
def ticket_pending_customer(*, actor, ticket, question: str) -> Ticket:
    """Ask the customer and wait for them: the resolution clock stops until they answer."""
    t, question, prior, state_from, now = _simple(
        actor, ticket, TicketMove.PENDING, note=question, required=True, field="question"
    )
    _first_response(t, now)
    t.paused_at, t.state_changed_at = now, now
    t.save()
    event(t, TicketMove.PENDING, state_from, actor=actor, note=question, at=now)
    timeline(
        t, _("Asked the customer: %(m)s") % {"m": question}, actor=actor, channel=t.channel, direction="out"
    )
    audit(actor, t, "pending", prior)
    announce("ticket.pending_customer", t, actor)
    return t


@transaction.atomic
def ticket_resume(*, actor, ticket, note: str = "") -> Ticket:
    """The customer answered: the clock runs again, the deadlines move by the paused working time."""
    t, note, prior, state_from, now = _simple(actor, ticket, TicketMove.RESUME, note=note)
    moved = routing.resume(t, now)
    t.paused_at, t.state_changed_at = None, now
    t.paused_minutes, t.resolution_due_at, t.warn_at = (
        moved.paused_minutes,
        moved.resolution_due_at,
        moved.warn_at,
    )
    if t.escalation_level == 0:
        t.escalate_at = moved.resolution_due_at
    if t.warned_at and moved.warn_at > now:
        t.warned_at = None  # warn again before the new deadline
    t.save()
    event(t, TicketMove.RESUME, state_from, actor=actor, note=note, at=now)
    timeline(t, _("The customer answered") + (f": {note}" if note else ""), actor=actor, channel=t.channel)
    audit(actor, t, "resume", prior)
    announce("ticket.resumed", t, actor)
    return t


@transaction.atomic
def ticket_resolve(*, actor, ticket, resolution: str) -> Ticket:
    """Write how it was solved; the customer is asked to confirm."""
    t, resolution, prior, state_from, now = _simple(
        actor, ticket, TicketMove.RESOLVE, note=resolution, required=True, field="resolution"
    )
    _first_response(t, now)
    t.resolution, t.resolved_at, t.state_changed_at = resolution, now, now
    t.save()
    event(t, TicketMove.RESOLVE, state_from, actor=actor, note=resolution, at=now)
    timeline(t, _("Resolved: %(m)s") % {"m": resolution}, actor=actor, channel=t.channel, direction="out")
    audit(actor, t, "resolve", prior)
    announce("ticket.resolved", t, actor)
    if t.owner_id and t.owner_id != getattr(actor, "pk", None):
        tell([t.owner], _("Ticket %(no)s is resolved: %(subject)s"), ticket=t)
    return t


@transaction.atomic
def ticket_close(*, actor, ticket, confirmed: bool = True, note: str = "") -> Ticket:
    """Close a resolved ticket: on the customer's confirmation, or (``actor`` None, ``confirmed``
    False) by the scheduled task when they did not answer in time."""
    if actor is None:
        t = Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk_of(ticket))
        note = clean_text(note, "note")
        prior, state_from = before(t), t.state
        t.state = move_to(t, TicketMove.CLOSE)
        now = timezone.now()
    else:
        t, note, prior, state_from, now = _simple(actor, ticket, TicketMove.CLOSE, note=note)
    t.closed_at, t.state_changed_at, t.confirmed_by_customer = now, now, bool(confirmed)
    t.save()
    event(t, TicketMove.CLOSE, state_from, actor=actor, note=note, at=now)
    summary = _("Closed with the customer's confirmation") if confirmed else _("Closed without an answer")
    timeline(t, summary, actor=actor)
    audit(actor, t, "close", prior, confirmed=bool(confirmed))
    announce("ticket.closed", t, actor)
    return t


@transaction.atomic
def ticket_reopen(*, actor, ticket, reason: str) -> Ticket:
    """The customer is not satisfied: the ticket goes back to its handler (or its queue)."""
    require_perm(actor, HANDLE_TICKET)
    t = fetch(actor, ticket)
    require_handler(actor, t)
    reason = clean_text(reason, "reason", required=True)
    if t.merged_into_id:
        raise field_error(
            "state",
            _("A merged ticket cannot be reopened; reopen %(no)s."),
            "merged",
            no=t.merged_into.ticket_no,
        )
    prior, state_from = before(t), t.state
    t.state = move_to(t, TicketMove.REOPEN)
    now = timezone.now()
    t.state_changed_at, t.resolved_at, t.closed_at = now, None, None
    t.confirmed_by_customer = False
    t.reopen_count += 1
    # a new resolution clock from now, with the ticket's targets
    due = routing.deadlines(now, routing.Targets(t.calendar, t.response_minutes, t.resolution_minutes))
    t.resolution_due_at, t.warn_at, t.escalate_at = due.resolution_due_at, due.warn_at, due.resolution_due_at
    t.warned_at = t.breached_at = t.escalated_at = None
    t.escalation_level = 0
    t.save()
    event(t, TicketMove.REOPEN, state_from, actor=actor, note=reason, at=now)
    timeline(t, _("Reopened: %(m)s") % {"m": reason}, actor=actor, channel=t.channel)
    audit(actor, t, "reopen", prior, reason=reason)
    announce("ticket.reopened", t, actor)
    if t.assignee_id:
        tell([t.assignee], _("Ticket %(no)s was reopened: %(subject)s"), ticket=t, skip=actor)
    return t
