"""Input and output serializers of the order API (/api/v1/orders/). Inputs check shape and types only
(the rules — eligibility, numbers, payments — live in the actions); outputs only render."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from telcrm.platform.api.base import MAX_ID, FlagField

from ..actions.acceptance import DETAIL_KEYS
from ..models import Order, OrderItem, OrderState, OrderType, Payment, PaymentMethod


# --- input ----------------------------------------------------------------------------------------------
class OfferingInput(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Offering code, e.g. 5G-128")
    quantity = serializers.IntegerField(min_value=1, max_value=99, required=False, default=1)


class PaymentInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount_fen = serializers.IntegerField(min_value=1, max_value=10**12, help_text="Amount in fen (分)")
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class OrderTakeInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Customer id")
    order_type = serializers.ChoiceField(choices=OrderType.choices)
    subscription = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The line (for orders on a line)"
    )
    offerings = OfferingInput(many=True, required=False, max_length=20)
    number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="MSISDN of the new line (选号)"
    )
    iccid = serializers.CharField(max_length=22, required=False, allow_blank=True, help_text="SIM card")
    details = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        help_text="Order details: " + ", ".join(sorted(DETAIL_KEYS)),
    )
    payments = PaymentInput(many=True, required=False, max_length=10)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit the order at once (else it stays a draft)"
    )

    def validate_details(self, value):
        unknown = sorted(set(value) - DETAIL_KEYS)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown order details: %(names)s.") % {"names": ", ".join(unknown)}, code="invalid"
            )
        return value


class OrderReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class OrderRefundInput(serializers.Serializer):
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)


class OrderFilter(serializers.Serializer):
    state = serializers.CharField(max_length=16, required=False, help_text=" | ".join(OrderState.values))
    order_type = serializers.CharField(max_length=16, required=False, help_text=" | ".join(OrderType.values))
    q = serializers.CharField(
        max_length=40, required=False, help_text="Order number, customer number or the start of a name"
    )
    mine = FlagField(required=False, help_text="Only the orders I took")


# --- output ---------------------------------------------------------------------------------------------
class OrderCustomerBrief(serializers.Serializer):
    id = serializers.IntegerField()
    customer_no = serializers.CharField()
    name = serializers.CharField()


class OrderItemOutput(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = OrderItem
        fields = [
            "id", "action", "action_label", "offering_code", "name", "msisdn", "iccid", "quantity",
            "one_off_fen", "recurring_fen", "discount_fen", "why",
        ]  # fmt: skip


class PaymentOutput(serializers.ModelSerializer):
    method_label = serializers.CharField(source="get_method_display")

    class Meta:
        model = Payment
        fields = ["id", "method", "method_label", "amount_fen", "reference", "at"]


class OrderBriefOutput(serializers.ModelSerializer):
    order_type_label = serializers.CharField(source="get_order_type_display")
    state = serializers.CharField(help_text=" | ".join(OrderState.values))
    state_label = serializers.CharField(source="get_state_display")
    customer = OrderCustomerBrief()
    org_unit = serializers.CharField(source="org_unit.code")

    class Meta:
        model = Order
        fields = [
            "id", "order_no", "order_type", "order_type_label", "state", "state_label", "customer",
            "org_unit", "one_off_fen", "recurring_fen", "discount_fen", "paid_fen", "reason",
            "created_at", "submitted_at", "completed_at", "cancelled_at",
        ]  # fmt: skip


class OrderOutput(OrderBriefOutput):
    items = OrderItemOutput(many=True)
    payments = PaymentOutput(many=True)
    process = serializers.IntegerField(source="process_id", allow_null=True)
    failure = serializers.SerializerMethodField(help_text="Why the process failed: step, error, attempts")
    refund = serializers.SerializerMethodField(help_text="Payments to refund after a cancellation")

    class Meta(OrderBriefOutput.Meta):
        fields = [
            *OrderBriefOutput.Meta.fields,
            "subscription",
            "process",
            "items",
            "payments",
            "failure",
            "refund",
        ]

    def get_failure(self, order) -> dict | None:
        return order.data.get("failure") if order.state == OrderState.FAILED else None

    def get_refund(self, order) -> dict | None:
        return order.data.get("refund")
