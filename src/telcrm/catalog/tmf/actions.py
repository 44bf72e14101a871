"""Writes of the TMF620 API that take more than one catalog action: each is one transaction over the
catalog actions (``telcrm.catalog.actions``), which validate, change and audit as they do for the UI.

- A resource created without our ``code`` gets one generated here (``PO-``/``PS-``/``CAT-``/``CL-`` and
  eight hex digits); the action still checks that it is unique.
- An offering's ``productOfferingPrice`` references attach prices that exist on their own (TMF620
  lets a client create the prices first); ``bundledProductOffering`` sets a bundle's members;
  ``lifecycleStatus`` moves the version through the catalog's own transitions: Active →
  ``offering_activate``, Retired → ``offering_retire``, In design on a version on sale or retired →
  ``offering_new_version``.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.errors import field_error

from .. import actions
from ..models import (
    Catalog,
    Category,
    LifecycleStatus,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)

MANAGE = "catalog.manage_catalog"
DRAFT, ACTIVE, RETIRED = LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE, LifecycleStatus.RETIRED
PREFIXES = {ProductOffering: "PO", ProductSpecification: "PS", Category: "CAT", Catalog: "CL"}


def new_code(model) -> str:
    """A code no row of ``model`` has yet, e.g. ``PO-3F9A07C2``."""
    while True:
        code = f"{PREFIXES[model]}-{secrets.token_hex(4).upper()}"
        if not model.objects.filter(code=code).exists():
            return code


# --- specifications, categories, catalogs -----------------------------------------------------------
def specification_create(*, actor, code: str = "", **data) -> ProductSpecification:
    require_perm(actor, MANAGE)
    return actions.specification_save(actor=actor, code=code or new_code(ProductSpecification), **data)


def category_create(*, actor, code: str = "", **data) -> Category:
    require_perm(actor, MANAGE)
    return actions.category_save(actor=actor, code=code or new_code(Category), **data)


def catalog_create(*, actor, code: str = "", **data) -> Catalog:
    require_perm(actor, MANAGE)
    return actions.catalog_save(actor=actor, code=code or new_code(Catalog), **data)


# --- offerings ----------------------------------------------------------------------------------------
@transaction.atomic
def offering_create(
    *,
    actor,
    code: str = "",
    fields: dict,
    prices=(),
    members=None,
    lifecycle: str | None = None,
    reason: str = "",
) -> ProductOffering:
    """A new offering (a draft) with its prices attached and bundle members set, activated when asked.

    ``prices``: ids of prices that exist on their own; ``members``: ``[(offering id, min, max)]``.
    """
    require_perm(actor, MANAGE)
    offering = actions.offering_create(actor=actor, code=code or new_code(ProductOffering), **fields)
    _attach_prices(actor, offering, prices or ())
    if members:
        _set_members(actor, offering, members)
    return _transition(actor, offering, lifecycle, reason)


@transaction.atomic
def offering_update(
    *,
    actor,
    offering: ProductOffering,
    fields: dict,
    prices=None,
    members=None,
    lifecycle: str | None = None,
    reason: str = "",
) -> ProductOffering:
    """Change an offering version as the catalog does (a draft in place; a version on sale through a
    new draft version, which is returned), then move it to ``lifecycle`` when that is given."""
    require_perm(actor, MANAGE)
    prices = list(prices or ())
    target = offering
    structural = bool(fields) or _prices_to_attach(offering, prices) or _members_change(offering, members)
    if structural and (fields or offering.lifecycle_status != DRAFT):
        # a draft changes in place; an active version gives a new draft; a retired one is refused
        target = actions.offering_update(actor=actor, offering=offering, **fields)
    _attach_prices(actor, target, prices, source=offering)
    if members is not None and _members_change(target, members):
        _set_members(actor, target, members)
    return _transition(actor, target, lifecycle, reason)


def _prices_to_attach(offering: ProductOffering, price_ids) -> bool:
    """Whether any of ``price_ids`` is not a price of ``offering`` yet (then the offering changes)."""
    ids = set(price_ids)
    if not ids:
        return False
    owners = list(ProductOfferingPrice.objects.filter(pk__in=ids).values_list("offering_id", flat=True))
    return len(owners) != len(ids) or any(owner != offering.pk for owner in owners)


def _attach_prices(
    actor, target: ProductOffering, price_ids, *, source: ProductOffering | None = None
) -> None:
    """Attach the prices that exist on their own; a price of ``target`` (or of the version it was copied
    from) is kept as it is; any other price is an error naming ``prices``."""
    ids = list(dict.fromkeys(price_ids))
    if not ids:
        return
    rows = {p.pk: p for p in ProductOfferingPrice.objects.filter(pk__in=ids)}
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            raise field_error("prices", _("There is no price with id %(id)s."), "unknown", id=pk)
        if row.offering_id is not None and row.offering_id in (target.pk, getattr(source, "pk", None)):
            continue
        if row.offering_id is not None:
            raise field_error("prices", _("The price %(id)s belongs to another offering."), "attached", id=pk)
        actions.price_attach(actor=actor, price=row, offering=target)


def _wanted_members(members) -> dict:
    rows = {o.pk: o for o in ProductOffering.objects.filter(pk__in=[m[0] for m in members])}
    wanted = {}
    for pk, lo, hi in members:
        row = rows.get(pk)
        if row is None:
            raise field_error("member", _("There is no product offering with id %(id)s."), "unknown", id=pk)
        wanted[row.code] = (row, lo, hi)
    return wanted


def _members_change(offering: ProductOffering, members) -> bool:
    if members is None:
        return False
    current = {
        m.member.code: (m.min_qty, m.max_qty) for m in offering.bundle_members.select_related("member")
    }
    wanted = {code: (lo, hi) for code, (_row, lo, hi) in _wanted_members(members).items()}
    return current != wanted


def _set_members(actor, target: ProductOffering, members) -> None:
    """Make the bundle's members the given ones (by offering code; quantities from the option)."""
    wanted = _wanted_members(members)
    current = {m.member.code: m for m in target.bundle_members.select_related("member")}
    for code, row in current.items():
        if code not in wanted or wanted[code][1:] != (row.min_qty, row.max_qty):
            actions.bundle_member_remove(actor=actor, bundle=target, member_row=row)
    for code, (member, lo, hi) in wanted.items():
        kept = current.get(code)
        if kept is None or (kept.min_qty, kept.max_qty) != (lo, hi):
            actions.bundle_member_add(actor=actor, bundle=target, member=member, min_qty=lo, max_qty=hi)


def _transition(actor, target: ProductOffering, lifecycle: str | None, reason: str) -> ProductOffering:
    if lifecycle is None or lifecycle == target.lifecycle_status:
        return target
    if lifecycle == ACTIVE:
        if target.lifecycle_status == RETIRED:
            raise field_error(
                "lifecycle_status",
                _("A retired version cannot go back on sale; make a new version, then activate it."),
                "retired",
            )
        return actions.offering_activate(actor=actor, offering=target)
    if lifecycle == RETIRED:
        return actions.offering_retire(actor=actor, offering=target, reason=reason)
    return actions.offering_new_version(actor=actor, offering=target)
