"""Test helpers for stock: valid numbers, and items made directly (no actions, no movements), for the
tests of this module and of the modules that use stock (orders)."""

from __future__ import annotations

import itertools

from stdnum import luhn

from .models import SimCard, SimKind, Terminal
from .states import ItemState

_seq = itertools.count(1)
_terminal_seq = itertools.count(1)


def iccid_for(n: int, prefix: str = "898603") -> str:
    """A valid 20-digit ICCID (Luhn check digit) numbered ``n``."""
    body = f"{prefix}{n:0{19 - len(prefix)}d}"
    return body + luhn.calc_check_digit(body)


def imsi_for(n: int) -> str:
    return f"46003{n:010d}"


def imei_for(n: int, tac: str = "3569380") -> str:
    """A valid IMEI (Luhn check digit) numbered ``n``."""
    body = f"{tac}{n:0{14 - len(tac)}d}"
    return body + luhn.calc_check_digit(body)


def make_sims(
    org_unit, count: int = 1, *, state: str = ItemState.IN_STOCK, kind: str = SimKind.TRIPLE, **fields
):
    """``count`` SIM cards at ``org_unit`` with fresh numbers (ICCIDs in one ascending run)."""
    start = next(_seq) * 100_000
    for _ in range(count // 100_000):
        next(_seq)
    return SimCard.objects.bulk_create(
        [
            SimCard(
                iccid=iccid_for(start + i),
                imsi=imsi_for(start + i),
                kind=kind,
                org_unit=org_unit,
                state=state,
                **fields,
            )
            for i in range(count)
        ]
    )


def make_terminals(
    org_unit,
    count: int = 1,
    *,
    state: str = ItemState.IN_STOCK,
    brand: str = "华为",
    model: str = "Mate 60",
    price_fen: int = 599900,
    **fields,
):
    """``count`` terminals at ``org_unit`` with fresh IMEIs (up to 1,000 per call)."""
    start = next(_terminal_seq) * 1000 % 10**7
    return Terminal.objects.bulk_create(
        [
            Terminal(
                imei=imei_for(start + i),
                brand=brand,
                model=model,
                price_fen=price_fen,
                org_unit=org_unit,
                state=state,
                **fields,
            )
            for i in range(count)
        ]
    )
