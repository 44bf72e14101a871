"""Group tariffs and discounts (个性化资费和优惠): the list, the request form, approval by managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from telcrm.customers import queries as customer_queries
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import AuditLog
from telcrm.web.decorators import paginate, require_any, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..forms import DecisionForm, TariffFilterForm, TariffForm
from ..models import GroupTariff, TariffStatus
from ._common import APPROVE, CUSTOMER_VIEW, REQUEST, done, first_error, perms

STEP_LABELS = {
    "create": gettext_lazy("Requested"),
    "update": gettext_lazy("Changed"),
    "submit": gettext_lazy("Submitted"),
    "approve": gettext_lazy("Approved"),
    "reject": gettext_lazy("Rejected"),
    "revoke": gettext_lazy("Revoked"),
    "expire": gettext_lazy("Expired"),
}


def _detail_url(tariff) -> str:
    return reverse("catalog-discount-detail", args=[tariff.pk])


@scoped_view
def discount_list(request):
    require_any(request.user, REQUEST, APPROVE)
    form = TariffFilterForm(request.GET)
    filters = form.filters()
    page = paginate(request, queries.tariff_list(request.user, **filters))
    awaiting = queries.tariffs_awaiting(request.user).count() if request.user.has_perm(APPROVE) else 0
    ctx = {
        "form": form,
        "page": page,
        "filters": filters,
        "statuses": TariffStatus.choices,
        "awaiting": awaiting,
        "can": perms(request.user),
    }
    return render(request, "catalog/discount_list.html", ctx)


def _group_customer(request):
    pk = request.GET.get("customer") or request.POST.get("customer")
    if not pk or not request.user.has_perm(CUSTOMER_VIEW):
        return None
    try:
        return customer_queries.customer_get(request.user, pk)
    except NotFoundInScope:
        return None


@scoped_view(perm=REQUEST)
def discount_create(request):
    customer = _group_customer(request)
    form = TariffForm(request.POST or None)
    if request.method == "POST" and customer is None:
        form.is_valid()
        form.add_error(None, _("Choose the enterprise or group customer first."))
    elif request.method == "POST" and form.is_valid():
        try:
            tariff = actions.tariff_create(
                actor=request.user,
                customer=customer,
                submit=request.POST.get("save") != "draft",
                **form.action_data(),
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            message = {
                TariffStatus.APPROVED: _("Tariff approved: the discount is within the threshold."),
                TariffStatus.PENDING: _("Tariff submitted; it waits for a manager's approval."),
                TariffStatus.DRAFT: _("Tariff saved as a draft."),
            }.get(tariff.status)
            return done(request, _detail_url(tariff), message)
    ctx = {"form": form, "customer": customer, "tariff": None, "can": perms(request.user)}
    return render(request, "catalog/discount_form.html", ctx)


@scoped_view
def discount_detail(request, pk):
    require_any(request.user, REQUEST, APPROVE)
    tariff = queries.tariff_get(request.user, pk)
    history = []
    for a in (
        AuditLog.objects.filter(object_type="catalog.grouptariff", object_id=str(tariff.pk))
        .select_related("actor")
        .order_by("-at", "-id")[:20]
    ):
        status = (a.after or {}).get("status") if isinstance(a.after, dict) else None
        history.append(
            {
                "at": a.at,
                "who": (a.actor.full_name or a.actor.username) if a.actor else _("system"),
                "what": STEP_LABELS.get(a.action.rsplit(".", 1)[-1], a.action),
                "status": TariffStatus(status).label if status in TariffStatus.values else "",
                "note": (a.after or {}).get("decision_note", "") if isinstance(a.after, dict) else "",
            }
        )
    can = perms(request.user)
    ctx = {
        "t": tariff,
        "history": history,
        "decision_form": DecisionForm(),
        "can": can,
        "may_decide": can["approve"]
        and tariff.status == TariffStatus.PENDING
        and tariff.requested_by_id != request.user.pk,
        "own_request": tariff.requested_by_id == request.user.pk,
    }
    return render(request, "catalog/discount_detail.html", ctx)


@scoped_view(perm=REQUEST)
def discount_edit(request, pk):
    tariff = queries.tariff_get(request.user, pk)
    form = TariffForm(request.POST or None, tariff=tariff)
    if request.method == "POST" and form.is_valid():
        try:
            tariff = actions.tariff_update(actor=request.user, tariff=tariff, **form.action_data())
            if request.POST.get("save") != "draft":
                tariff = actions.tariff_submit(actor=request.user, tariff=tariff)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(request, _detail_url(tariff), _("Tariff saved."))
    ctx = {"form": form, "customer": tariff.customer, "tariff": tariff, "can": perms(request.user)}
    return render(request, "catalog/discount_form.html", ctx)


DECISIONS = {
    "approve": actions.tariff_approve,
    "reject": actions.tariff_reject,
    "revoke": actions.tariff_revoke,
}


@require_POST
@scoped_view
def discount_decide(request, pk, decision):
    require_any(request.user, APPROVE)
    tariff = queries.tariff_get(request.user, pk)
    fn = DECISIONS.get(decision)
    if fn is None:
        from django.http import Http404

        raise Http404
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        fn(actor=request.user, tariff=tariff, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(tariff))
    text = {"approve": _("Tariff approved."), "reject": _("Tariff rejected."), "revoke": _("Tariff revoked.")}
    return done(request, _detail_url(tariff), text[decision])


@require_POST
@scoped_view(perm=REQUEST)
def discount_submit(request, pk):
    tariff = queries.tariff_get(request.user, pk)
    try:
        tariff = actions.tariff_submit(actor=request.user, tariff=tariff)
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(tariff))
    return done(request, _detail_url(tariff), _("Tariff submitted."))


__all__ = [
    "GroupTariff",
    "discount_create",
    "discount_decide",
    "discount_detail",
    "discount_edit",
    "discount_list",
    "discount_submit",
]
