"""The counter (营业受理) in the UI: from the customer 360 "New order" → order type → one order page
where the clerk adds offerings (each with its verdict 可办/不可办, reasons and price), chooses a number
and a SIM, reviews the fees, records payments and submits — then prints the receipt (受理单).

Each POST calls one action; a refusal is shown on the order page with its reason (zh/en) and nothing
is written. The order page answers HTMX requests with its body only (``#order-work``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.customers.models import Customer, Subscription, SubscriptionStatus
from telcrm.platform.actions import access
from telcrm.platform.errors import bilingual
from telcrm.platform.money import yuan_field
from telcrm.web.decorators import scoped_view

from .. import actions
from ..acceptance_permissions import TAKE_ORDER, VIEW_ORDER
from ..acceptance_queries import number_terms
from ..actions.acceptance import DETAIL_KEYS, LINE_TYPES, NUMBER_TYPES, OFFERING_TYPES, SIM_TYPES
from ..models import Order, OrderState, OrderType, PaymentMethod
from .aftercare import aftercare_context

KINDS_FOR = {
    OrderType.NEW_LINE: ("plan", "bundle", "add_on"),
    OrderType.PORT_IN: ("plan", "bundle", "add_on"),
    OrderType.PLAN_CHANGE: ("plan", "bundle"),
    OrderType.ADD_ON: ("add_on",),
    OrderType.BROADBAND: ("broadband", "bundle", "add_on"),
}


def _order(request, pk) -> Order:
    return access(
        Order.objects.select_related("customer__party", "org_unit", "created_by", "subscription", "process"),
        request.user,
        pk,
    )


def _errors(request, exc: ValidationError) -> None:
    for item in bilingual(exc):
        messages.error(request, item["message"])


def _back(order_pk: int):
    return redirect("order-detail", order_pk)


# --- start ------------------------------------------------------------------------------------------
@scoped_view(perm=TAKE_ORDER)
def order_new(request):
    """Choose the order type (and the line, for an order on a line) for the customer of ``?customer=``."""
    customer = access(
        Customer.objects.select_related("party"),
        request.user,
        request.GET.get("customer") or request.POST.get("customer"),
    )
    lines = Subscription.objects.filter(
        customer=customer, status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    ).order_by("-id")[:50]
    if request.method == "POST":
        try:
            order = actions.order_create(
                actor=request.user,
                customer=customer,
                order_type=request.POST.get("order_type", ""),
                subscription=request.POST.get("subscription") or None,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("order-detail", order.pk)
    return render(
        request,
        "orders/acceptance/order_new.html",
        {"customer": customer, "types": OrderType.choices, "lines": lines, "line_types": sorted(LINE_TYPES)},
    )


# --- the order page ------------------------------------------------------------------------------------
def _offerings(order: Order) -> list[dict]:
    """Offerings the clerk may add, with the verdict and the price for this customer."""
    from telcrm.catalog import eligibility, pricing, queries

    kinds = KINDS_FOR.get(order.order_type, ())
    rows = list(queries.sellable().filter(kind__in=kinds)[:40])
    if not rows:
        return []
    cart = [i.offering_code for i in order.items.all() if i.offering_code]
    verdicts = eligibility.check_many(order.customer, rows, cart=cart, channel=order.channel)
    quote = pricing.quote(order.customer, [(o, 1) for o in rows])
    out = []
    for o, line in zip(rows, quote.lines, strict=True):
        verdict = verdicts[o.pk]
        out.append(
            {
                "offering": o,
                "ok": verdict.ok,
                "reasons": [r.message for r in verdict.reasons],
                "one_off": line.net_one_off_fen,
                "recurring": line.net_recurring_fen,
                "discount": line.discount_fen,
                "in_cart": o.code in cart,
            }
        )
    return out


def _numbers(request, order: Order):
    from telcrm.resources import queries as numbers

    if order.order_type not in NUMBER_TYPES or order.state != OrderState.DRAFT:
        return None, ""
    try:
        page = numbers.number_search(
            request.user,
            contains=request.GET.get("contains", ""),
            ends_with=request.GET.get("ends_with", ""),
            per_page=12,
        )
    except ValidationError as exc:
        return None, "; ".join(i["message"] for i in bilingual(exc))
    return page, ""


def _address_initial(order: Order) -> dict:
    """The installation address typed so far, else the customer's primary address."""
    if order.order_type != OrderType.BROADBAND:
        return {}
    if order.data.get("address_parts"):
        return order.data["address_parts"]
    primary = order.customer.addresses.order_by("-is_primary", "id").first()
    if primary is None:
        return {}
    return {k: getattr(primary, k) for k in ("province", "city", "district", "street")}


@scoped_view(perm=VIEW_ORDER)
def order_detail(request, pk: int):
    order = _order(request, pk)
    draft = order.state == OrderState.DRAFT
    can_take = request.user.has_perm(TAKE_ORDER)
    number_page, number_error = _numbers(request, order) if can_take else (None, "")
    ctx = {
        "order": order,
        "customer": order.customer,
        "items": list(order.items.select_related("number__level")),
        "payments": list(order.payments.select_related("received_by")),
        "offerings": _offerings(order) if draft and can_take and order.order_type in OFFERING_TYPES else [],
        "number_page": number_page,
        "number_error": number_error,
        "draft": draft,
        "can_take": can_take and draft,
        "takes_number": order.order_type in NUMBER_TYPES,
        "takes_sim": order.order_type in SIM_TYPES,
        "takes_address": order.order_type == OrderType.BROADBAND,
        "address": _address_initial(order),
        "takes_msisdn": order.order_type == OrderType.PORT_IN,
        "takes_new_owner": order.order_type == OrderType.TRANSFER,
        "new_owner": Customer.objects.restrict(request.user)
        .filter(pk=order.data.get("new_customer") or 0)
        .first()
        if order.order_type == OrderType.TRANSFER
        else None,
        "methods": PaymentMethod.choices,
        "due": order.balance_due_fen,
        "printed": order.prints.count(),
        "number_terms": number_terms(order),
    }
    ctx.update(aftercare_context(request.user, order))  # failure, cancellation, refund (aftercare.py)
    template = "orders/acceptance/order_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#work"
    return render(request, template, ctx)


def _post(action):
    """A POST on an order page: run ``action(request, order_pk)``; refusals become messages."""

    @scoped_view(perm=TAKE_ORDER)
    @require_POST
    def view(request, pk: int):
        try:
            done = action(request, pk)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if done:
                messages.success(request, done)
        return _back(pk)

    view.__name__ = action.__name__
    return view


@_post
def item_add(request, pk):
    actions.order_item_add(actor=request.user, order=pk, offering=request.POST.get("offering", ""))
    return _("Offering added.")


@_post
def item_remove(request, pk, item=None):
    actions.order_item_remove(actor=request.user, order=pk, item=request.POST.get("item"))
    return _("Offering removed.")


@_post
def number_choose(request, pk):
    item = actions.order_number_choose(actor=request.user, order=pk, number=request.POST.get("number", ""))
    return _("Number %(msisdn)s is reserved for this order.") % {"msisdn": item.msisdn}


@_post
def sim_choose(request, pk):
    actions.order_sim_choose(actor=request.user, order=pk, iccid=request.POST.get("iccid", ""))
    return _("SIM card recorded.")


@_post
def details_set(request, pk):
    fields = {k: request.POST[k] for k in DETAIL_KEYS if k in request.POST}
    actions.order_details_set(actor=request.user, order=pk, **fields)
    return _("Details saved.")


@_post
def payment_add(request, pk):
    actions.payment_record(
        actor=request.user,
        order=pk,
        method=request.POST.get("method", ""),
        amount_fen=yuan_field("amount", request.POST.get("amount"), allow_zero=False),
        reference=request.POST.get("reference", ""),
    )
    return _("Payment recorded.")


@_post
def submit(request, pk):
    order = actions.order_submit(actor=request.user, order=pk)
    return _("Order %(no)s submitted; print the receipt for the customer to sign.") % {"no": order.order_no}


@_post
def abandon(request, pk):
    actions.order_abandon(actor=request.user, order=pk, reason=request.POST.get("reason", ""))
    return _("Order abandoned; its number went back to the pool.")


@scoped_view(perm=VIEW_ORDER)
def receipt(request, pk: int):
    """The receipt PDF; every call is a print (the second and later are audited reprints)."""
    try:
        printed, pdf = actions.receipt_print(actor=request.user, order=pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(reverse("order-detail", args=[pk]))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printed.order.order_no}-{printed.copy_no}.pdf"'
    return response


# --- lists and statistics -------------------------------------------------------------------------------
@scoped_view(perm=VIEW_ORDER)
def order_list(request):
    from telcrm.web.decorators import paginate

    from ..acceptance_queries import order_list as orders

    state = request.GET.get("state", "")[:16]
    order_type = request.GET.get("type", "")[:16]
    q = request.GET.get("q", "")
    mine = request.GET.get("mine") == "1"
    page = paginate(request, orders(request.user, state=state, order_type=order_type, q=q, mine=mine))
    return render(
        request,
        "orders/acceptance/order_list.html",
        {
            "page": page,
            "states": OrderState.choices,
            "types": OrderType.choices,
            "state": state,
            "order_type": order_type,
            "q": q,
            "mine": mine,
        },
    )


@scoped_view(perm=VIEW_ORDER)
def order_stats(request):
    from ..acceptance_queries import order_statistics

    try:
        days = min(366, max(1, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    return render(
        request,
        "orders/acceptance/order_stats.html",
        {"stats": order_statistics(request.user, days=days), "days": days},
    )
