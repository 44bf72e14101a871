"""Input and output serializers of the rule API (/api/v1/catalog/rules/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from telcrm.platform.api.base import FlagField
from telcrm.platform.api.serializers import ErrorOutput  # noqa: F401 - re-exported for the views

from .. import dmn
from ..facts import CHANNELS, CUSTOMER_TYPES, OFFERING_KINDS, TECHNOLOGIES, VALUE_TIERS
from ..models import DecisionTable, DecisionTableVersion, RuleKind


class UserName(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()


class TableFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="Part of the code or name")
    kind = serializers.ChoiceField(choices=RuleKind.choices, required=False)
    active = FlagField(required=False)


class TableOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    name_zh = serializers.CharField(source="name")
    published_version = serializers.IntegerField(source="published_number", allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    draft_version = serializers.IntegerField(source="draft_number", allow_null=True)

    class Meta:
        model = DecisionTable
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "kind",
            "hit_policy",
            "description",
            "is_active",
            "published_version",
            "published_at",
            "draft_version",
            "changed_at",
        ]


class TableCreateInput(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    dmn_xml = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=dmn.MAX_XML,
        help_text="First draft; empty grid if absent",
    )


class TableUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField()


class VersionOutput(serializers.ModelSerializer):
    created_by = UserName(allow_null=True)
    published_by = UserName(allow_null=True)

    class Meta:
        model = DecisionTableVersion
        fields = [
            "number",
            "status",
            "comment",
            "row_count",
            "created_at",
            "created_by",
            "saved_at",
            "published_at",
            "published_by",
            "archived_at",
        ]


class ColumnOutput(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    expression = serializers.CharField()


class RowOutput(serializers.Serializer):
    id = serializers.CharField()
    cells = serializers.ListField(child=serializers.CharField())
    effect = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()
    requires = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()


class GridOutput(serializers.Serializer):
    columns = ColumnOutput(many=True)
    rows = RowOutput(many=True)


class VersionDetailOutput(VersionOutput):
    dmn_xml = serializers.CharField()
    grid = serializers.SerializerMethodField()

    class Meta(VersionOutput.Meta):
        fields = [*VersionOutput.Meta.fields, "dmn_xml", "grid"]

    @extend_schema_field(GridOutput)
    def get_grid(self, obj) -> dict:
        grid = dmn.read_xml(obj.dmn_xml)
        return GridOutput(grid).data


class DraftInput(serializers.Serializer):
    dmn_xml = serializers.CharField(trim_whitespace=False, max_length=dmn.MAX_XML)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PublishInput(serializers.Serializer):
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FactsInput(serializers.Serializer):
    """The facts of one check; the same keys the catalog passes to the engine."""

    customer_type = serializers.ChoiceField(choices=CUSTOMER_TYPES)
    value_tier = serializers.ChoiceField(choices=VALUE_TIERS, required=False, allow_blank=True, default="")
    credit_level = serializers.IntegerField(min_value=1, max_value=5)
    age = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True, default=None)
    region = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    live_lines = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)
    tenure_months = serializers.IntegerField(min_value=0, max_value=10_000, required=False, default=0)
    offering = serializers.CharField(max_length=40)
    offering_kind = serializers.ChoiceField(choices=OFFERING_KINDS)
    held = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=500, required=False, default=list
    )
    cart = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=500, required=False, default=list
    )
    channel = serializers.ChoiceField(choices=CHANNELS, required=False, default="counter")
    access_technology = serializers.ChoiceField(
        choices=TECHNOLOGIES, required=False, allow_blank=True, default=""
    )


class EvaluateInput(serializers.Serializer):
    facts = FactsInput()
    kind = serializers.ChoiceField(choices=RuleKind.choices, required=False, allow_null=True, default=None)


class OutcomeOutput(serializers.Serializer):
    table = serializers.CharField(help_text="Code of the decision table")
    rule = serializers.CharField(help_text="Id of the matching row")
    effect = serializers.ChoiceField(choices=[(e, e) for e in dmn.EFFECTS])
    message = serializers.CharField(help_text="In the language of the response")
    requires = serializers.ListField(child=serializers.CharField(), help_text="One of these codes is needed")


class EvaluateOutput(serializers.Serializer):
    allowed = serializers.BooleanField(help_text="No outcome denies")
    outcomes = OutcomeOutput(many=True)
