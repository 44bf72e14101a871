"""Demo customers' values: unique numbers (permutations of the customer index), ID numbers,
credit codes, MSISDN/ICCID, customer/account numbers, names and weighted draws."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random

from .data import (
    ACCOUNT_PREFIX,
    ACCOUNTS_PER_CUSTOMER,
    CUSTOMER_PREFIX,
    GROUP_OFFERS,
    INTERACTION_WEIGHTS,
    MODERN_FEMALE,
    MODERN_MALE,
    MSISDN_PREFIXES,
    OFFERS,
)

# --- unique numbers: permutations of the customer index -----------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
BIRTH_FIRST = dt.date(1950, 1, 1)
BIRTH_DAYS = (dt.date(2006, 12, 31) - BIRTH_FIRST).days + 1  # 20,819
ID_SPACE = BIRTH_DAYS * 999  # (birth day, sequence 001–999) pairs
MSISDN_SPACE = len(MSISDN_PREFIXES) * 10**8
ICCID_SPACE = 10**13
ORG_SPACE = 10**8


class Permutation:
    """A keyed bijection of range(m): a 4-round Feistel network on the next even number of bits,
    cycle-walked back into range. Distinct inputs give distinct, scattered outputs, so unique
    numbers need no memory of what was handed out."""

    def __init__(self, m: int, key: int):
        self.m = m
        self.half = max(2, (m - 1).bit_length() + 1) // 2
        self.mask = (1 << self.half) - 1
        rng = random.Random(key)  # noqa: S311 - a scrambler, not a secret
        self.keys = tuple(rng.getrandbits(32) | 1 for _ in range(4))

    def __call__(self, i: int) -> int:
        if not 0 <= i < self.m:
            raise ValueError(f"{i} is outside 0…{self.m - 1}")
        half, mask, keys = self.half, self.mask, self.keys
        x = i
        while True:
            left, right = x >> half, x & mask
            for k in keys:
                f = ((right * k) ^ (right >> 3) ^ k) & mask
                left, right = right, left ^ f
            x = (left << half) | right
            if x < self.m:
                return x


# fixed keys (not the seed), so numbers never collide across seeds or top-ups
_PERMS = {
    "id": Permutation(ID_SPACE, 1),
    "msisdn": Permutation(MSISDN_SPACE, 2),
    "iccid": Permutation(ICCID_SPACE, 3),
    "org": Permutation(ORG_SPACE, 4),
}


def id_check_digit(body17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def resident_id(i: int, region: str) -> tuple[str, dt.date, str]:
    """Customer i's ID number (unique over i whatever the region), birth date and gender (m/f)."""
    x = _PERMS["id"](i)
    day, seq = divmod(x, 999)
    birth = BIRTH_FIRST + dt.timedelta(days=day)
    body = f"{region}{birth:%Y%m%d}{seq + 1:03d}"
    return body + id_check_digit(body), birth, "m" if (seq + 1) % 2 else "f"


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(i: int, region: str) -> str:
    """A unified social credit code (统一社会信用代码): 9 1 + region + organisation code + check."""
    from stdnum.cn import uscc

    body = f"{_PERMS['org'](i):08d}"
    c = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(c, str(c))  # GB 11714 organisation code check digit
    first17 = f"91{region}{org}"
    return first17 + uscc.calc_check_digit(first17)


def msisdn(slot: int) -> str:
    x = _PERMS["msisdn"](slot)
    return f"{MSISDN_PREFIXES[x // 10**8]}{x % 10**8:08d}"


def iccid(slot: int) -> str:
    body = f"898600{_PERMS['iccid'](slot):013d}"
    total = 0
    for n, ch in enumerate(reversed(body)):  # Luhn check digit
        d = int(ch) * (2 if n % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def customer_no(i: int) -> str:
    return f"{CUSTOMER_PREFIX}{i + 1:08d}"


def account_no(i: int, k: int) -> str:
    return f"{ACCOUNT_PREFIX}{i * ACCOUNTS_PER_CUSTOMER + k + 1:08d}"


def customer_index(number: str) -> int:
    return int(number[len(CUSTOMER_PREFIX) :]) - 1


# --- names and weighted draws --------------------------------------------------------------------
# --- one chunk ----------------------------------------------------------------------------------
_NAMES = None


def _names():
    """Faker zh_CN's family names (with their weights) and given names, loaded once per process."""
    global _NAMES
    if _NAMES is None:
        from faker.providers.person.zh_CN import Provider

        family = list(Provider.last_names.items())
        _NAMES = (
            [f for f, _w in family],
            list(itertools.accumulate(w for _f, w in family)),
            tuple(Provider.first_names_male) + MODERN_MALE,
            tuple(Provider.first_names_female) + MODERN_FEMALE,
        )
    return _NAMES


def _weighted(rng: random.Random, cum: list | tuple) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1])


_TIER_CUM = (85.0, 97.0, 100.0)  # ordinary 85%, important 12%, VIP 3%
_TIER_CUM_ENTERPRISE = (50.0, 85.0, 100.0)
_TIERS = ("ordinary", "important", "vip")
_OFFER_CUM = [tuple(itertools.accumulate(o[3][t] for o in OFFERS)) for t in range(3)]
_GROUP_OFFER_CUM = tuple(itertools.accumulate(o[3] for o in GROUP_OFFERS))
_INTERACTION_CUM = tuple(itertools.accumulate(INTERACTION_WEIGHTS))
_CREDIT_CUM = tuple(itertools.accumulate((2, 5, 48, 30, 15)))
_BEHAVIOUR = ("", "lighthouse", "follower", "rational", "profit")
_BEHAVIOUR_CUM = tuple(itertools.accumulate((10, 6, 32, 36, 16)))
