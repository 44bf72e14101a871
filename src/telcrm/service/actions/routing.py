"""Routing (分派) and SLA deadlines of tickets.

Routing, in order: the category's ``default_team`` (or its nearest ancestor's); else the region — the
branch the customer belongs to, or the nearest unit above it with staff of the queue role.
The queue role is the category's (or an ancestor's), else ``service``. A VIP customer's ticket is
raised by ``service.vip_priority_raise`` levels (P1 at most).

Deadlines are working time on the calendar (platform.calendar, the same arithmetic the work orders
use): targets from the category × priority (SlaTarget, the category's, else its ancestors'), else the
``service.*_minutes_p<n>`` parameters. A pause (waiting for the customer) stops the resolution clock:
on resume the working time that was left at the pause is counted again from the resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telcrm.platform import calendar
from telcrm.platform.models import OrgKind, OrgUnit, Role
from telcrm.platform.parameters import param

from ..models import Priority, SlaTarget, TicketCategory
from ..models.ticket import ancestor_ids

DEFAULT_ROLE = "service"


@dataclass(frozen=True)
class Route:
    team: OrgUnit
    queue_role: Role
    priority: int


@dataclass(frozen=True)
class Targets:
    calendar: str
    response_minutes: int
    resolution_minutes: int


def category_chain(category: TicketCategory) -> list[TicketCategory]:
    """The category and its ancestors, nearest first (a tree of a few levels; guarded against cycles)."""
    chain, seen, node = [], set(), category
    while node is not None and node.pk not in seen and len(chain) < 10:
        chain.append(node)
        seen.add(node.pk)
        node = node.parent
    return chain


def region_team(customer, role: Role) -> OrgUnit:
    """The region's queue of a customer: from the branch they belong to (the nearest branch at or above
    their unit) upwards, the nearest unit with an active member of the queue role (a branch without
    service staff is served by its city company); else that branch (its leaders will see it)."""
    from telcrm.platform.models import User

    ids = ancestor_ids(customer.org_unit)
    units = OrgUnit.objects.filter(pk__in=ids, is_active=True).in_bulk()
    branch = next((pk for pk in reversed(ids) if pk in units and units[pk].kind == OrgKind.BRANCH), ids[-1])
    upwards = ids[: ids.index(branch) + 1]
    staffed = set(
        User.objects.filter(is_active=True, role=role, org_unit_id__in=upwards).values_list(
            "org_unit_id", flat=True
        )
    )
    for pk in reversed(upwards):
        if pk in staffed and pk in units:
            return units[pk]
    return units.get(branch) or customer.org_unit


def raised_priority(priority: int, customer) -> int:
    if getattr(customer, "value_tier", "") == "vip":
        priority -= int(param("service.vip_priority_raise"))
    return min(max(priority, Priority.P1), Priority.P4)


def route(*, category: TicketCategory, customer, priority: int) -> Route:
    chain = category_chain(category)
    team = next((c.default_team for c in chain if c.default_team_id and c.default_team.is_active), None)
    role = next((c.queue_role for c in chain if c.queue_role_id), None)
    role = role or Role.objects.get(code=DEFAULT_ROLE)
    return Route(
        team=team or region_team(customer, role),
        queue_role=role,
        priority=raised_priority(priority, customer),
    )


def targets(category: TicketCategory, priority: int) -> Targets:
    chain = category_chain(category)
    rows = {
        t.category_id: t
        for t in SlaTarget.objects.filter(category__in=[c.pk for c in chain], priority=priority)
    }
    row = next((rows[c.pk] for c in chain if c.pk in rows), None)
    code = next((c.calendar for c in chain if c.calendar), "") or param("sla.default_calendar")
    if row is not None:
        return Targets(code, row.response_minutes, row.resolution_minutes)
    return Targets(
        code,
        int(param(f"service.response_minutes_p{priority}")),
        int(param(f"service.resolution_minutes_p{priority}")),
    )


def warn_lead(resolution_minutes: int) -> float:
    """Working minutes before the resolution deadline when the handler is warned."""
    percent = min(max(int(param("service.sla_warn_percent")), 1), 99)
    return resolution_minutes * (100 - percent) / 100


@dataclass(frozen=True)
class Deadlines:
    response_due_at: datetime
    resolution_due_at: datetime
    warn_at: datetime


def deadlines(start: datetime, t: Targets) -> Deadlines:
    cal = calendar.load(t.calendar)
    return Deadlines(
        response_due_at=calendar.add_working_time(cal, start, t.response_minutes),
        resolution_due_at=calendar.add_working_time(cal, start, t.resolution_minutes),
        warn_at=calendar.add_working_time(cal, start, t.resolution_minutes - warn_lead(t.resolution_minutes)),
    )


@dataclass(frozen=True)
class Resumed:
    paused_minutes: int
    resolution_due_at: datetime
    warn_at: datetime


def resume(ticket, now: datetime) -> Resumed:
    """The deadlines after a pause from ``ticket.paused_at`` to ``now``: the working time left at the
    pause counts again from ``now``; the pause's working minutes are added to ``paused_minutes``."""
    cal = calendar.load(ticket.calendar)
    paused = calendar.working_minutes_between(cal, ticket.paused_at, now) if now > ticket.paused_at else 0
    due = ticket.resolution_due_at
    left = calendar.working_minutes_between(cal, ticket.paused_at, due) if due > ticket.paused_at else 0
    lead = warn_lead(ticket.resolution_minutes)
    return Resumed(
        paused_minutes=ticket.paused_minutes + round(paused),
        resolution_due_at=calendar.add_working_time(cal, now, left),
        warn_at=calendar.add_working_time(cal, now, max(left - lead, 0)),
    )


def working_minutes(ticket, a: datetime, b: datetime) -> float:
    return calendar.working_minutes_between(calendar.load(ticket.calendar), a, b) if b > a else 0.0
