"""TMF637 Product Inventory v4: /tmf-api/productInventory/v4/product over ``customers.Subscription``.

A product is a line a customer holds (the subscriptions of the customer 360), id = its row id.
It lives here rather than in customers/tmf because the resource points up the layers: at the catalog's
offering (TMF620), at the orders that opened and changed the line (TMF622), at the customer and billing
account (TMF629/TMF666); the orders module is the one that may see all of them.

Mapping (TMF → ours):
- ``status``: active, suspended, terminated, pendingActive (``created`` is read as pendingActive).
- ``productOffering``: the catalog's version of the line's offer code that is on sale (else its latest
  version), as a TMF620 reference; an offer code the catalog does not know is shown as ``{id: code}``.
- ``productCharacteristic``: ``MSISDN`` (the line's number, also ``productSerialNumber``) and ``ICCID``.
- ``productPrice``: the monthly fee (recurring, per month); ``productTerm``: the commitment's end.
- ``billingAccount``: the line's billing account (TMF666); ``relatedParty``: the customer (TMF629,
  role ``customer``); ``productOrderItem``: the orders of the line in the caller's scope (TMF622).

Data scope: the lines of the customers in the caller's scope (as the 360 shows them). Reads need
``customers.view_customer``. POST registers a line that lives elsewhere (``customers.add_subscription``)
and PATCH corrects the record — status, billing account, SIM, commitment end —
(``customers.change_subscription``), through ``customers.actions.line_records``; a business change of
a line (suspend, plan change, transfer, termination) is a TMF622 productOrder. No DELETE: lines are
history that orders refer to.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.catalog.models import LifecycleStatus, ProductOffering
from telcrm.customers.actions.line_records import ADD, CHANGE, subscription_update
from telcrm.customers.models import Subscription
from telcrm.customers.tmf.actions import resolve_customer
from telcrm.customers.tmf.common import (
    CharacteristicField,
    Filter,
    RefField,
    TmfViewSet,
    bad_request,
    iso,
    money,
    parse_body,
    parse_id,
    parse_when,
)
from telcrm.platform.models.scoped import scope_q

from ..models import Order
from . import actions
from .base import (
    ICCID,
    MSISDN,
    PRODUCT_STATUS,
    characteristic,
    characteristic_value,
    line_group,
    price,
    product_status_code,
    ref,
)

FIELD_NAMES = {
    "customer": "relatedParty",
    "account": "billingAccount.id",
    "msisdn": "productCharacteristic",
    "iccid": "productCharacteristic",
    "offer_code": "productOffering.id",
    "offer_name": "productOffering.name",
    "monthly_fee": "productPrice",
    "activated_at": "startDate",
    "commitment_end": "productTerm",
    "status": "status",
}


class StatusField(serializers.Field):
    default_error_messages = {"invalid": _("Choose active, suspended, pendingActive or terminated.")}

    def to_internal_value(self, data):
        code = product_status_code(data) if isinstance(data, str) else None
        if code is None:
            self.fail("invalid")
        return code

    def to_representation(self, value):
        return value


class PriceField(serializers.Field):
    """A ``ProductPrice``: (priceType, value in yuan or None)."""

    default_error_messages = {"invalid": _("Send a price with a priceType and an amount in CNY.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("priceType", ""), str):
            self.fail("invalid")
        amounts = data.get("price") or {}
        if not isinstance(amounts, dict):
            self.fail("invalid")
        amount = amounts.get("taxIncludedAmount") or amounts.get("dutyFreeAmount")
        value = amount.get("value") if isinstance(amount, dict) else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | str)):
            self.fail("invalid")
        return (data.get("priceType", "").strip().lower(), value)

    def to_representation(self, value):
        return value


class TermField(serializers.Field):
    """A ``ProductTerm``: the end of its ``validFor`` (the commitment's end), or None."""

    default_error_messages = {"invalid": _("Enter an ISO 8601 date or date-time, e.g. 2026-01-31T08:00:00Z.")}

    def to_internal_value(self, data):
        period = data.get("validFor") if isinstance(data, dict) else None
        if period is None:
            return None
        end = period.get("endDateTime") if isinstance(period, dict) else "?"
        if end in (None, ""):
            return None
        when = parse_when(end) if isinstance(end, str) else None
        if when is None:
            raise serializers.ValidationError({"validFor": {"endDateTime": [self.error_messages["invalid"]]}})
        return when

    def to_representation(self, value):
        return value


class ProductInput(serializers.Serializer):
    status = StatusField(required=False)
    relatedParty = serializers.ListField(child=RefField(), required=False, max_length=20)
    billingAccount = RefField(required=False)
    productOffering = RefField(required=False)
    productCharacteristic = serializers.ListField(child=CharacteristicField(), required=False, max_length=50)
    productPrice = serializers.ListField(child=PriceField(), required=False, max_length=20)
    productTerm = serializers.ListField(child=TermField(), required=False, max_length=5)
    startDate = serializers.CharField(required=False, max_length=40)

    def validate_startDate(self, value):
        when = parse_when(value)
        if when is None:
            raise serializers.ValidationError(
                _("Enter an ISO 8601 date or date-time, e.g. 2026-01-31T08:00:00Z.")
            )
        return when


def _offering_filter(values, op) -> Q:
    ids = [pk for pk in (parse_id(v) for v in values) if pk is not None]
    codes = ProductOffering.objects.filter(pk__in=ids).values("code")
    return Q(offer_code__in=codes) | Q(offer_code__in=values)


def _recurring(prices) -> tuple[int, object] | None:
    for i, (price_type, value) in enumerate(prices or ()):
        if price_type == "recurring" and value is not None:
            return i, value
    return None


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _compact(value) -> str:
    return re.sub(r"[\s\-]", "", str(value or ""))


class ProductViewSet(TmfViewSet):
    resource_type = "Product"
    url_name = "tmf-product-detail"
    read_permission = "customers.view_customer"
    create_permission = ADD
    change_permission = CHANGE
    field_names = FIELD_NAMES
    tmf_filters = {
        "id": Filter("pk", "id"),
        "status": Filter("status", "choice", values=product_status_code),
        "name": Filter("offer_name"),
        "productSerialNumber": Filter("msisdn"),
        "startDate": Filter("activated_at", "datetime"),
        "relatedParty.id": Filter("customer_id", "id"),
        "billingAccount.id": Filter("account_id", "id"),
        "productOffering.id": Filter(_offering_filter, "choice"),
    }

    def scoped_queryset(self, user):
        # the lines of the customers in the user's scope (the customer's org unit and owner decide)
        orders = (
            Order.objects.restrict(user)
            .only("id", "order_no", "order_type", "state", "data", "subscription_id")
            .prefetch_related("items")
            .order_by("id")
        )
        return (
            Subscription.objects.filter(
                scope_q(user, org_field="customer__org_unit", owner_field="customer__owner")
            )
            .select_related("customer", "account")
            .prefetch_related(Prefetch("orders", queryset=orders, to_attr="tmf_orders"))
            .order_by("-id")
        )

    # -- the catalog's offerings, one query per page -------------------------------------------------
    def offerings(self, codes) -> dict[str, ProductOffering]:
        cache = self.__dict__.setdefault("_offerings", {})
        missing = {c for c in codes if c and c not in cache}
        if missing:
            now = timezone.now()
            rows = ProductOffering.objects.filter(code__in=missing).order_by("code", "-version")
            for row in rows.only(
                "id", "code", "name", "version", "lifecycle_status", "is_bundle", "valid_from", "valid_to"
            ):
                current = cache.get(row.code)
                on_sale = row.lifecycle_status == LifecycleStatus.ACTIVE and row.valid_at(now)
                if current is None or (on_sale and not getattr(current, "_on_sale", False)):
                    row._on_sale = on_sale
                    cache[row.code] = row
            for code in missing:
                cache.setdefault(code, None)
        return cache

    def render_page(self, rows, total):
        self.offerings([row.offer_code for row in rows])
        return super().render_page(rows, total)

    # -- output ------------------------------------------------------------------------------------
    def to_tmf(self, sub: Subscription) -> dict:
        request = self.request
        customer = sub.customer
        offering = self.offerings([sub.offer_code]).get(sub.offer_code)
        if offering is not None:
            offering_ref = ref(
                request,
                "tmf-product-offering-detail",
                offering.pk,
                referred_type="ProductOffering",
                name=offering.name,
            )
        else:
            offering_ref = {"id": sub.offer_code, "name": sub.offer_name, "@referredType": "ProductOffering"}
        chars = [characteristic(MSISDN, sub.msisdn)]
        if sub.iccid:
            chars.append(characteristic(ICCID, sub.iccid))
        out = {
            "id": str(sub.pk),
            "href": self.href(sub.pk),
            "@type": "Product",
            "name": sub.offer_name,
            "isBundle": bool(offering is not None and offering.is_bundle),
            "isCustomerVisible": True,
            "productSerialNumber": sub.msisdn,
            "status": PRODUCT_STATUS.get(sub.status, sub.status),
            "productOffering": offering_ref,
            "productCharacteristic": chars,
            "productPrice": [price("recurring", money(sub.monthly_fee), name=str(_("Monthly fee")))],
            "billingAccount": ref(
                request,
                "tmf-billing-account-detail",
                sub.account_id,
                referred_type="BillingAccount",
                name=sub.account.name,
            ),
            "relatedParty": [
                ref(
                    request,
                    "tmf-customer-detail",
                    customer.pk,
                    referred_type="Customer",
                    name=customer.name,
                    role="customer",
                )
            ],
            "productOrderItem": self.order_items(sub),
        }
        if sub.activated_at:
            out["startDate"] = iso(sub.activated_at)
        if sub.commitment_end:
            out["productTerm"] = [
                {"name": "commitment", "validFor": {"endDateTime": iso(sub.commitment_end)}}
            ]
        return out

    def order_items(self, sub: Subscription) -> list[dict]:
        out = []
        orders = getattr(sub, "tmf_orders", None)
        if orders is None:
            orders = sub.orders.restrict(self.request.user).prefetch_related("items").order_by("id")
        for order in orders:
            group = line_group(order, sub)
            out.append(
                {
                    "orderItemId": group["id"] if group else "",
                    "orderItemAction": group["action"] if group else "modify",
                    "productOrderId": str(order.pk),
                    "productOrderHref": self.request.build_absolute_uri(
                        reverse("tmf-product-order-detail", kwargs={"pk": order.pk})
                    ),
                    "role": order.order_type,
                    "@referredType": "ProductOrder",
                }
            )
        return out

    # -- input -------------------------------------------------------------------------------------
    def create_resource(self, data):
        self.field_names = dict(FIELD_NAMES)
        parsed = parse_body(ProductInput, data)
        for attr in ("status", "productOffering", "relatedParty"):
            if not parsed.get(attr):
                raise bad_request(attr, _("This attribute is required."), "required")
        offering = None
        pk = parse_id(parsed["productOffering"]["id"])
        if pk is not None:
            offering = ProductOffering.objects.filter(pk=pk).first()
        if offering is None:
            raise bad_request("productOffering.id", _("There is no such product offering here."), "unknown")
        customer = resolve_customer(self.request.user, parsed["relatedParty"])
        if customer is None:
            raise bad_request(
                "relatedParty",
                _(
                    "Name the customer: a Customer reference, or an Individual or Organization that is a "
                    "customer in your data scope."
                ),
                "unknown",
            )
        chars = parsed.get("productCharacteristic", [])
        msisdn = characteristic_value(chars, MSISDN)
        iccid = characteristic_value(chars, ICCID)
        if msisdn is None:
            raise bad_request(
                "productCharacteristic", _("Give the line's number as the characteristic MSISDN."), "required"
            )
        self.field_names["msisdn"] = f"productCharacteristic[{msisdn[0]}].value"
        if iccid is not None:
            self.field_names["iccid"] = f"productCharacteristic[{iccid[0]}].value"
        fee = _recurring(parsed.get("productPrice"))
        if fee is not None:
            self.field_names["monthly_fee"] = f"productPrice[{fee[0]}].price.taxIncludedAmount.value"
        account = parsed.get("billingAccount")
        terms = [t for t in parsed.get("productTerm", []) if t is not None]
        return actions.product_register(
            actor=self.request.user,
            customer=customer,
            offering=offering,
            msisdn=msisdn[1],
            iccid=iccid[1] if iccid else "",
            account=(parse_id(account["id"]) or account["id"]) if account else None,
            monthly_fee=fee[1] if fee else None,
            status=parsed["status"],
            activated_at=parsed.get("startDate"),
            commitment_end=terms[0] if terms else None,
        )

    def update_resource(self, sub, data):
        self.field_names = dict(FIELD_NAMES)
        parsed = parse_body(ProductInput, data, partial=True)
        current = self.to_tmf(sub)
        changes: dict = {}
        if "status" in parsed and parsed["status"] != sub.status:
            changes["status"] = parsed["status"]
        account = parsed.get("billingAccount")
        if account and account["id"] != str(sub.account_id):
            changes["account"] = parse_id(account["id"]) or account["id"]
        chars = parsed.get("productCharacteristic", [])
        msisdn = characteristic_value(chars, MSISDN)
        if msisdn is not None and _compact(msisdn[1]) != sub.msisdn:
            raise bad_request(
                f"productCharacteristic[{msisdn[0]}].value",
                _("The number of a line cannot change; a new number is a new line (a productOrder)."),
                "read_only",
            )
        iccid = characteristic_value(chars, ICCID)
        if iccid is not None and _compact(iccid[1]) != sub.iccid:
            changes["iccid"] = iccid[1]
            self.field_names["iccid"] = f"productCharacteristic[{iccid[0]}].value"
        if "productTerm" in parsed:
            terms = [t for t in parsed["productTerm"] if t is not None]
            end = timezone.localtime(terms[0]).date() if terms else None
            if end != sub.commitment_end:
                changes["commitment_end"] = end
        offering = parsed.get("productOffering")
        if offering and offering["id"] not in (current["productOffering"]["id"], sub.offer_code):
            raise bad_request(
                "productOffering.id",
                _("Change the plan with a productOrder (TMF622, action modify); the inventory follows it."),
                "read_only",
            )
        parties = parsed.get("relatedParty")
        if parties and str(sub.customer_id) not in {p["id"] for p in parties}:
            raise bad_request(
                "relatedParty",
                _("A line changes owner with a productOrder (an ownership transfer)."),
                "read_only",
            )
        fee = _recurring(parsed.get("productPrice"))
        if fee is not None and _amount(fee[1]) != sub.monthly_fee:
            raise bad_request(
                f"productPrice[{fee[0]}]",
                _("The price of a line follows its offering and orders; it cannot be set here."),
                "read_only",
            )
        if not changes:
            return sub
        return subscription_update(actor=self.request.user, subscription=sub, **changes)
