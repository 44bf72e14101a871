"""TMF622 Product Ordering v4: /tmf-api/productOrderingManagement/v4/ productOrder and cancelProductOrder
over ``orders.Order`` (id = its row id).

- POST productOrder takes and submits an order through the counter's actions (orders/tmf/actions.py
  says how the items become an order); GET lists and reads orders in the caller's data scope.
  Reads need ``orders.view_order``, POST needs ``orders.take_order``. No PATCH or DELETE: an order moves
  on through its process; it is cancelled with cancelProductOrder.
- ``state``: draft → pending, submitted → acknowledged, in progress → inProgress, completed,
  cancelled, failed. ``category`` is our order type; ``orderNumber`` (extension) our order number.
- ``productOrderItem``: the client's items as given (id, action) with what we made of them: the
  offering (TMF620 reference), the product (the line, TMF637 reference, with its MSISDN and ICCID),
  the one-off and monthly prices. An order taken at the counter shows each of its items on its own.
- ``relatedParty``: the customer (TMF629, role ``customer``) and the other references given, kept.
- cancelProductOrder: POST cancels the order at once through ``order_cancel`` (the counter's rules:
  a draft is abandoned; a submitted, running or failed order needs ``cancellationReason``; a completed
  or cancelled one is refused with 409) and answers the cancellation, state ``done``. GET lists the
  cancelled orders in scope as cancellations (id = the order's id).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.catalog.models import SalesChannel
from telcrm.customers.tmf.common import (
    CharacteristicField,
    Filter,
    RefField,
    TmfViewSet,
    bad_request,
    iso,
    parse_body,
    parse_id,
)
from telcrm.platform.api.base import BilingualError
from telcrm.platform.errors import bilingual

from ..acceptance_permissions import TAKE_ORDER, VIEW_ORDER
from ..models import Order, OrderItem, OrderState, OrderType
from . import actions
from .base import (
    ICCID,
    MSISDN,
    ORDER_STATE,
    characteristic,
    item_groups,
    order_state_code,
    price,
    product_status_code,
    ref,
    yuan,
)

ITEM_ACTIONS = ("add", "modify", "delete", "noChange")
PLACE_KEYS = {
    "province": ("stateOrProvince", "province"),
    "city": ("city",),
    "district": ("locality", "district", "street2"),
    "street": ("streetName", "street1", "street"),
}
REFUSED = {"completed", "cancelled", "returned", "not_draft"}  # order_cancel's refusals: 409


class ProductStatusField(serializers.Field):
    default_error_messages = {"invalid": _("Choose active, suspended, pendingActive or terminated.")}

    def to_internal_value(self, data):
        code = product_status_code(data) if isinstance(data, str) else None
        if code is None:
            self.fail("invalid")
        return code

    def to_representation(self, value):
        return value


class PlaceField(serializers.Field):
    """An installation place (a GeographicAddress value): province, city, district, street."""

    default_error_messages = {"invalid": _("Send the address as an object with city and streetName.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        out = {}
        for ours, keys in PLACE_KEYS.items():
            value = next((data[k] for k in keys if isinstance(data.get(k), str) and data[k].strip()), None)
            if value is not None:
                out[ours] = value.strip()[:100]
        return out

    def to_representation(self, value):
        return value


class ProductValue(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=40)
    status = ProductStatusField(required=False)
    productCharacteristic = serializers.ListField(child=CharacteristicField(), required=False, max_length=20)
    place = serializers.ListField(child=PlaceField(), required=False, max_length=5)


class OrderItemInput(serializers.Serializer):
    id = serializers.CharField(max_length=40)
    action = serializers.ChoiceField(choices=ITEM_ACTIONS)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=99)
    productOffering = RefField(required=False)
    product = ProductValue(required=False)


class NoteField(serializers.Field):
    default_error_messages = {"invalid": _("Send a note as an object with a text.")}

    def to_internal_value(self, data):
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or "\x00" in text:
            self.fail("invalid")
        return " ".join(text.split())

    def to_representation(self, value):
        return value


class ProductOrderInput(serializers.Serializer):
    productOrderItem = serializers.ListField(child=OrderItemInput(), min_length=1, max_length=20)
    relatedParty = serializers.ListField(child=RefField(), required=False, max_length=20)
    category = serializers.CharField(required=False, allow_blank=True, max_length=20)
    channel = serializers.ListField(child=RefField(), required=False, max_length=5)
    note = serializers.ListField(child=NoteField(), required=False, max_length=10)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    externalId = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_productOrderItem(self, items):
        ids = [item["id"] for item in items]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Each productOrderItem needs its own id."))
        return items

    def validate_channel(self, channels):
        if channels and channels[0]["id"] not in SalesChannel.values:
            raise serializers.ValidationError(
                _("Choose a sales channel: %(channels)s.") % {"channels": ", ".join(SalesChannel.values)}
            )
        return channels


def _customer_filter(values, op) -> Q:
    return Q(customer_id__in=[pk for pk in (parse_id(v) for v in values) if pk is not None])


class OrderViews(TmfViewSet):
    """What both TMF622 resources share: permissions and the scoped orders."""

    HOOKS = ("to_tmf", "create_resource")
    http_method_names = ["get", "post", "head", "options"]
    read_permission = VIEW_ORDER
    create_permission = TAKE_ORDER
    change_permission = TAKE_ORDER

    def orders(self, user):
        return (
            Order.objects.restrict(user)
            .select_related("customer")
            .prefetch_related(Prefetch("items", queryset=OrderItem.objects.select_related("offering")))
            .order_by("-id")
        )

    def order_ref(self, order: Order) -> dict:
        return ref(
            self.request,
            "tmf-product-order-detail",
            order.pk,
            referred_type="ProductOrder",
            name=order.order_no,
        )


class ProductOrderViewSet(OrderViews):
    resource_type = "ProductOrder"
    url_name = "tmf-product-order-detail"
    tmf_filters = {
        "id": Filter("pk", "id"),
        "state": Filter("state", "choice", values=order_state_code),
        "category": Filter("order_type", "choice"),
        "orderDate": Filter("created_at", "datetime"),
        "completionDate": Filter("completed_at", "datetime"),
        "orderNumber": Filter("order_no", "choice"),
        "externalId": Filter("data__tmf__externalId"),
        "relatedParty.id": Filter(_customer_filter, "choice"),
    }

    def scoped_queryset(self, user):
        return self.orders(user)

    # -- output ------------------------------------------------------------------------------------
    def to_tmf(self, order: Order) -> dict:
        tmf = (order.data or {}).get("tmf") or {}
        customer = order.customer
        out = {
            "id": str(order.pk),
            "href": self.href(order.pk),
            "@type": "ProductOrder",
            "orderNumber": order.order_no,
            "category": order.order_type,
            "description": tmf.get("description") or str(OrderType(order.order_type).label),
            "state": ORDER_STATE.get(order.state, order.state),
            "orderDate": iso(order.created_at),
            "channel": [{"id": order.channel, "name": self.channel_name(order.channel)}],
            "productOrderItem": [self.item_out(order, group) for group in item_groups(order)],
            "relatedParty": [
                ref(
                    self.request,
                    "tmf-customer-detail",
                    customer.pk,
                    referred_type="Customer",
                    name=customer.name,
                    role="customer",
                ),
                *tmf.get("relatedParty", ()),
            ],
            "orderTotalPrice": self.prices(order.one_off_fen, order.recurring_fen),
        }
        if tmf.get("externalId"):
            out["externalId"] = tmf["externalId"]
        if order.note:
            out["note"] = [{"text": order.note}]
        if order.completed_at:
            out["completionDate"] = iso(order.completed_at)
        if order.state == OrderState.CANCELLED:
            out["cancellationDate"] = iso(order.cancelled_at)
            if order.reason:
                out["cancellationReason"] = order.reason
        return out

    @staticmethod
    def channel_name(code: str) -> str:
        return str(SalesChannel(code).label) if code in SalesChannel.values else code

    @staticmethod
    def prices(one_off: int, recurring: int) -> list[dict]:
        out = []
        if one_off:
            out.append(price("oneTime", yuan(one_off)))
        if recurring:
            out.append(price("recurring", yuan(recurring)))
        return out

    def item_out(self, order: Order, group: dict) -> dict:
        items = group["items"]
        out = {
            "id": group["id"],
            "action": group["action"],
            "state": ORDER_STATE.get(order.state, order.state),
        }
        offered = next((i for i in items if i.offering_id), None)
        if offered is not None:
            out["quantity"] = offered.quantity
            out["productOffering"] = ref(
                self.request,
                "tmf-product-offering-detail",
                offered.offering_id,
                referred_type="ProductOffering",
                name=offered.offering.name,
            )
        product = self.product_out(order, group)
        if product:
            out["product"] = product
        out["itemPrice"] = self.prices(sum(i.one_off_fen for i in items), sum(i.recurring_fen for i in items))
        return out

    def product_out(self, order: Order, group: dict) -> dict:
        """The line an item is about: its TMF637 reference once it exists, its MSISDN and ICCID."""
        items = group["items"]
        line_id = next((i.subscription_id for i in items if i.subscription_id), None)
        if line_id is None and group["line"]:
            line_id = order.subscription_id
        out = {}
        if line_id is not None:
            out = ref(self.request, "tmf-product-detail", line_id, referred_type="Product")
            del out["@referredType"]
            out["@type"] = "Product"
        msisdn = next((i.msisdn for i in items if i.msisdn), "")
        iccid = next((i.iccid for i in items if i.iccid), "")
        if not iccid and group["line"]:
            iccid = (order.data or {}).get("iccid", "")  # chosen for a draft, taken from stock on submit
        chars = [characteristic(name, value) for name, value in ((MSISDN, msisdn), (ICCID, iccid)) if value]
        if chars:
            out["productCharacteristic"] = chars
        if group.get("status"):
            out["status"] = group["status"]
        return out

    # -- input -------------------------------------------------------------------------------------
    def create_resource(self, data):
        parsed = parse_body(ProductOrderInput, data)
        channels = parsed.get("channel") or []
        notes = parsed.get("note") or []
        return actions.product_order_create(
            actor=self.request.user,
            items=parsed["productOrderItem"],
            related_party=parsed.get("relatedParty", []),
            category=parsed.get("category", "").strip(),
            channel=channels[0]["id"] if channels else SalesChannel.COUNTER,
            note="; ".join(n for n in notes if n)[:500],
            description=parsed.get("description", ""),
            external_id=parsed.get("externalId", ""),
        )


# --- cancelProductOrder -------------------------------------------------------------------------------
class CancelInput(serializers.Serializer):
    productOrder = RefField()
    cancellationReason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    requestedCancellationDate = serializers.CharField(required=False, allow_blank=True, max_length=40)


class CancelProductOrderViewSet(OrderViews):
    """Cancelled orders seen as the cancellations that made them (one per order, id = the order's id)."""

    resource_type = "CancelProductOrder"
    url_name = "tmf-cancel-product-order-detail"
    field_names = {"reason": "cancellationReason", "order": "productOrder.id"}
    tmf_filters = {
        "id": Filter("pk", "id"),
        "state": Filter(lambda values, op: Q() if "done" in values else Q(pk__in=[]), "choice"),
        "productOrder.id": Filter("pk", "id"),
        "effectiveCancellationDate": Filter("cancelled_at", "datetime"),
    }

    def scoped_queryset(self, user):
        return self.orders(user).filter(state=OrderState.CANCELLED)

    def to_tmf(self, order: Order) -> dict:
        out = {
            "id": str(order.pk),
            "href": self.href(order.pk),
            "@type": "CancelProductOrder",
            "productOrder": self.order_ref(order),
            "state": "done",
            "effectiveCancellationDate": iso(order.cancelled_at),
        }
        if order.reason:
            out["cancellationReason"] = order.reason
        return out

    def create_resource(self, data):
        from ..actions.lifecycle import order_cancel

        parsed = parse_body(CancelInput, data)
        pk = parse_id(parsed["productOrder"]["id"])
        order = Order.objects.restrict(self.request.user).filter(pk=pk).first() if pk is not None else None
        if order is None:
            raise bad_request("productOrder.id", _("There is no such product order here."), "unknown")
        try:
            return order_cancel(
                actor=self.request.user, order=order, reason=parsed.get("cancellationReason", "")
            )
        except DjangoValidationError as exc:
            items = bilingual(exc)
            if any(i["code"] in REFUSED for i in items):  # the order's state forbids it: a conflict
                raise BilingualError(items, status_code=409) from exc
            raise
