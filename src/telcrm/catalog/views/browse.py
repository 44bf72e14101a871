"""What can this customer buy (the clerk's catalog page): offerings by category, list price, this
customer's price with the group tariff, and a verdict (可办 / 不可办) with the reasons."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from telcrm.customers import queries as customer_queries
from telcrm.platform.errors import NotFoundInScope
from telcrm.web.decorators import paginate, scoped_view

from .. import eligibility, pricing, queries
from ..forms import BrowseFilterForm
from ..models import SalesChannel
from ._common import CUSTOMER_VIEW, VIEW, partial, perms

PICK_LIMIT = 10


def _customer(request):
    pk = request.GET.get("customer")
    if not pk or not request.user.has_perm(CUSTOMER_VIEW):
        return None
    try:
        return customer_queries.customer_get(request.user, pk)
    except NotFoundInScope:
        return None


def _groups(page, lines, verdicts):
    """[(category label, [row, …])] in the order of the page; an offering goes under its first category."""
    groups: dict[str, list] = {}
    for o in page:
        cats = sorted(o.categories.all(), key=lambda c: (c.sort, c.code))
        label = cats[0].display_name if cats else _("Other")
        groups.setdefault(label, []).append(
            {"offering": o, "line": lines.get(o.pk), "verdict": verdicts.get(o.pk), "categories": cats}
        )
    return list(groups.items())


@scoped_view(perm=VIEW)
def catalog_browse(request):
    form = BrowseFilterForm(request.GET)
    filters = form.filters()
    customer = _customer(request)
    qs = queries.sellable(kind=filters["kind"], q=filters["q"])
    page = paginate(request, qs, per_page=30)
    rows = list(page.object_list)
    lines, verdicts = {}, {}
    if rows:
        quote = pricing.quote(customer, [(o, 1) for o in rows])
        lines = {line.offering.pk: line for line in quote.lines}
        if customer is not None:
            verdicts = eligibility.check_many(customer, rows, channel=filters["channel"])
    ok = sum(1 for v in verdicts.values() if v.ok)
    facts = eligibility.customer_facts(customer) if customer is not None else None
    ctx = {
        "form": form,
        "customer": customer,
        "facts": facts,
        "page": page,
        "groups": _groups(rows, lines, verdicts),
        "ok_count": ok,
        "refused_count": len(verdicts) - ok,
        "channel_label": SalesChannel(filters["channel"]).label,
        "can": perms(request.user),
    }
    return render(request, partial(request, "catalog/browse.html", "results"), ctx)


@scoped_view(perm=VIEW)
def customer_pick(request):
    """Customers matching the search box (the customers module's search, scoped), as links."""
    q = (request.GET.get("q") or "").strip()
    target = request.GET.get("target") or "browse"
    found = []
    if q and request.user.has_perm(CUSTOMER_VIEW):
        found = customer_queries.customer_search(request.user, q, limit=PICK_LIMIT * 3)
        if target == "discount":
            found = [c for c in found if c.customer_type in ("enterprise", "group")]
        found = found[:PICK_LIMIT]
    return render(request, "catalog/customer_pick.html", {"customers": found, "q": q, "target": target})
