"""The order API under /api/v1/orders/: take an order in one call (optionally submitted at once), read
orders in one's data scope, and the steps after the counter — submit a draft, cancel, run a failed
order again, record a refund. Rows come through the queries module, writes through the actions; a
refusal is a 400 naming the field, in Chinese and English (``message_zh`` / ``message_en``)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput

from .. import actions
from ..acceptance_permissions import VIEW_ORDER
from ..acceptance_queries import order_list
from ..models import Order, OrderItem, Payment
from .order_serializers import (
    OrderBriefOutput,
    OrderFilter,
    OrderOutput,
    OrderReasonInput,
    OrderRefundInput,
    OrderTakeInput,
)

READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _write(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses={200: OrderOutput, **WRITE_ERRORS})


@extend_schema_view(
    list=extend_schema(
        summary="Orders in my data scope, newest first",
        parameters=[OrderFilter],
        responses={200: OrderBriefOutput(many=True), 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput},
    ),
    retrieve=extend_schema(
        summary="One order with its items and payments", responses={200: OrderOutput, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Take an order: customer, type, offerings, number, SIM, payments; submit it with submit=true",
        request=OrderTakeInput,
        responses={201: OrderOutput, **WRITE_ERRORS},
    ),
    submit=_write("Submit a draft: the number is assigned, the SIM taken, the process started"),
    cancel=_write(
        "Cancel an order that has not completed: its process stops, what was done is undone, the "
        "payments are to be refunded",
        OrderReasonInput,
    ),
    retry=_write("Run an order whose process failed again from the failed step"),
    refund=_write("Record the refund of a cancelled order as paid", OrderRefundInput),
)
class OrderViewSet(ScopedViewSet):
    """Orders (营业受理)."""

    model = Order
    filter_class = OrderFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require_perm(request.user, VIEW_ORDER)

    def scoped_queryset(self, user):
        qs = order_list(user, **self.filters)
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("items", queryset=OrderItem.objects.order_by("id")),
                Prefetch("payments", queryset=Payment.objects.order_by("id")),
            )
        return qs

    def _full(self, order: Order, status_code: int = 200):
        return self.render(
            OrderOutput, self.scoped_queryset(self.request.user).get(pk=order.pk), status_code=status_code
        )

    def list(self, request):
        return self.paginated(self.get_queryset(), OrderBriefOutput)

    def retrieve(self, request, pk=None):
        return self.render(OrderOutput, self.get_object())

    def create(self, request):
        data = self.parse(OrderTakeInput)
        order = actions.order_take(actor=request.user, **data)
        return self._full(order, status_code=201)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._full(actions.order_submit(actor=request.user, order=self.get_object()))

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.parse(OrderReasonInput)
        order = actions.order_cancel(
            actor=request.user, order=self.get_object(), reason=data.get("reason", "")
        )
        return self._full(order)

    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._full(actions.order_retry(actor=request.user, order=self.get_object()))

    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        data = self.parse(OrderRefundInput)
        order = actions.order_refund_record(
            actor=request.user, order=self.get_object(), reference=data.get("reference", "")
        )
        return self._full(order)
