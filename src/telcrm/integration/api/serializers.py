"""Input and output serializers of the integration API. Input serializers check shape and types;
the rules live in the actions. Output serializers only render."""

from __future__ import annotations

from rest_framework import serializers

from telcrm.platform.api.serializers import OrgUnitRef

from ..models import Adapter, Command, Delivery, Event, State

STATE_HELP = "pending, in_flight, done, failed (retrying), dead (error queue) or discarded"


class StateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", STATE_HELP)
        super().__init__(choices=State.choices, **kwargs)


class AdapterField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "billing or network")
        super().__init__(choices=Adapter.choices, **kwargs)


class _QueueFilter(serializers.Serializer):
    state = StateField(required=False, help_text=f"{STATE_HELP}; default: every state")


class DeliveryFilter(_QueueFilter):
    topic = serializers.CharField(required=False, max_length=64, help_text="a topic, or a prefix ending in *")


class CommandFilter(_QueueFilter):
    adapter = AdapterField(required=False)
    operation = serializers.CharField(required=False, max_length=40)


class DiscardInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["event_id", "topic", "aggregate_type", "aggregate_id", "payload", "created_at"]


class _RowOutput(serializers.ModelSerializer):
    # text, not an enum component: a second "state" enum would rename the number pool's StateEnum
    state = serializers.CharField(read_only=True, help_text=STATE_HELP)
    state_label = serializers.CharField(source="get_state_display")
    org_unit = OrgUnitRef(allow_null=True)

    COMMON = [
        "id",
        "state",
        "state_label",
        "attempts",
        "replays",
        "next_attempt_at",
        "last_attempt_at",
        "finished_at",
        "error_code",
        "last_error",
        "org_unit",
        "created_at",
        "updated_at",
    ]


class DeliveryOutput(_RowOutput):
    event = EventOutput()
    receiver = serializers.CharField()

    class Meta:
        model = Delivery
        fields = [*_RowOutput.COMMON, "topic", "receiver", "subscription", "handler", "event"]


class CommandOutput(_RowOutput):
    adapter = AdapterField(read_only=True)

    class Meta:
        model = Command
        fields = [
            *_RowOutput.COMMON,
            "command_id",
            "adapter",
            "operation",
            "key",
            "payload",
            "result",
            "on_done",
            "aggregate_type",
            "aggregate_id",
        ]


class CountsOutput(serializers.Serializer):
    deliveries = serializers.DictField(child=serializers.IntegerField())
    commands = serializers.DictField(child=serializers.IntegerField())
