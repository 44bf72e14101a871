"""Reads of network coverage: installability (what the order module calls), and the lists and
rows of elements and covered addresses within the user's data scope (models.CoverageQuerySet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, Q, QuerySet
from django.utils import translation

from telcrm.platform.errors import NotFoundInScope

from .i18n import _
from .models import CoveredAddress, ElementStatus, NetworkElement, Technology
from .normalize import NormalizedAddress, covers, normalize, normalize_region

# --- installability -----------------------------------------------------------------------------------
NOT_COVERED = "not_covered"
NO_FREE_PORTS = "no_free_ports"
MAINTENANCE = "maintenance"

REASONS = {
    NOT_COVERED: _("Not covered: the network does not reach this address."),
    NO_FREE_PORTS: _("Covered, but no free ports: every element serving this address is full."),
    MAINTENANCE: _("Covered, but the element serving this address is under maintenance."),
}
TECHNOLOGY_ORDER = {Technology.FIBRE: 0, Technology.FWA_5G: 1, Technology.COPPER: 2}


class Option(NamedTuple):
    """One way to install broadband at the address: (technology, max_bandwidth_mbps, free_ports,
    element code) — the best first in ``Installability.options``."""

    technology: str
    max_bandwidth_mbps: int
    free_ports: int
    element_code: str

    @property
    def technology_label(self) -> str:
        return str(Technology(self.technology).label)


@dataclass(frozen=True)
class Match:
    """An element found serving the address, usable or not (the UI explains why not)."""

    element_id: int
    element_code: str
    technology: str
    max_bandwidth_mbps: int
    free_ports: int
    status: str
    building: str  # the building/community the coverage was recorded for ("" = the whole number)

    @property
    def usable(self) -> bool:
        return self.status == ElementStatus.IN_SERVICE and self.free_ports > 0

    @property
    def technology_label(self) -> str:
        return str(Technology(self.technology).label)

    @property
    def status_label(self) -> str:
        return str(ElementStatus(self.status).label)


@dataclass(frozen=True)
class Installability:
    """Whether broadband can be installed at an address, and how.

    ``ok``: at least one element in service with a free port serves the address; ``options`` are
    those ways, best first; ``reason`` (translated lazily, so ``str()`` gives the active language;
    ``reason_zh`` / ``reason_en`` give both) says why not when not ok, ``reason_code`` is one of
    ``not_covered``, ``no_free_ports``, ``maintenance``. ``matches`` lists every element found
    (usable or not), ``nearby`` the buildings at the same door number that are covered when the
    address itself is not (a hint to ask the customer for the building).
    """

    ok: bool
    options: list[Option]
    reason: object = ""
    reason_code: str = ""
    matches: list[Match] = field(default_factory=list)
    nearby: list[str] = field(default_factory=list)
    address: NormalizedAddress | None = None

    def reason_in(self, lang: str) -> str:
        if not self.reason:
            return ""
        with translation.override(lang):
            return str(self.reason)

    @property
    def reason_zh(self) -> str:
        return self.reason_in("zh-hans")

    @property
    def reason_en(self) -> str:
        return self.reason_in("en")


def _candidates(wanted: list[NormalizedAddress]) -> QuerySet:
    """Active covered rows at the same city and door number as any of ``wanted`` (one query; with
    several addresses a superset, which the caller narrows to each address's pairs)."""
    pairs = {(w.city, w.street) for w in wanted if w.city and w.street}
    if not pairs:
        return CoveredAddress.objects.none()
    cities, streets = {c for c, _s in pairs}, {s for _c, s in pairs}
    q = Q(city_key__in=sorted(cities), street_key__in=sorted(streets))
    return (
        CoveredAddress.objects.dangerously_unscoped()
        .filter(q, is_active=True)
        .exclude(element__status=ElementStatus.RETIRED)
        .select_related("element")
        .only(
            "province_key",
            "city_key",
            "district_key",
            "street_key",
            "building_key",
            "building",
            "technology",
            "max_bandwidth_mbps",
            "element__code",
            "element__status",
            "element__ports_total",
            "element__ports_used",
        )
        .order_by("id")
    )


def _key_of(row: CoveredAddress) -> NormalizedAddress:
    return NormalizedAddress(
        row.province_key, row.city_key, row.district_key, row.street_key, row.building_key
    )


def _decide(wanted: NormalizedAddress, rows: list[CoveredAddress]) -> Installability:
    by_element: dict[int, tuple[int, Match]] = {}
    nearby: list[str] = []
    for row in rows:
        key = _key_of(row)
        if not covers(key, wanted):
            same_number = key.city == wanted.city and key.street == wanted.street
            if same_number and row.building and row.building not in nearby:
                nearby.append(row.building)
            continue
        e = row.element
        match = Match(
            element_id=e.pk,
            element_code=e.code,
            technology=row.technology,
            max_bandwidth_mbps=row.max_bandwidth_mbps,
            free_ports=max(e.ports_total - e.ports_used, 0),
            status=e.status,
            building=row.building,
        )
        specificity = len(key.rest)
        if e.pk not in by_element or specificity > by_element[e.pk][0]:
            by_element[e.pk] = (specificity, match)  # the most specific record of an element wins
    matches = sorted(
        (m for _s, m in by_element.values()),
        key=lambda m: (
            not m.usable,
            -m.max_bandwidth_mbps,
            TECHNOLOGY_ORDER.get(m.technology, 9),
            m.element_code,
        ),
    )
    options = [
        Option(m.technology, m.max_bandwidth_mbps, m.free_ports, m.element_code) for m in matches if m.usable
    ]
    if options:
        return Installability(True, options, matches=matches, address=wanted)
    if any(m.status == ElementStatus.IN_SERVICE for m in matches):
        code = NO_FREE_PORTS
    elif any(m.status == ElementStatus.MAINTENANCE for m in matches):
        code = MAINTENANCE
    else:
        code = NOT_COVERED  # nothing, or only planned elements
    return Installability(
        False, [], REASONS[code], code, matches=matches, nearby=[] if matches else nearby, address=wanted
    )


def installability(address) -> Installability:
    """Whether broadband can be installed at ``address``: a dict with province, city, district,
    street (and optionally building), or a customer's Address row. The answer does not depend on who
    asks (the whole network is read); the address is normalised (normalize.py), so the usual ways of
    writing it give the same answer. Two queries at most: the covered rows and their elements."""
    wanted = normalize(address)
    if not (wanted.city and wanted.street):
        return Installability(False, [], REASONS[NOT_COVERED], NOT_COVERED, address=wanted)
    return _decide(wanted, list(_candidates([wanted])))


def installability_many(addresses) -> list[Installability]:
    """:func:`installability` of several addresses with one query (the customer 360 panel)."""
    wanted = [normalize(a) for a in addresses]
    by_number: dict[tuple[str, str], list[CoveredAddress]] = {}
    for row in _candidates(wanted):
        by_number.setdefault((row.city_key, row.street_key), []).append(row)
    out = []
    for w in wanted:
        if not (w.city and w.street):
            out.append(Installability(False, [], REASONS[NOT_COVERED], NOT_COVERED, address=w))
            continue
        out.append(_decide(w, by_number.get((w.city, w.street), [])))
    return out


# --- elements -----------------------------------------------------------------------------------------
ELEMENT_SORTS = {"code", "-code", "ports_used", "-ports_used", "free", "-free", "status", "-status"}


def element_list(
    actor,
    *,
    q: str = "",
    technology: str = "",
    kind: str = "",
    status: str = "",
    org_unit=None,
    nearly_full: bool = False,
    warn_percent: int | None = None,
    include_retired: bool = False,
    sort: str = "code",
) -> QuerySet:
    qs = NetworkElement.objects.restrict(actor)
    if q:
        q = q.strip()
        qs = qs.filter(Q(code__istartswith=q) | Q(name__icontains=q) | Q(location__icontains=q))
    if technology:
        qs = qs.filter(technology=technology)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    elif not include_retired:
        qs = qs.exclude(status=ElementStatus.RETIRED)
    if org_unit:
        qs = qs.filter(org_unit_id=getattr(org_unit, "pk", org_unit))
    if nearly_full:
        if warn_percent is None:
            from telcrm.platform.parameters import param

            from .parameters import CAPACITY_WARN_PERCENT

            warn_percent = int(param(CAPACITY_WARN_PERCENT))
        qs = qs.alias(used100=F("ports_used") * 100).filter(used100__gte=F("ports_total") * warn_percent)
    if sort not in ELEMENT_SORTS:
        sort = "code"
    if sort.lstrip("-") == "free":
        qs = qs.annotate(free=F("ports_total") - F("ports_used"))
    return qs.select_related("org_unit").order_by(sort, "code")


def element_get(actor, pk) -> NetworkElement:
    try:
        return NetworkElement.objects.restrict(actor).select_related("org_unit").get(pk=pk)
    except (NetworkElement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def element_by_code(actor, code: str) -> NetworkElement | None:
    return NetworkElement.objects.restrict(actor).filter(code__iexact=(code or "").strip()).first()


def element_visible_codes(actor, codes) -> set[str]:
    """Which of ``codes`` the actor may open (one query)."""
    codes = {c for c in codes if c}
    if not codes:
        return set()
    return set(NetworkElement.objects.restrict(actor).filter(code__in=codes).values_list("code", flat=True))


def element_summary(actor) -> dict:
    """Counts of the elements in scope per status, and the ports (for the list's header)."""
    from django.db.models import Count, Sum

    qs = NetworkElement.objects.restrict(actor).exclude(status=ElementStatus.RETIRED).order_by()
    by_status = dict(qs.values_list("status").annotate(n=Count("id")))
    ports = qs.filter(status=ElementStatus.IN_SERVICE).aggregate(
        total=Sum("ports_total"), used=Sum("ports_used")
    )
    return {
        "by_status": by_status,
        "elements": sum(by_status.values()),
        "ports_total": ports["total"] or 0,
        "ports_used": ports["used"] or 0,
    }


# --- covered addresses --------------------------------------------------------------------------------
ADDRESS_ORDER = ("city_key", "district_key", "sort_key", "building_key", "id")


def address_list(
    actor,
    *,
    city: str = "",
    district: str = "",
    technology: str = "",
    element=None,
    q: str = "",
    include_retired: bool = False,
) -> QuerySet:
    """Covered addresses in scope; ``city``/``district`` are compared normalised ("杭州" = "杭州市"),
    ``element`` is an element, its id, or (part of) its code."""
    from .normalize import normalize_text

    qs = CoveredAddress.objects.restrict(actor)
    if not include_retired:
        qs = qs.filter(is_active=True)
    if city:
        qs = qs.filter(city_key=normalize_region(city))
    if district:
        qs = qs.filter(district_key=normalize_region(district))
    if technology:
        qs = qs.filter(technology=technology)
    if element not in (None, ""):
        if isinstance(element, NetworkElement):
            qs = qs.filter(element=element)
        elif isinstance(element, int) or (isinstance(element, str) and element.isdigit()):
            qs = qs.filter(element_id=int(element))
        else:
            qs = qs.filter(element__code__istartswith=str(element).strip())
    if q:
        key = normalize_text(q)
        if key:
            qs = qs.filter(street_key__startswith=key)
    return qs.select_related("element", "org_unit").order_by(*ADDRESS_ORDER)


def address_get(actor, pk) -> CoveredAddress:
    try:
        return CoveredAddress.objects.restrict(actor).select_related("element", "org_unit").get(pk=pk)
    except (CoveredAddress.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
