"""Product specifications, categories and catalogs: create, change and delete (RES-3).

A row is deleted only while nothing refers to it: a specification no offering version uses (retired
versions included — orders show them as they were sold), a category without offerings, sub-categories,
catalogs listing it or group tariffs given on it, a catalog without categories. Otherwise the delete
is refused with a field error naming what still refers to it; retiring the row is the way out.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write

from ..models import Catalog, Category, LifecycleStatus, ProductSpecification, SpecKind
from ._common import (
    MANAGE,
    Errors,
    clean_choice,
    clean_code,
    clean_int,
    clean_json,
    clean_long_text,
    clean_text,
    locked,
    require_perm,
    snapshot,
)

DRAFT, ACTIVE, RETIRED = LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE, LifecycleStatus.RETIRED
SHOWN_CODES = 5  # how many referring codes a refusal names


def _listed(codes) -> str:
    """``A, B, C`` — at most :data:`SHOWN_CODES` codes, then ``…``."""
    codes = sorted(set(codes))
    return ", ".join(codes[:SHOWN_CODES]) + (", …" if len(codes) > SHOWN_CODES else "")


# --- specifications, categories, catalogs ---------------------------------------------------------
SPEC_FIELDS = (
    "name",
    "name_en",
    "description",
    "kind",
    "brand",
    "characteristics",
    "lifecycle_status",
    "extra",
)


def _clean_characteristics(errs: Errors, value) -> list:
    value = clean_json(errs, value, "characteristics", list, default=[])
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            errs.add("characteristics", _("Each characteristic needs a name (a list of objects)."), "invalid")
            return []
    return value


@transaction.atomic
def specification_save(*, actor, specification=None, code: str = "", **data) -> ProductSpecification:
    """Create a product specification (``specification`` None) or change one."""
    require_perm(actor, MANAGE)
    errs = Errors()
    unknown = sorted(set(data) - set(SPEC_FIELDS))
    for key in unknown:
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if specification is None:
        spec = ProductSpecification(code=clean_code(errs, code))
        if spec.code and ProductSpecification.objects.filter(code=spec.code).exists():
            errs.add("code", _("This code is already used."), "duplicate")
        before = None
        data.setdefault("kind", "")
        data.setdefault("name", "")
    else:
        spec = locked(ProductSpecification, specification)
        before = snapshot(spec)
    if "name" in data:
        spec.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "name_en" in data:
        spec.name_en = clean_text(errs, data["name_en"], "name_en", max_length=100)
    if "description" in data:
        spec.description = clean_long_text(errs, data["description"], "description")
    if "brand" in data:
        spec.brand = clean_text(errs, data["brand"], "brand", max_length=60)
    if "kind" in data:
        spec.kind = clean_choice(errs, data["kind"], "kind", SpecKind)
    if "characteristics" in data:
        spec.characteristics = _clean_characteristics(errs, data["characteristics"])
    if "lifecycle_status" in data:
        spec.lifecycle_status = clean_choice(
            errs, data["lifecycle_status"], "lifecycle_status", LifecycleStatus
        )
        if (
            spec.lifecycle_status == RETIRED
            and spec.pk
            and spec.offerings.filter(lifecycle_status__in=(DRAFT, ACTIVE)).exists()
        ):
            errs.add(
                "lifecycle_status",
                _("Offerings on sale or in design use this specification; retire or change them first."),
                "in_use",
            )
    if "extra" in data:
        spec.extra = clean_json(errs, data["extra"], "extra", dict, default={})
    errs.raise_if_any()
    spec.save()
    audit_write(
        action="catalog.specification." + ("create" if before is None else "update"),
        actor=actor,
        obj=spec,
        before=before,
        after=snapshot(spec),
    )
    return spec


CATEGORY_FIELDS = ("name", "name_en", "description", "parent", "sort", "lifecycle_status", "extra")


def _resolve_category(errs: Errors, value, field: str) -> Category | None:
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        return value
    qs = Category.objects.filter(code=value) if isinstance(value, str) and not value.isdigit() else None
    try:
        found = (qs if qs is not None else Category.objects.filter(pk=int(value))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        errs.add(field, _("Choose a category from the list."), "invalid")
    return found


@transaction.atomic
def category_save(*, actor, category=None, code: str = "", **data) -> Category:
    """Create a category (``category`` None) or change one; the tree has no cycles."""
    require_perm(actor, MANAGE)
    errs = Errors()
    for key in sorted(set(data) - set(CATEGORY_FIELDS)):
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if category is None:
        cat = Category(code=clean_code(errs, code))
        if cat.code and Category.objects.filter(code=cat.code).exists():
            errs.add("code", _("This code is already used."), "duplicate")
        data.setdefault("name", "")
        before = None
    else:
        cat = locked(Category, category)
        before = snapshot(cat)
    if "name" in data:
        cat.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "name_en" in data:
        cat.name_en = clean_text(errs, data["name_en"], "name_en", max_length=100)
    if "description" in data:
        cat.description = clean_long_text(errs, data["description"], "description")
    if "sort" in data:
        cat.sort = clean_int(errs, data["sort"], "sort", min_value=0, max_value=1_000_000, default=0) or 0
    if "lifecycle_status" in data:
        cat.lifecycle_status = clean_choice(
            errs, data["lifecycle_status"], "lifecycle_status", LifecycleStatus
        )
    if "extra" in data:
        cat.extra = clean_json(errs, data["extra"], "extra", dict, default={})
    if "parent" in data:
        parent = _resolve_category(errs, data["parent"], "parent")
        node, seen = parent, set()
        while node is not None and cat.pk is not None and node.pk not in seen:
            if node.pk == cat.pk:
                errs.add("parent", _("A category cannot sit under itself or one of its children."), "cycle")
                break
            seen.add(node.pk)
            node = node.parent
        cat.parent = parent
    errs.raise_if_any()
    cat.save()
    audit_write(
        action="catalog.category." + ("create" if before is None else "update"),
        actor=actor,
        obj=cat,
        before=before,
        after=snapshot(cat),
    )
    return cat


@transaction.atomic
def catalog_save(*, actor, catalog=None, code: str = "", categories=None, **data) -> Catalog:
    """Create or change a catalog (a named set of categories)."""
    require_perm(actor, MANAGE)
    errs = Errors()
    allowed = ("name", "name_en", "description", "catalog_type", "lifecycle_status", "extra")
    for key in sorted(set(data) - set(allowed)):
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if catalog is None:
        cat = Catalog(code=clean_code(errs, code))
        if cat.code and Catalog.objects.filter(code=cat.code).exists():
            errs.add("code", _("This code is already used."), "duplicate")
        data.setdefault("name", "")
        before = None
    else:
        cat = locked(Catalog, catalog)
        before = snapshot(cat)
    if "name" in data:
        cat.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "name_en" in data:
        cat.name_en = clean_text(errs, data["name_en"], "name_en", max_length=100)
    if "description" in data:
        cat.description = clean_long_text(errs, data["description"], "description")
    if "catalog_type" in data:
        cat.catalog_type = clean_text(errs, data["catalog_type"], "catalog_type", max_length=40)
    if "lifecycle_status" in data:
        cat.lifecycle_status = clean_choice(
            errs, data["lifecycle_status"], "lifecycle_status", LifecycleStatus
        )
    if "extra" in data:
        cat.extra = clean_json(errs, data["extra"], "extra", dict, default={})
    chosen = None
    if categories is not None:
        chosen = [c for c in (_resolve_category(errs, v, "categories") for v in categories) if c is not None]
    errs.raise_if_any()
    cat.save()
    if chosen is not None:
        cat.categories.set(chosen)
    audit_write(
        action="catalog.catalog." + ("create" if before is None else "update"),
        actor=actor,
        obj=cat,
        before=before,
        after=snapshot(cat),
    )
    return cat


# --- deleting ---------------------------------------------------------------------------------------
@transaction.atomic
def specification_delete(*, actor, specification) -> None:
    """Delete a product specification that no offering version uses."""
    require_perm(actor, MANAGE)
    spec = locked(ProductSpecification, specification)
    errs = Errors()
    codes = list(spec.offerings.order_by("code").values_list("code", flat=True).distinct())
    if codes:
        errs.add(
            "offerings",
            _(
                "Offerings %(codes)s use this specification (retired versions too: orders show them as "
                "sold), so it cannot be deleted; retire it instead."
            ),
            "in_use",
            codes=_listed(codes),
        )
    errs.raise_if_any()
    audit_write(action="catalog.specification.delete", actor=actor, obj=spec, before=snapshot(spec))
    spec.delete()


@transaction.atomic
def category_delete(*, actor, category) -> None:
    """Delete a category without offerings, sub-categories, catalogs listing it or group tariffs."""
    require_perm(actor, MANAGE)
    cat = locked(Category, category)
    errs = Errors()
    offerings = list(cat.offerings.order_by("code").values_list("code", flat=True).distinct())
    if offerings:
        errs.add(
            "offerings",
            _(
                "Offerings %(codes)s are in this category (retired versions too), so it cannot be "
                "deleted; retire it instead."
            ),
            "in_use",
            codes=_listed(offerings),
        )
    children = list(cat.children.values_list("code", flat=True))
    if children:
        errs.add(
            "children",
            _("It has the sub-categories %(codes)s; delete them or move them elsewhere first."),
            "has_children",
            codes=_listed(children),
        )
    catalogs = list(cat.catalogs.values_list("code", flat=True))
    if catalogs:
        errs.add(
            "catalogs",
            _("The catalogs %(codes)s list this category; remove it from them first."),
            "in_catalog",
            codes=_listed(catalogs),
        )
    tariffs = cat.group_tariffs.count()
    if tariffs:
        errs.add(
            "group_tariffs",
            _("Group tariffs (%(count)s) are given on this category, so it cannot be deleted."),
            "in_use",
            count=tariffs,
        )
    errs.raise_if_any()
    audit_write(action="catalog.category.delete", actor=actor, obj=cat, before=snapshot(cat))
    cat.delete()


@transaction.atomic
def catalog_delete(*, actor, catalog) -> None:
    """Delete a catalog that holds no categories (and so no offerings)."""
    require_perm(actor, MANAGE)
    cat = locked(Catalog, catalog)
    errs = Errors()
    categories = list(cat.categories.values_list("code", flat=True))
    if categories:
        errs.add(
            "categories",
            _("This catalog still holds the categories %(codes)s; remove them from it first."),
            "not_empty",
            codes=_listed(categories),
        )
    errs.raise_if_any()
    audit_write(action="catalog.catalog.delete", actor=actor, obj=cat, before=snapshot(cat))
    cat.delete()
