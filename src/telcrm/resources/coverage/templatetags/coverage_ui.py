"""Presentation helpers of the coverage pages: badge colours and icons of technologies and states,
the colour of a capacity bar."""

from __future__ import annotations

from django import template

register = template.Library()

TECH_CLASS = {
    "fibre": "text-bg-primary",
    "copper": "text-bg-secondary",
    "fwa_5g": "text-bg-info",
}
TECH_ICON = {"fibre": "lightning-charge", "copper": "telephone", "fwa_5g": "broadcast"}
STATUS_CLASS = {
    "in_service": "text-bg-success",
    "planned": "text-bg-light border",
    "maintenance": "text-bg-warning",
    "retired": "text-bg-dark",
}


@register.filter
def tech_class(code: str) -> str:
    return TECH_CLASS.get(code, "text-bg-light")


@register.filter
def tech_icon(code: str) -> str:
    return TECH_ICON.get(code, "router")


@register.filter
def element_status_class(code: str) -> str:
    return STATUS_CLASS.get(code, "text-bg-light")


@register.simple_tag
def capacity_class(used: int, total: int, warn_percent: int) -> str:
    """The Bootstrap colour of a capacity bar: red when full, amber from ``warn_percent``."""
    if not total or used >= total:
        return "bg-danger"
    return "bg-warning" if used * 100 >= total * int(warn_percent) else "bg-success"


@register.simple_tag
def percent(used: int, total: int) -> int:
    if not total:
        return 100 if used else 0
    return min(100, round(used * 100 / total))


@register.filter
def mbps(value) -> str:
    """1000 → "1000M", 10000 → "10G" (how carriers print bandwidth)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return ""
    if value >= 1000 and value % 1000 == 0:
        return f"{value // 1000}G"
    return f"{value}M"
