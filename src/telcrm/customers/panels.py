"""Panels of the customer 360 page (客户全景): an extension point for every module.

A module that has something to show about a customer (orders, work orders, tickets, campaigns…)
registers a panel at start-up, from a module its ``AppConfig.ready()`` imports::

    from telcrm.customers.panels import Panel, register_panel

    def _orders(actor, customer, ctx):
        rows = list(order_list(actor, customer=customer)[:5])     # ONE query for the panel
        return {"orders": rows, "count": ...}

    register_panel(Panel("orders", _("Orders"), "orders/panel_customer.html", _orders, order=25,
                         perm="orders.view_order", icon="cart"))

The page renders the visible panels in ``order`` (then ``code``). ``loader(actor, customer, ctx)``
receives the 360 data already loaded (``ctx``, the dict of ``queries.customer_360``) and returns the
template's context (``None`` hides the panel). A loader runs a fixed number of queries, never one
per row: the page's query count is pinned by a test, whatever the number of subscriptions,
interactions or orders. The panel's template sees ``panel`` (the Panel), ``customer``, ``data``
(what the loader returned) and the page context.

``slot`` places the panel: ``"main"`` (the overview column), ``"side"`` (the narrow column) or
``"tab"`` (a tab of its own, beside Timeline / History…).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SLOTS = ("main", "side", "tab")


@dataclass(frozen=True)
class Panel:
    code: str
    title: Any  # a (lazy) translated string
    template: str
    loader: Callable[[Any, Any, dict], dict | None] | None = None
    order: int = 100
    perm: str | None = None  # the viewer must hold it, else the panel is not shown (nor loaded)
    slot: str = "main"
    icon: str = "grid"  # a Bootstrap icon name, without "bi-"

    def __post_init__(self):
        if self.slot not in SLOTS:
            raise ValueError(f"panel {self.code!r}: slot must be one of {SLOTS}")


@dataclass(frozen=True)
class Rendered:
    panel: Panel
    data: dict

    @property
    def code(self) -> str:
        return self.panel.code

    @property
    def title(self):
        return self.panel.title

    @property
    def template(self) -> str:
        return self.panel.template

    @property
    def icon(self) -> str:
        return self.panel.icon


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    """Add ``panel`` (a later registration with the same code replaces the earlier one)."""
    PANELS[panel.code] = panel
    return panel


def unregister_panel(code: str) -> None:
    PANELS.pop(code, None)


def registered() -> list[Panel]:
    return sorted(PANELS.values(), key=lambda p: (p.order, p.code))


def panels_for(actor, customer, ctx: dict) -> dict[str, list[Rendered]]:
    """{slot: [Rendered]} of the panels ``actor`` may see, loaded, in order."""
    out: dict[str, list[Rendered]] = {slot: [] for slot in SLOTS}
    for panel in registered():
        if panel.perm and not actor.has_perm(panel.perm):
            continue
        data = panel.loader(actor, customer, ctx) if panel.loader else {}
        if data is None:
            continue
        out[panel.slot].append(Rendered(panel, data))
    return out
