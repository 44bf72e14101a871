"""Items (库存明细): search and filter SIM cards and terminals, one item with its movement history,
and the stock manager's operations on it (faulty, returned)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries, states
from ..forms import ItemFilterForm, ReasonForm
from ..models import SimCard
from ..permissions import MANAGE, VIEW
from ..states import ItemType, Move
from ._common import go, paginate_capped, partial, perms

HISTORY_PAGE = 50
# what a stock manager may do to one item from its page: move → action
ITEM_ACTIONS = {
    ItemType.SIM: {Move.FAULT: actions.sim_mark_faulty, Move.RETURN: actions.sim_return},
    ItemType.TERMINAL: {Move.FAULT: actions.terminal_mark_faulty, Move.RETURN: actions.terminal_return},
}


@scoped_view(perm=VIEW)
def item_list(request):
    form = ItemFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    item_type = filters.pop("type")
    page = paginate_capped(request, queries.item_list(request.user, item_type, **filters))
    batch = None
    if filters.get("batch"):
        batch = queries.batch_list(request.user).filter(pk=filters["batch"]).first()
    ctx = {
        "form": form,
        "page": page,
        "item_type": item_type,
        "filtered": bool(filters),
        "batch": batch,
        "can": perms(request.user),
    }
    return render(request, partial(request, "stock/items.html", "results"), ctx)


def _detail(request, item, item_type: str, form=None, status: int = 200):
    page = paginate(request, queries.movement_history(item), HISTORY_PAGE)
    possible = states.moves_from(item_type, item.state)
    manage = request.user.has_perm(MANAGE)
    ctx = {
        "item": item,
        "item_type": item_type,
        "is_sim": item_type == ItemType.SIM,
        "page": page,
        "operations": [
            {"move": m, "label": Move(m).label} for m in ITEM_ACTIONS[item_type] if m in possible and manage
        ],
        "form": form or ReasonForm(),
        "can": perms(request.user),
    }
    return render(request, "stock/item_detail.html", ctx, status=status)


@scoped_view(perm=VIEW)
def sim_detail(request, pk):
    return _detail(request, queries.sim_get(request.user, pk), ItemType.SIM)


@scoped_view(perm=VIEW)
def terminal_detail(request, pk):
    return _detail(request, queries.terminal_get(request.user, pk), ItemType.TERMINAL)


@require_POST
@scoped_view(perm=MANAGE)
def item_action(request, item_type, pk, move):
    fn = ITEM_ACTIONS.get(item_type, {}).get(move)
    if fn is None:
        raise Http404
    item = (
        queries.sim_get(request.user, pk)
        if item_type == ItemType.SIM
        else queries.terminal_get(request.user, pk)
    )
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            fn(request.user, item.code, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _done_message(item, move))
            name = "stock-sim-detail" if isinstance(item, SimCard) else "stock-terminal-detail"
            return go(request, reverse(name, args=[item.pk]))
    return _detail(request, item, item_type, form=form, status=400)


def _done_message(item, move) -> str:
    from django.utils.translation import gettext as _

    return _("%(code)s: %(move)s.") % {"code": item.code, "move": Move(move).label}


@scoped_view(perm=VIEW)
def movement_list(request):
    units = queries.stock_units(request.user)
    unit_id = request.GET.get("org_unit") or ""
    unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else None
    move = request.GET.get("move") or ""
    if move not in Move.values:
        move = ""
    page = paginate_capped(request, queries.movement_list(request.user, org_unit=unit, move=move))
    ctx = {
        "page": page,
        "units": units,
        "unit": unit,
        "move": move,
        "moves": Move.choices,
        "can": perms(request.user),
    }
    return render(request, partial(request, "stock/movements.html", "results"), ctx)
