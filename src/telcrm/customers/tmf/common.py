"""TM Forum Open API conventions (TMF630 REST guidelines, API v4), implemented once for every TMF API.

- Resources are JSON objects with ``id`` and ``href`` (strings) and ``@type``; ids are opaque strings
  to clients. An id that is not one of ours, or a row outside the caller's data scope, is 404.
- ``GET /resource`` lists: ``?attr=value`` filters on top-level attributes (each view declares which,
  with ``.gt/.gte/.lt/.lte`` on dates and numbers and ``a,b`` meaning "a or b" for ids and states),
  ``?fields=a,b`` projects (``id``, ``href``, ``@type`` always kept; unknown names ignored),
  ``offset``/``limit`` page, and ``X-Total-Count`` / ``X-Result-Count`` headers count.
- ``POST`` answers 201 with the resource and a ``Location`` header; ``PATCH`` takes a partial object as
  ``application/json`` or ``application/merge-patch+json`` (RFC 7396: top-level attributes replaced).
- Errors are ``{code, reason, message, status, @type: "Error"}``; a 400 names each bad attribute in
  the message (in the caller's language: their profile, else Accept-Language).

Authentication and data scope are the REST API's (Bearer token or session; docs/decisions/0008).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from telcrm.platform import context
from telcrm.platform.api.base import MAX_ID, ScopedViewSet, header_language, request_data
from telcrm.platform.api.errors import _drf_detail_items
from telcrm.platform.api.pagination import StandardPagination
from telcrm.platform.errors import NotFoundInScope, bilingual

CURRENCY = "CNY"
DEFAULT_LIMIT = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)
MAX_LIMIT = StandardPagination.max_page_size
ALWAYS_KEPT = ("id", "href", "@type")
PAGING = ("fields", "offset", "limit")
OPERATORS = ("gt", "gte", "lt", "lte")

REASONS = {
    400: _("Invalid input"),
    401: _("Authentication required"),
    403: _("Not allowed"),
    404: _("Resource not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
    500: _("Internal error"),
}


# --- errors -------------------------------------------------------------------------------------------
def error_body(status: int, code: str, message: str) -> dict:
    reason = REASONS.get(status) or REASONS[500 if status >= 500 else 400]
    return {"code": code, "reason": str(reason), "message": message, "status": str(status), "@type": "Error"}


class TmfError(exceptions.APIException):
    """An error raised by TMF code with its TMF code and a (lazy) message."""

    def __init__(self, status: int, code: str, template, **params):
        self.status_code = status
        self.tmf_code = code
        self.template, self.params = template, params
        super().__init__(self.render(), code=code)

    def render(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)


def _field_message(field: str, message: str) -> str:
    if not field or field == "__all__":
        return message
    return str(_("%(field)s: %(message)s")) % {"field": field, "message": message}


def bad_request(field: str, message, code: str = "invalid", **params) -> TmfError:
    """A 400 whose message names ``field`` (a TMF attribute path such as ``engagedParty.id``), rendered
    in the request's language (active while the view runs)."""
    return TmfError(400, code, _field_message(field, str(message) % params if params else str(message)))


def tmf_path(field: str) -> str:
    """DRF's ``relatedParty.0.id`` as TMF writes it: ``relatedParty[0].id``."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", field)


def _items_message(items: list[dict], field_names: dict[str, str]) -> tuple[str, str]:
    """(code, message) of a 400 from error items [{field, code, message}], fields in TMF names."""
    parts = [_field_message(field_names.get(i["field"], tmf_path(i["field"])), i["message"]) for i in items]
    return (items[0].get("code") or "invalid") if items else "invalid", "; ".join(parts)


def exception_handler(exc, ctx):
    """Every error of a TMF endpoint as a TMF Error body (TMF630), in the request's language."""
    view = ctx.get("view")
    field_names = getattr(view, "field_names", {}) or {}
    headers = {}
    if isinstance(exc, TmfError):
        return Response(error_body(exc.status_code, exc.tmf_code, exc.render()), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):  # raised by an action (customers.validation, full_clean)
        code, message = _items_message(bilingual(exc), field_names)
        return Response(error_body(400, code, message), status=400)
    items = getattr(exc, "bilingual_items", None)
    if items is not None:  # parse_input / api_error of the platform
        code, message = _items_message(items, field_names)
        return Response(error_body(exc.status_code, code, message), status=exc.status_code)
    if isinstance(exc, NotFoundInScope | Http404):
        exc = exceptions.NotFound(_("No such resource, or it is outside your data scope."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(getattr(exc, "message", None))
    response = drf_exception_handler(exc, ctx)
    if response is None:
        return None
    for name in ("WWW-Authenticate", "Retry-After", "Allow"):
        if name in response:
            headers[name] = response[name]
    if isinstance(exc, exceptions.ValidationError):
        code, message = _items_message(_drf_detail_items(exc.detail), field_names)
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        message = str(detail)
    return Response(
        error_body(response.status_code, str(code), message), status=response.status_code, headers=headers
    )


def not_found(request, rest: str = ""):
    """TMF 404 for any path under /tmf-api/ that no endpoint matches."""
    user = getattr(request, "user", None)
    lang = user.language if user is not None and user.is_authenticated and user.language else None
    with translation.override(lang or header_language(request)):
        body = error_body(404, "not_found", str(_("There is no TMF resource at this path.")))
        language = translation.get_language()
    return JsonResponse(
        body, status=404, headers={"Content-Language": language}, json_dumps_params={"ensure_ascii": False}
    )


# --- parsing -------------------------------------------------------------------------------------------
class MergePatchJSONParser(JSONParser):
    """RFC 7396 JSON merge patch: the body is a partial resource (TMF630 PATCH)."""

    media_type = "application/merge-patch+json"


def parse_id(raw) -> int | None:
    """Our row id for a TMF id string; None when it cannot be one of ours (then: 404)."""
    text = str(raw).strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def parse_when(value: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time (``2026-01-31``, ``2026-01-31T08:00:00Z``) as an aware datetime."""
    value = (value or "").strip()
    try:
        parsed = parse_datetime(value.replace(" ", "+"))  # a "+" in a query string arrives as a space
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            return None
        parsed = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def iso(value) -> str | None:
    """UTC ISO 8601 with milliseconds and Z, as the TMF samples write dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat()


def money(value: Decimal | None, unit: str = CURRENCY) -> dict | None:
    if value is None:
        return None
    return {"unit": unit or CURRENCY, "value": float(value)}


class RefField(serializers.Field):
    """A TMF reference (RelatedParty, AccountRef…) as given: ``id`` required, the others optional.

    Returns ``{"id", "@referredType"?, "name"?, "href"?, "role"?}`` with string values. Whether the id is
    one of ours is decided later; an id we do not know is kept as given (another system's party).
    """

    KEYS = ("id", "href", "name", "role", "@referredType", "@type", "@baseType")

    default_error_messages = {
        "not_an_object": _("Send an object with at least an id."),
        "required_key": _("This attribute is required."),
        "not_text": _("Enter text."),
        "too_long": _("Enter at most %(max)s characters."),
    }

    def __init__(self, *, referred_type_required: bool = False, **kwargs):
        self.referred_type_required = referred_type_required
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        out, errors = {}, {}
        for key in self.KEYS:
            value = data.get(key)
            if value is None:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                errors[key] = [self.error_messages["not_text"]]
                continue
            value = value.strip()
            if "\x00" in value:
                errors[key] = [self.error_messages["not_text"]]
            elif len(value) > 500:
                errors[key] = [str(self.error_messages["too_long"]) % {"max": 500}]
            elif value:
                out[key] = value
        if "id" not in out and "id" not in errors:
            errors["id"] = [self.error_messages["required_key"]]
        if self.referred_type_required and "@referredType" not in out and "@referredType" not in errors:
            errors["@referredType"] = [self.error_messages["required_key"]]
        if errors:
            raise serializers.ValidationError(errors)
        return out

    def to_representation(self, value):
        return value


class CharacteristicField(serializers.Field):
    """A TMF Characteristic ``{name, value, valueType?}``; the value may be any JSON value."""

    default_error_messages = {
        "not_an_object": _("Send an object with a name and a value."),
        "required_key": _("This attribute is required."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            raise serializers.ValidationError({"name": [self.error_messages["required_key"]]})
        if "value" not in data:
            raise serializers.ValidationError({"value": [self.error_messages["required_key"]]})
        out = {"name": name.strip()[:100], "value": data["value"]}
        if isinstance(data.get("valueType"), str):
            out["valueType"] = data["valueType"][:40]
        return out

    def to_representation(self, value):
        return value


def parse_body(serializer_class, data, *, partial: bool = False, context=None) -> dict:
    """Validated data of ``serializer_class`` (TMF attribute names); else a 400 naming each attribute."""
    if not isinstance(data, dict):
        raise TmfError(400, "invalid", _("Send the resource as a JSON object."))
    serializer = serializer_class(data=data, partial=partial, context=context or {})
    if not serializer.is_valid():
        raise exceptions.ValidationError(serializer.errors)
    return serializer.validated_data


# --- query parameters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filter:
    """A filterable attribute: ``lookup`` is an ORM path or ``fn(values, op) -> Q``; ``kind`` says how
    values are read: ``text`` (exact), ``id`` / ``choice`` (comma means "or"), ``datetime`` / ``number``
    (``.gt/.gte/.lt/.lte`` allowed)."""

    lookup: str | Callable[[list, str], Q]
    kind: str = "text"
    values: Callable[[str], Any] | None = None  # maps one TMF value to ours (e.g. "validated" → code)


def _filter_q(name: str, spec: Filter, op: str, raw: str) -> Q:
    values = [v.strip() for v in raw.split(",") if v.strip()] if spec.kind in ("id", "choice") else [raw]
    if spec.kind == "id":
        values = [pk for pk in (parse_id(v) for v in values) if pk is not None]
        if not values:
            return Q(pk__in=[])  # an id that cannot be ours matches nothing (not an error)
    elif spec.kind == "datetime":
        when = parse_when(raw)
        if when is None:
            raise bad_request(name, _("Enter an ISO 8601 date or date-time, e.g. 2026-01-31T08:00:00Z."))
        values = [when]
    elif spec.kind == "number":
        try:
            values = [Decimal(raw.strip())]
        except ArithmeticError as exc:
            raise bad_request(name, _("Enter a number.")) from exc
    if spec.values is not None:
        values = [m for m in (spec.values(v) for v in values) if m is not None]
        if not values:
            return Q(pk__in=[])
    if callable(spec.lookup):
        return spec.lookup(values, op)
    if op:
        return Q(**{f"{spec.lookup}__{op}": values[0]})
    if spec.kind == "datetime":  # equal to the second (stored values carry microseconds)
        start = values[0].replace(microsecond=0)
        return Q(**{f"{spec.lookup}__gte": start, f"{spec.lookup}__lt": start + dt.timedelta(seconds=1)})
    if len(values) == 1:
        return Q(**{spec.lookup: values[0]})
    return Q(**{f"{spec.lookup}__in": values})


def filter_q(query_params, filters: dict[str, Filter]) -> Q:
    """One Q for every ``attr[.op]=value`` of the query string; 400 naming an attribute not filtered on."""
    q = Q()
    for key, raw_values in query_params.lists():
        if key in PAGING:
            continue
        base, dot, last = key.rpartition(".")
        name, op = (base, last) if dot and last in OPERATORS else (key, "")
        spec = filters.get(name)
        if spec is None:
            raise bad_request(
                key,
                _("Filtering on this attribute is not supported. Supported: %(names)s."),
                code="unsupported_filter",
                names=", ".join(sorted(filters)),
            )
        if op and spec.kind not in ("datetime", "number"):
            raise bad_request(key, _("Only dates and numbers can be compared with .gt, .gte, .lt or .lte."))
        for raw in raw_values:
            if "\x00" in raw:
                raise bad_request(key, _("This value contains a NUL character, which is not allowed."))
            q &= _filter_q(key, spec, op, raw)
    return q


def requested_fields(query_params) -> set[str] | None:
    """Top-level attributes of ``?fields=`` (``a.b`` keeps ``a``); None for the whole resource."""
    names = set()
    for raw in query_params.getlist("fields"):
        names |= {part.strip().split(".", 1)[0] for part in raw.split(",") if part.strip()}
    return names or None


def project(resource: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return resource
    return {k: v for k, v in resource.items() if k in fields or k in ALWAYS_KEPT}


def _whole_number(query_params, name: str, default: int) -> int:
    raw = query_params.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= 10**9:
        raise bad_request(name, _("Enter a whole number of 0 or more."))
    return int(raw)


def page_bounds(query_params) -> tuple[int, int]:
    """(offset, limit) from the query string; limit defaults to DEFAULT_LIMIT and is capped at MAX_LIMIT."""
    offset = _whole_number(query_params, "offset", 0)
    limit = min(_whole_number(query_params, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    return offset, limit


# --- the base viewset ----------------------------------------------------------------------------------
class TmfPermission(permissions.BasePermission):
    """Signed in (401 otherwise) and holding the view's permission for the operation (403 otherwise)."""

    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        perm = view.permission_for(request)
        return perm is None or user.has_perm(perm)


@extend_schema(exclude=True)  # the contract is the TM Forum spec (shared/tmf/<API>/spec), not our schema
class TmfViewSet(ScopedViewSet):
    """List / retrieve / create / patch of one TMF resource. Subclasses give:

    ``resource_type`` (``@type``), ``url_name`` (route of the detail URL, for ``href``),
    ``scoped_queryset(user)``, ``to_tmf(obj) -> dict``, ``tmf_filters`` (attribute → :class:`Filter`),
    ``create_resource(data) -> obj`` and ``update_resource(obj, data) -> obj`` calling actions, and
    ``field_names`` (action field → TMF attribute, for error messages).
    """

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, MergePatchJSONParser]
    pagination_class = None
    permission_classes = [TmfPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[^/]+"

    resource_type = ""
    url_name = ""
    tmf_filters: dict[str, Filter] = {}
    field_names: dict[str, str] = {}
    read_permission: str | None = "customers.view_customer"
    create_permission: str | None = "customers.add_customer"
    change_permission: str | None = "customers.change_customer"

    def permission_for(self, request) -> str | None:
        if request.method in permissions.SAFE_METHODS:
            return self.read_permission
        return self.create_permission if request.method == "POST" else self.change_permission

    def get_exception_handler(self):
        return exception_handler

    def dispatch(self, request, *args, **kwargs):
        # The request middleware calls every path outside /api/ "ui"; TMF calls are API calls.
        with context.acting(channel="api", request_id=context.current().request_id):
            return super().dispatch(request, *args, **kwargs)

    # -- hooks: every routed resource (url_name set) implements to_tmf(obj) -> dict,
    # create_resource(data) and update_resource(obj, data); checked when the class is created.
    HOOKS = ("to_tmf", "create_resource", "update_resource")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [h for h in cls.HOOKS if not callable(getattr(cls, h, None))]
        if cls.url_name and missing:
            raise TypeError(f"{cls.__name__} must implement {', '.join(missing)}.")

    def filtered(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(filter_q(self.request.query_params, self.tmf_filters))

    def fetch(self, pk: int):
        """The row ``pk`` within the caller's scope, loaded as the list loads rows."""
        return self.get_queryset().filter(pk=pk).first()

    def reload(self, obj):
        """``obj`` as written by an action, loaded again as lists load rows (related rows included)."""
        return self.fetch(obj.pk) or obj

    # -- helpers -----------------------------------------------------------------------------------
    def href(self, tmf_id) -> str:
        return self.request.build_absolute_uri(reverse(self.url_name, kwargs={"pk": tmf_id}))

    def body(self) -> dict:
        data = request_data(self.request)
        if not isinstance(data, dict):
            raise TmfError(400, "invalid", _("Send the resource as a JSON object."))
        return data

    def get_object(self):
        pk = parse_id(self.kwargs["pk"])
        obj = self.fetch(pk) if pk is not None else None
        if obj is None:
            raise NotFoundInScope()
        return obj

    def render_page(self, rows: Iterable, total: int) -> Response:
        fields = requested_fields(self.request.query_params)
        data = [project(self.to_tmf(row), fields) for row in rows]
        return Response(data, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(data))})

    # -- operations --------------------------------------------------------------------------------
    def list(self, request, *args, **kwargs):
        offset, limit = page_bounds(request.query_params)
        queryset = self.filtered(self.get_queryset())
        total = queryset.count()
        rows = list(queryset[offset : offset + limit]) if limit and offset < total else []
        return self.render_page(rows, total)

    def retrieve(self, request, *args, **kwargs):
        return Response(project(self.to_tmf(self.get_object()), requested_fields(request.query_params)))

    def create(self, request, *args, **kwargs):
        obj = self.create_resource(self.body())
        resource = self.to_tmf(self.reload(obj))
        return Response(resource, status=201, headers={"Location": resource["href"]})

    def partial_update(self, request, *args, **kwargs):
        obj = self.update_resource(self.get_object(), self.body())
        return Response(self.to_tmf(self.reload(obj)))


def related_ref(request, url_name: str, pk, *, name: str, referred_type: str, role: str = "") -> dict:
    """A reference to one of our resources, with its TMF href."""
    ref = {
        "id": str(pk),
        "href": request.build_absolute_uri(reverse(url_name, kwargs={"pk": pk})),
        "name": name,
    }
    if role:
        ref["role"] = role
    ref["@referredType"] = referred_type
    return ref
