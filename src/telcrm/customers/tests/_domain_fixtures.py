"""Helpers of the domain tests (actions, validation, checks, merge): valid ID numbers and customers
registered through the actions."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import ric, uscc

_seq = itertools.count(101)


def resident_id(region: str = "330106", birth: dt.date = dt.date(1990, 1, 1), seq: int | None = None) -> str:
    """A valid 18-digit resident ID; ``seq`` odd → male, even → female."""
    seq = next(_seq) % 1000 if seq is None else seq
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric_check(body)


def ric_check(body: str) -> str:
    """The check character of a 17-digit resident ID body (stdnum expects the full number)."""
    return ric.calc_check_digit(body + "0")


def credit_code(body: str = "91330106MA2") -> str:
    """A valid unified social credit code (18 characters)."""
    n = next(_seq)
    core = (body + f"{n:07d}")[:17]
    return core + uscc.calc_check_digit(core)


def register(actor, **kw):
    """A customer registered through customer_create (individual, in the actor's unit by default)."""
    from telcrm.customers.actions import customer_create

    kw.setdefault("customer_type", "individual")
    kw.setdefault("name", "张三")
    return customer_create(actor=actor, **kw)


def error_codes(exc) -> dict[str, list[str]]:
    """{field: [codes]} of a ValidationError."""
    return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}
