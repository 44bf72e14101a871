"""Reads of tickets, always through the data scope (``Ticket.objects.restrict``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import OrgUnit

from .models import Ticket, TicketCategory, TicketEvent
from .models.ticket import ancestor_ids, queue_q
from .states import OPEN

LIST_RELATED = ("customer", "category", "team", "queue_role", "assignee")


def ticket_list(
    user,
    *,
    state: str = "",
    team=None,
    priority=None,
    overdue: bool = False,
    mine: bool = False,
    queue: bool = False,
    q: str = "",
) -> QuerySet[Ticket]:
    """Tickets in scope, most urgent and earliest due first; a fixed number of queries per page."""
    qs = Ticket.objects.restrict(user).select_related(*LIST_RELATED)
    if state == "open":
        qs = qs.filter(state__in=OPEN)
    elif state:
        qs = qs.filter(state=state)
    if team:
        qs = qs.filter(team_id=getattr(team, "pk", team))
    if priority:
        qs = qs.filter(priority=int(priority))
    if overdue:
        qs = qs.filter(state__in=OPEN, resolution_due_at__lte=timezone.now())
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    if queue:
        qs = qs.filter(queue_q(user))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(ticket_no=q.upper()) | Q(subject__icontains=q) | Q(customer__customer_no=q.upper()))
    return qs.order_by("priority", "resolution_due_at", "id")


def ticket_get(user, pk) -> Ticket:
    try:
        return (
            Ticket.objects.restrict(user)
            .select_related(
                *LIST_RELATED,
                "subscription",
                "order",
                "parent",
                "merged_into",
                "owner",
                "org_unit",
                "process",
            )
            .get(pk=pk)
        )
    except (Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def ticket_events(ticket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor", "assignee").order_by("at", "id")


def ticket_children(user, ticket) -> QuerySet[Ticket]:
    return Ticket.objects.restrict(user).filter(parent=ticket).select_related("customer").order_by("id")


def category_choices() -> list[tuple[int, str]]:
    rows = TicketCategory.objects.filter(is_active=True).select_related("parent").order_by("sort", "code")
    return [
        (c.pk, f"{c.parent.display_name} / {c.display_name}" if c.parent_id else c.display_name) for c in rows
    ]


def team_choices(user) -> list[tuple[int, str]]:
    """The teams to filter by: the units in the user's scope, the units above theirs (a region's
    service desk) and the categories' default teams — never a scan of the tickets."""
    defaults = TicketCategory.objects.exclude(default_team=None).values("default_team_id")
    units = OrgUnit.objects.filter(
        Q(pk__in=OrgUnit.objects.restrict(user).values("pk"))
        | Q(pk__in=ancestor_ids(getattr(user, "org_unit", None)))
        | Q(pk__in=defaults),
        is_active=True,
    )
    return [(u.pk, u.display_name) for u in units.order_by("path")[:300]]


def home_summary(user) -> dict:
    """The home panel: my open tickets, most urgent first, and the size of my queues."""
    now = timezone.now()
    mine = list(ticket_list(user, state="open", mine=True)[:8])
    queue = Ticket.objects.restrict(user).filter(queue_q(user))
    return {
        "mine": mine,
        "queue_count": queue.count(),
        "queue_overdue": queue.filter(resolution_due_at__lte=now).count(),
        "now": now,
    }
