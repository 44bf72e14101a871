"""What tickets plug into the shared UI: the service panel of the customer 360 (the customer's latest
tickets, one query, and a link to take a new one), the names of their audit actions and the label of
the service parameter group."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from telcrm.customers.panels import Panel, register_panel
from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels

from .models import Ticket
from .permissions import ADD_TICKET, VIEW_TICKET

ACTION_LABELS.update(
    {
        "ticket.create": gettext_lazy("Took ticket"),
        "ticket.assign": gettext_lazy("Assigned ticket"),
        "ticket.claim": gettext_lazy("Claimed ticket"),
        "ticket.start": gettext_lazy("Started work on ticket"),
        "ticket.respond": gettext_lazy("Answered customer on ticket"),
        "ticket.pending": gettext_lazy("Ticket waiting for the customer"),
        "ticket.resume": gettext_lazy("Ticket resumed"),
        "ticket.resolve": gettext_lazy("Resolved ticket"),
        "ticket.close": gettext_lazy("Closed ticket"),
        "ticket.reopen": gettext_lazy("Reopened ticket"),
        "ticket.merge": gettext_lazy("Merged ticket"),
        "ticket.link": gettext_lazy("Linked ticket to a mass fault"),
        "ticket.parent_update": gettext_lazy("Updated mass-fault tickets"),
        "ticket.escalate": gettext_lazy("Escalated ticket"),
        "ticket.work_order": gettext_lazy("Started repair work order for ticket"),
        "ticket_category.save": gettext_lazy("Saved ticket category"),
        "ticket_category.sla": gettext_lazy("Set ticket SLA targets"),
    }
)

try:  # the parameters page names each group
    from telcrm.platform.views.config import GROUP_LABELS

    GROUP_LABELS.setdefault("service", pgettext_lazy("config", "Service tickets"))
except ImportError:  # pragma: no cover
    pass


def _customer_tickets(actor, customer, ctx) -> dict:
    rows = list(Ticket.objects.restrict(actor).filter(customer=customer).order_by("-id")[:6])
    link = None
    if actor.has_perm(ADD_TICKET):
        link = (_("New ticket"), f"{reverse('ticket-new')}?customer={customer.pk}")
    return {
        "rows": [
            (
                f"P{t.priority} · {t.get_ticket_type_display()} · {t.get_state_display()}",
                t.ticket_no,
                reverse("ticket-detail", args=[t.pk]),
            )
            for t in rows
        ],
        "empty": _("No tickets."),
        "link": link,
    }


register_panel(
    Panel(
        "service.tickets",
        gettext_lazy("Service tickets"),
        "customers/panels/simple.html",
        _customer_tickets,
        order=25,
        perm=VIEW_TICKET,
        slot="side",
        icon="headset",
    )
)


def _home(user) -> dict | None:
    from . import queries

    return queries.home_summary(user)


home_panels.register(
    home_panels.HomePanel(
        code="service.my_tickets",
        template="service/home/tickets.html",
        loader=_home,
        roles=("service", "agent", "branch_manager"),
        perm=VIEW_TICKET,
        order=16,
    )
)
