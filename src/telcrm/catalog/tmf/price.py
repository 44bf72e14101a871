"""TMF620 ``productOfferingPrice`` over ``ProductOfferingPrice`` (id = row id).

Mapping: ``priceType`` ``oneTime`` / ``recurring`` / ``usage`` ↔ our one_off / recurring / usage
(``one_off`` and ``oneOff`` are accepted too); ``price`` ``{"unit": "CNY", "value": <yuan>}`` ↔ integer
fen (at most two decimals; a POST without ``price`` is a price of 0 until it is set);
``recurringChargePeriodType`` ``month`` with length 1 (the only period we charge by);
``unitOfMeasure`` ``{"amount", "units"}`` of a usage price ↔ units per amount and MB / minute / SMS;
``validFor``; ``version`` is the offering version the price belongs to (read-only).

A price is created on its own (TMF620 lets prices come before offerings) and attached to a draft
offering by that offering's ``productOfferingPrice``. Its ``lifecycleStatus`` follows the offering
(In design until the offering is activated, Retired with it) and cannot be set here; a price of a
version on sale or retired cannot change or be deleted (409).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.customers.tmf.common import Filter, bad_request, iso, parse_body

from .. import actions
from ..models import PriceType, ProductOfferingPrice, RecurringPeriod, UsageUnit
from .base import (
    DRAFT,
    LifecycleField,
    MoneyField,
    TimePeriodField,
    TmfCatalogViewSet,
    lifecycle_filter,
    lifecycle_shown,
    period_out,
    yuan,
)

SHOWN_TYPE = {PriceType.ONE_OFF: "oneTime", PriceType.RECURRING: "recurring", PriceType.USAGE: "usage"}
ACCEPTED_TYPE = {
    "onetime": PriceType.ONE_OFF,
    "oneoff": PriceType.ONE_OFF,
    "recurring": PriceType.RECURRING,
    "usage": PriceType.USAGE,
}
PERIODS = {"month": RecurringPeriod.MONTH, "months": RecurringPeriod.MONTH, "monthly": RecurringPeriod.MONTH}
UNITS = {u.value.lower(): u.value for u in UsageUnit} | {"minutes": UsageUnit.MINUTE, "min": UsageUnit.MINUTE}

FIELD_NAMES = {
    "price_type": "priceType",
    "amount_fen": "price.value",
    "recurring_period": "recurringChargePeriodType",
    "usage_unit": "unitOfMeasure.units",
    "unit_amount": "unitOfMeasure.amount",
    "valid_from": "validFor.startDateTime",
    "valid_to": "validFor.endDateTime",
    "lifecycle_status": "lifecycleStatus",
    "offering": "lifecycleStatus",  # "the offering is on sale or retired": the price's state
    "price": "validFor",  # deleting it would leave a gap in the validity of the offering's prices
}


def price_type_code(value) -> str | None:
    if not isinstance(value, str):
        return None
    return ACCEPTED_TYPE.get(re.sub(r"[\s_\-]+", "", value).lower())


class PriceTypeField(serializers.Field):
    default_error_messages = {"invalid": _("Choose recurring, oneTime or usage.")}

    def to_internal_value(self, data):
        code = price_type_code(data)
        if code is None:
            self.fail("invalid")
        return code

    def to_representation(self, value):
        return SHOWN_TYPE.get(value, value)


class QuantityField(serializers.Field):
    """TMF ``Quantity`` of a usage price → ``(units per amount, unit)``; the action checks both."""

    default_error_messages = {"not_an_object": _("Send an object with an amount and units such as MB.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        units = data.get("units")
        if isinstance(units, str):
            units = UNITS.get(units.strip().lower(), units.strip())
        return (data.get("amount", 1), units if units is not None else "")

    def to_representation(self, value):
        return value


class PriceInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    priceType = PriceTypeField()
    price = MoneyField(required=False)
    isBundle = serializers.BooleanField(required=False)
    lifecycleStatus = LifecycleField(required=False)
    validFor = TimePeriodField(required=False)
    recurringChargePeriodType = serializers.CharField(required=False, allow_blank=True)
    recurringChargePeriodLength = serializers.IntegerField(required=False)
    unitOfMeasure = QuantityField(required=False, allow_null=True)

    def validate_isBundle(self, value):
        if value:
            raise serializers.ValidationError(
                _("Bundled prices are not supported; add a price to each offering.")
            )
        return value

    def validate_recurringChargePeriodLength(self, value):
        if value != 1:
            raise serializers.ValidationError(_("Recurring prices are charged every month (length 1)."))
        return value


class ProductOfferingPriceViewSet(TmfCatalogViewSet):
    resource_type = "ProductOfferingPrice"
    url_name = "tmf-product-offering-price-detail"
    field_names = FIELD_NAMES
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "priceType": Filter("price_type", "choice", values=price_type_code),
        "version": Filter("version"),
        "lifecycleStatus": lifecycle_filter(),
        "lastUpdate": Filter("last_update", "datetime"),
    }

    def scoped_queryset(self, user):  # installation-wide, like the whole catalog
        return ProductOfferingPrice.objects.order_by("id")

    def to_tmf(self, price: ProductOfferingPrice) -> dict:
        out = {
            "id": str(price.pk),
            "href": self.href(price.pk),
            "@type": "ProductOfferingPrice",
            "name": price.name,
            "description": price.description,
            "priceType": SHOWN_TYPE.get(price.price_type, price.price_type),
            "price": yuan(price.amount_fen),
            "isBundle": False,
            "lifecycleStatus": lifecycle_shown(price.lifecycle_status),
            "version": price.version,
            "lastUpdate": iso(price.last_update),
        }
        if price.price_type == PriceType.RECURRING:
            out["recurringChargePeriodType"] = price.recurring_period or RecurringPeriod.MONTH
            out["recurringChargePeriodLength"] = 1
        if price.price_type == PriceType.USAGE:
            out["unitOfMeasure"] = {"amount": price.unit_amount, "units": price.usage_unit}
        period = period_out(price.valid_from, price.valid_to)
        if period:
            out["validFor"] = period
        return out

    @staticmethod
    def changes(parsed: dict, price: ProductOfferingPrice | None = None) -> dict:
        data = {}
        for tmf, ours in (
            ("name", "name"),
            ("description", "description"),
            ("priceType", "price_type"),
            ("price", "amount_fen"),
        ):
            if tmf in parsed:
                data[ours] = parsed[tmf]
        if "recurringChargePeriodType" in parsed:
            raw = parsed["recurringChargePeriodType"]
            data["recurring_period"] = PERIODS.get(raw.strip().lower(), raw)
        if "unitOfMeasure" in parsed:
            data["unit_amount"], data["usage_unit"] = parsed["unitOfMeasure"] or (1, "")
        if "validFor" in parsed:
            data["valid_from"], data["valid_to"] = parsed["validFor"]
        if price is not None:
            data = {k: v for k, v in data.items() if getattr(price, k) != v}
        return data

    def check_lifecycle(self, parsed: dict, current: str) -> None:
        if "lifecycleStatus" in parsed and parsed["lifecycleStatus"] != current:
            raise bad_request(
                "lifecycleStatus",
                _("A price follows the lifecycle of its offering; activate or retire the offering instead."),
                "read_only",
            )

    def create_resource(self, data):
        parsed = parse_body(PriceInput, data)
        self.check_lifecycle(parsed, DRAFT)
        fields = self.changes(parsed)
        fields.setdefault("amount_fen", 0)
        return actions.price_create(actor=self.request.user, offering=None, **fields)

    def update_resource(self, price, data):
        parsed = parse_body(PriceInput, data, partial=True)
        self.check_lifecycle(parsed, price.lifecycle_status)
        fields = self.changes(parsed, price)
        if not fields:
            return price
        return actions.price_update(actor=self.request.user, price=price, **fields)

    def delete_resource(self, price):
        actions.price_delete(actor=self.request.user, price=price)
