"""Input and output serializers of the process and work-order API. Inputs only check shape and types
(the rules live in the actions); outputs only render. States go out as codes with a translated label."""

from __future__ import annotations

from rest_framework import serializers

from telcrm.platform.api.base import MAX_ID, FlagField
from telcrm.platform.api.serializers import OrgUnitRef, RoleRef

from ..models import (
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessVersion,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
)


class WorkOrderUserBrief(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


# --- work orders --------------------------------------------------------------------------------------------
class WorkOrderOutput(serializers.ModelSerializer):
    number = serializers.CharField()
    state = serializers.CharField(help_text=" | ".join(WorkOrderState.values))
    state_label = serializers.CharField(source="get_state_display")
    priority_label = serializers.CharField(source="get_priority_display")
    queue_role = RoleRef()
    queue_unit = OrgUnitRef(source="org_unit")
    origin_unit = OrgUnitRef()
    assignee = WorkOrderUserBrief(allow_null=True)
    instance = serializers.IntegerField(source="instance_id")

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "instance", "element_id", "title", "category", "business_key", "state",
            "state_label", "priority", "priority_label", "queue_role", "queue_unit", "origin_unit",
            "assignee", "sla_minutes", "calendar", "warn_at", "due_at", "warned_at", "overdue_at",
            "claimed_at", "completed_at", "outcomes", "form", "instructions", "outcome", "result", "note",
            "return_reason", "escalation_level", "created_at",
        ]  # fmt: skip


class WorkOrderEventOutput(serializers.ModelSerializer):
    actor = WorkOrderUserBrief(allow_null=True)
    assignee = WorkOrderUserBrief(allow_null=True)
    move_label = serializers.CharField(source="get_move_display")

    class Meta:
        model = WorkOrderEvent
        fields = ["at", "move", "move_label", "state_from", "state_to", "actor", "assignee", "detail"]


class WorkOrderFilter(serializers.Serializer):
    queue = serializers.ChoiceField(
        choices=["team", "mine", "all"],
        required=False,
        help_text="team: my team queues; mine: claimed by me; all: in scope",
    )
    state = serializers.ChoiceField(choices=["active", *WorkOrderState.values], required=False)
    category = serializers.CharField(max_length=50, required=False)
    overdue = FlagField(required=False)
    q = serializers.CharField(
        max_length=64, required=False, help_text="A work-order number (GD…) or a business key"
    )


class WorkOrderNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WorkOrderCompleteInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=50, required=False, allow_blank=True)
    data = serializers.DictField(required=False, help_text="Values of the work order's form fields, by name")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WorkOrderReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class WorkOrderReassignInput(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="User id")
    queue_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Org unit id"
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WorkOrderEscalateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    to_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Org unit id above the queue"
    )


# --- processes ----------------------------------------------------------------------------------------------
class ProcessVersionOutput(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")

    class Meta:
        model = ProcessVersion
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "process_id",
            "comment",
            "elements",
            "saved_at",
            "published_at",
            "retired_at",
        ]


class ProcessDefinitionOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    active_number = serializers.IntegerField(allow_null=True)
    draft_number = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ProcessDefinition
        fields = ["id", "key", "name", "description", "active_number", "draft_number", "changed_at"]


class ProcessStepOutput(serializers.ModelSerializer):
    class Meta:
        model = ProcessStep
        fields = ["at", "element_id", "name", "kind", "handler", "idempotency_key", "duration_ms"]


class ProcessInstanceOutput(serializers.ModelSerializer):
    number = serializers.CharField()
    key = serializers.CharField(source="definition.key")
    version = serializers.IntegerField(source="version.number")
    state = serializers.CharField(help_text=" | ".join(InstanceState.values))
    state_label = serializers.CharField(source="get_state_display")
    org_unit = OrgUnitRef()

    class Meta:
        model = ProcessInstance
        fields = [
            "id", "number", "uuid", "key", "version", "business_key", "state", "state_label", "current",
            "wake_at",
            "steps", "attempts", "error_task", "error_message", "org_unit", "created_at", "completed_at",
        ]  # fmt: skip


class ProcessInstanceFilter(serializers.Serializer):
    definition = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    state = serializers.ChoiceField(choices=InstanceState.values, required=False)
    q = serializers.CharField(max_length=64, required=False)


class ProcessCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
