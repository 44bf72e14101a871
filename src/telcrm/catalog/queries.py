"""Reads of the catalog. Offerings, prices and categories are installation-wide (every role with
catalog.view_catalog sees the whole catalog); group tariffs belong to a customer and are read through
``GroupTariff.objects.restrict(actor)``, the data scope."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import field_error

from .models import (
    BundledOffering,
    Category,
    GroupTariff,
    LifecycleStatus,
    OfferingKind,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    TariffStatus,
)


# --- offerings ------------------------------------------------------------------------------------
def _on_sale_at(at) -> Q:
    """The version of a code that was on sale at ``at``: activated by then and not yet retired."""
    return Q(activated_at__lte=at) & (Q(retired_at__isnull=True) | Q(retired_at__gt=at))


def offerings_by_code(codes, *, at=None) -> dict[str, ProductOffering]:
    """{code: the version on sale at ``at``} for the codes that had one (one query)."""
    at = at or timezone.now()
    codes = {c for c in codes if c}
    if not codes:
        return {}
    out: dict[str, ProductOffering] = {}
    rows = (
        ProductOffering.objects.filter(code__in=codes)
        .filter(_on_sale_at(at))
        .exclude(lifecycle_status=LifecycleStatus.DRAFT)
        .order_by("code", "-version")
    )
    for row in rows:
        out.setdefault(row.code, row)
    return out


def offering(code: str, *, at=None) -> ProductOffering:
    """The version of offering ``code`` on sale at ``at`` (default now): the active version now, the
    version that was active then for a past moment. A ValidationError on field ``offering`` (code
    ``not_on_sale``) when there is none."""
    found = offerings_by_code([code], at=at).get(code)
    if found is None:
        raise field_error(
            "offering", _("Offering %(offering)s is not on sale."), "not_on_sale", offering=code
        )
    return found


def offering_get(pk) -> ProductOffering:
    return ProductOffering.objects.select_related("specification", "created_by").get(pk=pk)


def offering_versions(code: str):
    return ProductOffering.objects.filter(code=code).order_by("-version")


def offering_list(*, q: str = "", kind: str = "", status: str = "", category=None, latest: bool = True):
    """Offerings for the product managers' list: by default one row per code (its newest version)."""
    qs = ProductOffering.objects.select_related("specification")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(lifecycle_status=status)
    if category:
        qs = qs.filter(categories=category)
    if latest and not status:
        # the newest version of each code, whatever its state
        newest = ProductOffering.objects.filter(code=OuterRef("code")).order_by("-version").values("pk")[:1]
        qs = qs.filter(pk=Subquery(newest))
    return qs.annotate(n_prices=Count("prices", distinct=True)).order_by("sort", "code", "-version")


def sellable(*, at=None, kind: str = "", q: str = "", category=None, channel: str = ""):
    """Active offerings valid at ``at`` (what a clerk can offer), with prices and categories prefetched."""
    at = at or timezone.now()
    qs = ProductOffering.objects.active().valid_at(at)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    if category:
        qs = qs.filter(categories__in=category_ids_below(category)).distinct()
    return qs.prefetch_related(
        "categories",
        Prefetch(
            "prices", queryset=ProductOfferingPrice.objects.order_by("sort", "price_type", "valid_from")
        ),
    ).order_by("sort", "code")


def offering_detail(pk):
    """One version with what the detail page shows."""
    return (
        ProductOffering.objects.select_related("specification", "created_by")
        .prefetch_related(
            "categories",
            Prefetch(
                "prices", queryset=ProductOfferingPrice.objects.order_by("price_type", "valid_from", "id")
            ),
            Prefetch(
                "bundle_members",
                queryset=BundledOffering.objects.select_related("member").order_by("sort", "id"),
            ),
        )
        .get(pk=pk)
    )


def addons_for(offering_row: ProductOffering, *, at=None) -> list[ProductOffering]:
    """Active add-ons that can be added to ``offering_row`` (by its code or its kind)."""
    rows = sellable(at=at, kind=OfferingKind.ADD_ON)
    return [
        a
        for a in rows
        if offering_row.code in (a.applies_to_codes or []) or offering_row.kind in (a.applies_to_kinds or [])
    ]


# --- categories and specifications ---------------------------------------------------------------
def category_ids_below(category) -> set[int]:
    from .actions.tariffs import category_and_descendants

    return category_and_descendants(category.pk if isinstance(category, Category) else int(category))


def category_tree() -> list[tuple[Category, int]]:
    """Every category in tree order with its depth (one query)."""
    rows = list(
        Category.objects.annotate(n_offerings=Count("offerings", distinct=True)).order_by("sort", "code")
    )
    children: dict[int | None, list[Category]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Category, int]] = []

    def walk(parent, depth):
        for c in children.get(parent, []):
            out.append((c, depth))
            if depth < 20:
                walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def specification_list(*, q: str = "", kind: str = ""):
    qs = ProductSpecification.objects.annotate(n_offerings=Count("offerings", distinct=True))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(brand__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "code")


# --- group tariffs --------------------------------------------------------------------------------
def tariff_list(actor, *, status: str = "", customer=None, q: str = "", mine: bool = False):
    qs = GroupTariff.objects.restrict(actor).select_related(
        "customer", "category", "requested_by", "approved_by", "org_unit"
    )
    if status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(customer=customer)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__customer_no=q)
            | Q(offering_code=q)
        )
    if mine:
        qs = qs.filter(requested_by=actor)
    return qs.order_by("-id")


def tariff_get(actor, pk) -> GroupTariff:
    from telcrm.platform.actions import access

    return access(
        GroupTariff.objects.select_related("customer", "category", "requested_by", "approved_by", "org_unit"),
        actor,
        pk,
    )


def tariffs_awaiting(actor):
    """Pending tariffs the actor may decide (in scope, not requested by them)."""
    if not actor.has_perm("catalog.approve_discount"):
        return GroupTariff.objects.none()
    return tariff_list(actor, status=TariffStatus.PENDING).exclude(requested_by=actor)
