"""Transfers (调拨): the list, a new draft, one transfer with its items — add by scanning/pasting
numbers or a range, ship, receive at the other end (checking what arrived), cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..actions._common import scoped_unit_ids
from ..forms import CodesForm, ReasonForm, TransferCreateForm, TransferFilterForm, TransferReceiveForm
from ..models import TransferStatus
from ..permissions import MANAGE, VIEW
from ._common import go, perms

ITEMS_PAGE = 50


@scoped_view(perm=VIEW)
def transfer_list(request):
    form = TransferFilterForm(request.GET)
    filters = form.filters()
    page = paginate(request, queries.transfer_list(request.user, **filters))
    mine = scoped_unit_ids(request.user)
    return render(
        request,
        "stock/transfer_list.html",
        {
            "form": form,
            "page": page,
            "mine": mine,
            "filtered": bool(filters),
            "incoming": queries.incoming_count(request.user),
            "can": perms(request.user),
        },
    )


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    form = TransferCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            t = actions.transfer_create(
                actor=request.user,
                from_unit=data["from_unit"],
                to_unit=data["to_unit"],
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Transfer %(no)s created; add the items to send.") % {"no": t.number})
            return redirect(reverse("stock-transfer-detail", args=[t.pk]))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "stock/transfer_form.html", {"form": form, "can": perms(request.user)}, status=status
    )


def _detail(request, t, *, add_form=None, receive_form=None, cancel_form=None, status: int = 200):
    mine = scoped_unit_ids(request.user)
    manage = request.user.has_perm(MANAGE)
    sender = manage and t.org_unit_id in mine
    receiver = manage and t.to_unit_id in mine
    page = paginate(request, queries.transfer_items(t), ITEMS_PAGE)
    ctx = {
        "t": t,
        "page": page,
        "sender": sender,
        "receiver": receiver,
        "can_edit": sender and t.status == TransferStatus.DRAFT,
        "can_ship": sender and t.status == TransferStatus.DRAFT and t.item_count > 0,
        "can_cancel": sender and t.status in (TransferStatus.DRAFT, TransferStatus.SHIPPED),
        "can_receive": receiver and t.status == TransferStatus.SHIPPED,
        "add_form": add_form or CodesForm(),
        "receive_form": receive_form or TransferReceiveForm(),
        "cancel_form": cancel_form or ReasonForm(),
        "can": perms(request.user),
    }
    return render(request, "stock/transfer_detail.html", ctx, status=status)


@scoped_view(perm=VIEW)
def transfer_detail(request, pk):
    return _detail(request, queries.transfer_get(request.user, pk))


def _url(t) -> str:
    return reverse("stock-transfer-detail", args=[t.pk])


@require_POST
@scoped_view(perm=MANAGE)
def transfer_add(request, pk):
    t = queries.transfer_get(request.user, pk)
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            t, added = actions.transfer_add_items(
                actor=request.user, transfer=t, codes=form.cleaned_data["codes"]
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("%(n)d items added.") % {"n": added})
            return go(request, _url(t))
    return _detail(request, queries.transfer_get(request.user, pk), add_form=form, status=400)


@require_POST
@scoped_view(perm=MANAGE)
def transfer_remove(request, pk):
    t = queries.transfer_get(request.user, pk)
    try:
        actions.transfer_remove_items(actor=request.user, transfer=t, codes=request.POST.get("code", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return go(request, _url(t))


@require_POST
@scoped_view(perm=MANAGE)
def transfer_ship(request, pk):
    t = queries.transfer_get(request.user, pk)
    try:
        t = actions.transfer_ship(actor=request.user, transfer=t)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("Transfer %(no)s shipped: %(n)d items are in transit to %(unit)s.")
            % {"no": t.number, "n": t.item_count, "unit": t.to_unit.display_name},
        )
    return go(request, _url(t))


@require_POST
@scoped_view(perm=MANAGE)
def transfer_receive(request, pk):
    t = queries.transfer_get(request.user, pk)
    form = TransferReceiveForm(request.POST)
    if form.is_valid():
        try:
            t = actions.transfer_receive(
                actor=request.user,
                transfer=t,
                codes=form.cleaned_data["codes"] or None,
                all_arrived=form.cleaned_data["all_arrived"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            if t.missing_count:
                messages.warning(
                    request,
                    _("Transfer %(no)s received: %(got)d items in stock, %(missing)d recorded missing.")
                    % {"no": t.number, "got": t.received_count, "missing": t.missing_count},
                )
            else:
                messages.success(
                    request,
                    _("Transfer %(no)s received: %(got)d items are now in your stock.")
                    % {"no": t.number, "got": t.received_count},
                )
            return go(request, _url(t))
    return _detail(request, queries.transfer_get(request.user, pk), receive_form=form, status=400)


@require_POST
@scoped_view(perm=MANAGE)
def transfer_cancel(request, pk):
    t = queries.transfer_get(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            t = actions.transfer_cancel(actor=request.user, transfer=t, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Transfer %(no)s cancelled.") % {"no": t.number})
            return go(request, _url(t))
    return _detail(request, queries.transfer_get(request.user, pk), cancel_form=form, status=400)
