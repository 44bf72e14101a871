"""Offerings with their versions and lifecycle, and the members of bundles (RES-3).

An offering is one row per version. A draft is edited in place; editing an active version makes a
new draft (version + 1, prices, categories and bundle members copied) and changes that; activating
a draft retires the active version of the same code; a retired version never changes again, so an
order pointing at it shows the plan exactly as it was sold.

Specifications, categories and catalogs are in :mod:`.catalogs` (their actions are re-exported here).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error

from ..models import (
    BundledOffering,
    Category,
    LifecycleStatus,
    OfferingKind,
    PriceType,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
)
from ._common import (
    MANAGE,
    Errors,
    clean_choice,
    clean_choices,
    clean_code,
    clean_int,
    clean_json,
    clean_long_text,
    clean_moment,
    clean_period,
    clean_text,
    locked,
    pk_of,
    require_perm,
    snapshot,
)
from .catalogs import (  # noqa: F401  (re-exported: they lived here before)
    _resolve_category,
    catalog_delete,
    catalog_save,
    category_delete,
    category_save,
    specification_delete,
    specification_save,
)
from .prices import check_price_periods

DRAFT, ACTIVE, RETIRED = LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE, LifecycleStatus.RETIRED
# kinds an add-on may be added to
BASE_KINDS = (OfferingKind.PLAN, OfferingKind.BROADBAND, OfferingKind.BUNDLE)


# --- offerings ------------------------------------------------------------------------------------
OFFERING_FIELDS = (
    "name",
    "name_en",
    "description",
    "kind",
    "categories",
    "specification",
    "valid_from",
    "valid_to",
    "is_bundle",
    "applies_to_codes",
    "applies_to_kinds",
    "channels",
    "features",
    "commitment_months",
    "sort",
    "extra",
)


def offering_state(offering: ProductOffering) -> dict:
    """Snapshot of an offering version with its categories, prices and bundle members (for the audit)."""
    out = snapshot(offering)
    out["categories"] = sorted(offering.categories.values_list("code", flat=True))
    out["prices"] = [
        snapshot(p, ["name", "price_type", "amount_fen", "valid_from", "valid_to", "usage_unit"])
        for p in offering.prices.order_by("id")
    ]
    out["bundle_members"] = [
        [m.member.code, m.member.version, m.min_qty, m.max_qty, m.optional]
        for m in offering.bundle_members.select_related("member").order_by("id")
    ]
    return out


def _resolve_spec(errs: Errors, value) -> ProductSpecification | None:
    if value in (None, ""):
        return None
    if isinstance(value, ProductSpecification):
        found = value
    else:
        qs = ProductSpecification.objects.all()
        try:
            found = (
                qs.filter(code=value).first()
                if isinstance(value, str) and not value.isdigit()
                else qs.filter(pk=int(value)).first()
            )
        except (TypeError, ValueError):
            found = None
    if found is None:
        errs.add("specification", _("Choose a product specification from the list."), "invalid")
    elif found.lifecycle_status == RETIRED:
        errs.add("specification", _("This specification is retired."), "retired")
    return found


def _clean_offering(errs: Errors, offering: ProductOffering, data: dict) -> dict:
    """Apply the given fields to ``offering`` (not saved); returns {"categories": [...]} when given."""
    extra: dict = {}
    for key in sorted(set(data) - set(OFFERING_FIELDS)):
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if "name" in data:
        offering.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "name_en" in data:
        offering.name_en = clean_text(errs, data["name_en"], "name_en", max_length=100)
    if "description" in data:
        offering.description = clean_long_text(errs, data["description"], "description")
    if "kind" in data:
        offering.kind = clean_choice(errs, data["kind"], "kind", OfferingKind)
    if "specification" in data:
        offering.specification = _resolve_spec(errs, data["specification"])
    if "valid_from" in data:
        offering.valid_from = clean_moment(errs, data["valid_from"], "valid_from")
    if "valid_to" in data:
        offering.valid_to = clean_moment(errs, data["valid_to"], "valid_to")
    clean_period(errs, offering.valid_from, offering.valid_to)
    if "is_bundle" in data:
        offering.is_bundle = bool(data["is_bundle"])
    if offering.kind == OfferingKind.BUNDLE:
        offering.is_bundle = True
    if "channels" in data:
        offering.channels = clean_choices(errs, data["channels"], "channels", SalesChannel)
    if "applies_to_kinds" in data:
        offering.applies_to_kinds = clean_choices(
            errs, data["applies_to_kinds"], "applies_to_kinds", OfferingKind
        )
        if OfferingKind.ADD_ON in offering.applies_to_kinds:
            errs.add("applies_to_kinds", _("An add-on is added to a plan, not to another add-on."), "invalid")
    if "applies_to_codes" in data:
        codes = data["applies_to_codes"] or []
        if isinstance(codes, str):
            codes = [c for c in codes.replace(",", " ").split() if c]
        try:
            codes = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
        except TypeError:
            codes = []
            errs.add("applies_to_codes", _("Enter offering codes."), "invalid")
        known = dict(ProductOffering.objects.filter(code__in=codes).values_list("code", "kind").distinct())
        unknown = [c for c in codes if c not in known]
        if unknown:
            errs.add(
                "applies_to_codes",
                _("Unknown offering codes: %(codes)s."),
                "unknown",
                codes=", ".join(unknown),
            )
        elif any(known[c] == OfferingKind.ADD_ON for c in codes):
            errs.add("applies_to_codes", _("An add-on is added to a plan, not to another add-on."), "invalid")
        offering.applies_to_codes = codes
    if offering.kind != OfferingKind.ADD_ON and (offering.applies_to_codes or offering.applies_to_kinds):
        field = "applies_to_codes" if offering.applies_to_codes else "applies_to_kinds"
        errs.add(field, _("Only an add-on names the offerings it can be added to."), "not_add_on")
    if "features" in data:
        offering.features = clean_json(errs, data["features"], "features", dict, default={})
    if "commitment_months" in data:
        offering.commitment_months = (
            clean_int(
                errs, data["commitment_months"], "commitment_months", min_value=0, max_value=120, default=0
            )
            or 0
        )
    if "sort" in data:
        offering.sort = (
            clean_int(errs, data["sort"], "sort", min_value=0, max_value=1_000_000, default=0) or 0
        )
    if "extra" in data:
        offering.extra = clean_json(errs, data["extra"], "extra", dict, default={})
    if "categories" in data:
        values = data["categories"] or []
        if isinstance(values, str | int | Category):
            values = [values]
        extra["categories"] = [
            c for c in (_resolve_category(errs, v, "categories") for v in values) if c is not None
        ]
    return extra


@transaction.atomic
def offering_create(*, actor, code: str, **data) -> ProductOffering:
    """A new offering: version 1, a draft (add prices, then activate it)."""
    require_perm(actor, MANAGE)
    errs = Errors()
    code = clean_code(errs, code)
    if code and ProductOffering.objects.filter(code=code).exists():
        errs.add("code", _("An offering with this code exists; edit it to make a new version."), "duplicate")
    data.setdefault("name", "")
    data.setdefault("kind", "")
    offering = ProductOffering(code=code, version=1, lifecycle_status=DRAFT, created_by=actor)
    extra = _clean_offering(errs, offering, data)
    errs.raise_if_any()
    offering.save()
    if "categories" in extra:
        offering.categories.set(extra["categories"])
    audit_write(action="catalog.offering.create", actor=actor, obj=offering, after=offering_state(offering))
    return offering


def _lock_offering(offering) -> ProductOffering:
    return locked(ProductOffering, offering, queryset=ProductOffering.objects.select_related("specification"))


def _next_version(code: str) -> int:
    return (ProductOffering.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1


def _active_member(code: str) -> ProductOffering | None:
    return ProductOffering.objects.filter(code=code, lifecycle_status=ACTIVE).first()


def _copy_version(actor, source: ProductOffering) -> ProductOffering:
    draft = ProductOffering.objects.filter(code=source.code, lifecycle_status=DRAFT).first()
    if draft is not None:
        raise field_error(
            "version",
            _("Version %(version)s of this offering is already being prepared; edit that draft."),
            "draft_exists",
            version=draft.version,
        )
    copy = ProductOffering.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy.version = _next_version(source.code)
    copy.lifecycle_status = DRAFT
    copy.activated_at = copy.retired_at = None
    copy.created_by = actor
    copy.created_at = timezone.now()
    copy.extra = dict(source.extra or {}, copied_from_version=source.version)
    copy._state.adding = True
    copy.save()
    copy.categories.set(source.categories.all())
    ProductOfferingPrice.objects.bulk_create(
        [
            ProductOfferingPrice(
                offering=copy,
                name=p.name,
                name_en=p.name_en,
                description=p.description,
                price_type=p.price_type,
                amount_fen=p.amount_fen,
                recurring_period=p.recurring_period,
                usage_unit=p.usage_unit,
                unit_amount=p.unit_amount,
                valid_from=p.valid_from,
                valid_to=p.valid_to,
                lifecycle_status=DRAFT,
                version=str(copy.version),
                sort=p.sort,
                extra=p.extra,
            )
            for p in source.prices.all()
        ]
    )
    members = []
    for m in source.bundle_members.select_related("member"):
        current = (
            _active_member(m.member.code) or m.member
        )  # a member re-versioned since: its current version
        members.append(
            BundledOffering(
                bundle=copy,
                member=current,
                min_qty=m.min_qty,
                max_qty=m.max_qty,
                optional=m.optional,
                sort=m.sort,
            )
        )
    BundledOffering.objects.bulk_create(members)
    return copy


@transaction.atomic
def offering_new_version(*, actor, offering) -> ProductOffering:
    """A new draft version of an active (or retired) offering, with its prices and links copied."""
    require_perm(actor, MANAGE)
    source = _lock_offering(offering)
    if source.lifecycle_status == DRAFT:
        raise field_error("lifecycle_status", _("This version is a draft already; edit it."), "is_draft")
    copy = _copy_version(actor, source)
    audit_write(
        action="catalog.offering.new_version",
        actor=actor,
        obj=copy,
        after={"from_version": source.version, **offering_state(copy)},
    )
    return copy


@transaction.atomic
def offering_update(*, actor, offering, **data) -> ProductOffering:
    """Change an offering. A draft changes in place; an active version is left as it is and the changes
    go to a new draft version (returned); a retired version cannot change."""
    require_perm(actor, MANAGE)
    current = _lock_offering(offering)
    if current.lifecycle_status == RETIRED:
        raise field_error(
            "lifecycle_status",
            _("A retired version cannot change; edit the current version of %(offering)s."),
            "retired",
            offering=current.code,
        )
    target = _copy_version(actor, current) if current.lifecycle_status == ACTIVE else current
    before = offering_state(target) if target is current else None
    errs = Errors()
    extra = _clean_offering(errs, target, data)
    errs.raise_if_any()
    target.save()
    if "categories" in extra:
        target.categories.set(extra["categories"])
    if before is None:
        audit_write(
            action="catalog.offering.new_version",
            actor=actor,
            obj=target,
            after={"from_version": current.version, **offering_state(target)},
        )
    else:
        audit_write(
            action="catalog.offering.update",
            actor=actor,
            obj=target,
            before=before,
            after=offering_state(target),
        )
    return target


def activation_problems(offering: ProductOffering, *, at=None) -> Errors:
    """What stops ``offering`` (a draft) from being activated, as field errors."""
    errs = Errors()
    at = at or timezone.now()
    prices = list(offering.prices.all())
    if not prices:
        errs.add("prices", _("Add at least one price before activating the offering."), "no_price")
    else:
        with errs.collect():
            check_price_periods(prices)
        if not any(p.price_type in (PriceType.ONE_OFF, PriceType.RECURRING) for p in prices):
            errs.add("prices", _("Add a one-off or a recurring price before activating."), "no_price")
    if offering.valid_to is not None and offering.valid_to <= at:
        errs.add("valid_to", _("The validity period has ended; set a later end date."), "expired")
    if offering.specification_id and offering.specification.lifecycle_status == RETIRED:
        errs.add("specification", _("This specification is retired."), "retired")
    if offering.kind == OfferingKind.ADD_ON and not (offering.applies_to_codes or offering.applies_to_kinds):
        errs.add(
            "applies_to_codes",
            _("Say which plans or kinds of offering this add-on can be added to."),
            "no_applicability",
        )
    if offering.is_bundle:
        members = list(offering.bundle_members.select_related("member"))
        if not members:
            errs.add("bundle_members", _("A bundle needs at least one member offering."), "no_members")
        codes = {m.member.code for m in members}
        active = set(
            ProductOffering.objects.filter(code__in=codes, lifecycle_status=ACTIVE).values_list(
                "code", flat=True
            )
        )
        for m in members:
            if m.member.code in active:
                continue
            if (
                m.member.lifecycle_status == RETIRED
                or ProductOffering.objects.filter(code=m.member.code, lifecycle_status=RETIRED).exists()
            ):
                errs.add(
                    "bundle_members",
                    _("The member %(offering)s (%(name)s) is retired; remove it or choose its successor."),
                    "member_retired",
                    offering=m.member.code,
                    name=m.member.name,
                )
            else:
                errs.add(
                    "bundle_members",
                    _("The member %(offering)s (%(name)s) is not on sale yet; activate it first."),
                    "member_inactive",
                    offering=m.member.code,
                    name=m.member.name,
                )
    return errs


@transaction.atomic
def offering_activate(*, actor, offering) -> ProductOffering:
    """Put a draft version on sale; the version of the same code that was active is retired."""
    require_perm(actor, MANAGE)
    current = _lock_offering(offering)
    if current.lifecycle_status != DRAFT:
        raise field_error(
            "lifecycle_status",
            _("Only a draft can be activated (this version is %(status)s)."),
            "not_draft",
            status=current.get_lifecycle_status_display(),
        )
    activation_problems(current).raise_if_any()
    now = timezone.now()
    previous = (
        ProductOffering.objects.select_for_update()
        .filter(code=current.code, lifecycle_status=ACTIVE)
        .exclude(pk=current.pk)
        .first()
    )
    if previous is not None:
        before = snapshot(previous)
        previous.lifecycle_status = RETIRED
        previous.retired_at = now
        previous.save(update_fields=["lifecycle_status", "retired_at", "last_update"])
        previous.prices.exclude(lifecycle_status=RETIRED).update(lifecycle_status=RETIRED)
        audit_write(
            action="catalog.offering.retire",
            actor=actor,
            obj=previous,
            before=before,
            after={**snapshot(previous), "succeeded_by_version": current.version},
        )
    before = snapshot(current)
    current.lifecycle_status = ACTIVE
    current.activated_at = now
    try:
        with transaction.atomic():
            current.save(update_fields=["lifecycle_status", "activated_at", "last_update"])
    except IntegrityError as exc:  # another version was activated at the same moment
        raise field_error(
            "lifecycle_status", _("Another version of this offering was activated meanwhile."), "conflict"
        ) from exc
    current.prices.filter(lifecycle_status=DRAFT).update(lifecycle_status=ACTIVE)
    audit_write(
        action="catalog.offering.activate", actor=actor, obj=current, before=before, after=snapshot(current)
    )
    return current


@transaction.atomic
def offering_retire(*, actor, offering, reason: str = "") -> ProductOffering:
    """Take an active version off sale (it stays as history for the orders that sold it)."""
    require_perm(actor, MANAGE)
    current = _lock_offering(offering)
    if current.lifecycle_status != ACTIVE:
        raise field_error(
            "lifecycle_status",
            _("Only an active version can be retired (this version is %(status)s)."),
            "not_active",
            status=current.get_lifecycle_status_display(),
        )
    bundles = sorted(
        set(
            BundledOffering.objects.filter(
                member__code=current.code, bundle__lifecycle_status=ACTIVE
            ).values_list("bundle__code", flat=True)
        )
    )
    if bundles:
        raise field_error(
            "lifecycle_status",
            _("It is a member of the active bundle(s) %(codes)s; retire or change them first."),
            "in_bundle",
            codes=", ".join(bundles),
        )
    before = snapshot(current)
    current.lifecycle_status = RETIRED
    current.retired_at = timezone.now()
    current.save(update_fields=["lifecycle_status", "retired_at", "last_update"])
    current.prices.exclude(lifecycle_status=RETIRED).update(lifecycle_status=RETIRED)
    audit_write(
        action="catalog.offering.retire",
        actor=actor,
        obj=current,
        before=before,
        after={**snapshot(current), "reason": str(reason or "")[:500]},
    )
    return current


@transaction.atomic
def offering_delete(*, actor, offering) -> None:
    """Delete a draft version that nothing refers to."""
    require_perm(actor, MANAGE)
    current = _lock_offering(offering)
    if current.lifecycle_status != DRAFT:
        raise field_error(
            "lifecycle_status",
            _("Only a draft can be deleted; retire an active version instead."),
            "not_draft",
        )
    if BundledOffering.objects.filter(member=current).exists():
        raise field_error("lifecycle_status", _("A bundle lists this draft as a member."), "in_bundle")
    state = offering_state(current)
    audit_write(action="catalog.offering.delete", actor=actor, obj=current, before=state)
    current.delete()


# --- bundle members -------------------------------------------------------------------------------
def _require_draft(offering: ProductOffering, field: str) -> None:
    if offering.lifecycle_status != DRAFT:
        raise field_error(
            field,
            _("Only a draft version can change; edit the offering to make a new version."),
            "not_draft",
        )


@transaction.atomic
def bundle_member_add(
    *, actor, bundle, member, min_qty=1, max_qty=1, optional: bool = False, sort=0
) -> BundledOffering:
    """Add a member offering to a draft bundle (the member's current version)."""
    require_perm(actor, MANAGE)
    target = _lock_offering(bundle)
    _require_draft(target, "bundle_members")
    errs = Errors()
    if not target.is_bundle:
        errs.add("bundle_members", _("This offering is not a bundle."), "not_bundle")
    found = None
    if isinstance(member, ProductOffering):
        found = member
    elif isinstance(member, str) and member.strip():
        code = member.strip()
        found = _active_member(code) or ProductOffering.objects.filter(code=code).order_by("-version").first()
    elif member not in (None, ""):
        found = ProductOffering.objects.filter(pk=pk_of(member)).first() if str(member).isdigit() else None
    if found is None:
        errs.add("member", _("Choose an offering from the catalog."), "invalid")
    else:
        if found.code == target.code:
            errs.add("member", _("A bundle cannot contain itself."), "self")
        elif found.is_bundle:
            errs.add("member", _("A bundle cannot contain another bundle."), "nested")
        elif found.lifecycle_status == RETIRED and _active_member(found.code) is None:
            errs.add("member", _("This offering is retired."), "retired")
        elif target.bundle_members.filter(member__code=found.code).exists():
            errs.add("member", _("This offering is a member already."), "duplicate")
    lo = clean_int(errs, min_qty, "min_qty", min_value=0, max_value=99, default=1)
    hi = clean_int(errs, max_qty, "max_qty", min_value=1, max_value=99, default=1)
    if lo is not None and hi is not None and hi < lo:
        errs.add("max_qty", _("The maximum must not be below the minimum."), "range")
    order = clean_int(errs, sort, "sort", min_value=0, max_value=1000, default=0)
    errs.raise_if_any()
    row = BundledOffering.objects.create(
        bundle=target, member=found, min_qty=lo, max_qty=hi, optional=bool(optional), sort=order or 0
    )
    audit_write(
        action="catalog.bundle.member_add",
        actor=actor,
        obj=target,
        after={
            "member": found.code,
            "version": found.version,
            "min_qty": lo,
            "max_qty": hi,
            "optional": optional,
        },
    )
    return row


@transaction.atomic
def bundle_member_remove(*, actor, bundle, member_row) -> None:
    require_perm(actor, MANAGE)
    target = _lock_offering(bundle)
    _require_draft(target, "bundle_members")
    row = locked(BundledOffering, member_row, queryset=BundledOffering.objects.filter(bundle=target))
    audit_write(
        action="catalog.bundle.member_remove",
        actor=actor,
        obj=target,
        before={"member": row.member.code, "version": row.member.version},
    )
    row.delete()
