"""Errors of actions, and rendering any ValidationError in both UI languages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AccessDenied(PermissionDenied):
    """The actor may not do this (missing permission or row outside their data scope)."""

    def __init__(self, message=None):
        self.message = message or _("You do not have permission to do this.")
        super().__init__(self.message)


class NotFoundInScope(Exception):
    """No such row, or the row is outside the actor's data scope (indistinguishable on purpose)."""

    def __init__(self, message=None):
        self.message = message or _("Not found.")
        super().__init__(str(self.message))


def field_error(field: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _render(err: ValidationError, lang: str) -> str:
    with translation.override(lang):
        message = str(err.message)
        return message % err.params if err.params else message


def bilingual(exc: ValidationError) -> list[dict]:
    """[{field, code, message, message_zh, message_en}] for every message in ``exc``."""
    items = []
    if hasattr(exc, "error_dict"):
        pairs = [(f, e) for f, errs in exc.error_dict.items() for e in errs]
    else:
        pairs = [("__all__", e) for e in exc.error_list]
    lang = translation.get_language() or "zh-hans"
    for field, e in pairs:
        items.append(
            {
                "field": field,
                "code": e.code or "invalid",
                "message": _render(e, lang),
                "message_zh": _render(e, "zh-hans"),
                "message_en": _render(e, "en"),
            }
        )
    return items
