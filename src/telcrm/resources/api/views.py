"""The number pool API (/api/v1/numbers/): search, one number, and its transitions.

    GET  /api/v1/numbers/?region=&level=&contains=&ends_with=&no_four=&state=&page=&per_page=
    GET  /api/v1/numbers/{msisdn}/
    POST /api/v1/numbers/{msisdn}/reserve/  {reference?, customer?, minutes?}
    POST /api/v1/numbers/{msisdn}/release/  {reference?}
    POST /api/v1/numbers/{msisdn}/assign/   {customer, reference?}
    POST /api/v1/numbers/{msisdn}/quarantine/ {reason?}
    POST /api/v1/numbers/{msisdn}/freeze/   {reason}
    POST /api/v1/numbers/{msisdn}/unfreeze/

Search pages without a total (``has_next``), as the counter does: counting millions of matches
costs more than the page itself.
"""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput

from .. import actions, queries
from ..actions._common import MANAGE, RESERVE, VIEW
from ..models import Number
from .serializers import (
    NumberAssignInput,
    NumberDetailOutput,
    NumberFilter,
    NumberFreezeInput,
    NumberOutput,
    NumberPageOutput,
    NumberQuarantineInput,
    NumberReleaseInput,
    NumberReserveInput,
)

READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _write(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses={200: NumberOutput, **WRITE_ERRORS})


@extend_schema_view(
    list=extend_schema(
        summary="Search numbers in my regions (resources.view_numbers)",
        parameters=[NumberFilter],
        responses={200: NumberPageOutput, **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One number with its latest history", responses={200: NumberDetailOutput, **READ_ERRORS}
    ),
    reserve=_write("Reserve a free number (resources.reserve_number)", NumberReserveInput),
    release=_write("Release a reservation (holder, its order or a manager)", NumberReleaseInput),
    assign=_write(
        "Assign a reserved or free number to a customer (resources.reserve_number)", NumberAssignInput
    ),
    quarantine=_write("Start the cooling-off period of an assigned number", NumberQuarantineInput),
    freeze=_write("Freeze a free or cooling-off number (resources.manage_numbers)", NumberFreezeInput),
    unfreeze=_write("Unfreeze a frozen number (resources.manage_numbers)"),
)
@extend_schema(tags=["numbers"])
class NumberViewSet(ScopedViewSet):
    """The number pool (号源): numbers of the caller's regions."""

    model = Number
    lookup_field = "msisdn"
    lookup_value_regex = r"1\d{10}"
    filter_class = NumberFilter

    def scoped_queryset(self, user):
        return Number.objects.restrict(user).select_related("level", "region", "reserved_by")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_perm(request.user, VIEW)

    def _page_url(self, filters: dict, page: int) -> str:
        query = {k: v for k, v in self.request.query_params.items() if k != "page"}
        query["page"] = page
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(query)

    def list(self, request):
        filters = dict(self.filters)
        state = filters.pop("state", "free")
        result = queries.number_search(request.user, **filters, state=None if state == "any" else state)
        data = {
            "page": result.number,
            "per_page": result.per_page,
            "has_next": result.has_next,
            "next": self._page_url(filters, result.number + 1) if result.has_next else None,
            "previous": self._page_url(filters, result.number - 1) if result.has_previous else None,
            "results": result.rows,
        }
        return self.render(NumberPageOutput, data)

    def retrieve(self, request, msisdn=None):
        number = queries.number_get(request.user, msisdn)
        events = queries.number_events(request.user, number)
        data = NumberDetailOutput(number, context={"request": request, "events": events}).data
        return Response(data)

    def _done(self, number):
        return self.render(NumberOutput, queries.number_get(self.request.user, number.msisdn))

    @action(detail=True, methods=["post"])
    def reserve(self, request, msisdn=None):
        require_perm(request.user, RESERVE)
        data = self.parse(NumberReserveInput)
        return self._done(actions.number_reserve(request.user, msisdn, **data))

    @action(detail=True, methods=["post"])
    def release(self, request, msisdn=None):
        require_perm(request.user, RESERVE)
        data = self.parse(NumberReleaseInput)
        return self._done(actions.number_release(request.user, msisdn, **data))

    @action(detail=True, methods=["post"])
    def assign(self, request, msisdn=None):
        require_perm(request.user, RESERVE)
        data = self.parse(NumberAssignInput)
        return self._done(actions.number_assign(request.user, msisdn, **data))

    @action(detail=True, methods=["post"])
    def quarantine(self, request, msisdn=None):
        data = self.parse(NumberQuarantineInput)
        return self._done(actions.number_quarantine(request.user, msisdn, **data))

    @action(detail=True, methods=["post"])
    def freeze(self, request, msisdn=None):
        require_perm(request.user, MANAGE)
        data = self.parse(NumberFreezeInput)
        return self._done(actions.number_freeze(request.user, msisdn, **data))

    @action(detail=True, methods=["post"])
    def unfreeze(self, request, msisdn=None):
        require_perm(request.user, MANAGE)
        return self._done(actions.number_unfreeze(request.user, msisdn))
