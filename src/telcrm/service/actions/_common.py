"""Helpers of the ticket actions: fetching through the scope, the state machine, history, timeline,
audit, events and notifications."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions import interaction_record
from telcrm.platform.actions import notify
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error
from telcrm.platform.events import emit
from telcrm.platform.models import User

from ..models import INTERACTION_CHANNEL, Ticket, TicketEvent, TicketState
from ..models.ticket import ancestor_ids
from ..permissions import DISPATCH_TICKET
from ..states import TransitionRefused, target

AUDIT_FIELDS = [
    "state",
    "assignee",
    "team",
    "queue_role",
    "priority",
    "category",
    "parent",
    "merged_into",
    "escalation_level",
    "resolution_due_at",
    "paused_minutes",
]
MAX_NOTE = 1000


def pk_of(obj):
    return getattr(obj, "pk", obj)


def clean_text(value, field: str, *, max_length: int = MAX_NOTE, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise field_error(field, _("At most %(n)s characters."), "max_length", n=max_length)
    return text


def fetch(actor, ticket, *, lock: bool = True) -> Ticket:
    """The ticket if ``actor`` may see it (scope, assignment or queue), locked; else NotFoundInScope."""
    qs = Ticket.objects.restrict(actor).select_related(
        "team", "queue_role", "assignee", "customer", "org_unit"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk_of(ticket))
    except (Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def move_to(ticket: Ticket, move: str, field: str = "state") -> str:
    try:
        return target(ticket.state, move)
    except TransitionRefused:
        raise field_error(
            field,
            _("Ticket %(no)s is “%(state)s”; this is not possible now."),
            "invalid_state",
            no=ticket.ticket_no,
            state=TicketState(ticket.state).label,
        ) from None


def in_subtree(user, unit) -> bool:
    return bool(user.org_unit_id) and user.org_unit.path.startswith(unit.path)


def is_member(user, ticket: Ticket) -> bool:
    """Whether ``user`` belongs to the ticket's queue: its role, at its team unit or below."""
    return bool(
        user is not None
        and user.is_active
        and user.role_id == ticket.queue_role_id
        and in_subtree(user, ticket.team)
    )


def require_handler(actor, ticket: Ticket) -> None:
    """The assignee, a member of the queue, or a leader."""
    if ticket.assignee_id == actor.pk or is_member(actor, ticket):
        return
    if actor.has_perm(DISPATCH_TICKET):
        return
    raise AccessDenied(_("This ticket is neither yours nor in one of your team queues."))


def queue_members(ticket: Ticket, *, limit: int = 50) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_id=ticket.queue_role_id, org_unit__path__startswith=ticket.team.path
        ).order_by("pk")[:limit]
    )


def leaders_at(unit_ids: list[int], *, limit: int = 20) -> tuple[list[User], int | None]:
    """Users with the dispatch permission at the nearest of ``unit_ids`` (nearest last) having any,
    and that unit's id."""
    perm = Q(
        role__permissions__codename="dispatch_ticket", role__permissions__content_type__app_label="service"
    )
    for pk in reversed(unit_ids):
        users = list(
            User.objects.filter(perm, is_active=True, org_unit_id=pk).distinct().order_by("pk")[:limit]
        )
        if users:
            return users, pk
    return [], None


def event(ticket: Ticket, move: str, state_from: str, *, actor=None, assignee=None, note: str = "", at=None):
    return TicketEvent.objects.create(
        ticket=ticket,
        at=at or timezone.now(),
        move=move,
        state_from=state_from,
        state_to=ticket.state,
        actor=actor if getattr(actor, "pk", None) else None,
        assignee=assignee,
        note=(note or "")[:MAX_NOTE],
    )


def timeline(ticket: Ticket, summary, *, actor=None, channel: str = "system", direction: str = "in") -> None:
    """The contact on the customer's 360 timeline (customers.interaction_record). Recorded as the actor
    when the customer is in their scope, else as the system (a province team working a city's ticket)."""
    kw = {
        "customer": ticket.customer_id,
        "channel": INTERACTION_CHANNEL.get(channel, channel),
        "kind": "ticket",
        "summary": f"{ticket.ticket_no} {summary}",
        "direction": direction,
        "ref_type": "service.ticket",
        "ref_id": str(ticket.pk),
    }
    if getattr(actor, "pk", None):
        try:
            interaction_record(actor=actor, **kw)
            return
        except (NotFoundInScope, AccessDenied):
            pass
    interaction_record(actor=None, **kw)


def payload(ticket: Ticket) -> dict:
    return {
        "ticketNo": ticket.ticket_no,
        "ticketType": ticket.ticket_type,
        "state": ticket.state,
        "priority": ticket.priority,
        "customerId": ticket.customer_id,
        "teamId": ticket.team_id,
        "assigneeId": ticket.assignee_id,
    }


def announce(topic: str, ticket: Ticket, actor=None) -> None:
    emit(
        topic, aggregate=ticket, payload=payload(ticket), actor=actor if getattr(actor, "pk", None) else None
    )


def audit(actor, ticket: Ticket, action: str, before: dict | None, **extra) -> None:
    audit_write(
        action=f"ticket.{action}",
        actor=actor if getattr(actor, "pk", None) else None,
        obj=ticket,
        before=before,
        after={**snapshot(ticket, AUDIT_FIELDS), **extra},
    )


def before(ticket: Ticket) -> dict:
    return snapshot(ticket, AUDIT_FIELDS)


def tell(users, title, body="", *, ticket: Ticket, level: str = "info", skip=None) -> int:
    """Notify each user once, in their own language."""
    link = reverse("ticket-detail", args=[ticket.pk])
    sent = {skip.pk} if getattr(skip, "pk", None) else set()
    count = 0
    for user in users:
        if user is None or user.pk in sent:
            continue
        with translation.override(user.language or None):
            params = {"no": ticket.ticket_no, "subject": ticket.subject}
            notify(
                recipient=user,
                title=str(title) % params,
                body=str(body) % params if body else "",
                link=link,
                level=level,
            )
        sent.add(user.pk)
        count += 1
    return count


def team_leaders(ticket: Ticket) -> tuple[list[User], int | None]:
    return leaders_at(ancestor_ids(ticket.team))
