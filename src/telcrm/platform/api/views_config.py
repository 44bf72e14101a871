"""Parameters, dictionaries and holidays: /api/v1/parameters/, /api/v1/dictionaries/, /api/v1/holidays/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import actions, queries
from ..models import DictType, Holiday, Parameter
from .base import ScopedViewSet, parse_input
from .serializers import (
    DictionaryFilter,
    DictionaryItemOutput,
    DictionaryItemsFilter,
    DictionaryOutput,
    ErrorOutput,
    HolidayFilter,
    HolidayInput,
    HolidayOutput,
    ParameterFilter,
    ParameterOutput,
    ParameterUpdateInput,
)

LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
MANAGE = "platform.manage_parameters"


@extend_schema_view(
    list=extend_schema(
        summary="System parameters",
        parameters=[ParameterFilter],
        responses={200: ParameterOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One parameter", responses={200: ParameterOutput, 401: ErrorOutput, 404: ErrorOutput}
    ),
    partial_update=extend_schema(
        summary="Change a parameter's value (platform.manage_parameters)",
        request=ParameterUpdateInput,
        responses={200: ParameterOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(
    tags=["parameters"],
    parameters=[
        OpenApiParameter(
            "key", str, OpenApiParameter.PATH, description="Parameter key, e.g. auth.lockout_threshold"
        ),
    ],
)
class ParameterViewSet(ScopedViewSet):
    """System parameters (系统参数): typed, bounded values administrators edit."""

    model = Parameter
    filter_class = ParameterFilter
    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_.\-]{1,100}"

    def scoped_queryset(self, user):
        return queries.parameter_list(**self.filters)  # parameters are installation-wide

    def list(self, request):
        return self.paginated(self.get_queryset(), ParameterOutput)

    def retrieve(self, request, key=None):
        return self.render(ParameterOutput, self.get_object())

    def partial_update(self, request, key=None):
        parameter = self.get_object()
        actions.require_perm(request.user, MANAGE)
        data = self.parse(ParameterUpdateInput)
        parameter = actions.parameter_update(
            actor=request.user, parameter=parameter, value=data["value"], reason=data["reason"]
        )
        return self.render(ParameterOutput, parameter)


@extend_schema_view(
    list=extend_schema(
        summary="Dictionaries (code tables)",
        parameters=[DictionaryFilter],
        responses={200: DictionaryOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One dictionary", responses={200: DictionaryOutput, 401: ErrorOutput, 404: ErrorOutput}
    ),
    items=extend_schema(
        summary="Items of a dictionary",
        parameters=[DictionaryItemsFilter],
        responses={200: DictionaryItemOutput(many=True), **LIST_ERRORS, 404: ErrorOutput},
    ),
)
@extend_schema(
    tags=["dictionaries"],
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, description="Dictionary code"),
    ],
)
class DictionaryViewSet(ScopedViewSet):
    """Code tables (码表) and their items."""

    model = DictType
    filter_class = DictionaryFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,50}"

    def scoped_queryset(self, user):
        return queries.dict_type_list(**self.filters)  # code tables are installation-wide

    def list(self, request):
        return self.paginated(self.get_queryset(), DictionaryOutput)

    def retrieve(self, request, code=None):
        return self.render(DictionaryOutput, self.get_object())

    @action(detail=True, methods=["get"])
    def items(self, request, code=None):
        dict_type = self.get_object()
        options = parse_input(DictionaryItemsFilter, request.query_params)
        items = queries.dictionary(dict_type.code, active_only=options["active_only"])
        page = self.paginate_queryset(items)
        return self.get_paginated_response(DictionaryItemOutput(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Public holidays and make-up working days",
        parameters=[HolidayFilter],
        responses={200: HolidayOutput(many=True), **LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Add or replace the holiday of a date (platform.manage_parameters)",
        request=HolidayInput,
        responses={201: HolidayOutput, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a holiday (platform.manage_parameters)", responses={204: None, **WRITE_ERRORS}
    ),
)
@extend_schema(tags=["holidays"])
class HolidayViewSet(ScopedViewSet):
    """The holiday calendar (节假日/调休) used for SLA deadlines."""

    model = Holiday
    filter_class = HolidayFilter

    def scoped_queryset(self, user):
        return queries.holiday_list(**self.filters).order_by("date")  # the calendar is installation-wide

    def list(self, request):
        return self.paginated(self.get_queryset(), HolidayOutput)

    def create(self, request):
        actions.require_perm(request.user, MANAGE)
        data = self.parse(HolidayInput)
        holiday = actions.holiday_save(actor=request.user, **data)
        return self.render(HolidayOutput, holiday, status_code=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        holiday = self.get_object()
        actions.holiday_delete(actor=request.user, holiday=holiday)
        return Response(status=status.HTTP_204_NO_CONTENT)
