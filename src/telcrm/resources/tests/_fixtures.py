"""Shared test data of the number pool: levels with rules, ranges in two cities and the province."""

from __future__ import annotations

import pytest

from telcrm.resources import actions
from telcrm.resources.models import Number, NumberLevel, NumberRange

LEVELS = (
    # code, rank, price (fen), rules
    ("diamond", 40, 888_800, (("repeat", "", 5), ("tail", "8888", None))),
    ("gold", 30, 188_800, (("repeat", "", 4), ("ascending", "", 5))),
    ("silver", 20, 28_800, (("aabb", "", None), ("tail_same", "", 3))),
    ("ordinary", 10, 0, ()),
)


def make_levels(admin) -> dict[str, NumberLevel]:
    out = {}
    for code, rank, price, rules in LEVELS:
        level = actions.level_create(
            admin,
            code=code,
            name=code.title(),
            rank=rank,
            price_fen=price,
            min_spend_fen=price // 10,
            deposit_fen=price // 4,
            is_default=code == "ordinary",
        )
        for kind, pattern, count in rules:
            actions.rule_create(admin, level=level, kind=kind, pattern=pattern, count=count)
        out[code] = level
    return out


def make_range(admin, region, prefix: str) -> NumberRange:
    rng = actions.range_create(admin, region=region, prefix=prefix)
    actions.generate_numbers(rng)
    rng.refresh_from_db()
    return rng


class Pool:
    """Levels; 100 numbers in Hangzhou (138057100xx), 100 in Ningbo (138057400xx) and 100 province-wide
    (198057000xx)."""

    def __init__(self, carrier):
        self.carrier = carrier
        admin = carrier["admin"]
        self.levels = make_levels(admin)
        self.hz = make_range(admin, carrier.city, "138057100")
        self.nb = make_range(admin, carrier.other_city, "138057400")
        self.zj = make_range(admin, carrier.province, "198057000")

    def number(self, msisdn: str) -> Number:
        return Number.objects.get(msisdn=msisdn)


@pytest.fixture
def pool(carrier):
    return Pool(carrier)
