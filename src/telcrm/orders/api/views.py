"""The work-order and process API under /api/v1/workorders/ and /api/v1/processes/. Every row comes
through the queries module (data scope); every write through an action."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput

from .. import actions, queries
from ..models import ProcessDefinition, ProcessInstance, WorkOrder
from ..permissions import VIEW_WORKORDER
from .serializers import (
    ProcessCancelInput,
    ProcessDefinitionOutput,
    ProcessInstanceFilter,
    ProcessInstanceOutput,
    ProcessStepOutput,
    ProcessVersionOutput,
    WorkOrderCompleteInput,
    WorkOrderEscalateInput,
    WorkOrderEventOutput,
    WorkOrderFilter,
    WorkOrderNoteInput,
    WorkOrderOutput,
    WorkOrderReasonInput,
    WorkOrderReassignInput,
)

READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _write(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses={200: WorkOrderOutput, **WRITE_ERRORS})


@extend_schema_view(
    list=extend_schema(
        summary="Work orders: my team queues, mine, or all in my scope",
        parameters=[WorkOrderFilter],
        responses={200: WorkOrderOutput(many=True), 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput},
    ),
    retrieve=extend_schema(summary="One work order", responses={200: WorkOrderOutput, **READ_ERRORS}),
    history=extend_schema(
        summary="Its history", responses={200: WorkOrderEventOutput(many=True), **READ_ERRORS}
    ),
    claim=_write("Claim an open work order of my queue: open → claimed"),
    release=_write("Put it back in its queue: claimed → open", WorkOrderNoteInput),
    complete=_write(
        "Complete it with an outcome and its form's values; the process moves on", WorkOrderCompleteInput
    ),
    return_=_write(
        "Return it (退单) with a reason: the process gets outcome = returned", WorkOrderReasonInput
    ),
    reassign=_write("Give it to a user or move it to another queue (supervisors)", WorkOrderReassignInput),
    escalate=_write(
        "Escalate it: priority urgent, supervisors told, optionally to a unit above", WorkOrderEscalateInput
    ),
)
class WorkOrderViewSet(ScopedViewSet):
    """Work orders (工单)."""

    model = WorkOrder
    filter_class = WorkOrderFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require_perm(request.user, VIEW_WORKORDER)

    def scoped_queryset(self, user):
        if self.action != "list":
            return queries.work_order_list(user)
        f = dict(self.filters)
        queue = f.pop("queue", "all")
        if queue == "team":
            return queries.team_queue(user, category=f.get("category", ""), overdue=f.get("overdue", False))
        if queue == "mine":
            return queries.my_work_orders(user)
        return queries.work_order_list(user, **f)

    def list(self, request):
        return self.paginated(self.get_queryset(), WorkOrderOutput)

    def retrieve(self, request, pk=None):
        return self.render(WorkOrderOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return self.render(WorkOrderEventOutput, queries.work_order_events(self.get_object()), many=True)

    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return self.render(
            WorkOrderOutput, actions.work_order_claim(actor=request.user, work_order=self.get_object())
        )

    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        data = self.parse(WorkOrderNoteInput)
        return self.render(
            WorkOrderOutput,
            actions.work_order_release(actor=request.user, work_order=self.get_object(), **data),
        )

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = self.parse(WorkOrderCompleteInput)
        wo = actions.work_order_complete(actor=request.user, work_order=self.get_object(), **data)
        return self.render(WorkOrderOutput, wo)

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = self.parse(WorkOrderReasonInput)
        return self.render(
            WorkOrderOutput,
            actions.work_order_return(actor=request.user, work_order=self.get_object(), **data),
        )

    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        data = self.parse(WorkOrderReassignInput)
        wo = actions.work_order_reassign(
            actor=request.user,
            work_order=self.get_object(),
            assignee=data.get("assignee"),
            queue_unit=data.get("queue_unit"),
            note=data.get("note", ""),
        )
        return self.render(WorkOrderOutput, wo)

    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = self.parse(WorkOrderEscalateInput)
        wo = actions.work_order_escalate(
            actor=request.user,
            work_order=self.get_object(),
            reason=data["reason"],
            to_unit=data.get("to_unit"),
        )
        return self.render(WorkOrderOutput, wo)


@extend_schema_view(
    list=extend_schema(
        summary="Process definitions",
        responses={200: ProcessDefinitionOutput(many=True), 401: ErrorOutput, 403: ErrorOutput},
    ),
    retrieve=extend_schema(summary="One definition", responses={200: ProcessDefinitionOutput, **READ_ERRORS}),
    versions=extend_schema(
        summary="Its versions", responses={200: ProcessVersionOutput(many=True), **READ_ERRORS}
    ),
)
class DefinitionViewSet(ScopedViewSet):
    """Process definitions (installation-wide; orders.view_process)."""

    model = ProcessDefinition

    def scoped_queryset(self, user):
        return queries.definition_list(user)

    def list(self, request):
        return self.paginated(self.get_queryset(), ProcessDefinitionOutput)

    def retrieve(self, request, pk=None):
        return self.render(ProcessDefinitionOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        return self.render(
            ProcessVersionOutput, queries.version_list(request.user, self.get_object()), many=True
        )


@extend_schema_view(
    list=extend_schema(
        summary="Process instances in my scope",
        parameters=[ProcessInstanceFilter],
        responses={
            200: ProcessInstanceOutput(many=True),
            400: ErrorOutput,
            401: ErrorOutput,
            403: ErrorOutput,
        },
    ),
    retrieve=extend_schema(summary="One instance", responses={200: ProcessInstanceOutput, **READ_ERRORS}),
    steps=extend_schema(
        summary="The steps it completed", responses={200: ProcessStepOutput(many=True), **READ_ERRORS}
    ),
    retry=extend_schema(
        summary="Run a failed instance again",
        request=None,
        responses={200: ProcessInstanceOutput, **WRITE_ERRORS},
    ),
    cancel=extend_schema(
        summary="Cancel it and its open work orders",
        request=ProcessCancelInput,
        responses={200: ProcessInstanceOutput, **WRITE_ERRORS},
    ),
)
class InstanceViewSet(ScopedViewSet):
    """Process instances."""

    model = ProcessInstance
    filter_class = ProcessInstanceFilter

    def scoped_queryset(self, user):
        return queries.instance_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), ProcessInstanceOutput)

    def retrieve(self, request, pk=None):
        return self.render(ProcessInstanceOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def steps(self, request, pk=None):
        return self.render(ProcessStepOutput, queries.instance_steps(self.get_object()), many=True)

    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self.render(
            ProcessInstanceOutput, actions.process_retry(actor=request.user, instance=self.get_object())
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.parse(ProcessCancelInput)
        instance = actions.process_cancel(
            actor=request.user, instance=self.get_object(), reason=data.get("reason", "")
        )
        return self.render(ProcessInstanceOutput, instance)
