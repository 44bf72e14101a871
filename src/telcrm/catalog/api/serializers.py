"""Input and output serializers of the catalog API (/api/v1/catalog/). Inputs only parse shapes; the
rules live in the actions, pricing and eligibility modules."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from telcrm.platform.api.base import MAX_ID, FlagField
from telcrm.platform.api.serializers import ErrorOutput  # noqa: F401 - re-exported for the views

from ..models import (
    BundledOffering,
    Category,
    GroupTariff,
    LifecycleStatus,
    OfferingKind,
    ProductOffering,
    ProductOfferingPrice,
    SalesChannel,
    TariffCharge,
    TariffKind,
    TariffStatus,
)


# --- offerings ------------------------------------------------------------------------------------
class CategoryRef(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Category
        fields = ["id", "code", "name"]


class PriceOutput(serializers.ModelSerializer):
    class Meta:
        model = ProductOfferingPrice
        fields = [
            "id",
            "name",
            "name_en",
            "price_type",
            "amount_fen",
            "recurring_period",
            "usage_unit",
            "unit_amount",
            "valid_from",
            "valid_to",
            "lifecycle_status",
        ]


class MemberOutput(serializers.ModelSerializer):
    offering_id = serializers.IntegerField(source="member.id")
    code = serializers.CharField(source="member.code")
    version = serializers.IntegerField(source="member.version")
    name = serializers.CharField(source="member.name")

    class Meta:
        model = BundledOffering
        fields = ["offering_id", "code", "version", "name", "min_qty", "max_qty", "optional"]


class OfferingOutput(serializers.ModelSerializer):
    categories = CategoryRef(many=True, read_only=True)
    specification = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProductOffering
        fields = [
            "id",
            "code",
            "version",
            "name",
            "name_en",
            "kind",
            "lifecycle_status",
            "is_bundle",
            "valid_from",
            "valid_to",
            "channels",
            "applies_to_codes",
            "applies_to_kinds",
            "features",
            "commitment_months",
            "categories",
            "specification",
            "last_update",
        ]


class OfferingDetailOutput(OfferingOutput):
    prices = PriceOutput(many=True, read_only=True)
    bundle_members = MemberOutput(many=True, read_only=True)

    class Meta(OfferingOutput.Meta):
        fields = [
            *OfferingOutput.Meta.fields,
            "description",
            "prices",
            "bundle_members",
            "activated_at",
            "retired_at",
        ]


class OfferingFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=60, help_text="Part of the code or the name")
    kind = serializers.ChoiceField(required=False, choices=OfferingKind.choices)
    status = serializers.ChoiceField(
        required=False, choices=LifecycleStatus.choices, help_text="Lifecycle status; default: every version"
    )
    code = serializers.CharField(required=False, max_length=40, help_text="Every version of this code")
    on_sale = FlagField(required=False, help_text="Only active versions valid now")


# --- quote and eligibility ------------------------------------------------------------------------
class ItemInput(serializers.Serializer):
    code = serializers.CharField(
        required=False, max_length=40, help_text="Offering code: priced at the version on sale at `at`"
    )
    offering = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A specific offering version (id)"
    )
    quantity = serializers.IntegerField(min_value=1, max_value=9999, default=1)

    def validate(self, attrs):
        if bool(attrs.get("code")) == bool(attrs.get("offering")):
            raise serializers.ValidationError("Give either code or offering.", code="one_of")
        return attrs


class QuoteInput(serializers.Serializer):
    customer = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Customer id (in your scope)"
    )
    items = ItemInput(many=True)
    at = serializers.DateTimeField(required=False, help_text="Moment to price at; default now")

    def validate_items(self, value):
        if not value:
            raise serializers.ValidationError("Add at least one item.", code="empty")
        if len(value) > 100:
            raise serializers.ValidationError("At most 100 items.", code="too_many")
        return value


class TariffRef(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id")

    class Meta:
        model = GroupTariff
        fields = ["id", "name", "kind", "value", "charge", "customer"]


class QuoteLineOutput(serializers.Serializer):
    offering = serializers.IntegerField(source="offering.pk", help_text="Offering version id")
    code = serializers.CharField(source="offering.code")
    version = serializers.IntegerField(source="offering.version")
    name = serializers.CharField(source="offering.name")
    quantity = serializers.IntegerField()
    one_off_fen = serializers.IntegerField(help_text="List one-off charge × quantity")
    recurring_fen = serializers.IntegerField(help_text="List monthly fee × quantity")
    list_fen = serializers.IntegerField(help_text="One-off plus the first month")
    discount_fen = serializers.IntegerField()
    net_one_off_fen = serializers.IntegerField()
    net_recurring_fen = serializers.IntegerField()
    net_fen = serializers.IntegerField()
    tariff = TariffRef(allow_null=True)
    why = serializers.CharField(help_text="Why the tariff applies (empty without one)")


class QuoteOutput(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    at = serializers.DateTimeField()
    lines = QuoteLineOutput(many=True)
    one_off_fen = serializers.IntegerField()
    recurring_fen = serializers.IntegerField()
    list_fen = serializers.IntegerField()
    discount_fen = serializers.IntegerField()
    net_one_off_fen = serializers.IntegerField()
    net_recurring_fen = serializers.IntegerField()
    net_fen = serializers.IntegerField()


class EligibilityInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    code = serializers.CharField(required=False, max_length=40, help_text="Offering code")
    offering = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Offering version id"
    )
    cart = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=100,
        help_text="Codes bought together",
    )
    channel = serializers.ChoiceField(choices=SalesChannel.choices, default=SalesChannel.COUNTER)
    at = serializers.DateTimeField(required=False)
    address = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Installation address: id of one of the customer's addresses; its coverage gives the "
        "access_technology fact of the rules",
    )

    def validate(self, attrs):
        if bool(attrs.get("code")) == bool(attrs.get("offering")):
            raise serializers.ValidationError("Give either code or offering.", code="one_of")
        return attrs


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    blocking = serializers.BooleanField()
    table = serializers.CharField()
    rule = serializers.CharField()


class VerdictOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    offering = serializers.SerializerMethodField()
    reasons = ReasonOutput(many=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_offering(self, obj):
        return obj.offering.pk if obj.offering is not None else None


# --- group tariffs --------------------------------------------------------------------------------
class TariffOutput(serializers.ModelSerializer):
    customer_no = serializers.CharField(source="customer.customer_no")
    customer_name = serializers.CharField(source="customer.name")
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = GroupTariff
        fields = [
            "id",
            "name",
            "customer",
            "customer_no",
            "customer_name",
            "offering_code",
            "category",
            "kind",
            "charge",
            "value",
            "valid_from",
            "valid_to",
            "status",
            "effective_percent",
            "needs_approval",
            "reason",
            "requested_by",
            "requested_at",
            "approved_by",
            "decided_at",
            "decision_note",
        ]


class TariffFilter(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=TariffStatus.choices)
    customer = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    q = serializers.CharField(required=False, max_length=60)


class TariffInput(serializers.Serializer):
    customer = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Enterprise or group customer"
    )
    name = serializers.CharField(max_length=100)
    offering_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Category code"
    )
    kind = serializers.ChoiceField(choices=TariffKind.choices)
    charge = serializers.ChoiceField(choices=TariffCharge.choices, default=TariffCharge.RECURRING)
    value = serializers.IntegerField(min_value=0, help_text="Percent (percent_off) or fen")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    submit = serializers.BooleanField(default=True, help_text="Submit at once (else a draft)")


class DecisionInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
