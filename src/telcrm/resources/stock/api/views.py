"""The stock API under /api/v1/stock/: items (search, detail, history), the order operations on them
(allocate, activate/sell, release), levels per unit, transfers and deliveries. Every row comes through
the queries module (data scope); every write through an action."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput
from telcrm.platform.models import OrgUnit

from .. import actions, queries
from ..models import SimCard, StockBatch, Terminal, Transfer
from ..permissions import ALLOCATE, MANAGE, VIEW
from .serializers import (
    ActivateInput,
    BatchOutput,
    CodesInput,
    LevelDetailOutput,
    LevelFilter,
    LevelOutput,
    MovementOutput,
    ReasonInput,
    ReceiveInput,
    ReferenceInput,
    SimFilter,
    SimOutput,
    TerminalFilter,
    TerminalOutput,
    TransferAddOutput,
    TransferCreateInput,
    TransferFilter,
    TransferItemOutput,
    TransferOutput,
)

LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


class StockViewSet(ScopedViewSet):
    """Every stock endpoint needs stock.view_stock first (403 otherwise)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require_perm(request.user, VIEW)


def _item_schema(output, label: str, filters, extra: dict):
    return extend_schema_view(
        list=extend_schema(
            summary=f"{label} in my data scope",
            parameters=[filters],
            responses={200: output(many=True), **LIST_ERRORS},
        ),
        retrieve=extend_schema(summary=f"One {label[:-1].lower()}", responses={200: output, **READ_ERRORS}),
        movements=extend_schema(
            summary="Its movement history, newest first",
            responses={200: MovementOutput(many=True), **READ_ERRORS},
        ),
        **extra,
    )


@_item_schema(
    SimOutput,
    "SIM cards",
    SimFilter,
    {
        "allocate": extend_schema(
            summary="Allocate to an order: in_stock → allocated (stock.allocate_stock)",
            request=ReferenceInput,
            responses={200: SimOutput, **WRITE_ERRORS},
        ),
        "activate": extend_schema(
            summary="The line is open on it: allocated → activated",
            request=ActivateInput,
            responses={200: SimOutput, **WRITE_ERRORS},
        ),
        "release": extend_schema(
            summary="Order abandoned: allocated → in_stock",
            request=ReferenceInput,
            responses={200: SimOutput, **WRITE_ERRORS},
        ),
        "faulty": extend_schema(
            summary="Mark faulty (stock.manage_stock)",
            request=ReasonInput,
            responses={200: SimOutput, **WRITE_ERRORS},
        ),
        "return_": extend_schema(
            summary="Return to the supplier (stock.manage_stock)",
            request=ReasonInput,
            responses={200: SimOutput, **WRITE_ERRORS},
        ),
    },
)
@extend_schema(tags=["stock"])
class SimViewSet(StockViewSet):
    """SIM cards (ICCID/IMSI) held by units, addressed by ICCID."""

    model = SimCard
    filter_class = SimFilter
    lookup_field = "iccid"
    lookup_value_regex = r"\d{19,20}"

    def scoped_queryset(self, user):
        return queries.sim_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), SimOutput)

    def retrieve(self, request, iccid=None):
        return self.render(SimOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def movements(self, request, iccid=None):
        return self.paginated(queries.movement_history(self.get_object()), MovementOutput)

    def _do(self, fn, serializer, **fixed):
        require_perm(self.request.user, fixed.pop("_perm", ALLOCATE))
        sim = self.get_object()  # out of scope → 404 before anything else
        data = self.parse(serializer)
        return self.render(SimOutput, fn(self.request.user, sim.iccid, **data, **fixed))

    @action(detail=True, methods=["post"])
    def allocate(self, request, iccid=None):
        return self._do(actions.sim_allocate, ReferenceInput)

    @action(detail=True, methods=["post"])
    def activate(self, request, iccid=None):
        return self._do(actions.sim_activate, ActivateInput)

    @action(detail=True, methods=["post"])
    def release(self, request, iccid=None):
        return self._do(actions.sim_release, ReferenceInput)

    @action(detail=True, methods=["post"])
    def faulty(self, request, iccid=None):
        return self._do(actions.sim_mark_faulty, ReasonInput, _perm=MANAGE)

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, iccid=None):
        return self._do(actions.sim_return, ReasonInput, _perm=MANAGE)


@_item_schema(
    TerminalOutput,
    "Terminals",
    TerminalFilter,
    {
        "allocate": extend_schema(
            summary="Allocate to an order: in_stock → allocated (stock.allocate_stock)",
            request=ReferenceInput,
            responses={200: TerminalOutput, **WRITE_ERRORS},
        ),
        "sell": extend_schema(
            summary="Handed to the customer: allocated or in_stock → sold",
            request=ReferenceInput,
            responses={200: TerminalOutput, **WRITE_ERRORS},
        ),
        "release": extend_schema(
            summary="Order abandoned: allocated → in_stock",
            request=ReferenceInput,
            responses={200: TerminalOutput, **WRITE_ERRORS},
        ),
        "faulty": extend_schema(
            summary="Mark faulty (stock.manage_stock)",
            request=ReasonInput,
            responses={200: TerminalOutput, **WRITE_ERRORS},
        ),
        "return_": extend_schema(
            summary="Return to the supplier (stock.manage_stock)",
            request=ReasonInput,
            responses={200: TerminalOutput, **WRITE_ERRORS},
        ),
    },
)
@extend_schema(tags=["stock"])
class TerminalViewSet(StockViewSet):
    """Terminals (IMEI) held by units, addressed by IMEI."""

    model = Terminal
    filter_class = TerminalFilter
    lookup_field = "imei"
    lookup_value_regex = r"\d{15}"

    def scoped_queryset(self, user):
        return queries.terminal_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), TerminalOutput)

    def retrieve(self, request, imei=None):
        return self.render(TerminalOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def movements(self, request, imei=None):
        return self.paginated(queries.movement_history(self.get_object()), MovementOutput)

    def _do(self, fn, serializer, **fixed):
        require_perm(self.request.user, fixed.pop("_perm", ALLOCATE))
        terminal = self.get_object()
        data = self.parse(serializer)
        return self.render(TerminalOutput, fn(self.request.user, terminal.imei, **data, **fixed))

    @action(detail=True, methods=["post"])
    def allocate(self, request, imei=None):
        return self._do(actions.terminal_allocate, ReferenceInput)

    @action(detail=True, methods=["post"])
    def sell(self, request, imei=None):
        return self._do(actions.terminal_sell, ReferenceInput)

    @action(detail=True, methods=["post"])
    def release(self, request, imei=None):
        return self._do(actions.terminal_release, ReferenceInput)

    @action(detail=True, methods=["post"])
    def faulty(self, request, imei=None):
        return self._do(actions.terminal_mark_faulty, ReasonInput, _perm=MANAGE)

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, imei=None):
        return self._do(actions.terminal_return, ReasonInput, _perm=MANAGE)


def _flags(level) -> dict:
    return {"sim_low": level.sim_low, "terminal_low": level.terminal_low}


@extend_schema_view(
    list=extend_schema(
        summary="Stock levels per unit in my scope: counts per state, thresholds, low-stock flags",
        parameters=[LevelFilter],
        responses={200: LevelOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One unit's levels, with SIM cards by type and terminals by model",
        responses={200: LevelDetailOutput, **READ_ERRORS},
    ),
)
@extend_schema(tags=["stock"])
class LevelViewSet(StockViewSet):
    """Levels of the units holding stock (branches and city companies) in scope."""

    model = OrgUnit  # the rows are the units holding stock
    filter_class = LevelFilter

    def scoped_queryset(self, user):
        units = queries.stock_units(user, q=self.filters.get("q", ""))
        if self.filters.get("low"):
            units = units.filter(pk__in={r["unit"].pk for r in queries.low_stock(user, limit=10**6)})
        return units

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = LevelOutput(queries.unit_levels(page), many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        unit = self.get_object()  # a unit in scope holding stock (the rows of this view are units)
        level = queries.unit_levels([unit])[0]
        detail = queries.unit_detail_levels(unit)
        return self.render(LevelDetailOutput, {**level.__dict__, **detail, "unit": unit, **_flags(level)})


@extend_schema_view(
    list=extend_schema(
        summary="Transfers from or to units in my scope",
        parameters=[TransferFilter],
        responses={200: TransferOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One transfer", responses={200: TransferOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="A draft transfer (stock.manage_stock)",
        request=TransferCreateInput,
        responses={201: TransferOutput, **WRITE_ERRORS},
    ),
    items=extend_schema(
        summary="Its items (GET) / add numbers or ranges to a draft (POST)",
        request=CodesInput,
        responses={200: TransferItemOutput(many=True), 201: TransferAddOutput, **WRITE_ERRORS},
    ),
    ship=extend_schema(summary="Ship a draft", request=None, responses={200: TransferOutput, **WRITE_ERRORS}),
    receive=extend_schema(
        summary="Receive at the destination: the scanned numbers, or all_arrived",
        request=ReceiveInput,
        responses={200: TransferOutput, **WRITE_ERRORS},
    ),
    cancel=extend_schema(
        summary="Cancel a draft, or call back a shipped transfer",
        request=ReasonInput,
        responses={200: TransferOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["stock"])
class TransferViewSet(StockViewSet):
    """Transfers between units (调拨)."""

    model = Transfer
    filter_class = TransferFilter

    def scoped_queryset(self, user):
        return queries.transfer_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), TransferOutput)

    def retrieve(self, request, pk=None):
        return self.render(TransferOutput, self.get_object())

    def create(self, request):
        require_perm(request.user, MANAGE)
        data = self.parse(TransferCreateInput)
        t = actions.transfer_create(actor=request.user, **data)
        return self.render(TransferOutput, t, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"])
    def items(self, request, pk=None):
        t = self.get_object()
        if request.method == "GET":
            return self.paginated(queries.transfer_items(t), TransferItemOutput)
        require_perm(request.user, MANAGE)
        data = self.parse(CodesInput)
        t, added = actions.transfer_add_items(actor=request.user, transfer=t, codes=data["codes"])
        return self.render(
            TransferAddOutput, {"transfer": t, "added": added}, status_code=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        t = self.get_object()
        return self.render(TransferOutput, actions.transfer_ship(actor=request.user, transfer=t))

    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        t = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(ReceiveInput)
        t = actions.transfer_receive(
            actor=request.user,
            transfer=t,
            codes=data.get("codes"),
            all_arrived=data.get("all_arrived", False),
        )
        return self.render(TransferOutput, t)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        t = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(ReasonInput)
        return self.render(TransferOutput, actions.transfer_cancel(actor=request.user, transfer=t, **data))


@extend_schema_view(
    list=extend_schema(
        summary="Deliveries received into units in my scope",
        responses={200: BatchOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One delivery", responses={200: BatchOutput, **READ_ERRORS}),
)
@extend_schema(tags=["stock"])
class BatchViewSet(StockViewSet):
    """Deliveries (入库批次); upload a delivery list in the UI (a background job with a progress bar)."""

    model = StockBatch

    def scoped_queryset(self, user):
        return queries.batch_list(user)

    def list(self, request):
        return self.paginated(self.get_queryset(), BatchOutput)

    def retrieve(self, request, pk=None):
        return self.render(BatchOutput, self.get_object())
