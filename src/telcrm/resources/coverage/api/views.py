"""The coverage API under /api/v1/coverage/: the installability check, network elements and covered
addresses (scoped to the caller's region, paginated), writes for coverage managers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ApiView, ScopedViewSet
from telcrm.platform.api.serializers import ErrorOutput

from .. import actions, queries
from ..models import CoveredAddress, NetworkElement
from .serializers import (
    AddressCreateInput,
    AddressFilter,
    AddressOutput,
    AddressUpdateInput,
    CheckInput,
    CheckOutput,
    ElementCreateInput,
    ElementFilter,
    ElementOutput,
    ElementUpdateInput,
    element_argument,
)

VIEW = "coverage.view_coverage"
MANAGE = "coverage.manage_coverage"
READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


class CoveragePermission:
    """Every coverage endpoint needs coverage.view_coverage (403 otherwise)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_perm(request.user, VIEW)


@extend_schema(
    tags=["coverage"],
    summary="Can broadband be installed at this address?",
    description="The address is normalised (杭州 = 杭州市, 88号 = 88, full-width digits…) and matched "
    "against the whole network, whoever asks. `ok` with `options` (best first), or the reason.",
    request=CheckInput,
    responses={200: CheckOutput, **LIST_ERRORS},
)
class CheckView(CoveragePermission, ApiView):
    def post(self, request):
        data = self.parse(CheckInput)
        return self.render(CheckOutput, queries.installability(data))


@extend_schema_view(
    list=extend_schema(
        summary="Network elements in my region",
        parameters=[ElementFilter],
        responses={200: ElementOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One network element", responses={200: ElementOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="Register a network element (coverage.manage_coverage)",
        request=ElementCreateInput,
        responses={201: ElementOutput, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a network element (coverage.manage_coverage)",
        request=ElementUpdateInput,
        responses={200: ElementOutput, **WRITE_ERRORS},
    ),
    retire=extend_schema(
        summary="Retire a network element and its covered addresses (coverage.manage_coverage)",
        request=None,
        responses={200: ElementOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["coverage"])
class ElementViewSet(CoveragePermission, ScopedViewSet):
    """Access-network elements (网元) with their ports."""

    model = NetworkElement
    filter_class = ElementFilter

    def scoped_queryset(self, user):
        f = dict(self.filters)
        sort = f.pop("ordering", "code")
        return queries.element_list(user, sort=sort, include_retired=self.action != "list", **f)

    def list(self, request):
        return self.paginated(self.get_queryset(), ElementOutput)

    def retrieve(self, request, pk=None):
        return self.render(ElementOutput, self.get_object())

    def create(self, request):
        require_perm(request.user, MANAGE)
        data = self.parse(ElementCreateInput)
        element = actions.element_create(actor=request.user, **data)
        return self.render(
            ElementOutput, queries.element_get(request.user, element.pk), status_code=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        element = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(ElementUpdateInput, partial=True)
        actions.element_update(actor=request.user, element=element, **data)
        return self.render(ElementOutput, queries.element_get(request.user, element.pk))

    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        element = self.get_object()
        require_perm(request.user, MANAGE)
        actions.element_retire(actor=request.user, element=element)
        return self.render(ElementOutput, queries.element_get(request.user, element.pk))


@extend_schema_view(
    list=extend_schema(
        summary="Covered addresses in my region",
        parameters=[AddressFilter],
        responses={200: AddressOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One covered address", responses={200: AddressOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="Record a covered address (coverage.manage_coverage)",
        request=AddressCreateInput,
        responses={201: AddressOutput, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a covered address (coverage.manage_coverage)",
        request=AddressUpdateInput,
        responses={200: AddressOutput, **WRITE_ERRORS},
    ),
    retire=extend_schema(
        summary="Retire a covered address (coverage.manage_coverage)",
        request=None,
        responses={200: AddressOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["coverage"])
class AddressViewSet(CoveragePermission, ScopedViewSet):
    """Addresses the network reaches (覆盖地址), with the element serving each."""

    model = CoveredAddress
    filter_class = AddressFilter

    def scoped_queryset(self, user):
        f = dict(self.filters)
        if f.get("element"):
            f["element"] = element_argument(f["element"])
        if self.action != "list":
            f["include_retired"] = True
        return queries.address_list(user, **f)

    def list(self, request):
        return self.paginated(self.get_queryset(), AddressOutput)

    def retrieve(self, request, pk=None):
        return self.render(AddressOutput, self.get_object())

    def create(self, request):
        require_perm(request.user, MANAGE)
        data = self.parse(AddressCreateInput)
        data["element"] = element_argument(data["element"])
        row = actions.covered_address_create(actor=request.user, **data)
        return self.render(
            AddressOutput, queries.address_get(request.user, row.pk), status_code=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        row = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(AddressUpdateInput, partial=True)
        if "element" in data:
            data["element"] = element_argument(data["element"])
        actions.covered_address_update(actor=request.user, address=row, **data)
        return self.render(AddressOutput, queries.address_get(request.user, row.pk))

    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        row = self.get_object()
        require_perm(request.user, MANAGE)
        actions.covered_address_retire(actor=request.user, address=row)
        return self.render(AddressOutput, queries.address_get(request.user, row.pk))
