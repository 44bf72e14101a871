"""Input and output serializers of the stock API. Inputs only check shape and types (the rules live
in the actions); outputs only render. States and kinds go out as their codes with a translated label."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from telcrm.platform.api.base import MAX_ID, FlagField
from telcrm.platform.api.serializers import OrgUnitRef

from ..models import Movement, SimCard, SimKind, StockBatch, Terminal, Transfer, TransferItem, TransferStatus
from ..states import ItemState

STATES = " | ".join(ItemState.values)


def _codes(help_text: str, **kw):
    return serializers.CharField(help_text=help_text, **kw)


# --- outputs -------------------------------------------------------------------------------------------
class SimOutput(serializers.ModelSerializer):
    org_unit = OrgUnitRef()
    state = _codes(STATES)
    state_label = serializers.CharField(source="get_state_display")
    kind = _codes(" | ".join(SimKind.values))
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = SimCard
        fields = [
            "id", "iccid", "imsi", "kind", "kind_label", "state", "state_label", "org_unit", "msisdn",
            "reference", "batch", "transfer", "note", "state_changed_at", "allocated_at", "activated_at",
            "created_at",
        ]  # fmt: skip


class TerminalOutput(serializers.ModelSerializer):
    org_unit = OrgUnitRef()
    state = _codes(STATES)
    state_label = serializers.CharField(source="get_state_display")
    price_fen = serializers.IntegerField(help_text="Retail price in fen (1/100 yuan)")

    class Meta:
        model = Terminal
        fields = [
            "id", "imei", "brand", "model", "colour", "price_fen", "state", "state_label", "org_unit",
            "reference", "batch", "transfer", "note", "state_changed_at", "allocated_at", "sold_at",
            "created_at",
        ]  # fmt: skip


class MovementOutput(serializers.ModelSerializer):
    move = _codes("What happened: receive | allocate | release | activate | sell | fault | return | ship | …")
    move_label = serializers.CharField(source="get_move_display")
    state_from = _codes(STATES + " (empty for a receipt)")
    state_to = _codes(STATES)
    org_unit = OrgUnitRef(help_text="Where the item is after the movement")
    from_unit = OrgUnitRef(allow_null=True, help_text="Where it was, when the movement took it elsewhere")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Movement
        fields = [
            "id", "move", "move_label", "state_from", "state_to", "org_unit", "from_unit", "actor",
            "reference", "batch", "transfer", "stock_count", "note", "at",
        ]  # fmt: skip


class LevelOutput(serializers.Serializer):
    org_unit = OrgUnitRef(source="unit")
    sim = serializers.DictField(child=serializers.IntegerField(), help_text="SIM cards per state")
    terminal = serializers.DictField(child=serializers.IntegerField(), help_text="Terminals per state")
    sim_threshold = serializers.IntegerField(allow_null=True, help_text="Low-stock threshold (branches)")
    terminal_threshold = serializers.IntegerField(allow_null=True)
    sim_low = serializers.BooleanField()
    terminal_low = serializers.BooleanField()


class SimKindLevel(serializers.Serializer):
    kind = _codes(" | ".join(SimKind.values))
    label = serializers.CharField()
    states = serializers.DictField(
        child=serializers.IntegerField(), help_text="SIM cards of this type per state"
    )


class ModelLevel(serializers.Serializer):
    brand = serializers.CharField()
    model = serializers.CharField()
    states = serializers.DictField(
        child=serializers.IntegerField(), help_text="Terminals of this model per state"
    )


class LevelDetailOutput(LevelOutput):
    sims = SimKindLevel(many=True, help_text="SIM cards by type")
    terminals = ModelLevel(many=True, help_text="Terminals by brand and model")


class TransferOutput(serializers.ModelSerializer):
    number = serializers.CharField()
    status = _codes(" | ".join(TransferStatus.values))
    status_label = serializers.CharField(source="get_status_display")
    from_unit = OrgUnitRef(source="org_unit")
    to_unit = OrgUnitRef()

    class Meta:
        model = Transfer
        fields = [
            "id", "number", "status", "status_label", "from_unit", "to_unit", "note", "item_count",
            "received_count", "missing_count", "created_at", "shipped_at", "received_at", "cancelled_at",
            "cancel_reason",
        ]  # fmt: skip


class TransferItemOutput(serializers.ModelSerializer):
    item_type = _codes("sim | terminal")
    outcome = _codes("pending | received | missing")

    class Meta:
        model = TransferItem
        fields = ["code", "item_type", "outcome"]


class TransferAddOutput(serializers.Serializer):
    transfer = TransferOutput()
    added = serializers.IntegerField(help_text="Items added (numbers already on the transfer are skipped)")


class BatchOutput(serializers.ModelSerializer):
    number = serializers.CharField()
    item_type = _codes("sim | terminal")
    status = _codes("importing | received | failed")
    org_unit = OrgUnitRef()
    job = serializers.UUIDField(source="job_id", allow_null=True)

    class Meta:
        model = StockBatch
        fields = [
            "id", "number", "item_type", "status", "org_unit", "supplier", "delivery_note", "file_name",
            "rows", "received_count", "rejected_count", "job", "created_at", "received_at",
        ]  # fmt: skip


# --- inputs --------------------------------------------------------------------------------------------
class ReferenceInput(serializers.Serializer):
    reference = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Order number holding the item"
    )


class ActivateInput(ReferenceInput):
    msisdn = serializers.CharField(max_length=20, help_text="The number opened on the card (11 digits)")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class TransferCreateInput(serializers.Serializer):
    to_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Destination unit (any branch)"
    )
    from_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Sending unit (default: your own unit)"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.STR)
class _Code(serializers.CharField):
    pass


class CodesInput(serializers.Serializer):
    codes = serializers.ListField(
        child=_Code(max_length=50),
        allow_empty=False,
        max_length=100_000,
        help_text='ICCIDs / IMEIs; "FIRST-LAST" is every item in stock in that range',
    )


class ReceiveInput(serializers.Serializer):
    codes = serializers.ListField(
        child=_Code(max_length=50), required=False, max_length=100_000, help_text="The numbers that arrived"
    )
    all_arrived = serializers.BooleanField(
        required=False, default=False, help_text="Take every item, unscanned"
    )


# --- list filters (query parameters) -------------------------------------------------------------------
class SimFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=40, help_text="Exact ICCID, IMSI or number")
    state = serializers.ChoiceField(choices=ItemState.values, required=False)
    kind = serializers.ChoiceField(choices=SimKind.values, required=False)
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    batch = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reference = serializers.CharField(required=False, max_length=64)


class TerminalFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=40, help_text="Exact IMEI")
    state = serializers.ChoiceField(choices=ItemState.values, required=False)
    brand = serializers.CharField(required=False, max_length=40)
    model = serializers.CharField(required=False, max_length=60)
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    batch = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reference = serializers.CharField(required=False, max_length=64)


class LevelFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=60, help_text="Unit name or code contains")
    low = FlagField(required=False, help_text="Only units below a low-stock threshold")


class TransferFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=TransferStatus.values, required=False)
    direction = serializers.ChoiceField(choices=["in", "out"], required=False)
