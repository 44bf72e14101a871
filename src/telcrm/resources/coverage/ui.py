"""What network coverage plugs into the shared UI at start-up (imported by apps.ready()): the global
search for element codes, the broadband panel of the customer 360 page (is each of the customer's
addresses installable?), and the names of its audit actions."""

from __future__ import annotations

from django.urls import reverse

from telcrm.customers.panels import Panel, register_panel
from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web.search import Hit, provider

from .i18n import _

VIEW = "coverage.view_coverage"

ACTION_LABELS.update(
    {
        "coverage.element_create": _("Registered network element"),
        "coverage.element_update": _("Changed network element"),
        "coverage.element_retire": _("Retired network element"),
        "coverage.port_take": _("Took a port"),
        "coverage.port_release": _("Released a port"),
        "coverage.address_create": _("Recorded covered address"),
        "coverage.address_update": _("Changed covered address"),
        "coverage.address_retire": _("Retired covered address"),
    }
)


@provider(_("Network elements"), order=60)
def search_elements(user, q: str, limit: int) -> list[Hit]:
    from . import queries

    if not user.has_perm(VIEW) or len(q) < 2:
        return []
    return [
        Hit(
            "element",
            e.code,
            " · ".join(
                x for x in (e.get_technology_display(), e.get_status_display(), e.name or e.location) if x
            ),
            reverse("coverage-element-detail", args=[e.pk]),
        )
        for e in queries.element_list(user, q=q)[:limit]
    ]


MAX_PANEL_ADDRESSES = 5


def _broadband(actor, customer, ctx):
    """Installability of the customer's addresses (one query for all of them)."""
    from . import queries
    from .views import check_url

    addresses = list(ctx.get("addresses") or ())[:MAX_PANEL_ADDRESSES]
    if not addresses:
        return None
    results = queries.installability_many(addresses)
    return {
        "rows": [
            {"address": a, "result": r, "url": check_url(a)} for a, r in zip(addresses, results, strict=True)
        ]
    }


register_panel(
    Panel(
        "broadband",
        _("Broadband coverage"),
        "coverage/panel_customer.html",
        _broadband,
        order=35,
        perm=VIEW,
        slot="side",
        icon="router",
    )
)
