"""Demo network (``manage.py demo_data``): access-network elements and covered addresses for the
demo carrier's six cities, after the demo customers (order 45; customers are 20).

Every district of the customer demo (customers/demo/data.py DISTRICTS) gets one or two OLTs
(fibre), a 5G cell (fixed wireless) for part of its roads, and the old town of each city a DSLAM
(copper); each road is served by one of the district's OLTs. Covered addresses are house numbers
1–60 of every road, plus most of the addresses the demo customers actually have (their
house number and community), so a clerk opening a demo customer usually finds the address
installable. A few elements make the other answers visible: some full (every port in use), one
nearly full, one under maintenance, one planned.

Rows go in with ``platform.demo.copy_rows`` (COPY on PostgreSQL), keys computed with the same
normalisation the actions use. Idempotent: elements and covered addresses that exist are skipped.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from django.utils import timezone

from telcrm.platform.demo import CITIES, PROVINCE_CODE, copy_rows, demo_generator

from .models import CoveredAddress, ElementKind, ElementStatus, NetworkElement, Technology
from .normalize import normalize_address, normalize_region

PROVINCE = "浙江省"
CUSTOMER_ADDRESSES = 60_000  # demo customers' addresses considered (the newest first)
CUSTOMER_COVERED = 0.85  # share of them the network reaches
HOUSE_NUMBERS = range(1, 61)  # house numbers covered on every road
# element code → (status, share of ports in use); the rest are in service at 35–75%
SPECIAL = {
    "HZ-GS-OLT02": (ElementStatus.IN_SERVICE, 1.0),  # full
    "NB-JB-OLT01": (ElementStatus.IN_SERVICE, 1.0),  # full
    "JH-JD-OLT01": (ElementStatus.IN_SERVICE, 1.0),  # full
    "HZ-XH-OLT01": (ElementStatus.IN_SERVICE, 0.93),  # nearly full
    "WZ-OH-OLT01": (ElementStatus.MAINTENANCE, 0.55),  # under maintenance
    "HZ-QT-GNB01": (ElementStatus.PLANNED, 0.0),  # planned
}
NO_5G = {"WZ-OH"}  # districts without a 5G cell (so the maintenance element is their only one)
_HEAD = re.compile(r"^(?P<head>.*?\d+号)(?P<building>[^\d]*)")

ELEMENT_COLUMNS = (
    "code",
    "name",
    "kind",
    "technology",
    "location",
    "ports_total",
    "ports_used",
    "max_bandwidth_mbps",
    "status",
    "org_unit_id",
    "created_at",
    "updated_at",
)
ADDRESS_COLUMNS = (
    "province",
    "city",
    "district",
    "street",
    "building",
    "element_id",
    "technology",
    "max_bandwidth_mbps",
    "is_active",
    "province_key",
    "city_key",
    "district_key",
    "street_key",
    "building_key",
    "search_key",
    "sort_key",
    "org_unit_id",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class PlannedElement:
    code: str
    name: str
    kind: str
    technology: str
    city_code: str
    district: str
    ports_total: int
    max_bandwidth_mbps: int
    roads: tuple[str, ...]


def _abbr(name: str) -> str:
    from pypinyin import lazy_pinyin

    stem = normalize_region(name)
    return "".join(p[0] for p in lazy_pinyin(stem) if p).upper()[:3] or "D"


def plan() -> list[PlannedElement]:
    """The demo network: the same every run (no randomness in which element serves which road)."""
    from telcrm.customers.demo.data import DISTRICTS

    out = []
    for city in CITIES:
        _postcode, districts = DISTRICTS[city.code]
        seen: set[str] = set()
        for d_index, (district, _region, roads) in enumerate(districts):
            abbr = _abbr(district)
            while abbr in seen:
                abbr += "X"
            seen.add(abbr)
            prefix = f"{city.code}-{abbr}"
            fibre = [roads[i::2] for i in range(2)] if len(roads) >= 3 else [roads]
            for n, served in enumerate(fibre, start=1):
                out.append(
                    PlannedElement(
                        f"{prefix}-OLT{n:02d}",
                        f"{district}{'一二'[n - 1]}号OLT",
                        ElementKind.OLT,
                        Technology.FIBRE,
                        city.code,
                        district,
                        2048 if n == 1 else 1024,
                        1000,
                        tuple(served),
                    )
                )
            if d_index == 0:
                out.append(
                    PlannedElement(
                        f"{prefix}-DSL01",
                        f"{district}老城区DSLAM",
                        ElementKind.DSLAM,
                        Technology.COPPER,
                        city.code,
                        district,
                        480,
                        100,
                        tuple(roads),
                    )
                )
            if prefix not in NO_5G:
                out.append(
                    PlannedElement(
                        f"{prefix}-GNB01",
                        f"{district}5G宏站",
                        ElementKind.CELL_5G,
                        Technology.FWA_5G,
                        city.code,
                        district,
                        256,
                        500,
                        tuple(roads[::3]),
                    )
                )
    return out


def _element_rows(todo: list[PlannedElement], units: dict, rng: random.Random, now) -> list[tuple]:
    rows = []
    for e in todo:
        status, share = SPECIAL.get(e.code, (ElementStatus.IN_SERVICE, rng.uniform(0.35, 0.75)))
        rows.append(
            (
                e.code,
                e.name,
                e.kind,
                e.technology,
                f"{PROVINCE}{_city_name(e.city_code)}市{e.district}{e.roads[0]}机房",
                e.ports_total,
                round(e.ports_total * share),
                e.max_bandwidth_mbps,
                status,
                units[e.city_code],
                now,
                now,
            )
        )
    return rows


def _city_name(code: str) -> str:
    return next(c.name for c in CITIES if c.code == code)


def _stable(text: str) -> float:
    """A number in [0, 1) fixed for ``text`` (whether a customer's address is covered)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") / 2**64


def _bandwidth(e: PlannedElement, rng: random.Random) -> int:
    if e.technology == Technology.COPPER:
        return rng.choice((20, 50, 100, 100))
    if e.technology == Technology.FWA_5G:
        return rng.choice((300, 500, 500))
    return e.max_bandwidth_mbps


def _customer_addresses() -> list[tuple[str, str, str]]:
    from telcrm.customers.models import Address

    return list(
        Address.objects.filter(province=PROVINCE)
        .order_by("-id")
        .values_list("city", "district", "street")[:CUSTOMER_ADDRESSES]
    )


def _address_rows(
    planned: list[PlannedElement], ids: dict, units: dict, rng: random.Random, now
) -> list[tuple]:
    by_road: dict[tuple[str, str, str], list[PlannedElement]] = {}
    for e in planned:
        for road in e.roads:
            by_road.setdefault((_city_name(e.city_code) + "市", e.district, road), []).append(e)
    wanted: list[tuple[str, str, str, str, PlannedElement]] = []  # city, district, street, building, element
    for (city, district, road), elements in by_road.items():
        for n in HOUSE_NUMBERS:
            for e in elements:
                wanted.append((city, district, f"{road}{n}号", "", e))
    for city, district, street in _customer_addresses():
        m = _HEAD.match(street)
        if not m or _stable(f"{city}{district}{street}") >= CUSTOMER_COVERED:
            continue
        road = re.sub(r"\d+号$", "", m.group("head"))
        for e in by_road.get((city, district, road), ()):
            wanted.append((city, district, m.group("head"), m.group("building").strip(), e))
    existing = set(
        CoveredAddress.objects.dangerously_unscoped()
        .filter(element_id__in=ids.values())
        .values_list("search_key", "element_id")
    )
    rows = []
    for city, district, street, building, e in wanted:
        key = normalize_address(PROVINCE, city, district, street, building)
        element_id = ids[e.code]
        if (key.key, element_id) in existing:
            continue
        existing.add((key.key, element_id))
        rows.append(
            (
                PROVINCE,
                city,
                district,
                street,
                building,
                element_id,
                e.technology,
                _bandwidth(e, rng),
                True,
                key.province,
                key.city,
                key.district,
                key.street,
                key.rest,
                key.key,
                key.sort_key,
                units[e.city_code],
                now,
                now,
            )
        )
    return rows


def reset_coverage(*, stdout) -> None:
    codes = [e.code for e in plan()]
    elements = NetworkElement.objects.dangerously_unscoped().filter(code__in=codes)
    addresses, _ = CoveredAddress.objects.dangerously_unscoped().filter(element__in=elements).delete()
    n, _ = elements.delete()
    stdout.write(f"  coverage: deleted {n} demo elements and {addresses} covered addresses")


@demo_generator(order=45, name="coverage", reset=reset_coverage)
def coverage_demo(*, stdout, customers: int, rng: random.Random) -> None:
    from telcrm.platform.models import OrgUnit

    planned = plan()
    units = {
        code.removeprefix(f"{PROVINCE_CODE}-"): pk
        for code, pk in OrgUnit.objects.filter(
            code__in=[f"{PROVINCE_CODE}-{c.code}" for c in CITIES]
        ).values_list("code", "pk")
    }
    planned = [e for e in planned if e.city_code in units]
    now = timezone.now()
    have = set(
        NetworkElement.objects.dangerously_unscoped()
        .filter(code__in=[e.code for e in planned])
        .values_list("code", flat=True)
    )
    new_elements = copy_rows(
        NetworkElement,
        ELEMENT_COLUMNS,
        _element_rows([e for e in planned if e.code not in have], units, rng, now),
    )
    ids = dict(
        NetworkElement.objects.dangerously_unscoped()
        .filter(code__in=[e.code for e in planned])
        .values_list("code", "pk")
    )
    new_addresses = copy_rows(CoveredAddress, ADDRESS_COLUMNS, _address_rows(planned, ids, units, rng, now))
    stdout.write(f"  coverage: {new_elements} new elements, {new_addresses:,} new covered addresses")
