"""The work-order state machine (工单状态), as data.

``TRANSITIONS[move] = (states it may start from, state it ends in)``; ``None`` as the end state means
"stays where it is" (an escalation keeps a claimed work order claimed). The actions change a work
order's state only through :func:`target`, with the row locked.

::

    open ──claim──▶ claimed ──complete──▶ completed
     ▲  ◀─release──   │ └────return──────▶ returned
     │                │
     ├──reassign (to a user) ──▶ claimed; reassign (to a queue) ──▶ open
     └── open / claimed ──cancel (the process moved on or was cancelled)──▶ cancelled
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class WorkOrderState(models.TextChoices):
    OPEN = "open", pgettext_lazy("orders", "Open")
    CLAIMED = "claimed", pgettext_lazy("orders", "Claimed")
    COMPLETED = "completed", pgettext_lazy("orders", "Completed")
    RETURNED = "returned", pgettext_lazy("orders", "Returned")
    CANCELLED = "cancelled", pgettext_lazy("orders", "Cancelled")


class WorkOrderMove(models.TextChoices):
    CREATE = "create", pgettext_lazy("orders", "Created")
    CLAIM = "claim", pgettext_lazy("orders", "Claimed")
    RELEASE = "release", pgettext_lazy("orders", "Released to the queue")
    COMPLETE = "complete", pgettext_lazy("orders", "Completed")
    RETURN = "return", pgettext_lazy("orders", "Returned")
    ASSIGN = "assign", pgettext_lazy("orders", "Assigned")
    REQUEUE = "requeue", pgettext_lazy("orders", "Moved to another queue")
    ESCALATE = "escalate", pgettext_lazy("orders", "Escalated")
    CANCEL = "cancel", pgettext_lazy("orders", "Cancelled")
    WARN = "warn", pgettext_lazy("orders", "SLA warning")
    OVERDUE = "overdue", pgettext_lazy("orders", "Overdue")


S = WorkOrderState
M = WorkOrderMove
ACTIVE = frozenset({S.OPEN, S.CLAIMED})
TERMINAL = frozenset({S.COMPLETED, S.RETURNED, S.CANCELLED})

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    M.CLAIM: (frozenset({S.OPEN}), S.CLAIMED),
    M.RELEASE: (frozenset({S.CLAIMED}), S.OPEN),
    M.COMPLETE: (frozenset({S.CLAIMED}), S.COMPLETED),
    M.RETURN: (frozenset({S.CLAIMED}), S.RETURNED),
    M.ASSIGN: (ACTIVE, S.CLAIMED),
    M.REQUEUE: (ACTIVE, S.OPEN),
    M.ESCALATE: (ACTIVE, None),
    M.CANCEL: (ACTIVE, S.CANCELLED),
    M.WARN: (ACTIVE, None),
    M.OVERDUE: (ACTIVE, None),
}


class TransitionRefused(Exception):
    def __init__(self, state: str, move: str):
        self.state, self.move = state, move
        super().__init__(f"work order: {move} is not possible from {state}")


def allowed(move: str) -> frozenset[str]:
    entry = TRANSITIONS.get(move)
    return entry[0] if entry else frozenset()


def target(state: str, move: str) -> str:
    """The state ``move`` leads to from ``state``; TransitionRefused when it may not start there."""
    entry = TRANSITIONS.get(move)
    if entry is None or state not in entry[0]:
        raise TransitionRefused(state, move)
    return entry[1] or state


def moves_from(state: str) -> list[str]:
    return [m for m, (starts, _end) in TRANSITIONS.items() if state in starts]
