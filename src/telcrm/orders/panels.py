"""What orders (营业受理) plug into the shared UI: the names of their audit actions, and the orders panel
of the customer 360 (the customer's latest orders, one query, and a link to take a new one)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telcrm.customers.panels import Panel, register_panel
from telcrm.platform.models.audit import ACTION_LABELS

from .acceptance_permissions import VIEW_ORDER
from .models import Order

ACTION_LABELS.update(
    {
        "order.create": gettext_lazy("Created order"),
        "order.details": gettext_lazy("Changed order details"),
        "order.item_add": gettext_lazy("Added order item"),
        "order.item_remove": gettext_lazy("Removed order item"),
        "order.number_choose": gettext_lazy("Chose number for order"),
        "order.sim_choose": gettext_lazy("Chose SIM for order"),
        "order.payment": gettext_lazy("Recorded payment"),
        "order.submit": gettext_lazy("Submitted order"),
        "order.abandon": gettext_lazy("Abandoned order"),
        "order.progress": gettext_lazy("Order in progress"),
        "order.complete": gettext_lazy("Order completed"),
        "order.fail": gettext_lazy("Order failed"),
        "order.retry": gettext_lazy("Order run again"),
        "order.cancel": gettext_lazy("Cancelled order"),
        "order.refund_due": gettext_lazy("Refund due"),
        "order.refund": gettext_lazy("Refund paid"),
        "order.receipt_print": gettext_lazy("Printed receipt"),
        "order.receipt_reprint": gettext_lazy("Reprinted receipt"),
    }
)


def _customer_orders(actor, customer, ctx) -> dict:
    rows = list(Order.objects.restrict(actor).filter(customer=customer).order_by("-id")[:6])
    link = None
    if actor.has_perm("orders.take_order"):
        link = (_("New order"), f"{reverse('order-new')}?customer={customer.pk}")
    return {
        "rows": [
            (
                f"{o.get_order_type_display()} · {o.get_state_display()}",
                o.order_no,
                reverse("order-detail", args=[o.pk]),
            )
            for o in rows
        ],
        "empty": _("No orders."),
        "link": link,
    }


register_panel(
    Panel(
        "orders.orders",
        gettext_lazy("Orders"),
        "customers/panels/simple.html",
        _customer_orders,
        order=20,
        perm=VIEW_ORDER,
        slot="side",
        icon="cart-check",
    )
)
