"""TMF620 ``category`` over ``Category`` and ``catalog`` over ``Catalog`` (ids = row ids).

- category: ``parentId`` ↔ the parent category (one of ours; null or ``isRoot: true`` makes it a root),
  ``isRoot`` and ``subCategory`` follow from the tree, ``productOffering`` lists the offering versions
  in the category that are not retired (read-only: an offering's categories change through the
  offering). ``code`` (extension attribute) is our code, generated ``CAT-…`` when a POST gives none.
- catalog: ``catalogType``, ``category`` ↔ the catalog's categories (ours), ``code`` as above
  (``CL-…``).
- Both: ``name``, ``description``, ``lifecycleStatus`` (base.py), ``validFor``; ``version`` read-only.
- DELETE (``actions.category_delete`` / ``catalog_delete``): a category without offerings (any version),
  sub-categories, catalogs listing it or group tariffs; a catalog without categories. Otherwise 409
  naming what still refers to it (``productOffering``, ``subCategory``, ``category`` …).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.customers.tmf.common import Filter, bad_request, iso, parse_body, parse_id

from .. import actions
from ..models import Catalog, Category, LifecycleStatus, ProductOffering
from . import actions as tmf_actions
from .base import (
    IdRefField,
    LifecycleField,
    TimePeriodField,
    TmfCatalogViewSet,
    flag_value,
    lifecycle_filter,
    lifecycle_shown,
    period_out,
)

COMMON_FIELDS = {
    "code": "code",
    "lifecycle_status": "lifecycleStatus",
    "valid_from": "validFor.startDateTime",
    "valid_to": "validFor.endDateTime",
}


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    code = serializers.CharField(allow_blank=True, required=False)
    parentId = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    isRoot = serializers.BooleanField(required=False)
    lifecycleStatus = LifecycleField(required=False)
    validFor = TimePeriodField(required=False)


class CatalogInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    code = serializers.CharField(allow_blank=True, required=False)
    catalogType = serializers.CharField(allow_blank=True, required=False)
    lifecycleStatus = LifecycleField(required=False)
    validFor = TimePeriodField(required=False)
    category = serializers.ListField(child=IdRefField(what=_("category")), required=False, max_length=200)


def _plain_changes(parsed: dict, pairs, obj=None) -> dict:
    data = {ours: parsed[tmf] for tmf, ours in pairs if tmf in parsed}
    if "validFor" in parsed:
        data["valid_from"], data["valid_to"] = parsed["validFor"]
    if obj is not None:  # what a client sends back unchanged is no change
        data = {k: v for k, v in data.items() if getattr(obj, k) != v}
    return data


def _check_code(parsed: dict, obj) -> None:
    if "code" in parsed and parsed["code"] != obj.code:
        raise bad_request("code", _("The code cannot change."), "read_only")


class CategoryViewSet(TmfCatalogViewSet):
    resource_type = "Category"
    url_name = "tmf-category-detail"
    field_names = {
        **COMMON_FIELDS,
        "parent": "parentId",
        "offerings": "productOffering",
        "children": "subCategory",
    }
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "code": Filter("code", "choice"),
        "parentId": Filter("parent_id", "id"),
        "isRoot": Filter("parent__isnull", "choice", values=flag_value),
        "lifecycleStatus": lifecycle_filter(),
        "lastUpdate": Filter("last_update", "datetime"),
    }

    def scoped_queryset(self, user):  # installation-wide, like the whole catalog
        return Category.objects.prefetch_related(
            Prefetch("children", queryset=Category.objects.order_by("sort", "code")),
            Prefetch(
                "offerings",
                queryset=ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.RETIRED).order_by(
                    "sort", "code", "-version"
                ),
            ),
        ).order_by("sort", "code", "id")

    def to_tmf(self, category: Category) -> dict:
        out = {
            "id": str(category.pk),
            "href": self.href(category.pk),
            "@type": "Category",
            "code": category.code,
            "name": category.name,
            "description": category.description,
            "isRoot": category.parent_id is None,
            "lifecycleStatus": lifecycle_shown(category.lifecycle_status),
            "version": category.version,
            "lastUpdate": iso(category.last_update),
        }
        if category.parent_id is not None:
            out["parentId"] = str(category.parent_id)
        period = period_out(category.valid_from, category.valid_to)
        if period:
            out["validFor"] = period
        out["subCategory"] = [
            self.ref(self.url_name, c.pk, name=c.name, referred_type="Category", version=c.version)
            for c in category.children.all()
        ]
        out["productOffering"] = [
            self.ref("tmf-product-offering-detail", o.pk, name=o.name, referred_type="ProductOffering")
            for o in category.offerings.all()
        ]
        return out

    def changes(self, parsed: dict, category: Category | None = None) -> dict:
        data = _plain_changes(
            parsed,
            (("name", "name"), ("description", "description"), ("lifecycleStatus", "lifecycle_status")),
            category,
        )
        if parsed.get("isRoot") is True:
            if parsed.get("parentId") not in (None, ""):
                raise bad_request("isRoot", _("A root category has no parentId."), "conflict")
            parent = None
        elif "parentId" in parsed:
            raw = parsed["parentId"]
            pk = parse_id(raw) if raw not in (None, "") else None
            if raw not in (None, "") and (pk is None or not Category.objects.filter(pk=pk).exists()):
                raise bad_request("parentId", _("There is no category with id %(id)s."), "unknown", id=raw)
            parent = pk
        elif parsed.get("isRoot") is False and (category is None or category.parent_id is None):
            raise bad_request(
                "parentId", _("Give the parentId of a category that is not a root."), "required"
            )
        else:
            return data
        if category is None or category.parent_id != parent:
            data["parent"] = parent
        return data

    def create_resource(self, data):
        parsed = parse_body(CategoryInput, data)
        return tmf_actions.category_create(
            actor=self.request.user, code=parsed.get("code", ""), **self.changes(parsed)
        )

    def update_resource(self, category, data):
        parsed = parse_body(CategoryInput, data, partial=True)
        _check_code(parsed, category)
        fields = self.changes(parsed, category)
        if not fields:
            return category
        return actions.category_save(actor=self.request.user, category=category, **fields)

    def delete_resource(self, category):
        actions.category_delete(actor=self.request.user, category=category)


class CatalogViewSet(TmfCatalogViewSet):
    resource_type = "Catalog"
    url_name = "tmf-catalog-detail"
    field_names = {**COMMON_FIELDS, "catalog_type": "catalogType", "categories": "category"}
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "code": Filter("code", "choice"),
        "catalogType": Filter("catalog_type"),
        "lifecycleStatus": lifecycle_filter(),
        "lastUpdate": Filter("last_update", "datetime"),
    }

    def scoped_queryset(self, user):  # installation-wide, like the whole catalog
        return Catalog.objects.prefetch_related("categories").order_by("id")

    def to_tmf(self, catalog: Catalog) -> dict:
        out = {
            "id": str(catalog.pk),
            "href": self.href(catalog.pk),
            "@type": "Catalog",
            "code": catalog.code,
            "name": catalog.name,
            "description": catalog.description,
            "catalogType": catalog.catalog_type,
            "lifecycleStatus": lifecycle_shown(catalog.lifecycle_status),
            "version": catalog.version,
            "lastUpdate": iso(catalog.last_update),
        }
        period = period_out(catalog.valid_from, catalog.valid_to)
        if period:
            out["validFor"] = period
        out["category"] = [
            self.ref("tmf-category-detail", c.pk, name=c.name, referred_type="Category", version=c.version)
            for c in catalog.categories.all()
        ]
        return out

    def category_args(self, parsed: dict, catalog: Catalog | None = None) -> dict:
        if "category" not in parsed:
            return {}
        wanted = list(dict.fromkeys(parsed["category"]))
        if catalog is not None and sorted(wanted) == sorted(c.pk for c in catalog.categories.all()):
            return {}
        found = Category.objects.in_bulk(wanted)
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise bad_request("category", _("There is no category with id %(id)s."), "unknown", id=missing[0])
        return {"categories": [found[pk] for pk in wanted]}

    def plain(self, parsed: dict, catalog: Catalog | None = None) -> dict:
        return _plain_changes(
            parsed,
            (
                ("name", "name"),
                ("description", "description"),
                ("catalogType", "catalog_type"),
                ("lifecycleStatus", "lifecycle_status"),
            ),
            catalog,
        )

    def create_resource(self, data):
        parsed = parse_body(CatalogInput, data)
        return tmf_actions.catalog_create(
            actor=self.request.user,
            code=parsed.get("code", ""),
            **self.plain(parsed),
            **self.category_args(parsed),
        )

    def update_resource(self, catalog, data):
        parsed = parse_body(CatalogInput, data, partial=True)
        _check_code(parsed, catalog)
        fields = {**self.plain(parsed, catalog), **self.category_args(parsed, catalog)}
        if not fields:
            return catalog
        return actions.catalog_save(actor=self.request.user, catalog=catalog, **fields)

    def delete_resource(self, catalog):
        actions.catalog_delete(actor=self.request.user, catalog=catalog)
