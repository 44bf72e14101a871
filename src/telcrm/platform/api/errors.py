"""One error shape for the whole API: {"errors": [{field, code, message, message_zh, message_en}]}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.functional import Promise
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import NotFoundInScope, bilingual


def _drf_detail_items(detail, field="__all__") -> list[dict]:
    items = []
    if isinstance(detail, dict):
        for k, v in detail.items():
            items += _drf_detail_items(v, k if field == "__all__" else f"{field}.{k}")
    elif isinstance(detail, list):
        for v in detail:
            items += _drf_detail_items(v, field)
    else:
        items.append({"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)})
    return items


def _in(lang: str, message) -> str:
    with translation.override(lang):
        return str(message)


def _lazy_message(exc):
    """The untranslated message an exception was raised with, if we still have it.

    DRF renders ``detail`` when the exception is created; the lazy original survives in ``exc.args``
    (or is the class default), so it can be rendered again in each language.
    """
    if exc.args and isinstance(exc.args[0], Promise):
        return exc.args[0]
    default = getattr(exc, "default_detail", None)
    if (
        (not exc.args or exc.args[0] is None)
        and isinstance(default, Promise)
        and str(exc.detail) == str(default)
    ):
        return default
    return None


def _both_languages(items: list[dict], exc) -> list[dict]:
    lazy = _lazy_message(exc) if len(items) == 1 else None
    for item in items:
        item.setdefault("message_zh", _in("zh-hans", lazy) if lazy is not None else item["message"])
        item.setdefault("message_en", _in("en", lazy) if lazy is not None else item["message"])
    return items


def exception_handler(exc, context):
    items = getattr(exc, "bilingual_items", None)
    if items is not None:  # api.base.BilingualError: already rendered in both languages
        return Response({"errors": items}, status=exc.status_code)
    if isinstance(exc, ValidationError):
        return Response({"errors": bilingual(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFoundInScope | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(getattr(exc, "message", None))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        items = _drf_detail_items(exc.detail)
        for item in items:
            if item["code"] in (
                "not_found",
                "permission_denied",
                "not_authenticated",
                "authentication_failed",
            ):
                item["field"] = "__all__"
        response.data = {"errors": _both_languages(items, exc)}
    return response
