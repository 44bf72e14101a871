"""Prices of offerings (ProductOfferingPrice): one-off, recurring per month, usage per unit, in fen.

For one offering and price type (usage prices: and unit) the validity periods ``[valid_from, valid_to)``
must follow each other without overlap and without a gap from the first start to the last end; a price
that breaks this is refused with the error on the field that causes it (``valid_from`` or ``valid_to``).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error

from ..models import (
    LifecycleStatus,
    PriceType,
    ProductOffering,
    ProductOfferingPrice,
    RecurringPeriod,
    UsageUnit,
)
from ._common import (
    MANAGE,
    Errors,
    clean_choice,
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

PRICE_FIELDS = (
    "name",
    "name_en",
    "description",
    "price_type",
    "amount_fen",
    "recurring_period",
    "usage_unit",
    "unit_amount",
    "valid_from",
    "valid_to",
    "sort",
    "extra",
)
MAX_FEN = 10**12  # ten billion yuan: anything above is a typing error


def _moment_text(value) -> str:
    if value is None:
        return "…"
    local = timezone.localtime(value)
    return formats.date_format(local, "Y-m-d" if local.time() == dt.time.min else "Y-m-d H:i")


def _period_text(p) -> str:
    return f"{_moment_text(p.valid_from)} – {_moment_text(p.valid_to)}"


def check_price_periods(prices, *, changed=None) -> None:
    """Raise a field error when, for one price type, two periods overlap or leave a gap.

    ``prices`` are the offering's prices (with ``changed`` already among them, holding its new values);
    the error names ``valid_from`` when the changed price starts wrongly, ``valid_to`` when it ends
    wrongly.
    """
    lo = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
    by_type: dict[tuple, list] = {}
    for p in prices:  # usage prices form one chain per unit (data by MB, calls by minute, …)
        unit = p.usage_unit if p.price_type == PriceType.USAGE else ""
        by_type.setdefault((p.price_type, unit), []).append(p)
    for (price_type, _unit), group in by_type.items():
        group.sort(key=lambda p: (p.valid_from or lo, p.pk or 0))
        for a, b in itertools.pairwise(group):
            a_end, b_start = a.valid_to, b.valid_from
            field = "valid_to" if changed is not None and a is changed else "valid_from"
            other = b if field == "valid_to" else a
            type_label = PriceType(price_type).label
            if a_end is None or b_start is None or b_start < a_end:
                raise field_error(
                    field,
                    _("This period overlaps the price “%(name)s” (%(type)s, %(period)s)."),
                    "overlap",
                    type=type_label,
                    name=other.name,
                    period=_period_text(other),
                )
            if b_start > a_end:
                raise field_error(
                    field,
                    _(
                        "Prices of type “%(type)s” leave a gap from %(start)s to %(end)s; a price must start "
                        "when the previous one ends."
                    ),
                    "gap",
                    type=type_label,
                    start=_moment_text(a_end),
                    end=_moment_text(b_start),
                )


def _require_changeable(offering: ProductOffering | None) -> None:
    if offering is not None and offering.lifecycle_status != LifecycleStatus.DRAFT:
        raise field_error(
            "offering",
            _(
                "Prices of a version on sale or retired cannot change; "
                "edit the offering to make a new version."
            ),
            "not_draft",
        )


def _clean_price(errs: Errors, price: ProductOfferingPrice, data: dict) -> None:
    for key in sorted(set(data) - set(PRICE_FIELDS)):
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if "name" in data:
        price.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "name_en" in data:
        price.name_en = clean_text(errs, data["name_en"], "name_en", max_length=100)
    if "description" in data:
        price.description = clean_long_text(errs, data["description"], "description")
    if "price_type" in data:
        price.price_type = clean_choice(errs, data["price_type"], "price_type", PriceType)
    if "amount_fen" in data:
        amount = clean_int(errs, data["amount_fen"], "amount_fen", min_value=0, max_value=MAX_FEN)
        price.amount_fen = amount if amount is not None else price.amount_fen
    if "recurring_period" in data:
        price.recurring_period = clean_choice(
            errs, data["recurring_period"], "recurring_period", RecurringPeriod, required=False
        )
    if "usage_unit" in data:
        price.usage_unit = clean_choice(errs, data["usage_unit"], "usage_unit", UsageUnit, required=False)
    if "unit_amount" in data:
        price.unit_amount = (
            clean_int(errs, data["unit_amount"], "unit_amount", min_value=1, max_value=10**9, default=1) or 1
        )
    if "valid_from" in data:
        price.valid_from = clean_moment(errs, data["valid_from"], "valid_from")
    if "valid_to" in data:
        price.valid_to = clean_moment(errs, data["valid_to"], "valid_to")
    clean_period(errs, price.valid_from, price.valid_to)
    if "sort" in data:
        price.sort = clean_int(errs, data["sort"], "sort", min_value=0, max_value=1000, default=0) or 0
    if "extra" in data:
        price.extra = clean_json(errs, data["extra"], "extra", dict, default={})
    # the type decides which of period and unit apply
    if price.price_type == PriceType.RECURRING:
        price.recurring_period = price.recurring_period or RecurringPeriod.MONTH
        if price.usage_unit:
            errs.add("usage_unit", _("Only a usage price has a unit."), "not_usage")
    elif price.price_type == PriceType.USAGE:
        if not price.usage_unit:
            errs.add("usage_unit", _("Choose the unit a usage price is charged by."), "required")
        if price.recurring_period:
            errs.add("recurring_period", _("Only a recurring price has a period."), "not_recurring")
    elif price.price_type == PriceType.ONE_OFF:
        if price.usage_unit:
            errs.add("usage_unit", _("Only a usage price has a unit."), "not_usage")
        if price.recurring_period:
            errs.add("recurring_period", _("Only a recurring price has a period."), "not_recurring")


def _check_with_siblings(errs: Errors, price: ProductOfferingPrice) -> None:
    if price.offering_id is None or not price.price_type or "valid_from" in errs or "valid_to" in errs:
        return
    siblings = [p for p in price.offering.prices.all() if p.pk != price.pk]
    with errs.collect():
        check_price_periods([*siblings, price], changed=price)


@transaction.atomic
def price_create(*, actor, offering=None, **data) -> ProductOfferingPrice:
    """Add a price to a draft offering (or, with ``offering`` None, a price on its own)."""
    require_perm(actor, MANAGE)
    target = None
    if offering is not None:
        target = locked(ProductOffering, offering)
        _require_changeable(target)
    errs = Errors()
    data.setdefault("name", "")
    data.setdefault("price_type", "")
    data.setdefault("amount_fen", None)
    price = ProductOfferingPrice(
        offering=target,
        lifecycle_status=LifecycleStatus.DRAFT,
        version=str(target.version) if target else "1",
    )
    _clean_price(errs, price, data)
    _check_with_siblings(errs, price)
    errs.raise_if_any()
    price.save()
    audit_write(
        action="catalog.price.create",
        actor=actor,
        obj=target or price,
        after={"price": price.pk, **snapshot(price)},
    )
    return price


@transaction.atomic
def price_update(*, actor, price, **data) -> ProductOfferingPrice:
    require_perm(actor, MANAGE)
    row = locked(
        ProductOfferingPrice, price, queryset=ProductOfferingPrice.objects.select_related("offering")
    )
    _require_changeable(row.offering)
    if row.offering is None and row.lifecycle_status != LifecycleStatus.DRAFT:
        raise field_error("lifecycle_status", _("Only a draft price can change."), "not_draft")
    before = snapshot(row)
    errs = Errors()
    _clean_price(errs, row, data)
    _check_with_siblings(errs, row)
    errs.raise_if_any()
    row.save()
    audit_write(
        action="catalog.price.update",
        actor=actor,
        obj=row.offering or row,
        before={"price": row.pk, **before},
        after={"price": row.pk, **snapshot(row)},
    )
    return row


@transaction.atomic
def price_delete(*, actor, price) -> None:
    require_perm(actor, MANAGE)
    row = locked(
        ProductOfferingPrice, price, queryset=ProductOfferingPrice.objects.select_related("offering")
    )
    _require_changeable(row.offering)
    if row.offering_id is not None:
        rest = [p for p in row.offering.prices.all() if p.pk != row.pk]
        try:
            check_price_periods(rest)
        except ValidationError as exc:  # removing a middle period would leave a gap
            raise field_error(
                "price",
                _("Removing this price would leave a gap in the validity of the offering's prices."),
                "gap",
            ) from exc
    audit_write(
        action="catalog.price.delete",
        actor=actor,
        obj=row.offering or row,
        before={"price": row.pk, **snapshot(row)},
    )
    row.delete()


@transaction.atomic
def price_attach(*, actor, price, offering) -> ProductOfferingPrice:
    """Attach a price that exists on its own to a draft offering (TMF620 lets prices come first)."""
    require_perm(actor, MANAGE)
    row = locked(ProductOfferingPrice, price)
    if row.offering_id is not None:
        raise field_error("offering", _("This price belongs to an offering already."), "attached")
    target = locked(ProductOffering, pk_of(offering))
    _require_changeable(target)
    row.offering = target
    errs = Errors()
    _check_with_siblings(errs, row)
    errs.raise_if_any()
    row.save(update_fields=["offering", "last_update"])
    audit_write(action="catalog.price.attach", actor=actor, obj=target, after={"price": row.pk})
    return row
