"""Input and output serializers of the number pool API (/api/v1/numbers/). Inputs parse shape and
types only; the actions validate the business rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from telcrm.platform.api.base import FlagField
from telcrm.platform.api.serializers import OrgUnitRef

from ..models import Number, NumberEvent, NumberLevel, NumberState

DIGITS = r"^\d{1,11}$"
STATES = "free, reserved, assigned, quarantined (cooling off) or frozen"


# A choice field, so the schema's enum component is the one named in ENUM_NAME_OVERRIDES
# (NumberStateEnum) and cannot clash with other modules' "state" fields.
class StateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", STATES)
        super().__init__(choices=NumberState.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": [*NumberState.values, "any"], "default": "free"})
class StateFilterField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[*NumberState.values, "any"], **kwargs)


class NumberFilter(serializers.Serializer):
    region = serializers.IntegerField(
        required=False, min_value=1, help_text="Org unit id of a city or province"
    )
    level = serializers.CharField(required=False, max_length=32, help_text="Level code (e.g. gold) or id")
    contains = serializers.RegexField(DIGITS, required=False, help_text="Digits the number contains")
    ends_with = serializers.RegexField(DIGITS, required=False, help_text="Digits the number ends with")
    no_four = FlagField(required=False, help_text="No digit 4 anywhere in the number")
    state = serializers.ChoiceField(
        choices=[*NumberState.choices, ("any", "any")],
        required=False,
        default="free",
        help_text="Default free",
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)
    per_page = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class NumberLevelOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = NumberLevel
        fields = ["id", "code", "name", "rank", "price_fen", "min_spend_fen", "deposit_fen"]


class NumberOutput(serializers.ModelSerializer):
    state = StateField(read_only=True)
    level = NumberLevelOutput(allow_null=True)
    region = OrgUnitRef()
    reserved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    range = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Number
        fields = [
            "id",
            "msisdn",
            "state",
            "level",
            "region",
            "range",
            "has_four",
            "reserved_until",
            "reserved_by",
            "reservation_ref",
            "customer",
            "quarantine_until",
            "frozen_reason",
            "updated_at",
        ]


class NumberPageOutput(serializers.Serializer):
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    has_next = serializers.BooleanField(help_text="Whether a next page exists (no total is counted)")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = NumberOutput(many=True)


class NumberEventOutput(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # plain strings: the same values as NumberOutput.state (one enum in the schema, not three)
    from_state = serializers.CharField(help_text="State before (empty for the first event)")
    to_state = serializers.CharField(help_text="State after")

    class Meta:
        model = NumberEvent
        fields = ["action", "from_state", "to_state", "actor", "reference", "customer", "note", "at"]


class NumberDetailOutput(NumberOutput):
    events = serializers.SerializerMethodField(help_text="The latest 50 changes, newest first")

    class Meta(NumberOutput.Meta):
        fields = [*NumberOutput.Meta.fields, "events"]

    @extend_schema_field(NumberEventOutput(many=True))
    def get_events(self, number) -> list:
        return NumberEventOutput(self.context.get("events", []), many=True).data


class NumberReserveInput(serializers.Serializer):
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    customer = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)


class NumberReleaseInput(serializers.Serializer):
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")


class NumberAssignInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")


class NumberQuarantineInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class NumberFreezeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
