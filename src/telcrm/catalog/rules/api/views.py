"""The rule API: /api/v1/catalog/rules/tables/…, …/versions/, …/draft, …/publish, and /evaluate."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from telcrm.platform.actions import require_perm
from telcrm.platform.api.base import ApiView, ScopedViewSet, api_error

from .. import actions, engine, queries
from ..models import DecisionTable, VersionStatus
from .serializers import (
    DraftInput,
    ErrorOutput,
    EvaluateInput,
    EvaluateOutput,
    PublishInput,
    TableCreateInput,
    TableFilter,
    TableOutput,
    TableUpdateInput,
    VersionDetailOutput,
    VersionOutput,
)

READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput}
ONE_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
MANAGE = actions.MANAGE


@extend_schema_view(
    list=extend_schema(
        summary="Decision tables (catalog.view_catalog)",
        parameters=[TableFilter],
        responses={200: TableOutput(many=True), 400: ErrorOutput, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="One decision table", responses={200: TableOutput, **ONE_ERRORS}),
    create=extend_schema(
        summary="Create a decision table with a first draft (catalog.manage_catalog)",
        request=TableCreateInput,
        responses={201: TableOutput, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change name, kind, description or the active flag (catalog.manage_catalog)",
        request=TableUpdateInput,
        responses={200: TableOutput, **WRITE_ERRORS},
    ),
    versions=extend_schema(
        summary="Versions of a table, newest first", responses={200: VersionOutput(many=True), **ONE_ERRORS}
    ),
    version=extend_schema(
        summary="One version with its DMN XML and grid",
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH, description="Version number")],
        responses={200: VersionDetailOutput, **ONE_ERRORS},
    ),
    draft=extend_schema(
        summary="Save DMN XML as the table's draft (catalog.manage_catalog)",
        request=DraftInput,
        responses={200: VersionDetailOutput, **WRITE_ERRORS},
    ),
    publish=extend_schema(
        summary="Publish the draft: in force at once, the previous version archived (catalog.manage_catalog)",
        request=PublishInput,
        responses={200: VersionOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(
    tags=["catalog rules"],
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, description="Table code, e.g. ELIG-CUSTOMER")
    ],
)
class DecisionTableViewSet(ScopedViewSet):
    """Eligibility and compatibility decision tables (DMN 1.3, hit policy COLLECT)."""

    model = DecisionTable
    filter_class = TableFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z][A-Za-z0-9_-]{0,49}"

    def scoped_queryset(self, user):
        return queries.table_list(user, **self.filters)  # tables are installation-wide

    def list(self, request):
        return self.paginated(self.get_queryset(), TableOutput)

    def retrieve(self, request, code=None):
        return self.render(TableOutput, self.get_object())

    def create(self, request):
        require_perm(request.user, MANAGE)
        data = self.parse(TableCreateInput)
        table = actions.rule_table_create(actor=request.user, **data)
        return self.render(
            TableOutput, queries.table_get(request.user, pk=table.pk), status_code=status.HTTP_201_CREATED
        )

    def partial_update(self, request, code=None):
        table = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(TableUpdateInput)
        actions.rule_table_update(actor=request.user, table=table, **data)
        return self.render(TableOutput, queries.table_get(request.user, pk=table.pk))

    @action(detail=True, methods=["get"])
    def versions(self, request, code=None):
        table = self.get_object()
        return self.paginated(queries.version_list(request.user, table), VersionOutput)

    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d{1,9})")
    def version(self, request, code=None, number=None):
        table = self.get_object()
        return self.render(VersionDetailOutput, queries.version_get(request.user, table, int(number)))

    @action(detail=True, methods=["post"])
    def draft(self, request, code=None):
        table = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(DraftInput)
        version = actions.rule_draft_save(actor=request.user, table=table, **data)
        return self.render(VersionDetailOutput, version)

    @action(detail=True, methods=["post"])
    def publish(self, request, code=None):
        table = self.get_object()
        require_perm(request.user, MANAGE)
        data = self.parse(PublishInput)
        version = queries.working_version(table)
        if version is None or version.status != VersionStatus.DRAFT:
            raise api_error(_("There is no draft to publish."), code="no_draft", field="version")
        version = actions.rule_version_publish(actor=request.user, version=version, comment=data["comment"])
        return self.render(VersionOutput, version)


class EvaluateView(ApiView):
    """What the rules in force say about one offering for one customer (catalog.manage_catalog)."""

    @extend_schema(
        tags=["catalog rules"],
        summary="Evaluate the published rules for a set of facts",
        request=EvaluateInput,
        responses={200: EvaluateOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput},
    )
    def post(self, request):
        require_perm(request.user, MANAGE)
        data = self.parse(EvaluateInput)
        outcomes = engine.evaluate(dict(data["facts"]), kind=data["kind"])
        body = {
            "allowed": not engine.denied(outcomes),
            "outcomes": [
                {
                    "table": o.table,
                    "rule": o.rule,
                    "effect": o.effect,
                    "message": o.message,
                    "requires": list(o.requires),
                }
                for o in outcomes
            ],
        }
        return self.render(EvaluateOutput, body)
