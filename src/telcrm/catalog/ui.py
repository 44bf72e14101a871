"""What the catalog adds to other pages: the global search, home-page panels, the customer 360 panel."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.customers.panels import Panel, register_panel
from telcrm.web import home_panels
from telcrm.web.search import Hit, provider

from . import queries
from .models import GroupTariff, TariffStatus

VIEW = "catalog.view_catalog"
MANAGE = "catalog.manage_catalog"
REQUEST = "catalog.request_discount"
APPROVE = "catalog.approve_discount"


# --- global search --------------------------------------------------------------------------------
@provider(_("Product offerings"), order=40)
def _offerings(user, q: str, limit: int) -> list[Hit]:
    if not user.has_perm(VIEW) or len(q.strip()) < 2:
        return []
    manage = user.has_perm(MANAGE)
    rows = (
        list(queries.sellable(q=q.strip())[:limit])
        if not manage
        else list(queries.offering_list(q=q.strip())[:limit])
    )
    return [
        Hit(
            "offering",
            o.display_name,
            f"{o.code} · {o.get_kind_display()} · v{o.version} {o.get_lifecycle_status_display()}",
            reverse("catalog-offering-detail", args=[o.pk])
            if manage
            else f"{reverse('catalog-browse')}?q={o.code}",
        )
        for o in rows
    ]


# --- home pages ---------------------------------------------------------------------------------
def _awaiting(user) -> dict | None:
    qs = queries.tariffs_awaiting(user)
    rows = list(qs[:8])
    if not rows:
        return None
    return {"tariffs": rows, "total": qs.count()}


def _my_requests(user) -> dict | None:
    qs = queries.tariff_list(user, mine=True)
    rows = list(qs[:8])
    if not rows:
        return None
    return {"tariffs": rows, "total": qs.count(), "mine": True}


home_panels.register(
    home_panels.HomePanel(
        "catalog.tariffs_awaiting",
        "catalog/home/tariffs.html",
        _awaiting,
        roles=("branch_manager", "admin"),
        perm=APPROVE,
        order=30,
    )
)
home_panels.register(
    home_panels.HomePanel(
        "catalog.my_tariffs",
        "catalog/home/tariffs.html",
        _my_requests,
        roles=("account_manager",),
        perm=REQUEST,
        order=30,
    )
)


# --- customer 360 -------------------------------------------------------------------------------
def _customer_tariffs(actor, customer, ctx) -> dict | None:
    """Approved group tariffs that apply to the customer (its own or its group's), one query."""
    owners = [customer.pk] + ([customer.parent_id] if customer.parent_id else [])
    today = timezone.localdate()
    rows = list(
        GroupTariff.objects.dangerously_unscoped()  # what applies to the price, whoever looks
        .filter(customer_id__in=owners, status=TariffStatus.APPROVED, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("category")
        .order_by("-id")[:6]
    )
    link = (_("What can this customer buy"), f"{reverse('catalog-browse')}?customer={customer.pk}")
    if not rows and customer.customer_type == "individual" and not customer.parent_id:
        return None
    return {
        "rows": [
            (t.name, t.offering_code or (t.category.display_name if t.category_id else ""), "") for t in rows
        ],
        "empty": _("No group tariff applies."),
        "link": link,
    }


register_panel(
    Panel(
        "catalog.tariffs",
        _("Group tariffs"),
        "customers/panels/simple.html",
        _customer_tariffs,
        order=60,
        perm=VIEW,
        slot="side",
        icon="percent",
    )
)
