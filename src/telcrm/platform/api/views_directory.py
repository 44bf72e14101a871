"""Org units, users and roles: /api/v1/org-units/, /api/v1/users/, /api/v1/roles/."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from .. import actions, queries
from ..exports import export_start
from ..models import OrgUnit, Role, User
from .base import ScopedViewSet
from .serializers import (
    ErrorOutput,
    JobOutput,
    OrgUnitCreateInput,
    OrgUnitFilter,
    OrgUnitOutput,
    OrgUnitUpdateInput,
    RevealInput,
    RevealOutput,
    RoleOutput,
    UserCreateInput,
    UserExportInput,
    UserFilter,
    UserOutput,
    UserUpdateInput,
    user_query,
)

READ_ERRORS = {401: ErrorOutput, 404: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


@extend_schema_view(
    list=extend_schema(
        summary="Org units in my data scope",
        parameters=[OrgUnitFilter],
        responses={200: OrgUnitOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One org unit", responses={200: OrgUnitOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="Create an org unit (platform.manage_platform)",
        request=OrgUnitCreateInput,
        responses={201: OrgUnitOutput, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an org unit (platform.manage_platform)",
        request=OrgUnitUpdateInput,
        responses={200: OrgUnitOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["org units"])
class OrgUnitViewSet(ScopedViewSet):
    """The organisation tree (组织机构), limited to the caller's data scope."""

    model = OrgUnit
    filter_class = OrgUnitFilter

    def scoped_queryset(self, user):
        return queries.org_unit_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), OrgUnitOutput)

    def retrieve(self, request, pk=None):
        return self.render(OrgUnitOutput, self.get_object())

    def create(self, request):
        actions.require_perm(request.user, "platform.manage_platform")
        data = self.parse(OrgUnitCreateInput)
        unit = actions.org_unit_create(actor=request.user, **data)
        return self.render(OrgUnitOutput, unit, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        unit = self.get_object()  # out of scope → 404 before anything else
        actions.require_perm(request.user, "platform.manage_platform")
        data = self.parse(OrgUnitUpdateInput, partial=True)
        unit = actions.org_unit_update(actor=request.user, unit=unit, **data)
        return self.render(OrgUnitOutput, unit)


@extend_schema_view(
    list=extend_schema(
        summary="Users in my data scope",
        parameters=[UserFilter],
        responses={200: UserOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One user", responses={200: UserOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="Create a user (platform.manage_platform)",
        request=UserCreateInput,
        responses={201: UserOutput, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a user (platform.manage_platform)",
        request=UserUpdateInput,
        responses={200: UserOutput, **WRITE_ERRORS},
    ),
    reveal=extend_schema(
        summary="Reveal a masked field (platform.reveal_pii; audited)",
        request=RevealInput,
        responses={200: RevealOutput, **WRITE_ERRORS},
    ),
    export=extend_schema(
        summary="Export the list to Excel as a background job (platform.export_data)",
        request=UserExportInput,
        responses={
            202: OpenApiResponse(JobOutput, description="The job; poll /api/v1/jobs/{id}/"),
            **LIST_ERRORS,
        },
    ),
)
@extend_schema(tags=["users"])
class UserViewSet(ScopedViewSet):
    """Staff users in the caller's data scope; ID numbers always masked unless revealed (audited)."""

    model = User
    filter_class = UserFilter

    def scoped_queryset(self, user):
        filters = self.filters
        if filters.get("id_number"):
            return queries.user_by_id_number(user, filters["id_number"])
        return queries.user_list(user, **user_query(filters))

    def list(self, request):
        return self.paginated(self.get_queryset(), UserOutput)

    def retrieve(self, request, pk=None):
        return self.render(UserOutput, self.get_object())

    def create(self, request):
        actions.require_perm(request.user, "platform.manage_platform")
        data = self.parse(UserCreateInput)
        user = actions.user_create(actor=request.user, **data)
        return self.render(
            UserOutput, queries.user_get(request.user, user.pk), status_code=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        user = self.get_object()  # out of scope → 404, and nothing changes
        actions.require_perm(request.user, "platform.manage_platform")
        data = self.parse(UserUpdateInput, partial=True)
        user = actions.user_update(actor=request.user, user=user, **data)
        return self.render(UserOutput, queries.user_get(request.user, user.pk))

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        user = self.get_object()
        data = self.parse(RevealInput)
        value = actions.pii_reveal(actor=request.user, obj=user, field=data["field"])
        return self.render(RevealOutput, {"field": data["field"], "value": value})

    @action(detail=False, methods=["post"])
    def export(self, request):
        actions.require_perm(request.user, "platform.export_data")
        data = self.parse(UserExportInput)
        job = export_start(actor=request.user, code="users", filters=user_query(data.get("filters") or {}))
        location = reverse("api-job-detail", args=[job.pk]).rstrip("/") + "/"
        return self.render(
            JobOutput, job, status_code=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


@extend_schema_view(
    list=extend_schema(
        summary="Roles, with their data scope and permissions",
        responses={200: RoleOutput(many=True), 401: ErrorOutput},
    ),
)
@extend_schema(tags=["roles"])
class RoleViewSet(ScopedViewSet):
    """Job roles (岗位角色): what each may do and which rows it sees."""

    model = Role

    def scoped_queryset(self, user):
        return queries.role_list(user)  # roles are not scoped rows; user counts are

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        context = {"request": request, "permissions": queries.role_permission_names(page)}
        return self.get_paginated_response(RoleOutput(page, many=True, context=context).data)
