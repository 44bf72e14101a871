"""Base classes of the REST API (STYLE.md items 4 and 5).

Every endpoint does one thing: parse input with an *Input* serializer (:func:`parse_input`), call an
action or a query, render an *Output* serializer. Viewsets over rows derive from
:class:`ScopedViewSet`, whose queryset always comes from ``scoped_queryset(self, user)`` calling the
queries module; a subclass that overrides ``get_queryset`` (or sets a plain ``queryset``) fails at
import time, so the data scope cannot be skipped by accident. The deliberate bypass is spelled
``dangerously_get_queryset``.

Errors keep one shape: ``{"errors": [{field, code, message, message_zh, message_en}]}``; input errors
are rendered again under each UI language so clients can show either.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import _drf_detail_items

LANGUAGES = ("zh-hans", "en")
MAX_ID = 10**18 - 1  # ids beyond this cannot exist (and would overflow SQLite's INTEGER)


# --- errors ---------------------------------------------------------------------------------------
class BilingualError(exceptions.APIException):
    """An API error whose items already carry message_zh / message_en (see api/errors.py)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, items: list[dict], status_code: int | None = None):
        self.bilingual_items = items
        if status_code is not None:
            self.status_code = status_code
        super().__init__({i["field"]: i["message"] for i in items}, code=items[0]["code"] if items else None)


class InputError(BilingualError):
    """Invalid input (400): raised by :func:`parse_input`."""


def api_error(
    message, *, code: str, field: str = "__all__", status_code: int = 400, **params
) -> BilingualError:
    """A one-item error from a lazy message, rendered in the active language and in both UI languages."""

    def render(lang: str | None = None) -> str:
        if lang is None:
            text = str(message)
        else:
            with translation.override(lang):
                text = str(message)
        return text % params if params else text

    item = {
        "field": field,
        "code": code,
        "message": render(),
        "message_zh": render("zh-hans"),
        "message_en": render("en"),
    }
    return BilingualError([item], status_code=status_code)


def _flatten(errors) -> list[dict]:
    items = _drf_detail_items(errors)
    non_field = settings.REST_FRAMEWORK.get("NON_FIELD_ERRORS_KEY", "non_field_errors")
    for item in items:
        if item["field"] == non_field:
            item["field"] = "__all__"
        elif item["field"].endswith("." + non_field):  # a nested object as a whole: name the object
            item["field"] = item["field"][: -len(non_field) - 1]
    return items


def parse_input(serializer_class, data, *, context: dict | None = None, partial: bool = False) -> dict:
    """Validated data of ``serializer_class`` for ``data``; else :class:`InputError` (400) naming each field.

    On invalid input the validation runs again under Chinese and under English, so every item carries
    ``message_zh`` and ``message_en`` (DRF renders its messages when it raises them).
    """
    context = context or {}
    if not isinstance(data, Mapping):
        raise api_error(_("Send the input as a JSON object."), code="invalid")
    serializer = serializer_class(data=data, context=context, partial=partial)
    if serializer.is_valid():
        return serializer.validated_data
    items = _flatten(serializer.errors)
    rendered = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            again = serializer_class(data=data, context=context, partial=partial)
            again.is_valid()
            rendered[lang] = _flatten(again.errors)
    for i, item in enumerate(items):
        for lang, key in (("zh-hans", "message_zh"), ("en", "message_en")):
            other = rendered[lang][i] if i < len(rendered[lang]) else None
            same = other is not None and other["field"] == item["field"] and other["code"] == item["code"]
            item[key] = other["message"] if same else item["message"]
    raise InputError(items)


def request_data(request):
    """``request.data``, with a malformed body answered by a bilingual 400 instead of DRF's text."""
    try:
        return request.data
    except exceptions.ParseError as exc:
        raise api_error(_("The request body is not valid JSON."), code="parse_error") from exc


# --- fields shared by input serializers -------------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related row chosen by id among the rows the acting user may see.

    ``choices`` is a query function ``fn(user) -> QuerySet``; the user is ``context["user"]``.
    """

    def __init__(self, choices, **kwargs):
        self.choices_fn = choices
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.choices_fn(self.context["user"])

    def to_internal_value(self, data):
        # Only whole numbers: a float or a huge number must not reach the database (1.5 would match id 1).
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        if not (text.isascii() and text.isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if int(text) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(text))

    def get_choices(self, cutoff=None):  # never enumerate a scoped table (browsable API / OPTIONS)
        return {}


class FlagField(serializers.ChoiceField):
    """A yes/no query parameter: true/false, 1/0, yes/no → bool."""

    TRUE = ("true", "1", "yes")
    FALSE = ("false", "0", "no")

    def __init__(self, **kwargs):
        super().__init__(choices=[*self.TRUE, *self.FALSE], **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(str(data).lower() if isinstance(data, str | bool) else data)
        return value in self.TRUE


# --- language -----------------------------------------------------------------------------------
def header_language(request) -> str:
    """The first supported language of the Accept-Language header, else Chinese."""
    supported = {code for code, _name in settings.LANGUAGES}
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for lang, _q in translation.trans_real.parse_accept_lang_header(header):
        if lang == "*":
            break
        try:
            code = translation.get_supported_language_variant(lang)
        except LookupError:
            continue
        if code in supported:
            return code
    return settings.LANGUAGE_CODE


def activate(request, lang: str) -> None:
    translation.activate(lang)
    request.LANGUAGE_CODE = lang


class ApiMixin:
    """Language of the response, input parsing and output rendering, for every API view."""

    filter_backends = ()  # filtering happens in the queries module, from parsed input
    input_context: dict = {}

    def initial(self, request, *args, **kwargs):
        # Anonymous requests speak the Accept-Language header; a signed-in user always their own language.
        activate(request, header_language(request))
        self.perform_authentication(request)
        user = request.user
        if user is not None and user.is_authenticated and user.language:
            activate(request, user.language)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        return response

    def parse(self, serializer_class, data=None, *, partial: bool = False) -> dict:
        """Validated input from the request body (or ``data``)."""
        if data is None:
            data = request_data(self.request)
        return parse_input(
            serializer_class,
            data,
            context={"user": self.request.user, "request": self.request},
            partial=partial,
        )

    def render(
        self, serializer_class, obj, *, status_code: int = 200, many: bool = False, headers=None
    ) -> Response:
        data = serializer_class(obj, many=many, context={"request": self.request}).data
        return Response(data, status=status_code, headers=headers)


class ApiView(ApiMixin, APIView):
    """A single-operation endpoint that is not a list of scoped rows (token, me)."""


# --- scoped views ------------------------------------------------------------------------------------
class ScopedQuerysetMixin:
    """Queryset from ``scoped_queryset(user)`` only. Subclasses may not override ``get_queryset``."""

    model = None  # the model listed; used for empty querysets during schema generation
    filter_class: type[serializers.Serializer] | None = None  # parses list query parameters

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); implement scoped_queryset(self, user) with the "
                "queries module instead (or, deliberately, dangerously_get_queryset)."
            )
        if cls.__dict__.get("queryset") is not None:
            raise TypeError(
                f"{cls.__name__} sets a class-level queryset; implement scoped_queryset(self, user)."
            )
        if cls.model is not None and not callable(getattr(cls, "scoped_queryset", None)):
            # A concrete view (it names its model) must say how its rows are scoped: checked when the
            # class is created, so a missing scope is an import error, never a request-time surprise.
            raise TypeError(f"{cls.__name__} must implement scoped_queryset(self, user).")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        bypass = getattr(self, "dangerously_get_queryset", None)
        if bypass is not None:
            return bypass()
        return self.scoped_queryset(self.request.user)

    @cached_property
    def filters(self) -> dict:
        """Parsed query parameters of a list (empty for other actions)."""
        if self.filter_class is None or getattr(self, "action", "list") != "list":
            return {}
        return parse_input(
            self.filter_class,
            self.request.query_params,
            context={"user": self.request.user, "request": self.request},
        )

    def paginated(self, queryset, serializer_class) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context={"request": self.request}).data
        return self.get_paginated_response(data)


class ScopedViewSet(ScopedQuerysetMixin, ApiMixin, viewsets.GenericViewSet):
    """Base viewset: scoped queryset, Input/Output serializers, writes via actions."""

    lookup_value_regex = r"\d{1,18}"


class ScopedGenericView(ScopedQuerysetMixin, ApiMixin, GenericAPIView):
    """Base for a scoped endpoint that is not part of a viewset."""


def not_found(request, rest: str = ""):
    """JSON 404 for any path under /api/v1/ that no endpoint matches (e.g. /users/abc)."""
    from django.http import JsonResponse

    user = getattr(request, "user", None)
    lang = user.language if user is not None and user.is_authenticated else header_language(request)
    with translation.override(lang):
        error = api_error(exceptions.NotFound.default_detail, code="not_found")
    return JsonResponse({"errors": error.bilingual_items}, status=404, headers={"Content-Language": lang})
