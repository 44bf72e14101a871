"""TMF620 ``productOffering`` over ``ProductOffering``: one resource per version (id = row id).

Mapping (TMF → ours):
- ``version`` is our version number (read-only). Changing a version on sale makes a new draft version
  (prices, categories and members copied) exactly as in the catalog screens; the PATCH answers with
  that new version, whose ``id`` differs. A retired version cannot change (400).
- ``code`` and ``kind`` are telcrm extension attributes: our offering code (one code, many versions;
  generated ``PO-…`` when a POST gives none; it cannot change) and kind ``plan`` / ``add_on`` /
  ``broadband`` / ``device`` / ``bundle``. Without ``kind`` a POST makes a bundle when ``isBundle`` is
  true, else the kind that fits the specification (mobile or service → plan, broadband, device).
- ``productSpecification``: a reference to one of our specifications links it; any other reference
  (another system's id, such as the kit's "9881") is kept as given in the row's ``extra`` and shown
  back as given.
- ``lifecycleStatus`` (In design / Active / Retired, see base.py) moves the version through the
  catalog's transitions (activate, retire with ``statusReason``, new version); ``isSellable`` is true
  while the version is active and inside ``validFor``.
- ``category`` (our category ids), ``channel`` (ids ``counter``, ``self_service``, ``agent``,
  ``telesales``), ``productOfferingTerm`` (a commitment ``duration`` in months or years),
  ``productOfferingPrice`` (attaches prices created on their own; removing a price is
  ``DELETE /productOfferingPrice/{id}``), ``bundledProductOffering`` (a bundle's members, with
  ``bundledProductOfferingOption`` lower/upper limits as quantities).
- DELETE deletes a draft version; an active or retired version, a draft a bundle lists, or a version
  that orders refer to is refused with 409 and the reason.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.customers.tmf.common import Filter, RefField, bad_request, iso, parse_body, parse_id

from .. import actions
from ..models import (
    BundledOffering,
    Category,
    OfferingKind,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
    SpecKind,
)
from . import actions as tmf_actions
from .base import (
    ACTIVE,
    IdRefField,
    LifecycleField,
    TimePeriodField,
    TmfCatalogViewSet,
    TmfRefField,
    flag_value,
    lifecycle_filter,
    lifecycle_shown,
    period_out,
)

TMF_EXTRA = "tmf"  # key of ``extra`` holding what a TMF client gave and we do not model
KIND_OF_SPEC = {
    SpecKind.MOBILE: OfferingKind.PLAN,
    SpecKind.BROADBAND: OfferingKind.BROADBAND,
    SpecKind.DEVICE: OfferingKind.DEVICE,
    SpecKind.SERVICE: OfferingKind.PLAN,
}
TERM_UNITS = {"month": 1, "months": 1, "year": 12, "years": 12}
OPTION = "bundledProductOfferingOption"

FIELD_NAMES = {
    "kind": "kind",
    "specification": "productSpecification.id",
    "valid_from": "validFor.startDateTime",
    "valid_to": "validFor.endDateTime",
    "is_bundle": "isBundle",
    "channels": "channel",
    "categories": "category",
    "commitment_months": "productOfferingTerm",
    "lifecycle_status": "lifecycleStatus",
    "prices": "productOfferingPrice",
    "bundle_members": "bundledProductOffering",
    "member": "bundledProductOffering",
    "min_qty": f"bundledProductOffering.{OPTION}.numberRelOfferLowerLimit",
    "max_qty": f"bundledProductOffering.{OPTION}.numberRelOfferUpperLimit",
    "applies_to_codes": "kind",  # an add-on names its plans in the catalog screens
    "applies_to_kinds": "kind",
    "extra": "productSpecification",
}


class BundledOfferingField(serializers.Field):
    """A ``BundledProductOffering`` → ``(offering id, min quantity, max quantity)``."""

    default_error_messages = {
        "not_an_object": _("Send an object with the id of a product offering."),
        "unknown": _("There is no such product offering here."),
        "not_a_number": _("Enter a whole number."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        pk = parse_id(data.get("id", ""))
        if pk is None:
            raise serializers.ValidationError({"id": [self.error_messages["unknown"]]})
        option = data.get(OPTION) or {}
        if not isinstance(option, dict):
            raise serializers.ValidationError({OPTION: [self.error_messages["not_an_object"]]})
        limits = []
        for key, default in (("numberRelOfferLowerLimit", 1), ("numberRelOfferUpperLimit", None)):
            value = option.get(key, default)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise serializers.ValidationError({OPTION: {key: [self.error_messages["not_a_number"]]}})
            limits.append(value)
        lo, hi = limits
        return (pk, lo, hi if hi is not None else max(lo, 1))

    def to_representation(self, value):
        return value


class TermField(serializers.Field):
    """A ``ProductOfferingTerm`` with a ``duration`` → months of commitment."""

    default_error_messages = {"invalid": _("Send a duration with an amount in months or years.")}

    def to_internal_value(self, data):
        duration = data.get("duration") if isinstance(data, dict) else None
        if not isinstance(duration, dict):
            self.fail("invalid")
        amount, units = duration.get("amount"), duration.get("units")
        factor = TERM_UNITS.get(units.strip().lower()) if isinstance(units, str) else None
        if factor is None or isinstance(amount, bool) or not isinstance(amount, int | float):
            self.fail("invalid")
        return amount * factor

    def to_representation(self, value):
        return value


class OfferingInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    code = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.CharField(required=False)
    isBundle = serializers.BooleanField(required=False)
    lifecycleStatus = LifecycleField(required=False)
    statusReason = serializers.CharField(allow_blank=True, max_length=500, required=False)
    validFor = TimePeriodField(required=False)
    productSpecification = TmfRefField(required=False, allow_null=True)
    category = serializers.ListField(child=IdRefField(what=_("category")), required=False, max_length=50)
    channel = serializers.ListField(child=RefField(), required=False, max_length=10)
    productOfferingTerm = serializers.ListField(child=TermField(), required=False, max_length=5)
    productOfferingPrice = serializers.ListField(
        child=IdRefField(what=_("product offering price")), required=False, max_length=100
    )
    bundledProductOffering = serializers.ListField(
        child=BundledOfferingField(), required=False, max_length=50
    )


def _spec_filter(values, op) -> Q:
    ids = [pk for pk in (parse_id(v) for v in values) if pk is not None]
    return Q(specification_id__in=ids) | Q(**{f"extra__{TMF_EXTRA}__productSpecification__id__in": values})


def _category_filter(values, op) -> Q:
    return Q(
        pk__in=ProductOffering.categories.through.objects.filter(
            category_id__in=[pk for pk in (parse_id(v) for v in values) if pk is not None]
        ).values("productoffering_id")
    )


class ProductOfferingViewSet(TmfCatalogViewSet):
    resource_type = "ProductOffering"
    url_name = "tmf-product-offering-detail"
    field_names = FIELD_NAMES
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "code": Filter("code", "choice"),
        "kind": Filter("kind", "choice"),
        "version": Filter("version", "number"),
        "isBundle": Filter("is_bundle", "choice", values=flag_value),
        "lifecycleStatus": lifecycle_filter(),
        "lastUpdate": Filter("last_update", "datetime"),
        "productSpecification.id": Filter(_spec_filter, "choice"),
        "category.id": Filter(_category_filter, "choice"),
    }

    def scoped_queryset(self, user):  # installation-wide, like the whole catalog
        return (
            ProductOffering.objects.select_related("specification")
            .prefetch_related(
                "categories",
                Prefetch(
                    "prices", queryset=ProductOfferingPrice.objects.order_by("price_type", "valid_from", "id")
                ),
                Prefetch("bundle_members", queryset=BundledOffering.objects.select_related("member")),
            )
            .order_by("sort", "code", "-version", "id")
        )

    # -- output ------------------------------------------------------------------------------------
    def to_tmf(self, offering: ProductOffering) -> dict:
        now = timezone.now()
        out = {
            "id": str(offering.pk),
            "href": self.href(offering.pk),
            "@type": "ProductOffering",
            "code": offering.code,
            "kind": offering.kind,
            "name": offering.name,
            "description": offering.description,
            "version": str(offering.version),
            "lifecycleStatus": lifecycle_shown(offering.lifecycle_status),
            "isBundle": offering.is_bundle,
            "isSellable": offering.lifecycle_status == ACTIVE and offering.valid_at(now),
            "lastUpdate": iso(offering.last_update),
        }
        period = period_out(offering.valid_from, offering.valid_to)
        if period:
            out["validFor"] = period
        spec = self.specification_ref(offering)
        if spec is not None:
            out["productSpecification"] = spec
        out["category"] = [
            self.ref("tmf-category-detail", c.pk, name=c.name, referred_type="Category", version=c.version)
            for c in offering.categories.all()
        ]
        out["channel"] = [
            {"id": code, "name": str(SalesChannel(code).label) if code in SalesChannel.values else code}
            for code in offering.channels or ()
        ]
        out["productOfferingPrice"] = [
            self.ref(
                "tmf-product-offering-price-detail", p.pk, name=p.name, referred_type="ProductOfferingPrice"
            )
            for p in offering.prices.all()
        ]
        if offering.is_bundle:
            out["bundledProductOffering"] = [self.member_out(m) for m in offering.bundle_members.all()]
        if offering.commitment_months:
            out["productOfferingTerm"] = [
                {"name": "commitment", "duration": {"amount": offering.commitment_months, "units": "month"}}
            ]
        return out

    def specification_ref(self, offering: ProductOffering) -> dict | None:
        spec = offering.specification
        if spec is not None:
            return self.ref(
                "tmf-product-specification-detail",
                spec.pk,
                name=spec.name,
                referred_type="ProductSpecification",
                version=spec.version,
            )
        kept = (offering.extra or {}).get(TMF_EXTRA, {}).get("productSpecification")
        return dict(kept) if isinstance(kept, dict) else None

    def member_out(self, member: BundledOffering) -> dict:
        row = member.member
        out = self.ref("tmf-product-offering-detail", row.pk, name=row.name, referred_type="ProductOffering")
        del out["@referredType"]
        out["lifecycleStatus"] = lifecycle_shown(row.lifecycle_status)
        out[OPTION] = {
            "numberRelOfferLowerLimit": member.min_qty,
            "numberRelOfferUpperLimit": member.max_qty,
            "numberRelOfferDefault": member.min_qty,
        }
        return out

    # -- input -------------------------------------------------------------------------------------
    def fields_from(self, parsed: dict, offering: ProductOffering | None = None) -> dict:
        """Arguments of offering_create / offering_update; on a PATCH only what differs."""
        fields: dict = {}
        for tmf, ours in (
            ("name", "name"),
            ("description", "description"),
            ("kind", "kind"),
            ("isBundle", "is_bundle"),
        ):
            if tmf in parsed:
                fields[ours] = parsed[tmf]
        if "validFor" in parsed:
            fields["valid_from"], fields["valid_to"] = parsed["validFor"]
        if "channel" in parsed:
            fields["channels"] = [ref["id"] for ref in parsed["channel"]]
        if "productOfferingTerm" in parsed:
            terms = parsed["productOfferingTerm"]
            fields["commitment_months"] = terms[0] if terms else 0
        if offering is not None:
            fields = {k: v for k, v in fields.items() if getattr(offering, k) != v}
        if "category" in parsed:
            wanted = list(dict.fromkeys(parsed["category"]))
            current = [c.pk for c in offering.categories.all()] if offering is not None else []
            if offering is None or sorted(wanted) != sorted(current):
                fields["categories"] = self.categories(wanted)
        if "productSpecification" in parsed:
            fields.update(self.specification_fields(parsed["productSpecification"], offering))
        return fields

    @staticmethod
    def categories(pks: list[int]) -> list[Category]:
        found = Category.objects.in_bulk(pks)
        missing = [pk for pk in pks if pk not in found]
        if missing:
            raise bad_request("category", _("There is no category with id %(id)s."), "unknown", id=missing[0])
        return [found[pk] for pk in pks]

    def specification_fields(self, ref: dict | None, offering: ProductOffering | None) -> dict:
        """One of our specifications is linked; any other reference is kept as given in ``extra``."""
        extra = dict(offering.extra or {}) if offering is not None else {}
        kept = dict(extra.get(TMF_EXTRA) or {})
        spec = None
        if ref is not None:
            pk = parse_id(ref["id"])
            spec = ProductSpecification.objects.filter(pk=pk).first() if pk is not None else None
        if spec is None and ref is not None:
            kept["productSpecification"] = ref
        else:
            kept.pop("productSpecification", None)
        if kept:
            extra[TMF_EXTRA] = kept
        else:
            extra.pop(TMF_EXTRA, None)
        fields = {}
        if offering is None or (offering.extra or {}) != extra:
            fields["extra"] = extra
        if offering is None or offering.specification_id != (spec.pk if spec else None):
            fields["specification"] = spec
        return fields

    def create_resource(self, data):
        parsed = parse_body(OfferingInput, data)
        fields = self.fields_from(parsed)
        if "kind" not in fields:
            spec = fields.get("specification")
            if fields.get("is_bundle"):
                fields["kind"] = OfferingKind.BUNDLE
            else:
                fields["kind"] = KIND_OF_SPEC.get(spec.kind, OfferingKind.PLAN) if spec else OfferingKind.PLAN
        return tmf_actions.offering_create(
            actor=self.request.user,
            code=parsed.get("code", ""),
            fields=fields,
            prices=parsed.get("productOfferingPrice", ()),
            members=parsed.get("bundledProductOffering"),
            lifecycle=parsed.get("lifecycleStatus"),
            reason=parsed.get("statusReason", ""),
        )

    def update_resource(self, offering, data):
        parsed = parse_body(OfferingInput, data, partial=True)
        if "code" in parsed and parsed["code"] != offering.code:
            raise bad_request(
                "code", _("The code of an offering cannot change; it names all its versions."), "read_only"
            )
        return tmf_actions.offering_update(
            actor=self.request.user,
            offering=offering,
            fields=self.fields_from(parsed, offering),
            prices=parsed.get("productOfferingPrice"),
            members=parsed.get("bundledProductOffering"),
            lifecycle=parsed.get("lifecycleStatus"),
            reason=parsed.get("statusReason", ""),
        )

    def delete_resource(self, offering):
        actions.offering_delete(actor=self.request.user, offering=offering)
