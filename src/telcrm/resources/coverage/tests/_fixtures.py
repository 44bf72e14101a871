"""Helpers of the coverage tests: elements and covered addresses made through the actions."""

from __future__ import annotations

import itertools

from telcrm.resources.coverage import actions

_seq = itertools.count(1)


def element(
    carrier,
    *,
    unit=None,
    code: str | None = None,
    kind: str = "olt",
    ports_total: int = 100,
    max_bandwidth_mbps: int = 1000,
    status: str = "in_service",
    **kw,
):
    """A network element registered by the administrator (in the carrier's city by default)."""
    return actions.element_create(
        actor=carrier["admin"],
        code=code or f"T-OLT{next(_seq):04d}",
        kind=kind,
        org_unit=unit or carrier.city,
        ports_total=ports_total,
        max_bandwidth_mbps=max_bandwidth_mbps,
        status=status,
        **kw,
    )


def cover(
    carrier,
    el,
    street: str = "文三路88号",
    *,
    province: str = "浙江省",
    city: str = "杭州市",
    district: str = "西湖区",
    building: str = "",
    **kw,
):
    """A covered address of ``el`` recorded by the administrator."""
    return actions.covered_address_create(
        actor=carrier["admin"],
        element=el,
        province=province,
        city=city,
        district=district,
        street=street,
        building=building,
        **kw,
    )


def set_ports(el, used: int) -> None:
    """Put ``used`` ports in use directly (the CAS actions are tested on their own)."""
    type(el).objects.dangerously_unscoped().filter(pk=el.pk).update(ports_used=used)
    el.refresh_from_db()


def error_codes(exc) -> dict[str, list[str]]:
    return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}
