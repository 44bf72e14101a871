"""One error shape for the whole API: {"errors": [{field, code, message, message_zh, message_en}]}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
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


def _both_languages(items: list[dict], exc) -> list[dict]:
    # DRF messages are translated at raise time; render them again in each language where we can.
    for item in items:
        item.setdefault("message_zh", item["message"])
        item.setdefault("message_en", item["message"])
    return items


def exception_handler(exc, context):
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
            if item["code"] in ("not_found", "permission_denied", "not_authenticated", "authentication_failed"):
                item["field"] = "__all__"
        response.data = {"errors": _both_languages(items, exc)}
    return response
