"""What the stock module plugs into the shared UI (imported by apps.ready()): the global search
provider (an ICCID, IMSI, IMEI or activated number typed into the top bar finds the item, in scope)
and the low-stock panel on the home page of branch managers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels
from telcrm.web.search import Hit, provider

from .models import SimCard
from .permissions import MANAGE, VIEW

ACTION_LABELS.update(
    {
        "stock.sim_allocate": _("Allocated a SIM card"),
        "stock.sim_activate": _("Activated a SIM card"),
        "stock.sim_release": _("Released a SIM card"),
        "stock.sim_fault": _("Marked a SIM card faulty"),
        "stock.sim_return": _("Returned a SIM card"),
        "stock.terminal_allocate": _("Allocated a terminal"),
        "stock.terminal_sell": _("Sold a terminal"),
        "stock.terminal_release": _("Released a terminal"),
        "stock.terminal_fault": _("Marked a terminal faulty"),
        "stock.terminal_return": _("Returned a terminal"),
        "stock.batch_start": _("Started receiving a delivery"),
        "stock.batch_receive": _("Received a delivery"),
        "stock.transfer_create": _("Created a stock transfer"),
        "stock.transfer_add_items": _("Added items to a transfer"),
        "stock.transfer_remove_items": _("Removed items from a transfer"),
        "stock.transfer_ship": _("Shipped a transfer"),
        "stock.transfer_receive": _("Received a transfer"),
        "stock.transfer_cancel": _("Cancelled a transfer"),
        "stock.count_start": _("Started a stock count"),
        "stock.count_close": _("Closed a stock count"),
        "stock.count_cancel": _("Cancelled a stock count"),
        "stock.low_stock_alert": _("Low-stock alert"),
    }
)


@provider(_("SIM & terminal stock"), order=40)
def search_stock(user, q: str, limit: int) -> list[Hit]:
    from . import queries

    if not user.has_perm(VIEW):
        return []
    hits = []
    for item in queries.find_items(user, q, limit=limit):
        if isinstance(item, SimCard):
            bits = [f"IMSI {item.imsi}", item.get_kind_display(), item.get_state_display()]
            if item.msisdn:
                bits.append(item.msisdn)
            title = f"{_('SIM card')} {item.iccid}"
            url = reverse("stock-sim-detail", args=[item.pk])
        else:
            bits = [f"IMEI {item.imei}", item.get_state_display()]
            title = f"{item.brand} {item.model}"
            url = reverse("stock-terminal-detail", args=[item.pk])
        bits.append(item.org_unit.display_name)
        hits.append(Hit("stock", title, " · ".join(str(b) for b in bits), url))
    return hits


def _low_stock_panel(user) -> dict | None:
    from . import queries

    rows = queries.low_stock(user, limit=8)
    return {
        "rows": rows,
        "incoming": queries.incoming_count(user),
        "open_counts": queries.count_list(user, status="open").count(),
    }


home_panels.register(
    home_panels.HomePanel(
        "stock.low",
        "stock/home/low_stock.html",
        _low_stock_panel,
        roles=("branch_manager",),
        perm=MANAGE,
        order=30,
    )
)
