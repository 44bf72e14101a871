"""The ticket state machine (报事状态), as data.

``TRANSITIONS[move] = (states it may start from, state it ends in)``; ``None`` as the end state means
"stays where it is" (a first response, an SLA warning). The actions change a ticket's state only
through :func:`target`, with the row locked.

::

    new ──assign/claim──▶ assigned ──start──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
                             ▲                 │     ▲                    │                 │
                             │     pending_customer ─┘ resume             └──reopen──▶ reopened ◀┘
                             └───────────── assign / start ◀──────────────────────────────┘
    any open state ──merge (a duplicate)──▶ closed (merged_into set)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TicketState(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket", "New")
    ASSIGNED = "assigned", pgettext_lazy("ticket", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket", "In progress")
    PENDING_CUSTOMER = "pending_customer", pgettext_lazy("ticket", "Waiting for the customer")
    RESOLVED = "resolved", pgettext_lazy("ticket", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket", "Closed")
    REOPENED = "reopened", pgettext_lazy("ticket", "Reopened")


class TicketMove(models.TextChoices):
    CREATE = "create", pgettext_lazy("ticket", "Created")
    ASSIGN = "assign", pgettext_lazy("ticket", "Assigned")
    CLAIM = "claim", pgettext_lazy("ticket", "Claimed")
    START = "start", pgettext_lazy("ticket", "Work started")
    RESPOND = "respond", pgettext_lazy("ticket", "Responded")
    PENDING = "pending", pgettext_lazy("ticket", "Waiting for the customer")
    RESUME = "resume", pgettext_lazy("ticket", "Resumed")
    RESOLVE = "resolve", pgettext_lazy("ticket", "Resolved")
    CLOSE = "close", pgettext_lazy("ticket", "Closed")
    REOPEN = "reopen", pgettext_lazy("ticket", "Reopened")
    MERGE = "merge", pgettext_lazy("ticket", "Merged into another ticket")
    LINK = "link", pgettext_lazy("ticket", "Linked to a mass fault")
    UPDATE = "update", pgettext_lazy("ticket", "Mass-fault update")
    WARN = "warn", pgettext_lazy("ticket", "SLA warning")
    BREACH = "breach", pgettext_lazy("ticket", "SLA breached")
    ESCALATE = "escalate", pgettext_lazy("ticket", "Escalated")
    WORK_ORDER = "work_order", pgettext_lazy("ticket", "Repair work order started")


S = TicketState
M = TicketMove
OPEN = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.PENDING_CUSTOMER, S.REOPENED})
ACTIVE = OPEN | {S.RESOLVED}  # not closed
WORKING = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED})  # the SLA clock runs

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    M.ASSIGN: (frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED}), S.ASSIGNED),
    M.CLAIM: (frozenset({S.NEW, S.REOPENED}), S.ASSIGNED),
    M.START: (frozenset({S.ASSIGNED, S.REOPENED}), S.IN_PROGRESS),
    M.RESPOND: (frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PENDING_CUSTOMER, S.REOPENED}), None),
    M.PENDING: (frozenset({S.IN_PROGRESS}), S.PENDING_CUSTOMER),
    M.RESUME: (frozenset({S.PENDING_CUSTOMER}), S.IN_PROGRESS),
    M.RESOLVE: (frozenset({S.IN_PROGRESS}), S.RESOLVED),
    M.CLOSE: (frozenset({S.RESOLVED}), S.CLOSED),
    M.REOPEN: (frozenset({S.RESOLVED, S.CLOSED}), S.REOPENED),
    M.MERGE: (OPEN, S.CLOSED),
    M.LINK: (OPEN, None),
    M.UPDATE: (ACTIVE, None),
    M.WARN: (WORKING, None),
    M.BREACH: (OPEN, None),
    M.ESCALATE: (OPEN, None),
    M.WORK_ORDER: (frozenset({S.ASSIGNED, S.IN_PROGRESS, S.REOPENED}), None),
}


class TransitionRefused(Exception):
    def __init__(self, state: str, move: str):
        self.state, self.move = state, move
        super().__init__(f"ticket: {move} is not possible from {state}")


def target(state: str, move: str) -> str:
    """The state ``move`` leads to from ``state``; TransitionRefused when it may not start there."""
    entry = TRANSITIONS.get(move)
    if entry is None or state not in entry[0]:
        raise TransitionRefused(state, move)
    return entry[1] or state


def moves_from(state: str) -> list[str]:
    return [m for m, (starts, _end) in TRANSITIONS.items() if state in starts]
