"""What the TMF620 resources share: the catalog's permissions, DELETE, lifecycle and money mapping.

The TMF conventions themselves (filters, ``?fields=``, paging headers, PATCH parsing, error body) are
the customer module's ``customers.tmf.common``, reused as they are.

- Reads need ``catalog.view_catalog``; POST, PATCH and DELETE need ``catalog.manage_catalog``. The
  catalog is installation-wide, so there is no data scope beyond the permission.
- ``lifecycleStatus``: ours ``draft`` / ``active`` / ``retired`` are shown as ``In design`` / ``Active``
  / ``Retired``; input accepts those, the other TMF620 values (``In study``, ``In test`` → draft,
  ``Launched`` → active, ``Obsolete`` → retired) and our own codes, in any letter case.
- Money: integer fen in our rows, ``{"unit": "CNY", "value": <yuan>}`` in TMF.
- DELETE answers 204; a refusal of the action (an active version, a price of an offering on sale, a row
  other records refer to) is a 409 whose message names the attribute and says why.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response

from telcrm.customers.tmf.common import (
    CURRENCY,
    Filter,
    RefField,
    TmfError,
    TmfViewSet,
    iso,
    money,
    parse_id,
    parse_when,
)
from telcrm.platform.api.base import BilingualError
from telcrm.platform.errors import bilingual

from ..models import LifecycleStatus

VIEW = "catalog.view_catalog"
MANAGE = "catalog.manage_catalog"

DRAFT, ACTIVE, RETIRED = LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE, LifecycleStatus.RETIRED
SHOWN_STATUS = {DRAFT: "In design", ACTIVE: "Active", RETIRED: "Retired"}
ACCEPTED_STATUS = {
    "in study": DRAFT,
    "in design": DRAFT,
    "in test": DRAFT,
    "draft": DRAFT,
    "active": ACTIVE,
    "launched": ACTIVE,
    "retired": RETIRED,
    "obsolete": RETIRED,
}


def lifecycle_code(value) -> str | None:
    """Our lifecycle code for a TMF620 ``lifecycleStatus`` (or one of ours); None when unknown."""
    if not isinstance(value, str):
        return None
    key = re.sub(r"[\s_\-]+", " ", value).strip().lower()
    return ACCEPTED_STATUS.get(key)


def lifecycle_shown(code: str) -> str:
    return SHOWN_STATUS.get(code, code)


class LifecycleField(serializers.Field):
    default_error_messages = {
        "invalid": _("Choose In design, Active or Retired (or In study, In test, Launched, Obsolete).")
    }

    def to_internal_value(self, data):
        code = lifecycle_code(data)
        if code is None:
            self.fail("invalid")
        return code

    def to_representation(self, value):
        return lifecycle_shown(value)


class TimePeriodField(serializers.Field):
    """TMF ``TimePeriod`` → ``(start, end)`` aware datetimes (None where not given or null)."""

    default_error_messages = {
        "not_an_object": _("Send an object with startDateTime and/or endDateTime."),
        "invalid_date": _("Enter an ISO 8601 date or date-time, e.g. 2026-01-31T08:00:00Z."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        out, errors = {}, {}
        for key in ("startDateTime", "endDateTime"):
            value = data.get(key)
            if value in (None, ""):
                out[key] = None
                continue
            when = parse_when(value) if isinstance(value, str) else None
            if when is None:
                errors[key] = [self.error_messages["invalid_date"]]
            out[key] = when
        if errors:
            raise serializers.ValidationError(errors)
        return (out["startDateTime"], out["endDateTime"])

    def to_representation(self, value):
        return value


class TmfRefField(RefField):
    """A reference kept as given: the common keys plus ``version`` and ``@schemaLocation``."""

    KEYS = (*RefField.KEYS, "version", "@schemaLocation")


class IdRefField(RefField):
    """A reference that must be one of our rows: returns our row id (int)."""

    default_error_messages = {
        **RefField.default_error_messages,
        "unknown": _("There is no such %(what)s here."),
    }

    def __init__(self, *, what: str = "", **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ref = super().to_internal_value(data)
        pk = parse_id(ref["id"])
        if pk is None:
            raise serializers.ValidationError(
                {"id": [str(self.error_messages["unknown"]) % {"what": self.what or _("resource")}]}
            )
        return pk


def period_out(start, end) -> dict | None:
    out = {}
    if start is not None:
        out["startDateTime"] = iso(start)
    if end is not None:
        out["endDateTime"] = iso(end)
    return out or None


def yuan(fen: int) -> dict:
    return money(Decimal(fen) / 100)


class MoneyField(serializers.Field):
    """TMF ``Money`` in CNY → integer fen (the sign is kept: the catalog actions refuse a negative one)."""

    default_error_messages = {
        "not_an_object": _("Send an object with a value in yuan and the unit CNY."),
        "not_a_number": _("Enter a number."),
        "fen": _("Enter an amount in yuan with at most two decimals."),
        "currency": _("Prices are in CNY."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        unit = data.get("unit", CURRENCY)
        if unit not in (None, "") and (not isinstance(unit, str) or unit.strip().upper() != CURRENCY):
            raise serializers.ValidationError({"unit": [self.error_messages["currency"]]})
        value = data.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise serializers.ValidationError({"value": [self.error_messages["not_a_number"]]})
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise serializers.ValidationError({"value": [self.error_messages["not_a_number"]]})
        fen = amount * 100
        if fen != fen.to_integral_value():
            raise serializers.ValidationError({"value": [self.error_messages["fen"]]})
        if abs(fen) > 10**15:  # far beyond any price; the action names its own limit
            fen = fen.copy_sign(Decimal(10**15))
        return int(fen)

    def to_representation(self, value):
        return value


def flag_value(raw: str):
    return {"true": True, "false": False}.get(str(raw).strip().lower())


def lifecycle_filter(lookup: str = "lifecycle_status") -> Filter:
    return Filter(lookup, "choice", values=lifecycle_code)


# --- the base viewset -------------------------------------------------------------------------------
class TmfCatalogViewSet(TmfViewSet):
    """A TMF620 resource over a catalog table: list / retrieve / create / patch / delete."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_permission = VIEW
    create_permission = MANAGE
    change_permission = MANAGE
    HOOKS = (*TmfViewSet.HOOKS, "delete_resource")

    def ref(self, url_name: str, pk, *, name: str, referred_type: str, version: str | None = None) -> dict:
        """A reference to one of our catalog rows (``id``, ``href``, ``name``, ``version``, type)."""
        out = {"id": str(pk), "href": self.request.build_absolute_uri(reverse(url_name, kwargs={"pk": pk}))}
        out["name"] = name
        if version is not None:
            out["version"] = str(version)
        out["@referredType"] = referred_type
        return out

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.delete_resource(obj)
        except DjangoValidationError as exc:  # the action refused: the resource's state forbids it
            raise BilingualError(bilingual(exc), status_code=409) from exc
        except (ProtectedError, RestrictedError) as exc:
            raise TmfError(
                409, "in_use", _("Other records (orders, offerings, …) refer to it, so it cannot be deleted.")
            ) from exc
        return Response(status=204)
