"""Writes of the TMF622 and TMF637 APIs that take more than one action: each is one transaction over the
actions the counter uses, so a TMF client gets the same checks (eligibility, prices, numbers, stock,
payment) and the same audit. Field errors name the TMF attribute (``productOrderItem[0].productOffering.id``).

``product_order_create`` (TMF622 POST) takes the order the way a clerk does, in one go::

    order_create → order_item_add (each productOffering) → order_number_choose / order_sim_choose /
    order_details_set (the line's MSISDN and ICCID characteristics, the installation place, the new owner)
    → payment_record (the one-off due, charged to the customer's billing account) → order_submit

and nothing is written when any step refuses. What is ordered (our order type) is ``category`` when the
client names one of our order types, else it follows from the items:

- ``add`` of a productOffering without a product: a new line (a broadband installation for a broadband
  offering); with a product (one of the customer's lines): an add-on;
- ``modify`` of a product: a plan change with a productOffering, suspend / resume with
  ``product.status`` suspended / active, a SIM swap with a new ``ICCID`` characteristic;
- ``delete`` of a product: a termination. ``noChange`` items are context only.

``product_register`` (TMF637 POST) registers a line that lives in another system.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.catalog.models import OfferingKind, ProductOffering
from telcrm.customers.actions.line_records import subscription_create
from telcrm.customers.models import Subscription, SubscriptionStatus
from telcrm.customers.tmf.actions import resolve_customer
from telcrm.customers.tmf.common import parse_id
from telcrm.platform.actions import require_perm
from telcrm.platform.errors import field_error
from telcrm.platform.models.scoped import scope_q

from ..acceptance_permissions import TAKE_ORDER
from ..actions.acceptance import (
    LINE_TYPES,
    SIM_TYPES,
    order_create,
    order_details_set,
    order_item_add,
    order_number_choose,
    order_sim_choose,
    order_submit,
    payment_record,
)
from ..models import Order, OrderType, PaymentMethod
from .base import ICCID, MSISDN, PRODUCT_STATUS, characteristic_value

NEW_OWNER = "newowner"  # relatedParty role naming the new owner of an ownership transfer
PAYMENT_REFERENCE = "TMF622"


@contextlib.contextmanager
def named(names: dict[str, str]):
    """Field errors of the actions called inside, their fields renamed to TMF attributes."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed: dict[str, list] = {}
        for field, errors in exc.error_dict.items():
            renamed.setdefault(names.get(field, field), []).extend(errors)
        raise ValidationError(renamed) from exc


# --- TMF637: a line registered ------------------------------------------------------------------------
def _quoted_fee(customer, offering: ProductOffering) -> Decimal:
    """The customer's monthly price of ``offering`` (its list price when it is not on sale)."""
    from telcrm.catalog import pricing

    try:
        line = pricing.quote(customer, [(offering, 1)]).lines[0]
    except (ValidationError, IndexError):
        return Decimal(0)
    return (Decimal(line.net_recurring_fen) / 100).quantize(Decimal("0.01"))


def _pool_check(sub: Subscription) -> None:
    """A number of our pool is registered only for the customer it is assigned to."""
    from telcrm.resources.models import Number, NumberState

    number = Number.objects.filter(msisdn=sub.msisdn).only("state", "customer_id").first()
    if number is not None and not (
        number.state == NumberState.ASSIGNED and number.customer_id == sub.customer_id
    ):
        raise field_error(
            "msisdn",
            _(
                "%(msisdn)s is a number of our pool not assigned to this customer; "
                "open the line with a new-line order."
            ),
            "in_pool",
            msisdn=sub.msisdn,
        )


@transaction.atomic
def product_register(
    *,
    actor,
    customer,
    offering: ProductOffering,
    msisdn,
    status: str,
    iccid="",
    account=None,
    monthly_fee=None,
    activated_at=None,
    commitment_end=None,
) -> Subscription:
    """A line that lives in another system (a migration, a partner) registered for ``customer`` with the
    catalog's code and name of ``offering`` and, when no fee is given, the customer's monthly price."""
    sub = subscription_create(
        actor=actor,
        customer=customer,
        msisdn=msisdn,
        offer_code=offering.code,
        offer_name=offering.name[:100],
        account=account,
        iccid=iccid,
        monthly_fee=_quoted_fee(customer, offering) if monthly_fee is None else monthly_fee,
        status=status,
        activated_at=activated_at,
        commitment_end=commitment_end,
    )
    _pool_check(sub)
    return sub


# --- TMF622: an order taken ---------------------------------------------------------------------------
def _item(i: int, attr: str = "") -> str:
    return f"productOrderItem[{i}]{'.' + attr if attr else ''}"


def _offerings(items) -> dict[int, ProductOffering]:
    out = {}
    for i, item in enumerate(items):
        given = item.get("productOffering")
        if not given:
            continue
        pk = parse_id(given["id"])
        found = ProductOffering.objects.filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise field_error(
                _item(i, "productOffering.id"), _("There is no such product offering here."), "unknown"
            )
        out[i] = found
    return out


def _lines(actor, items) -> dict[int, Subscription]:
    """The products (our lines) the items name, among the lines of the customers in the actor's scope."""
    scoped = Subscription.objects.filter(
        scope_q(actor, org_field="customer__org_unit", owner_field="customer__owner")
    ).select_related("customer")
    out = {}
    for i, item in enumerate(items):
        product_id = (item.get("product") or {}).get("id")
        if not product_id:
            continue
        pk = parse_id(product_id)
        found = scoped.filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise field_error(
                _item(i, "product.id"),
                _("There is no such product here, or it is outside your data scope."),
                "unknown",
            )
        out[i] = found
    return out


def _decide(items, lines, offerings, category: str) -> tuple[str, int]:
    """(our order type, index of the item that says so)."""
    if category:
        if category not in OrderType.values:
            raise field_error(
                "category",
                _("Choose one of our order types: %(types)s."),
                "invalid_choice",
                types=", ".join(OrderType.values),
            )
        wanted = lines if category in LINE_TYPES else offerings
        return category, min(wanted) if wanted else 0
    for i, item in enumerate(items):
        action, line, offering = item["action"], lines.get(i), offerings.get(i)
        product = item.get("product") or {}
        if action == "noChange":
            continue
        if line is not None:
            if action == "delete":
                return OrderType.TERMINATION, i
            if action == "add" and offering is not None:
                return OrderType.ADD_ON, i
            if action == "modify":
                status = product.get("status")
                if offering is not None:
                    return OrderType.PLAN_CHANGE, i
                if status == SubscriptionStatus.SUSPENDED:
                    return OrderType.SUSPEND, i
                if status == SubscriptionStatus.ACTIVE and line.status == SubscriptionStatus.SUSPENDED:
                    return OrderType.RESUME, i
                if characteristic_value(product.get("productCharacteristic"), ICCID):
                    return OrderType.SIM_SWAP, i
        elif action == "add" and offering is not None:
            kind = OrderType.BROADBAND if offering.kind == OfferingKind.BROADBAND else OrderType.NEW_LINE
            return kind, i
    raise field_error(
        "productOrderItem",
        _(
            "Say what is ordered: a productOffering to add, or one of the customer's products to modify "
            "(with its new status, productOffering or ICCID) or delete."
        ),
        "nothing_ordered",
    )


def _is_customer(ref: dict, customer) -> bool:
    referred = str(ref.get("@referredType", "")).lower()
    if referred == "customer":
        return ref.get("id") == str(customer.pk)
    return referred in ("individual", "organization") and ref.get("id") == str(customer.party_id)


def _tmf_data(items, offerings, k, kept, description, external_id) -> dict:
    tmf = {
        "items": [
            {
                "id": item["id"],
                "action": item["action"],
                "offering": offerings[i].code if i in offerings else None,
                "line": i == k,
                "status": PRODUCT_STATUS.get((item.get("product") or {}).get("status")),
            }
            for i, item in enumerate(items)
        ]
    }
    if kept:
        tmf["relatedParty"] = kept
    if description:
        tmf["description"] = description
    if external_id:
        tmf["externalId"] = external_id
    return tmf


@transaction.atomic
def product_order_create(
    *,
    actor,
    items: list[dict],
    related_party=(),
    category: str = "",
    channel: str = "counter",
    note: str = "",
    description: str = "",
    external_id: str = "",
) -> Order:
    """Take and submit an order from a TMF622 ProductOrder (parsed by orders/tmf/ordering.py): the
    customer is the relatedParty that is one of our customers in the actor's scope (else the owner of
    the product an item names)."""
    require_perm(actor, TAKE_ORDER)
    offerings = _offerings(items)
    lines = _lines(actor, items)
    related_party = list(related_party)
    owner_refs = [r for r in related_party if str(r.get("role", "")).lower() != NEW_OWNER]
    customer = resolve_customer(actor, owner_refs)
    if customer is None and lines:
        customer = lines[min(lines)].customer
    if customer is None:
        raise field_error(
            "relatedParty",
            _(
                "Name the customer: a Customer reference, or an Individual or Organization that is a "
                "customer in your data scope."
            ),
            "unknown",
        )
    order_type, k = _decide(items, lines, offerings, category)
    line_item = items[k] if items else {}
    product = line_item.get("product") or {}
    chars = product.get("productCharacteristic") or []
    msisdn, iccid = characteristic_value(chars, MSISDN), characteristic_value(chars, ICCID)
    here = _item(k, "product.productCharacteristic")
    names = {
        "customer": "relatedParty",
        "new_customer": "relatedParty",
        "order_type": "category",
        "channel": "channel",
        "subscription": _item(k, "product.id"),
        "number": f"{here}[{msisdn[0]}].value" if msisdn else here,
        "msisdn": f"{here}[{msisdn[0]}].value" if msisdn else here,
        "iccid": f"{here}[{iccid[0]}].value" if iccid else here,
        "address": _item(k, "product.place"),
        "street": _item(k, "product.place"),
        "payment": "payment",
        "offering": "productOrderItem",
        "items": "productOrderItem",
    }
    kept = [r for r in related_party if not _is_customer(r, customer)]
    line = lines.get(k, next(iter(lines.values()), None)) if order_type in LINE_TYPES else None
    with named(names):
        order = order_create(
            actor=actor,
            customer=customer,
            order_type=order_type,
            subscription=line,
            channel=channel,
            note=note,
            data={"tmf": _tmf_data(items, offerings, k, kept, description, external_id)},
        )
    for i, offering in offerings.items():
        item_names = {**names, "offering": _item(i, "productOffering.id"), "quantity": _item(i, "quantity")}
        with named(item_names):
            order_item_add(actor=actor, order=order, offering=offering, quantity=items[i].get("quantity", 1))
    with named(names):
        if msisdn and order_type == OrderType.NEW_LINE:
            order_number_choose(actor=actor, order=order, number=str(msisdn[1]))
        elif msisdn and order_type == OrderType.PORT_IN:
            order_details_set(actor=actor, order=order, msisdn=str(msisdn[1]))
        if iccid and order_type in SIM_TYPES:
            order_sim_choose(actor=actor, order=order, iccid=str(iccid[1]))
        places = product.get("place") or []
        if order_type == OrderType.BROADBAND and places:
            order_details_set(actor=actor, order=order, **places[0])
        new_owner = next((r for r in related_party if str(r.get("role", "")).lower() == NEW_OWNER), None)
        if order_type == OrderType.TRANSFER and new_owner is not None:
            order_details_set(actor=actor, order=order, new_customer=new_owner["id"])
        order.refresh_from_db()
        due = order.one_off_fen - order.paid_fen
        if due > 0:  # a TMF client pays nothing at a counter: the one-off goes on the customer's bill
            payment_record(
                actor=actor,
                order=order,
                method=PaymentMethod.ACCOUNT,
                amount_fen=due,
                reference=PAYMENT_REFERENCE,
            )
        return order_submit(actor=actor, order=order)
