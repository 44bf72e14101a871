"""SLA control of tickets (报事升级): warnings before the deadline, escalation after it.

The scheduled check (Celery beat → ``service.check_ticket_sla``, every minute):

- warns the assignee (or the queue while nobody has it) once when an open ticket whose clock runs
  reaches ``warn_at``;
- tells the handlers and the team's leaders once when the first response is overdue;
- when the resolution deadline passes (``escalate_at``), stamps ``breached_at`` and escalates to level
  1: the team's leaders (dispatch permission at the team's unit or the nearest unit above with any);
- ``service.escalate_next_minutes`` of working time later, still open, one level up: the leaders of
  the unit above the one escalated to last, up to ``service.max_escalation_level``;
- closes resolved tickets the customer did not answer within ``service.auto_close_days``.

Each stamp is a compare-and-set UPDATE (``… WHERE escalation_level = n``), so overlapping runs never
notify twice, and a run repeated at the same moment changes nothing. A ticket waiting for the customer
is neither warned nor escalated (its clock is stopped).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform import calendar
from telcrm.platform.parameters import param

from ..models import Ticket, TicketMove, TicketState
from ..models.ticket import ancestor_ids
from ..states import OPEN, WORKING
from ._common import audit, event, leaders_at, queue_members, team_leaders, tell

BATCH = 500


def _handlers(t: Ticket) -> list:
    return [t.assignee] if t.assignee_id else queue_members(t)


def _escalate(t: Ticket, now) -> int | None:
    """Raise the ticket one level; None when another run did it, else the number of people told."""
    level = t.escalation_level
    if level == 0:
        leaders, unit_id = team_leaders(t)
    else:
        above = ancestor_ids(t.escalated_to)[:-1] if t.escalated_to_id else ancestor_ids(t.team)[:-1]
        leaders, unit_id = leaders_at(above)
        if not leaders:
            leaders, unit_id = team_leaders(t)  # nobody above: the team's leaders again
    step = int(param("service.escalate_next_minutes"))
    changes = {
        "escalation_level": level + 1,
        "escalated_at": now,
        "escalate_at": calendar.add_working_time(calendar.load(t.calendar), now, step),
    }
    if unit_id is not None:
        changes["escalated_to_id"] = unit_id
    if level == 0:
        changes["breached_at"] = now
    if not Ticket.objects.filter(pk=t.pk, escalation_level=level, state__in=WORKING).update(**changes):
        return None
    for k, v in changes.items():
        setattr(t, k, v)
    if level == 0:
        event(t, TicketMove.BREACH, t.state, at=now)
    event(t, TicketMove.ESCALATE, t.state, at=now, note=str(_("Escalation level %(n)s") % {"n": level + 1}))
    audit(None, t, "escalate", {"escalation_level": level}, level=level + 1, unit=unit_id)
    told = tell(
        leaders, _("Ticket %(no)s is overdue and escalated to you: %(subject)s"), ticket=t, level="danger"
    )
    if level == 0:
        told += tell(_handlers(t), _("Ticket %(no)s is overdue: %(subject)s"), ticket=t, level="danger")
    return told


@transaction.atomic
def ticket_sla_check(*, now=None) -> dict[str, int]:
    """Warn, escalate and auto-close the tickets that reached their moments since the last run."""
    now = now or timezone.now()
    base = Ticket.objects.dangerously_unscoped().select_related("assignee", "team", "escalated_to")
    out = {"warned": 0, "response_overdue": 0, "escalated": 0, "notified": 0, "closed": 0}
    rows = base.filter(state__in=WORKING, warn_at__lte=now, warned_at__isnull=True, resolution_due_at__gt=now)
    for t in rows.order_by("warn_at")[:BATCH]:
        if not Ticket.objects.filter(pk=t.pk, warned_at__isnull=True).update(warned_at=now):
            continue
        out["warned"] += 1
        event(t, TicketMove.WARN, t.state, at=now)
        out["notified"] += tell(
            _handlers(t), _("Ticket %(no)s is due soon: %(subject)s"), ticket=t, level="warning"
        )
    rows = base.filter(
        state__in=OPEN, responded_at__isnull=True, response_due_at__lte=now, response_breached_at__isnull=True
    )
    for t in rows.order_by("response_due_at")[:BATCH]:
        if not Ticket.objects.filter(pk=t.pk, response_breached_at__isnull=True).update(
            response_breached_at=now
        ):
            continue
        out["response_overdue"] += 1
        event(t, TicketMove.BREACH, t.state, at=now, note=str(_("First response overdue")))
        leaders, _unit = team_leaders(t)
        out["notified"] += tell(
            [*_handlers(t), *leaders],
            _("Ticket %(no)s has had no first response in time: %(subject)s"),
            ticket=t,
            level="warning",
        )
    max_level = int(param("service.max_escalation_level"))
    rows = base.filter(state__in=WORKING, escalate_at__lte=now, escalation_level__lt=max_level)
    for t in rows.order_by("escalate_at")[:BATCH]:
        told = _escalate(t, now)
        if told is not None:
            out["escalated"] += 1
            out["notified"] += told
    days = int(param("service.auto_close_days"))
    stale = Ticket.objects.dangerously_unscoped().filter(
        state=TicketState.RESOLVED, resolved_at__lte=now - timedelta(days=days)
    )
    from .tickets import ticket_close

    for pk in stale.order_by("resolved_at").values_list("pk", flat=True)[:BATCH]:
        ticket_close(actor=None, ticket=pk, confirmed=False, note=str(_("No answer from the customer.")))
        out["closed"] += 1
    return out
