"""TMF620 ``productSpecification`` over ``ProductSpecification`` (id = row id).

Mapping: ``productNumber`` ↔ our code (generated ``PS-…`` when a POST gives none; it cannot change
afterwards); ``kind`` (a telcrm extension attribute) ↔ our kind ``mobile`` / ``broadband`` / ``device``
/ ``service`` (``service`` when a POST gives none); ``productSpecCharacteristic`` ↔ our characteristics
(name, valueType, description and the values of ``productSpecCharacteristicValue``); ``brand``,
``description``, ``lifecycleStatus`` (base.py), ``validFor``; ``version`` is read-only. ``isBundle`` is
always false: bundles are offerings here, not specifications. DELETE (``actions.specification_delete``)
only while no offering version uses it; otherwise 409 naming ``productOffering``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.customers.tmf.common import Filter, bad_request, iso, parse_body

from .. import actions
from ..models import ProductSpecification, SpecKind
from . import actions as tmf_actions
from .base import (
    LifecycleField,
    TimePeriodField,
    TmfCatalogViewSet,
    lifecycle_filter,
    lifecycle_shown,
    period_out,
)

FIELD_NAMES = {
    "code": "productNumber",
    "kind": "kind",
    "characteristics": "productSpecCharacteristic",
    "lifecycle_status": "lifecycleStatus",
    "valid_from": "validFor.startDateTime",
    "valid_to": "validFor.endDateTime",
    "offerings": "productOffering",  # a DELETE refused: offerings use the specification
}


class CharacteristicSpecField(serializers.Field):
    """A ``ProductSpecificationCharacteristic`` → ``{name, valueType, description?, values, unit?}``."""

    default_error_messages = {
        "not_an_object": _("Send an object with a name."),
        "required_key": _("This attribute is required."),
        "not_a_list": _("Send a list of objects with a value."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            raise serializers.ValidationError({"name": [self.error_messages["required_key"]]})
        out = {"name": name.strip()[:100], "valueType": str(data.get("valueType") or "string")[:40]}
        if isinstance(data.get("description"), str) and data["description"].strip():
            out["description"] = data["description"].strip()[:500]
        values = data.get("productSpecCharacteristicValue") or []
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            raise serializers.ValidationError(
                {"productSpecCharacteristicValue": [self.error_messages["not_a_list"]]}
            )
        out["values"] = [v.get("value") for v in values if v.get("value") is not None][:100]
        units = [v["unitOfMeasure"] for v in values if isinstance(v.get("unitOfMeasure"), str)]
        if units:
            out["unit"] = units[0][:20]
        return out

    def to_representation(self, value):
        return value


class SpecificationInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    brand = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    productNumber = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.CharField(required=False)
    lifecycleStatus = LifecycleField(required=False)
    validFor = TimePeriodField(required=False)
    productSpecCharacteristic = serializers.ListField(
        child=CharacteristicSpecField(), required=False, max_length=50
    )


def characteristics_out(items) -> list[dict]:
    out = []
    for item in items or ():
        if not isinstance(item, dict):
            continue
        value_type = item.get("valueType") or "string"
        char = {"name": item.get("name", ""), "valueType": value_type}
        if item.get("description"):
            char["description"] = item["description"]
        values = []
        for value in item.get("values") or ():
            entry = {"value": value, "valueType": value_type}
            if item.get("unit"):
                entry["unitOfMeasure"] = item["unit"]
            values.append(entry)
        char["productSpecCharacteristicValue"] = values
        out.append(char)
    return out


class ProductSpecificationViewSet(TmfCatalogViewSet):
    resource_type = "ProductSpecification"
    url_name = "tmf-product-specification-detail"
    field_names = FIELD_NAMES
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "productNumber": Filter("code"),
        "brand": Filter("brand"),
        "kind": Filter("kind", "choice"),
        "version": Filter("version"),
        "lifecycleStatus": lifecycle_filter(),
        "lastUpdate": Filter("last_update", "datetime"),
    }

    def scoped_queryset(self, user):  # the catalog is installation-wide: catalog.view_catalog sees it all
        return ProductSpecification.objects.order_by("code", "id")

    def to_tmf(self, spec: ProductSpecification) -> dict:
        out = {
            "id": str(spec.pk),
            "href": self.href(spec.pk),
            "@type": "ProductSpecification",
            "productNumber": spec.code,
            "name": spec.name,
            "description": spec.description,
            "brand": spec.brand,
            "kind": spec.kind,
            "isBundle": False,
            "lifecycleStatus": lifecycle_shown(spec.lifecycle_status),
            "version": spec.version,
            "lastUpdate": iso(spec.last_update),
            "productSpecCharacteristic": characteristics_out(spec.characteristics),
        }
        period = period_out(spec.valid_from, spec.valid_to)
        if period:
            out["validFor"] = period
        return out

    @staticmethod
    def changes(parsed: dict, spec: ProductSpecification | None = None) -> dict:
        data = {}
        for tmf, ours in (
            ("name", "name"),
            ("description", "description"),
            ("brand", "brand"),
            ("kind", "kind"),
            ("lifecycleStatus", "lifecycle_status"),
            ("productSpecCharacteristic", "characteristics"),
        ):
            if tmf in parsed:
                data[ours] = parsed[tmf]
        if "validFor" in parsed:
            data["valid_from"], data["valid_to"] = parsed["validFor"]
        if spec is not None:  # what a client sends back unchanged is no change
            data = {k: v for k, v in data.items() if getattr(spec, k) != v}
        return data

    def create_resource(self, data):
        parsed = parse_body(SpecificationInput, data)
        fields = self.changes(parsed)
        fields.setdefault("kind", SpecKind.SERVICE)
        return tmf_actions.specification_create(
            actor=self.request.user, code=parsed.get("productNumber", ""), **fields
        )

    def update_resource(self, spec, data):
        parsed = parse_body(SpecificationInput, data, partial=True)
        if "productNumber" in parsed and parsed["productNumber"] != spec.code:
            raise bad_request("productNumber", _("The product number (our code) cannot change."), "read_only")
        fields = self.changes(parsed, spec)
        if not fields:
            return spec
        return actions.specification_save(actor=self.request.user, specification=spec, **fields)

    def delete_resource(self, spec):
        actions.specification_delete(actor=self.request.user, specification=spec)
