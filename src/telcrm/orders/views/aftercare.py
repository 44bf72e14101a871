"""An order after submission, on its page and in the error queue: why it failed and running it again,
cancelling it (with what was undone and the refund due), recording the refund paid. Each POST calls
one action (orders/actions/lifecycle.py); a refusal is shown as a message and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from telcrm.platform.errors import bilingual
from telcrm.web.decorators import paginate, scoped_view

from .. import actions
from ..acceptance_permissions import VIEW_ORDER
from ..acceptance_queries import failed_order_list
from ..actions.lifecycle import may_cancel, may_retry, retryable
from ..models import Order, OrderState


def aftercare_context(user, order: Order) -> dict:
    """What the order page shows about a failure, a cancellation and a refund, and which buttons."""
    live = order.state in (OrderState.SUBMITTED, OrderState.IN_PROGRESS)
    refund = order.data.get("refund") or None
    return {
        "failure": order.data.get("failure") if retryable(order) else None,
        "cancellation": order.data.get("cancellation") if order.state == OrderState.CANCELLED else None,
        "refund": refund,
        "can_retry": retryable(order) and may_retry(user),
        "can_cancel": (live or retryable(order)) and may_cancel(user),
        "can_refund": bool(refund and refund.get("state") == "due") and may_cancel(user),
    }


def _errors(request, exc: ValidationError) -> None:
    for item in bilingual(exc):
        messages.error(request, item["message"])


def _back(request, pk: int):
    if request.POST.get("back") == "queue":
        return redirect("order-failed-list")
    return redirect("order-detail", pk)


@scoped_view(perm=VIEW_ORDER)
@require_POST
def cancel(request, pk: int):
    try:
        order = actions.order_cancel(actor=request.user, order=pk, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Order %(no)s cancelled.") % {"no": order.order_no})
    return _back(request, pk)


@scoped_view(perm=VIEW_ORDER)
@require_POST
def retry(request, pk: int):
    try:
        order = actions.order_retry(actor=request.user, order=pk)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Order %(no)s runs again from the step that failed.") % {"no": order.order_no}
        )
    return _back(request, pk)


@scoped_view(perm=VIEW_ORDER)
@require_POST
def refund(request, pk: int):
    try:
        actions.order_refund_record(actor=request.user, order=pk, reference=request.POST.get("reference", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Refund recorded."))
    return _back(request, pk)


@scoped_view(perm=VIEW_ORDER)
@require_GET
def failed_list(request):
    """The error queue's tab of orders whose process failed: the step, the error, Retry."""
    page = paginate(request, failed_order_list(request.user))
    return render(
        request,
        "orders/acceptance/failed_list.html",
        {
            "page": page,
            "tab": "failed_orders",
            "can_retry": may_retry(request.user),
            # the tabs of the integration pages this one sits among
            "can": {
                "manage": request.user.has_perm("integration.manage_outbox"),
                "subscriptions": request.user.has_perm("integration.manage_subscriptions"),
            },
        },
    )
