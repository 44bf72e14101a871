"""Input and output serializers of the coverage API. Input serializers check shape and types; the
rules live in the actions. Output serializers only render."""

from __future__ import annotations

from rest_framework import serializers

from telcrm.platform.api.base import FlagField
from telcrm.platform.api.serializers import ID_MAX, OrgUnitRef

from ..models import (
    MAX_BANDWIDTH_MBPS,
    MAX_PORTS,
    CoveredAddress,
    ElementKind,
    ElementStatus,
    NetworkElement,
    Technology,
)
from ..queries import ELEMENT_SORTS


# --- choice fields ------------------------------------------------------------------------------------
# Named enums in the schema (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: TechnologyEnum,
# ElementKindEnum, ElementStatusEnum), the model's choice sets.
def _choice_field(choices, description: str):
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("help_text", description)
            super().__init__(choices=choices, **kwargs)

    return Field


TechnologyField = _choice_field(Technology.choices, "fibre (FTTH), copper (ADSL/VDSL) or fwa_5g (5G FWA)")
ElementKindField = _choice_field(ElementKind.choices, "olt, dslam, msan or cell_5g (5G cell)")
ElementStatusField = _choice_field(ElementStatus.choices, "planned, in_service, maintenance or retired")


# --- elements -----------------------------------------------------------------------------------------
class ElementRef(serializers.ModelSerializer):
    status = ElementStatusField(read_only=True)

    class Meta:
        model = NetworkElement
        fields = ["id", "code", "status"]


class ElementOutput(serializers.ModelSerializer):
    org_unit = OrgUnitRef()
    kind = ElementKindField(read_only=True)
    technology = TechnologyField(read_only=True)
    status = ElementStatusField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")
    technology_label = serializers.CharField(source="get_technology_display")
    status_label = serializers.CharField(source="get_status_display")
    free_ports = serializers.IntegerField()

    class Meta:
        model = NetworkElement
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "technology",
            "technology_label",
            "status",
            "status_label",
            "org_unit",
            "location",
            "ports_total",
            "ports_used",
            "free_ports",
            "max_bandwidth_mbps",
            "retired_at",
            "created_at",
            "updated_at",
        ]


class ElementFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Start of the code, or part of the name or location"
    )
    technology = TechnologyField(required=False)
    kind = ElementKindField(required=False)
    status = ElementStatusField(required=False, help_text="Default: every status but retired")
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    nearly_full = FlagField(
        required=False, help_text="Only elements at or above coverage.capacity_warn_percent"
    )
    ordering = serializers.ChoiceField(choices=sorted(ELEMENT_SORTS), required=False, default="code")


class ElementCreateInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = ElementKindField()
    technology = TechnologyField(
        required=False,
        default=None,
        help_text="Default: the kind's",
    )
    org_unit = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="The unit that runs the element"
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    ports_total = serializers.IntegerField(min_value=0, max_value=MAX_PORTS)
    max_bandwidth_mbps = serializers.IntegerField(min_value=1, max_value=MAX_BANDWIDTH_MBPS)
    status = ElementStatusField(
        required=False,
        default=ElementStatus.PLANNED,
        help_text="planned, in_service or maintenance (retire with POST …/retire)",
    )


class ElementUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    kind = ElementKindField()
    technology = TechnologyField()
    org_unit = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    location = serializers.CharField(max_length=200, allow_blank=True)
    ports_total = serializers.IntegerField(min_value=0, max_value=MAX_PORTS)
    max_bandwidth_mbps = serializers.IntegerField(min_value=1, max_value=MAX_BANDWIDTH_MBPS)
    status = ElementStatusField(
        help_text="planned, in_service or maintenance (retire with POST …/retire)",
    )


# --- covered addresses --------------------------------------------------------------------------------
class AddressOutput(serializers.ModelSerializer):
    element = ElementRef()
    technology = TechnologyField(read_only=True)
    technology_label = serializers.CharField(source="get_technology_display")
    org_unit = OrgUnitRef()

    class Meta:
        model = CoveredAddress
        fields = [
            "id",
            "province",
            "city",
            "district",
            "street",
            "building",
            "element",
            "technology",
            "technology_label",
            "max_bandwidth_mbps",
            "is_active",
            "org_unit",
            "search_key",
            "created_at",
            "updated_at",
        ]


class AddressFilter(serializers.Serializer):
    city = serializers.CharField(required=False, max_length=40, help_text="杭州 and 杭州市 are the same")
    district = serializers.CharField(required=False, max_length=40)
    technology = TechnologyField(required=False)
    element = serializers.CharField(
        required=False, max_length=40, help_text="Element id, or the start of its code"
    )
    q = serializers.CharField(required=False, max_length=100, help_text="Start of the road (and number)")
    include_retired = FlagField(required=False)


class AddressCreateInput(serializers.Serializer):
    element = serializers.CharField(max_length=40, help_text="The serving element's code (or id)")
    province = serializers.CharField(max_length=40)
    city = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    street = serializers.CharField(max_length=200, help_text="Road and house number, e.g. 文三路88号")
    building = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    technology = TechnologyField(
        required=False,
        default=None,
        help_text="Default: the element's",
    )
    max_bandwidth_mbps = serializers.IntegerField(
        min_value=1,
        max_value=MAX_BANDWIDTH_MBPS,
        required=False,
        default=None,
        help_text="Default: the element's",
    )


class AddressUpdateInput(AddressCreateInput):
    pass


def element_argument(value: str):
    """An element given as an id ("12") or a code ("HZ-XH-OLT01")."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else text


# --- installability -----------------------------------------------------------------------------------
class CheckInput(serializers.Serializer):
    province = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    street = serializers.CharField(max_length=200, help_text="Road and house number, e.g. 文三路88号")
    building = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class OptionOutput(serializers.Serializer):
    technology = TechnologyField()
    technology_label = serializers.CharField()
    max_bandwidth_mbps = serializers.IntegerField()
    free_ports = serializers.IntegerField()
    element_code = serializers.CharField()


class MatchOutput(OptionOutput):
    element_status = ElementStatusField(source="status")
    element_status_label = serializers.CharField(source="status_label")
    usable = serializers.BooleanField()
    building = serializers.CharField(
        help_text="Building the coverage was recorded for; empty: the whole number"
    )


class NormalizedOutput(serializers.Serializer):
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    street = serializers.CharField()
    building = serializers.CharField()


class CheckOutput(serializers.Serializer):
    ok = serializers.BooleanField(help_text="Broadband can be installed at the address")
    reason_code = serializers.ChoiceField(
        choices=["", "not_covered", "no_free_ports", "maintenance"], help_text="Why not (empty when ok)"
    )
    reason = serializers.CharField(help_text="In the language of the response")
    reason_zh = serializers.CharField()
    reason_en = serializers.CharField()
    options = OptionOutput(many=True, help_text="Ways to install, best first")
    matches = MatchOutput(many=True, help_text="Every element found serving the address, usable or not")
    nearby = serializers.ListField(
        child=serializers.CharField(),
        help_text="Covered buildings at the same house number (when not covered)",
    )
    normalized = NormalizedOutput(help_text="The address as it was matched")

    def to_representation(self, result):
        return {
            "ok": result.ok,
            "reason_code": result.reason_code,
            "reason": str(result.reason or ""),
            "reason_zh": result.reason_zh,
            "reason_en": result.reason_en,
            "options": OptionOutput(
                [o._asdict() | {"technology_label": o.technology_label} for o in result.options], many=True
            ).data,
            "matches": MatchOutput(result.matches, many=True).data,
            "nearby": list(result.nearby),
            "normalized": result.address.as_dict() if result.address else {},
        }
