"""Every read of the stock module, with the data scope applied (``restrict(user)``): a clerk sees the
stock of their own unit, a branch manager their subtree, HQ (admin, analyst) everything."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import OrgKind, OrgUnit

from . import validation
from .actions.alerts import available_levels, threshold_for, thresholds
from .models import (
    CountDiscrepancy,
    CountScan,
    CountStatus,
    LowStockAlert,
    Movement,
    SimCard,
    SimKind,
    StockBatch,
    StockCount,
    Terminal,
    Transfer,
    TransferItem,
    TransferStatus,
)
from .states import AVAILABLE, ItemState, ItemType

STOCK_UNIT_KINDS = (OrgKind.BRANCH, OrgKind.CITY)
# the states a level table shows, in order (activated/sold/returned are history, not stock)
LEVEL_STATES = (
    ItemState.IN_STOCK,
    ItemState.ALLOCATED,
    ItemState.IN_TRANSIT,
    ItemState.FAULTY,
    ItemState.MISSING,
)


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


# --- items -------------------------------------------------------------------------------------------------
def sim_list(
    actor, *, q: str = "", state: str = "", org_unit=None, batch=None, kind: str = "", reference: str = ""
) -> QuerySet[SimCard]:
    """SIM cards in scope, by ICCID; ``q`` is an exact ICCID, IMSI or number."""
    qs = SimCard.objects.restrict(actor)
    code = validation.digits(q)
    if code:
        if len(code) in validation.ICCID_LENGTHS:
            qs = qs.filter(iccid=code)
        elif len(code) == validation.IMSI_LENGTH:
            qs = qs.filter(imsi=code)
        else:
            qs = qs.filter(msisdn=code.removeprefix("86") if len(code) == 13 else code)
    if state:
        qs = qs.filter(state=state)
    if org_unit:
        qs = qs.filter(org_unit_id=getattr(org_unit, "pk", org_unit))
    if batch:
        qs = qs.filter(batch_id=getattr(batch, "pk", batch))
    if kind:
        qs = qs.filter(kind=kind)
    if reference:
        qs = qs.filter(reference=reference)
    return qs.select_related("org_unit").order_by("iccid")


def terminal_list(
    actor,
    *,
    q: str = "",
    state: str = "",
    org_unit=None,
    batch=None,
    brand: str = "",
    model: str = "",
    reference: str = "",
) -> QuerySet[Terminal]:
    """Terminals in scope, by IMEI; ``q`` is an exact IMEI."""
    qs = Terminal.objects.restrict(actor)
    code = validation.digits(q)
    if code:
        qs = qs.filter(imei=code)
    if state:
        qs = qs.filter(state=state)
    if org_unit:
        qs = qs.filter(org_unit_id=getattr(org_unit, "pk", org_unit))
    if batch:
        qs = qs.filter(batch_id=getattr(batch, "pk", batch))
    if brand:
        qs = qs.filter(brand=brand)
    if model:
        qs = qs.filter(model=model)
    if reference:
        qs = qs.filter(reference=reference)
    return qs.select_related("org_unit").order_by("imei")


def item_list(actor, item_type: str, **filters) -> QuerySet:
    if item_type == ItemType.TERMINAL:
        filters.pop("kind", None)
        return terminal_list(actor, **filters)
    filters.pop("brand", None)
    filters.pop("model", None)
    return sim_list(actor, **filters)


def sim_get(actor, pk) -> SimCard:
    return _get(SimCard.objects.restrict(actor).select_related("org_unit", "batch", "transfer"), pk)


def terminal_get(actor, pk) -> Terminal:
    return _get(Terminal.objects.restrict(actor).select_related("org_unit", "batch", "transfer"), pk)


def sim_by_iccid(actor, iccid) -> SimCard:
    code = validation.digits(iccid)
    found = (
        SimCard.objects.restrict(actor)
        .select_related("org_unit", "batch", "transfer")
        .filter(iccid=code)
        .first()
    )
    if found is None:
        raise NotFoundInScope()
    return found


def terminal_by_imei(actor, imei) -> Terminal:
    code = validation.digits(imei)
    found = (
        Terminal.objects.restrict(actor)
        .select_related("org_unit", "batch", "transfer")
        .filter(imei=code)
        .first()
    )
    if found is None:
        raise NotFoundInScope()
    return found


def find_items(actor, q: str, limit: int = 8) -> list:
    """Items whose ICCID, IMSI, number or IMEI is exactly ``q`` (global search)."""
    code = validation.digits(q)
    if not code.isdigit() or len(code) < 11:
        return []
    out: list = []
    sims = SimCard.objects.restrict(actor).select_related("org_unit")
    if len(code) in validation.ICCID_LENGTHS:
        out += list(sims.filter(iccid=code)[:limit])
    elif len(code) == 15:
        out += list(sims.filter(imsi=code)[:limit])
        out += list(Terminal.objects.restrict(actor).select_related("org_unit").filter(imei=code)[:limit])
    elif len(code) == 11:
        out += list(sims.filter(msisdn=code).order_by("-activated_at")[:limit])
    return out[:limit]


def movement_history(item) -> QuerySet[Movement]:
    """The movements of an item the caller already fetched through the scope, newest first."""
    fk = {"sim": item} if isinstance(item, SimCard) else {"terminal": item}
    return (
        Movement.objects.filter(**fk).select_related("actor", "org_unit", "from_unit").order_by("-at", "-id")
    )


def movement_list(actor, *, org_unit=None, move: str = "") -> QuerySet[Movement]:
    """Movements at (or from) units in scope, newest first."""
    qs = Movement.objects.restrict(actor)
    if org_unit:
        unit_id = getattr(org_unit, "pk", org_unit)
        qs = qs.filter(Q(org_unit_id=unit_id) | Q(from_unit_id=unit_id))
    if move:
        qs = qs.filter(move=move)
    return qs.select_related("actor", "org_unit", "from_unit", "sim", "terminal").order_by("-at", "-id")


# --- levels -------------------------------------------------------------------------------------------------
def stock_units(actor, *, q: str = "") -> QuerySet[OrgUnit]:
    """Units in scope that hold stock (branches and city companies), in tree order."""
    qs = OrgUnit.objects.restrict(actor).filter(kind__in=STOCK_UNIT_KINDS, is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(name_en__icontains=q))
    return qs.order_by("path")


def destination_choices(actor) -> QuerySet[OrgUnit]:
    """Where a transfer may go: any active branch or city company (not only those in scope)."""
    return (
        OrgUnit.objects.dangerously_unscoped()
        .filter(kind__in=STOCK_UNIT_KINDS, is_active=True)
        .order_by("path")
    )


@dataclass
class UnitLevel:
    unit: OrgUnit
    sim: dict[str, int] = field(default_factory=dict)
    terminal: dict[str, int] = field(default_factory=dict)
    sim_threshold: int | None = None
    terminal_threshold: int | None = None

    @property
    def sim_available(self) -> int:
        return self.sim.get(AVAILABLE, 0)

    @property
    def terminal_available(self) -> int:
        return self.terminal.get(AVAILABLE, 0)

    @property
    def sim_low(self) -> bool:
        return bool(self.sim_threshold) and self.sim_available < self.sim_threshold

    @property
    def terminal_low(self) -> bool:
        return bool(self.terminal_threshold) and self.terminal_available < self.terminal_threshold

    @property
    def low(self) -> bool:
        return self.sim_low or self.terminal_low


def unit_levels(units) -> list[UnitLevel]:
    """Counts by state of SIM cards and terminals at each of ``units`` (two grouped queries)."""
    units = list(units)
    by_id = {u.pk: UnitLevel(u) for u in units}
    if not by_id:
        return []
    for model, attr in ((SimCard, "sim"), (Terminal, "terminal")):
        rows = (
            model.objects.dangerously_unscoped()  # the units were chosen through the scope
            .filter(org_unit_id__in=list(by_id), state__in=LEVEL_STATES)
            .order_by()
            .values_list("org_unit_id", "state")
            .annotate(n=Count("id"))
        )
        for unit_id, state, n in rows:
            getattr(by_id[unit_id], attr)[state] = n
    table = thresholds()
    for level in by_id.values():
        if level.unit.kind == OrgKind.BRANCH:
            level.sim_threshold = threshold_for(table, level.unit.code, ItemType.SIM)
            level.terminal_threshold = threshold_for(table, level.unit.code, ItemType.TERMINAL)
    return [by_id[u.pk] for u in units]


def level_totals(actor) -> dict[str, dict[str, int]]:
    """{"sim": {state: n}, "terminal": {state: n}} over the whole scope."""
    out: dict[str, dict[str, int]] = {}
    for model, attr in ((SimCard, "sim"), (Terminal, "terminal")):
        rows = (
            model.objects.restrict(actor)
            .filter(state__in=LEVEL_STATES)
            .order_by()
            .values_list("state")
            .annotate(n=Count("id"))
        )
        out[attr] = dict(rows)
    return out


def unit_detail_levels(unit: OrgUnit) -> dict[str, list[dict]]:
    """At one unit (already checked in scope): SIM cards by type and state, terminals by model and state."""
    sims: dict[str, dict] = {}
    for kind, state, n in (
        SimCard.objects.dangerously_unscoped()
        .filter(org_unit=unit, state__in=LEVEL_STATES)
        .order_by()
        .values_list("kind", "state")
        .annotate(n=Count("id"))
    ):
        row = sims.setdefault(kind, {"kind": kind, "label": SimKind(kind).label, "states": {}})
        row["states"][state] = n
    terminals: dict[tuple, dict] = {}
    for brand, model, state, n in (
        Terminal.objects.dangerously_unscoped()
        .filter(org_unit=unit, state__in=LEVEL_STATES)
        .order_by()
        .values_list("brand", "model", "state")
        .annotate(n=Count("id"))
    ):
        row = terminals.setdefault((brand, model), {"brand": brand, "model": model, "states": {}})
        row["states"][state] = n
    return {
        "sims": sorted(sims.values(), key=lambda r: list(SimKind.values).index(r["kind"])),
        "terminals": sorted(terminals.values(), key=lambda r: (r["brand"], r["model"])),
    }


def unit_get(actor, pk) -> OrgUnit:
    return _get(OrgUnit.objects.restrict(actor).filter(kind__in=STOCK_UNIT_KINDS), pk)


def low_stock(actor, *, limit: int = 20) -> list[dict]:
    """Branches in scope whose available stock is below their threshold now, lowest first."""
    branches = list(OrgUnit.objects.restrict(actor).filter(kind=OrgKind.BRANCH, is_active=True))
    if not branches:
        return []
    levels = available_levels([b.pk for b in branches])
    table = thresholds()
    out = []
    for b in branches:
        for item_type in (ItemType.SIM, ItemType.TERMINAL):
            threshold = threshold_for(table, b.code, item_type)
            level = levels.get((b.pk, item_type), 0)
            if threshold and level < threshold:
                out.append(
                    {
                        "unit": b,
                        "item_type": item_type,
                        "label": ItemType(item_type).label,
                        "level": level,
                        "threshold": threshold,
                        "percent": int(level * 100 / threshold),
                    }
                )
    out.sort(key=lambda r: (r["percent"], r["unit"].path))
    return out[:limit]


def open_alerts(actor) -> QuerySet[LowStockAlert]:
    return LowStockAlert.objects.restrict(actor).filter(closed_at__isnull=True).select_related("org_unit")


# --- deliveries --------------------------------------------------------------------------------------------
def batch_list(actor, *, item_type: str = "", org_unit=None) -> QuerySet[StockBatch]:
    qs = StockBatch.objects.restrict(actor)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if org_unit:
        qs = qs.filter(org_unit_id=getattr(org_unit, "pk", org_unit))
    return qs.select_related("org_unit", "owner", "job").order_by("-id")


def batch_get(actor, pk) -> StockBatch:
    return _get(StockBatch.objects.restrict(actor).select_related("org_unit", "owner", "job"), pk)


# --- transfers -------------------------------------------------------------------------------------------
def transfer_list(actor, *, status: str = "", direction: str = "", org_unit=None) -> QuerySet[Transfer]:
    """Transfers from or to units in scope. ``direction``: "out" (sent from scope), "in" (arriving)."""
    qs = Transfer.objects.restrict(actor)
    if status:
        qs = qs.filter(status=status)
    if direction in ("in", "out"):
        ids = OrgUnit.objects.restrict(actor).values("pk")
        qs = qs.filter(to_unit_id__in=ids) if direction == "in" else qs.filter(org_unit_id__in=ids)
    if org_unit:
        unit_id = getattr(org_unit, "pk", org_unit)
        qs = qs.filter(Q(org_unit_id=unit_id) | Q(to_unit_id=unit_id))
    return qs.select_related("org_unit", "to_unit", "owner").order_by("-id")


def transfer_get(actor, pk) -> Transfer:
    return _get(
        Transfer.objects.restrict(actor).select_related(
            "org_unit", "to_unit", "owner", "shipped_by", "received_by"
        ),
        pk,
    )


def transfer_items(transfer: Transfer) -> QuerySet[TransferItem]:
    return transfer.items.select_related("sim", "terminal").order_by("code")


def incoming_count(actor) -> int:
    ids = OrgUnit.objects.restrict(actor).values("pk")
    return Transfer.objects.filter(to_unit_id__in=ids, status=TransferStatus.SHIPPED).count()


# --- counts -----------------------------------------------------------------------------------------------
def count_list(actor, *, status: str = "") -> QuerySet[StockCount]:
    qs = StockCount.objects.restrict(actor)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("org_unit", "owner", "closed_by").order_by("-id")


def count_get(actor, pk) -> StockCount:
    return _get(StockCount.objects.restrict(actor).select_related("org_unit", "owner", "closed_by"), pk)


def count_scans(stock_count: StockCount) -> QuerySet[CountScan]:
    return stock_count.scans.select_related("scanned_by").order_by("-id")


def count_discrepancies(stock_count: StockCount) -> QuerySet[CountDiscrepancy]:
    return stock_count.discrepancies.order_by("kind", "code")


@dataclass(frozen=True)
class ItemRef:
    pk: int
    code: str


@dataclass
class Unexpected:
    code: str
    pk: int | None
    detail: object


@dataclass
class Differences:
    expected: int
    counted: int
    missing: list[ItemRef]
    found: list[ItemRef]
    unexpected: list[Unexpected]
    missing_total: int = 0
    found_total: int = 0
    unexpected_total: int = 0

    @property
    def matched(self) -> int:
        return self.counted - self.unexpected_total - self.found_total

    @property
    def clean(self) -> bool:
        return not (self.missing_total or self.unexpected_total or self.found_total)


CHUNK = 500


def count_differences(stock_count: StockCount, *, limit: int | None = 200) -> Differences:
    """What an open count shows now: the books (in stock at the unit) against the scanned numbers.

    ``limit`` caps each list (the totals are exact); None gives them whole (closing the count).
    Three queries whatever the size: the books, the scans, and the scanned numbers not in the books.
    """
    model = SimCard if stock_count.item_type == ItemType.SIM else Terminal
    key = model.key_field
    books = model.objects.dangerously_unscoped()
    expected = dict(books.filter(org_unit_id=stock_count.org_unit_id, state=AVAILABLE).values_list(key, "pk"))
    scanned = set(stock_count.scans.values_list("code", flat=True))
    missing = [ItemRef(pk, code) for code, pk in sorted(expected.items()) if code not in scanned]
    extra = sorted(scanned - expected.keys())
    others: dict[str, tuple] = {}
    for i in range(0, len(extra), CHUNK):
        for code, pk, unit_id, state in books.filter(**{f"{key}__in": extra[i : i + CHUNK]}).values_list(
            key, "pk", "org_unit_id", "state"
        ):
            others[code] = (pk, unit_id, state)
    unit_names = dict(
        (u.pk, u.display_name)
        for u in OrgUnit.objects.filter(pk__in={v[1] for v in others.values()} - {stock_count.org_unit_id})
    )
    found, unexpected = [], []
    for code in extra:
        hit = others.get(code)
        if hit is None:
            unexpected.append(Unexpected(code, None, _("Not in the books")))
            continue
        pk, unit_id, state = hit
        if unit_id == stock_count.org_unit_id and state == ItemState.MISSING:
            found.append(ItemRef(pk, code))
        elif unit_id != stock_count.org_unit_id:
            detail = _("Held by %(unit)s (%(state)s)") % {
                "unit": unit_names.get(unit_id, ""),
                "state": ItemState(state).label,
            }
            unexpected.append(Unexpected(code, pk, detail))
        else:
            unexpected.append(
                Unexpected(code, pk, _("Here, but “%(state)s”") % {"state": ItemState(state).label})
            )
    cut = (lambda rows: rows) if limit is None else (lambda rows: rows[:limit])
    return Differences(
        expected=len(expected),
        counted=len(scanned),
        missing=cut(missing),
        found=cut(found),
        unexpected=cut(unexpected),
        missing_total=len(missing),
        found_total=len(found),
        unexpected_total=len(unexpected),
    )


def open_count_for(actor, unit) -> StockCount | None:
    return StockCount.objects.restrict(actor).filter(org_unit=unit, status=CountStatus.OPEN).first()
