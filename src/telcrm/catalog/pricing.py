"""What an order costs: list prices of offering versions and the group tariff that applies.

``quote(customer, items, at=None)`` is what the order module calls. Items are ``(offering or code,
quantity)``; a code is priced at the version on sale at ``at``, an offering row (an old order's
version) as it is. Each line carries the list one-off and monthly charges, the discount of the best
approved group tariff valid that day — the customer's own or, for a member of a group, the group's —
and why it applies. A quote is a fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from telcrm.platform.errors import field_error

from .models import (
    Category,
    GroupTariff,
    PriceType,
    ProductOffering,
    ProductOfferingPrice,
    TariffCharge,
    TariffKind,
    TariffStatus,
)

MAX_QUANTITY = 9999


@dataclass
class QuoteLine:
    offering: ProductOffering  # the version priced
    quantity: int
    unit_one_off_fen: int  # list prices of one unit
    unit_recurring_fen: int  # per month
    unit_discount_one_off_fen: int = 0
    unit_discount_recurring_fen: int = 0
    tariff: GroupTariff | None = None
    why: str = ""
    usage: list[ProductOfferingPrice] = field(default_factory=list)

    # list, discount and net of the line (unit × quantity)
    @property
    def one_off_fen(self) -> int:
        return self.unit_one_off_fen * self.quantity

    @property
    def recurring_fen(self) -> int:
        return self.unit_recurring_fen * self.quantity

    @property
    def list_fen(self) -> int:
        """One-off plus the first month."""
        return self.one_off_fen + self.recurring_fen

    @property
    def discount_one_off_fen(self) -> int:
        return self.unit_discount_one_off_fen * self.quantity

    @property
    def discount_recurring_fen(self) -> int:
        return self.unit_discount_recurring_fen * self.quantity

    @property
    def discount_fen(self) -> int:
        return self.discount_one_off_fen + self.discount_recurring_fen

    @property
    def net_one_off_fen(self) -> int:
        return self.one_off_fen - self.discount_one_off_fen

    @property
    def net_recurring_fen(self) -> int:
        return self.recurring_fen - self.discount_recurring_fen

    @property
    def net_fen(self) -> int:
        return self.list_fen - self.discount_fen

    @property
    def unit_net_recurring_fen(self) -> int:
        return self.unit_recurring_fen - self.unit_discount_recurring_fen

    @property
    def unit_net_one_off_fen(self) -> int:
        return self.unit_one_off_fen - self.unit_discount_one_off_fen


@dataclass
class Quote:
    customer: object
    at: object
    lines: list[QuoteLine]

    def _sum(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)

    @property
    def one_off_fen(self) -> int:
        return self._sum("one_off_fen")

    @property
    def recurring_fen(self) -> int:
        return self._sum("recurring_fen")

    @property
    def list_fen(self) -> int:
        return self._sum("list_fen")

    @property
    def discount_fen(self) -> int:
        return self._sum("discount_fen")

    @property
    def net_one_off_fen(self) -> int:
        return self._sum("net_one_off_fen")

    @property
    def net_recurring_fen(self) -> int:
        return self._sum("net_recurring_fen")

    @property
    def net_fen(self) -> int:
        return self._sum("net_fen")

    def line_for(self, offering) -> QuoteLine | None:
        key = offering.pk if isinstance(offering, ProductOffering) else offering
        for line in self.lines:
            if line.offering.pk == key or line.offering.code == key:
                return line
        return None


# --- arithmetic -----------------------------------------------------------------------------------
def tariff_discount(tariff: GroupTariff, base_fen: int) -> int:
    """The discount in fen ``tariff`` gives on a charge of ``base_fen`` (0 ≤ discount ≤ base)."""
    if base_fen <= 0:
        return 0
    if tariff.kind == TariffKind.PERCENT_OFF:
        pct = min(max(int(tariff.value), 0), 100)
        off = int((Decimal(base_fen) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    elif tariff.kind == TariffKind.AMOUNT_OFF:
        off = int(tariff.value)
    elif tariff.kind == TariffKind.SPECIAL_PRICE:
        off = base_fen - int(tariff.value)
    else:
        off = 0
    return min(max(off, 0), base_fen)


def prices_at(prices, at) -> tuple[int, int, list]:
    """(one-off fen, monthly fen, usage prices) of the prices valid at ``at``."""
    one_off = recurring = 0
    usage = []
    for p in prices:
        if not p.valid_at(at):
            continue
        if p.price_type == PriceType.ONE_OFF:
            one_off += p.amount_fen
        elif p.price_type == PriceType.RECURRING:
            recurring += p.amount_fen
        elif p.price_type == PriceType.USAGE:
            usage.append(p)
    return one_off, recurring, usage


def list_fen(offering: ProductOffering, at=None) -> tuple[int, int]:
    """(one-off, monthly) list price of one offering version at ``at`` (uses prefetched prices)."""
    one_off, recurring, _usage = prices_at(offering.prices.all(), at or timezone.now())
    return one_off, recurring


# --- quote ----------------------------------------------------------------------------------------
def _parse_items(items) -> list[tuple[object, int]]:
    out = []
    try:
        rows = list(items)
    except TypeError as exc:
        raise field_error("items", _("Give the items as (offering, quantity) pairs."), "invalid") from exc
    for item in rows:
        if isinstance(item, ProductOffering | str):
            item = (item, 1)
        try:
            ref, qty = item
        except (TypeError, ValueError) as exc:
            raise field_error("items", _("Give the items as (offering, quantity) pairs."), "invalid") from exc
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
            raise field_error(
                "items", _("A quantity is a whole number from 1 to %(max)s."), "quantity", max=MAX_QUANTITY
            )
        if not isinstance(ref, ProductOffering | str) or not ref:
            raise field_error("items", _("Give the items as (offering, quantity) pairs."), "invalid")
        out.append((ref, qty))
    return out


def applicable_tariffs(customer, day) -> list[GroupTariff]:
    """Approved tariffs valid on ``day`` of the customer and of its group (one query)."""
    if customer is None:
        return []
    owners = [customer.pk]
    if getattr(customer, "parent_id", None):
        owners.append(customer.parent_id)
    return list(
        GroupTariff.objects.dangerously_unscoped()  # the price is the price, whoever asks
        .filter(customer_id__in=owners, status=TariffStatus.APPROVED, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("customer", "category")
        .order_by("id")
    )


def _category_index(offerings, tariffs) -> dict[int, set[int]]:
    """{offering id: ids of its categories and all their ancestors} — only when a tariff targets a
    category (two queries then, none otherwise)."""
    if not any(t.category_id for t in tariffs) or not offerings:
        return {}
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    through = ProductOffering.categories.through
    out: dict[int, set[int]] = {}
    for oid, cid in through.objects.filter(productoffering_id__in=[o.pk for o in offerings]).values_list(
        "productoffering_id", "category_id"
    ):
        seen = out.setdefault(oid, set())
        node, guard = cid, 0
        while node is not None and node not in seen and guard < 50:
            seen.add(node)
            node, guard = parents.get(node), guard + 1
    return out


def _why(tariff: GroupTariff, customer, offering: ProductOffering) -> str:
    target = (
        _("offering %(code)s") % {"code": offering.code}
        if tariff.offering_code
        else _("category %(category)s") % {"category": tariff.category.display_name}
    )
    if customer is not None and tariff.customer_id != customer.pk:
        return _("Member of %(group)s: its tariff “%(name)s” applies to %(target)s.") % {
            "group": tariff.customer.name,
            "name": tariff.name,
            "target": target,
        }
    return _("Tariff “%(name)s” of this customer applies to %(target)s.") % {
        "name": tariff.name,
        "target": target,
    }


def _best(tariffs, customer, offering, categories: set[int], one_off: int, recurring: int):
    best = None  # (discount, preference, tariff, d_one_off, d_recurring)
    for t in tariffs:
        if t.offering_code:
            if t.offering_code != offering.code:
                continue
        elif t.category_id not in categories:
            continue
        d_one = tariff_discount(t, one_off) if t.charge == TariffCharge.ONE_OFF else 0
        d_rec = tariff_discount(t, recurring) if t.charge == TariffCharge.RECURRING else 0
        # more discount wins; then an offering's tariff over a category's, the customer's over its group's
        rank = (d_one + d_rec, bool(t.offering_code), customer is not None and t.customer_id == customer.pk)
        if best is None or rank > best[0]:
            best = (rank, t, d_one, d_rec)
    return best


def quote(customer, items, *, at=None) -> Quote:
    """Price ``items`` — ``[(offering or code, quantity), …]`` — for ``customer`` at ``at`` (default now).

    A code not on sale at ``at`` is a ValidationError on field ``items``. ``customer`` may be None for
    list prices only.
    """
    at = at or timezone.now()
    parsed = _parse_items(items)
    codes = [ref for ref, _q in parsed if isinstance(ref, str)]
    from .queries import offerings_by_code

    found = offerings_by_code(codes, at=at)
    missing = [c for c in dict.fromkeys(codes) if c not in found]
    if missing:
        raise ValidationError(
            {
                "items": ValidationError(
                    _("Not on sale: %(codes)s."), code="not_on_sale", params={"codes": ", ".join(missing)}
                )
            }
        )
    rows = [(found[ref] if isinstance(ref, str) else ref, qty) for ref, qty in parsed]
    prices: dict[int, list] = {}
    for o, _q in rows:  # prices prefetched by the caller (the catalog page) are used as they are
        cached = getattr(o, "_prefetched_objects_cache", {}).get("prices")
        if cached is not None:
            prices[o.pk] = list(cached)
    ids = {o.pk for o, _q in rows} - set(prices)
    if ids:
        for p in ProductOfferingPrice.objects.filter(offering_id__in=ids).order_by(
            "sort", "valid_from", "id"
        ):
            prices.setdefault(p.offering_id, []).append(p)
    day = timezone.localdate(at)
    tariffs = applicable_tariffs(customer, day)
    categories = _category_index([o for o, _q in rows], tariffs)
    lines = []
    for offering_row, qty in rows:
        one_off, recurring, usage = prices_at(prices.get(offering_row.pk, []), at)
        line = QuoteLine(
            offering=offering_row,
            quantity=qty,
            unit_one_off_fen=one_off,
            unit_recurring_fen=recurring,
            usage=usage,
        )
        best = _best(
            tariffs, customer, offering_row, categories.get(offering_row.pk, set()), one_off, recurring
        )
        if best is not None and best[0][0] > 0:
            _rank, tariff, d_one, d_rec = best
            line.tariff = tariff
            line.unit_discount_one_off_fen = d_one
            line.unit_discount_recurring_fen = d_rec
            line.why = _why(tariff, customer, offering_row)
        lines.append(line)
    return Quote(customer=customer, at=at, lines=lines)
