"""The integration API under /api/v1/integration/: the outbox's counts and the error queue
(deliveries and commands in the caller's scope, paginated), with replay and discard."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ApiView, ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput

from .. import actions, queries
from ..models import Command, Delivery
from ..permissions import MANAGE, VIEW
from .serializers import (
    CommandFilter,
    CommandOutput,
    CountsOutput,
    DeliveryFilter,
    DeliveryOutput,
    DiscardInput,
)

READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


class OutboxPermission:
    """Every endpoint needs integration.view_outbox (403 otherwise)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_perm(request.user, VIEW)


@extend_schema(
    tags=["integration"],
    summary="Outbox rows per state",
    description="Every open delivery and command, and those finished in the last 24 hours, per state.",
    responses={200: CountsOutput, 401: ErrorOutput, 403: ErrorOutput},
)
class CountsView(OutboxPermission, ApiView):
    def get(self, request):
        return self.render(CountsOutput, queries.state_counts(request.user))


def _queue_schema(noun: str, filter_class, output):
    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun} in my scope, latest change first",
            parameters=[filter_class],
            responses={200: output(many=True), **LIST_ERRORS},
        ),
        retrieve=extend_schema(summary=f"One {noun[:-1].lower()}", responses={200: output, **READ_ERRORS}),
        replay=extend_schema(
            summary="Send again now with the same idempotency key (integration.manage_outbox)",
            request=None,
            responses={200: output, **WRITE_ERRORS},
        ),
        discard=extend_schema(
            summary="Give up on it, with a reason (integration.manage_outbox)",
            request=DiscardInput,
            responses={200: output, **WRITE_ERRORS},
        ),
    )


class _QueueViewSet(OutboxPermission, ScopedViewSet):
    output = None
    noun = ""

    def list(self, request):
        return self.paginated(self.get_queryset(), self.output)

    def retrieve(self, request, pk=None):
        return self.render(self.output, self.get_object())

    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        row = self.get_object()
        require_perm(request.user, MANAGE)
        self.replay_action(actor=request.user, **{self.noun: row})
        return self.render(self.output, self.get_object())

    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        row = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(DiscardInput)
        self.discard_action(actor=request.user, reason=data["reason"], **{self.noun: row})
        return self.render(self.output, self.get_object())


@_queue_schema("Event deliveries", DeliveryFilter, DeliveryOutput)
@extend_schema(tags=["integration"])
class DeliveryViewSet(_QueueViewSet):
    """Deliveries of events to webhooks, TMF hub listeners and in-process subscribers."""

    model = Delivery
    filter_class = DeliveryFilter
    output = DeliveryOutput
    noun = "delivery"
    replay_action = staticmethod(actions.delivery_replay)
    discard_action = staticmethod(actions.delivery_discard)

    def scoped_queryset(self, user):
        return queries.delivery_list(user, **self.filters)


@_queue_schema("Commands", CommandFilter, CommandOutput)
@extend_schema(tags=["integration"])
class CommandViewSet(_QueueViewSet):
    """Billing and network commands (calls of the other systems through the outbox)."""

    model = Command
    filter_class = CommandFilter
    output = CommandOutput
    noun = "command"
    replay_action = staticmethod(actions.command_replay)
    discard_action = staticmethod(actions.command_discard)

    def scoped_queryset(self, user):
        return queries.command_list(user, **self.filters)
