"""Input and output serializers of the platform API.

*Input* serializers only parse and check shape/types (the rules live in the actions); *Output*
serializers only render. Personal data leaves masked: ``id_number`` is always the masked form.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from .. import queries
from ..models import (
    AuditKind,
    AuditLog,
    DataScope,
    DictType,
    Holiday,
    HolidayKind,
    Job,
    JobStatus,
    Language,
    Notification,
    OrgKind,
    OrgUnit,
    Parameter,
    Role,
    User,
)
from .base import MAX_ID, FlagField, ScopedPrimaryKeyField

ID_MAX = MAX_ID


# --- shared ----------------------------------------------------------------------------------------
class OrgUnitRef(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind"]


class RoleRef(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Role
        fields = ["id", "code", "name", "data_scope"]


class ErrorItem(serializers.Serializer):
    field = serializers.CharField(
        help_text="Input field the error is about; __all__ for the request as a whole"
    )
    code = serializers.CharField()
    message = serializers.CharField(help_text="In the language of the response")
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    errors = ErrorItem(many=True)


# --- auth and me -----------------------------------------------------------------------------------
class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`; shown only once")
    expires_at = serializers.DateTimeField()


class MeOutput(serializers.ModelSerializer):
    role = RoleRef(allow_null=True)
    org_unit = OrgUnitRef()
    data_scope = serializers.ChoiceField(choices=DataScope.choices)
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "employee_no",
            "email",
            "mobile",
            "language",
            "role",
            "org_unit",
            "data_scope",
            "permissions",
            "is_superuser",
        ]

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())


class MeUpdateInput(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)


# --- org units -------------------------------------------------------------------------------------
class OrgUnitFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="Part of the code or name")
    kind = serializers.ChoiceField(choices=OrgKind.choices, required=False)


class OrgUnitOutput(serializers.ModelSerializer):
    display_name = serializers.CharField()
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "parent",
            "depth",
            "region_code",
            "address",
            "is_active",
            "created_at",
            "updated_at",
        ]


class OrgUnitCreateInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    parent = ScopedPrimaryKeyField(queries.org_unit_choices, allow_null=True, required=False, default=None)
    region_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OrgUnitUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, allow_blank=True)
    region_code = serializers.CharField(max_length=12, allow_blank=True)
    address = serializers.CharField(max_length=200, allow_blank=True)
    is_active = serializers.BooleanField()


# --- users -----------------------------------------------------------------------------------------
USER_ORDERINGS = {
    "username": "username",
    "full_name": "full_name",
    "org_unit": "org_unit__path",
    "date_joined": "date_joined",
    "role": "role__id",
}


class UserFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Part of the username, name, employee number or mobile"
    )
    org_unit = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="Users of this unit and the units below it"
    )
    role = serializers.SlugField(required=False, max_length=32, help_text="Role code")
    active = FlagField(required=False)
    ordering = serializers.ChoiceField(
        required=False, choices=[p + k for k in USER_ORDERINGS for p in ("", "-")], default="username"
    )
    id_number = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Exact ID number, matched through the blind index; the other filters are ignored",
    )


class UserExportFilter(UserFilter):
    id_number = None  # an export is a list; the exact ID lookup is not one of its filters


def user_query(data: dict) -> dict:
    """Parsed UserFilter → keyword arguments of queries.user_list (also the stored filters of an export)."""
    out = {k: data[k] for k in ("q", "org_unit", "role") if data.get(k)}
    if "active" in data:
        out["active"] = "1" if data["active"] else "0"
    ordering = data.get("ordering", "username")
    out["sort"] = ("-" if ordering.startswith("-") else "") + USER_ORDERINGS[ordering.lstrip("-")]
    return out


class UserOutput(serializers.ModelSerializer):
    org_unit = OrgUnitRef()
    role = RoleRef(allow_null=True)
    id_number = serializers.SerializerMethodField(help_text="Always masked; POST …/reveal for the plaintext")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "employee_no",
            "email",
            "mobile",
            "id_number",
            "org_unit",
            "role",
            "language",
            "is_active",
            "date_joined",
            "updated_at",
        ]

    def get_id_number(self, user) -> str:
        return user.id_number.masked if user.id_number else ""


class UserCreateInput(serializers.Serializer):
    username = serializers.CharField(max_length=64)
    full_name = serializers.CharField(max_length=100)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    org_unit = ScopedPrimaryKeyField(queries.org_unit_choices)
    role = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Role.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="Role code",
    )
    employee_no = serializers.CharField(max_length=32, allow_blank=True, required=False, default="")
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False, default="")
    mobile = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    id_number = serializers.CharField(max_length=32, allow_blank=True, required=False, default="")
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ZH_HANS)

    def validate(self, attrs):
        # The action checks the password again; checking here too renders Django's validator messages
        # (translated when raised) in each language by parse_input.
        candidate = User(
            username=attrs["username"], full_name=attrs["full_name"], email=attrs.get("email", "")
        )
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {"password": [ErrorDetail(m, code=e.code or "invalid") for e in exc.error_list for m in e]}
            ) from exc
        return attrs


class UserUpdateInput(serializers.Serializer):
    """Partial: send only the fields to change."""

    full_name = serializers.CharField(max_length=100)
    employee_no = serializers.CharField(max_length=32, allow_blank=True)
    email = serializers.EmailField(max_length=254, allow_blank=True)
    mobile = serializers.CharField(max_length=20, allow_blank=True)
    id_number = serializers.CharField(max_length=32, allow_blank=True)
    org_unit = ScopedPrimaryKeyField(queries.org_unit_choices)
    role = serializers.SlugRelatedField(
        slug_field="code", queryset=Role.objects.all(), allow_null=True, help_text="Role code"
    )
    language = serializers.ChoiceField(choices=Language.choices)
    is_active = serializers.BooleanField()


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("id_number", _("ID number"))])


class RevealOutput(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField(help_text="Plaintext; the reveal is written to the audit log")


class UserExportInput(serializers.Serializer):
    filters = UserExportFilter(required=False)


# --- roles -----------------------------------------------------------------------------------------
class RoleOutput(serializers.ModelSerializer):
    display_name = serializers.CharField()
    user_count = serializers.IntegerField(help_text="Users holding the role, within your data scope")
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "description",
            "data_scope",
            "is_system",
            "user_count",
            "permissions",
        ]

    def get_permissions(self, role) -> list[str]:
        return self.context.get("permissions", {}).get(role.pk, [])


# --- parameters, dictionaries, holidays ------------------------------------------------------------
class ParameterFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100)
    group = serializers.CharField(required=False, max_length=50)


class ParameterOutput(serializers.ModelSerializer):
    value = serializers.JSONField()
    default = serializers.JSONField()
    choices = serializers.ListField(child=serializers.CharField())
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Parameter
        fields = [
            "id",
            "key",
            "group",
            "name",
            "name_en",
            "description",
            "type",
            "value",
            "default",
            "min_value",
            "max_value",
            "choices",
            "updated_at",
            "updated_by",
        ]


class ParameterUpdateInput(serializers.Serializer):
    value = serializers.JSONField(help_text="The new value, checked against the parameter's type and bounds")
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class DictionaryFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100)


class DictionaryOutput(serializers.ModelSerializer):
    item_count = serializers.IntegerField()

    class Meta:
        model = DictType
        fields = ["id", "code", "name", "name_en", "description", "is_system", "item_count"]


class DictionaryItemsFilter(serializers.Serializer):
    active_only = FlagField(required=False, default=True)


class DictionaryItemOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    label_en = serializers.CharField()
    parent = serializers.CharField(source="parent__code", allow_null=True)


class HolidayFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)


class HolidayOutput(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "kind"]


class HolidayInput(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=HolidayKind.choices, default=HolidayKind.HOLIDAY)


# --- jobs, audit, notifications --------------------------------------------------------------------
class JobFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)


class JobOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    is_finished = serializers.BooleanField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    error = serializers.SerializerMethodField(help_text="First line of the error of a failed job")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "message",
            "result",
            "error",
            "attempts",
            "is_finished",
            "owner",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_error(self, job) -> str:
        return job.error.splitlines()[0] if job.error else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, job):
        if job.status != JobStatus.SUCCEEDED or not job.result_file:
            return None
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("job-download", args=[job.pk])  # the UI's download, which audits it
        except NoReverseMatch:
            return None


class AuditFilter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100)
    action = serializers.CharField(required=False, max_length=64)
    kind = serializers.ChoiceField(choices=AuditKind.choices, required=False)
    actor_username = serializers.CharField(required=False, max_length=64)
    object_type = serializers.CharField(required=False, max_length=64)
    object_id = serializers.CharField(required=False, max_length=64)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class AuditOutput(serializers.ModelSerializer):
    org_unit = OrgUnitRef(allow_null=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "kind",
            "action",
            "actor",
            "actor_username",
            "org_unit",
            "object_type",
            "object_id",
            "object_repr",
            "field",
            "before",
            "after",
            "ip",
            "request_id",
            "channel",
        ]


class NotificationFilter(serializers.Serializer):
    unread_only = FlagField(required=False)


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "link", "created_at", "read_at"]


class NotificationMarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=1000,
        help_text="Notifications to mark read; all unread ones when left out",
    )


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField()
