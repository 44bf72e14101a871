"""Tickets about the same thing: merging a duplicate into another, and mass faults (one network fault,
many complaints) — a child ticket linked to its parent, and one update of the parent sent to all its
children and their customers (the children resolved with it when the fault is fixed)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.errors import field_error
from telcrm.platform.events import emit_many

from ..models import Ticket, TicketMove, TicketState, TicketType
from ..permissions import DISPATCH_TICKET, HANDLE_TICKET
from ..states import OPEN
from ._common import (
    announce,
    audit,
    before,
    clean_text,
    event,
    fetch,
    move_to,
    payload,
    pk_of,
    require_handler,
    timeline,
)

MAX_CHILDREN = 5000


def _lock_two(actor, a, b) -> tuple[Ticket, Ticket]:
    """Two tickets locked in id order (two concurrent merges cannot deadlock)."""
    first, second = pk_of(a), pk_of(b)
    if first == second:
        raise field_error("target", _("Choose another ticket."), "same")
    rows = {pk: fetch(actor, pk) for pk in sorted((first, second))}
    return rows[first], rows[second]


@transaction.atomic
def ticket_merge(*, actor, ticket, into, note: str = "") -> Ticket:
    """Close ``ticket`` as a duplicate of ``into`` (an open ticket of the same customer)."""
    require_perm(actor, DISPATCH_TICKET)
    dup, keep = _lock_two(actor, ticket, into)
    note = clean_text(note, "note")
    if keep.state not in OPEN:
        raise field_error("target", _("Ticket %(no)s is no longer open."), "invalid_state", no=keep.ticket_no)
    if keep.merged_into_id:
        raise field_error("target", _("Ticket %(no)s was itself merged."), "merged", no=keep.ticket_no)
    if keep.customer_id != dup.customer_id:
        raise field_error("target", _("Only tickets of the same customer can be merged."), "other_customer")
    if Ticket.objects.filter(parent=dup).exists():
        raise field_error(
            "ticket", _("A mass-fault ticket with linked tickets cannot be merged."), "has_children"
        )
    prior, state_from = before(dup), dup.state
    dup.state = move_to(dup, TicketMove.MERGE)
    now = timezone.now()
    dup.merged_into, dup.closed_at, dup.state_changed_at, dup.paused_at = keep, now, now, None
    dup.save()
    text = _("Merged into %(no)s") % {"no": keep.ticket_no}
    event(dup, TicketMove.MERGE, state_from, actor=actor, note=f"{text}. {note}".strip(), at=now)
    event(
        keep,
        TicketMove.MERGE,
        keep.state,
        actor=actor,
        note=_("%(no)s merged into this ticket") % {"no": dup.ticket_no},
        at=now,
    )
    timeline(dup, text, actor=actor)
    audit(actor, dup, "merge", prior, into=keep.ticket_no)
    announce("ticket.merged", dup, actor)
    return dup


@transaction.atomic
def ticket_link_parent(*, actor, ticket, parent) -> Ticket:
    """Link a ticket to the mass-fault ticket it is one case of (a fault ticket, open, not a child)."""
    require_perm(actor, HANDLE_TICKET)
    child, mass = _lock_two(actor, ticket, parent)
    require_handler(actor, child)
    if mass.ticket_type != TicketType.FAULT:
        raise field_error("parent", _("A mass fault is a ticket of the type fault."), "not_fault")
    if mass.state not in OPEN or mass.parent_id:
        raise field_error(
            "parent", _("Ticket %(no)s cannot be a mass fault now."), "invalid", no=mass.ticket_no
        )
    if Ticket.objects.filter(parent=child).exists():
        raise field_error("ticket", _("This ticket has linked tickets of its own."), "has_children")
    prior, state_from = before(child), child.state
    child.state = move_to(child, TicketMove.LINK)
    child.parent = mass
    child.save()
    note = _("Part of mass fault %(no)s: %(s)s") % {"no": mass.ticket_no, "s": mass.subject}
    event(child, TicketMove.LINK, state_from, actor=actor, note=note)
    timeline(child, note, actor=actor)
    audit(actor, child, "link", prior)
    announce("ticket.linked", child, actor)
    return child


@transaction.atomic
def ticket_parent_update(*, actor, ticket, message: str, resolve: bool = False) -> dict:
    """Tell every open child of a mass fault (and its customer) what is happening; with ``resolve``,
    resolve the parent and the children that are being worked on with ``message`` as the resolution."""
    from .tickets import ticket_resolve

    require_perm(actor, HANDLE_TICKET)
    mass = fetch(actor, ticket)
    require_handler(actor, mass)
    message = clean_text(message, "message", required=True)
    move_to(mass, TicketMove.UPDATE)
    now = timezone.now()
    children = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(parent=mass, state__in=OPEN)
        .select_related("customer")
        .order_by("pk")[:MAX_CHILDREN]
    )
    for child in children:
        state_from = child.state
        if resolve:
            child.state = TicketState.RESOLVED
            child.resolution, child.resolved_at, child.state_changed_at, child.paused_at = (
                message,
                now,
                now,
                None,
            )
            child.responded_at = child.responded_at or now
            child.save()
        event(
            child,
            TicketMove.RESOLVE if resolve else TicketMove.UPDATE,
            state_from,
            actor=actor,
            note=message,
            at=now,
        )
        timeline(child, message, actor=actor, channel="sms", direction="out")
    if children:  # one statement for all of them: the SMS/email side listens to these
        topic = "ticket.resolved" if resolve else "ticket.customer_notified"
        emit_many(
            topic, children, payloads=[{**payload(c), "message": message} for c in children], actor=actor
        )
    audit(actor, mass, "parent_update", before(mass), children=len(children), resolve=bool(resolve))
    event(mass, TicketMove.UPDATE, mass.state, actor=actor, note=message, at=now)
    announce("ticket.mass_update", mass, actor)
    if resolve and mass.state == TicketState.IN_PROGRESS:
        ticket_resolve(actor=actor, ticket=mass, resolution=message)
    return {"children": len(children), "resolved": len(children) if resolve else 0}
