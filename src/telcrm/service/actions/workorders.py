"""A fault ticket starts a repair work order (故障派单) through the order processes — the same engine,
queues and SLA control as every other work order (``orders``), not a copy: the process named by
``service.fault_process`` (shipped: ``service/processes/fault_repair.bpmn``, a field repair by the
city's installation team) is started with the ticket as its subject and its number as business key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.errors import field_error
from telcrm.platform.parameters import param

from ..models import TicketMove, TicketType
from ..permissions import HANDLE_TICKET
from ._common import announce, audit, before, clean_text, event, fetch, move_to, require_handler, timeline

RUNNING = ("running", "waiting", "failed")


@transaction.atomic
def ticket_start_work_order(*, actor, ticket, note: str = ""):
    """Start the repair process of a fault ticket; the ProcessInstance."""
    from telcrm.orders.actions import process_start

    require_perm(actor, HANDLE_TICKET)
    t = fetch(actor, ticket)
    require_handler(actor, t)
    note = clean_text(note, "note")
    if t.ticket_type != TicketType.FAULT:
        raise field_error("ticket_type", _("Only fault tickets start a repair work order."), "not_fault")
    move_to(t, TicketMove.WORK_ORDER)
    if t.process_id and t.process.state in RUNNING:
        raise field_error(
            "process",
            _("A repair is already under way for this ticket (%(no)s)."),
            "running",
            no=t.process.number,
        )
    key = param("service.fault_process")
    data = {
        "ticket_no": t.ticket_no,
        "customer_no": t.customer.customer_no,
        "msisdn": t.subscription.msisdn if t.subscription_id else "",
        "subject": t.subject,
        "note": note,
    }
    try:
        instance = process_start(
            key=key, actor=actor, subject=t, org_unit=t.org_unit, business_key=t.ticket_no, data=data
        )
    except ValidationError as exc:
        raise field_error(
            "process",
            _("The repair process “%(key)s” cannot start: %(why)s"),
            "process",
            key=key,
            why="; ".join(exc.messages),
        ) from None
    prior = before(t)
    t.process = instance
    t.save(update_fields=["process", "updated_at"])
    event(t, TicketMove.WORK_ORDER, t.state, actor=actor, note=f"{instance.number} {note}".strip())
    timeline(t, _("Repair work order started"), actor=actor)
    audit(actor, t, "work_order", prior, process=instance.pk)
    announce("ticket.work_order_started", t, actor)
    return instance
