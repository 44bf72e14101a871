"""Helpers shared by the catalog actions: input cleaning, moments, locking, audit snapshots."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions._common import Errors, pk_of
from telcrm.customers.validation import validate_text
from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import snapshot
from telcrm.platform.errors import NotFoundInScope, field_error

MANAGE = "catalog.manage_catalog"
VIEW = "catalog.view_catalog"
REQUEST = "catalog.request_discount"
APPROVE = "catalog.approve_discount"

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")

__all__ = [
    "APPROVE",
    "MANAGE",
    "REQUEST",
    "VIEW",
    "Errors",
    "clean_choice",
    "clean_choices",
    "clean_code",
    "clean_int",
    "clean_json",
    "clean_moment",
    "clean_period",
    "clean_text",
    "locked",
    "pk_of",
    "require_perm",
    "snapshot",
]


def clean_text(errs: Errors, value, field: str, *, max_length: int, required: bool = False) -> str:
    return errs.run(validate_text, value, field, max_length=max_length, required=required) or ""


def clean_long_text(errs: Errors, value, field: str, *, max_length: int = 4000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errs.add(field, _("Enter text."), "invalid")
        return ""
    value = value.strip()
    if len(value) > max_length:
        errs.add(
            field,
            _("Enter at most %(max)s characters (it has %(length)s)."),
            "max_length",
            max=max_length,
            length=len(value),
        )
    return value


def clean_code(errs: Errors, value, field: str = "code") -> str:
    value = value.strip() if isinstance(value, str) else value
    if not value:
        errs.add(field, _("Enter a code."), "required")
        return ""
    if not isinstance(value, str) or not CODE_RE.match(value):
        errs.add(
            field,
            _("Use 1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
            "invalid",
        )
        return ""
    return value


def clean_choice(
    errs: Errors, value, field: str, choices, *, required: bool = True, default: str = ""
) -> str:
    if value in (None, "") and not required:
        return default
    if value not in choices.values:
        errs.add(field, _("Select a valid choice."), "invalid_choice")
        return default
    return value


def clean_choices(errs: Errors, values, field: str, choices) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [values]
    try:
        items = [v for v in values if v not in ("", None)]
    except TypeError:
        errs.add(field, _("Select valid choices."), "invalid_choice")
        return []
    bad = [v for v in items if v not in choices.values]
    if bad:
        errs.add(field, _("Select valid choices."), "invalid_choice")
        return []
    return sorted(set(items), key=items.index)


def clean_int(
    errs: Errors, value, field: str, *, min_value: int | None = 0, max_value: int | None = None, default=None
):
    if value in (None, ""):
        if default is not None:
            return default
        errs.add(field, _("Enter a whole number."), "required")
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
        number = int(value.strip())
    else:
        number = None
    if number is None:
        errs.add(field, _("Enter a whole number."), "invalid")
        return None
    if min_value is not None and number < min_value:
        errs.add(field, _("Must be at least %(min)s."), "min_value", min=min_value)
        return None
    if max_value is not None and number > max_value:
        errs.add(field, _("Must be at most %(max)s."), "max_value", max=max_value)
        return None
    return number


def clean_json(errs: Errors, value, field: str, kind: type, *, default):
    if value is None:
        return default
    if not isinstance(value, kind):
        errs.add(field, _("Enter a valid JSON value."), "invalid")
        return default
    return value


def clean_moment(errs: Errors, value, field: str) -> dt.datetime | None:
    """A moment (aware datetime) from a datetime, a date (local midnight) or ISO text; None for empty."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        parsed = None
        try:
            parsed = parse_datetime(text) or parse_date(text)
        except ValueError:
            parsed = None
        if parsed is None:
            errs.add(field, _("Enter a valid date."), "invalid")
            return None
        value = parsed
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time.min))
    errs.add(field, _("Enter a valid date."), "invalid")
    return None


def clean_day(errs: Errors, value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed
    errs.add(field, _("Enter a valid date."), "invalid")
    return None


def clean_period(errs: Errors, start, end, *, start_field: str = "valid_from", end_field: str = "valid_to"):
    """``(start, end)`` cleaned; an end before the start is an error on the end field."""
    if start is not None and end is not None and end < start:
        errs.add(end_field, _("The end of the validity period must not be before its start."), "period_order")
    return start, end


def locked(model, pk, *, queryset=None) -> models.Model:
    """The row ``pk`` of ``model`` locked for update, or NotFoundInScope."""
    # of=("self",): the related rows are read, not locked (PostgreSQL refuses FOR UPDATE on the nullable
    # side of an outer join, e.g. an offering without a specification)
    qs = (queryset if queryset is not None else model.objects.all()).select_for_update(of=("self",))
    try:
        return qs.get(pk=pk_of(pk))
    except (model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFoundInScope() from exc


def fen_text(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def raise_on(field: str, message, code: str, **params):
    raise field_error(field, message, code, **params)
