"""Stock levels (库存总览): per unit, counts by state with low-stock badges; one unit in detail."""

from __future__ import annotations

from django.shortcuts import render

from telcrm.web.decorators import paginate, scoped_view

from .. import queries
from ..forms import UnitFilterForm
from ..models import SimKind
from ..permissions import VIEW
from ..states import ItemState, ItemType
from ._common import partial, perms

RECENT_MOVEMENTS = 12


@scoped_view(perm=VIEW)
def stock_list(request):
    form = UnitFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    units = queries.stock_units(request.user, q=data.get("q", ""))
    low_rows = queries.low_stock(request.user, limit=10_000)
    if data.get("low"):
        units = units.filter(pk__in={r["unit"].pk for r in low_rows})
    page = paginate(request, units)
    totals = queries.level_totals(request.user)
    ctx = {
        "form": form,
        "page": page,
        "levels": queries.unit_levels(page.object_list),
        "totals": totals,
        "low_count": len({r["unit"].pk for r in low_rows}),
        "incoming": queries.incoming_count(request.user),
        "states": [(s, ItemState(s).label) for s in queries.LEVEL_STATES],
        "item_types": ItemType.choices,
        "can": perms(request.user),
    }
    return render(request, partial(request, "stock/levels.html", "results"), ctx)


@scoped_view(perm=VIEW)
def stock_unit(request, pk):
    unit = queries.unit_get(request.user, pk)
    level = queries.unit_levels([unit])[0]
    detail = queries.unit_detail_levels(unit)
    ctx = {
        "unit": unit,
        "level": level,
        "sims": detail["sims"],
        "terminals": detail["terminals"],
        "states": [(s, ItemState(s).label) for s in queries.LEVEL_STATES],
        "alerts": list(queries.open_alerts(request.user).filter(org_unit=unit)),
        "movements": list(queries.movement_list(request.user, org_unit=unit)[:RECENT_MOVEMENTS]),
        "transfers": list(
            queries.transfer_list(request.user, org_unit=unit)
            .exclude(status="received")
            .exclude(status="cancelled")[:10]
        ),
        "counts": list(queries.count_list(request.user, status="open").filter(org_unit=unit)),
        "sim_kinds": SimKind.choices,
        "can": perms(request.user),
    }
    return render(request, "stock/unit.html", ctx)
