"""Template filters of the stock pages: state badges, prices in yuan, dictionary look-ups."""

from __future__ import annotations

from django import template

register = template.Library()

STATE_CLASSES = {
    "in_stock": "text-bg-success",
    "in_transit": "text-bg-info",
    "allocated": "text-bg-primary",
    "activated": "text-bg-secondary",
    "sold": "text-bg-secondary",
    "faulty": "text-bg-danger",
    "returned": "text-bg-dark",
    "missing": "text-bg-warning",
    # transfers, counts, deliveries
    "draft": "text-bg-light border",
    "shipped": "text-bg-info",
    "received": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "open": "text-bg-primary",
    "closed": "text-bg-success",
    "importing": "text-bg-primary",
    "failed": "text-bg-danger",
    "pending": "text-bg-light border",
}


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASSES.get(str(state), "text-bg-light border")


@register.filter
def yuan(fen) -> str:
    """1999900 → "19,999.00"."""
    try:
        fen = int(fen)
    except (TypeError, ValueError):
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@register.filter
def get(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key, 0)
    return 0


@register.filter
def percent_of(value, total) -> int:
    try:
        return max(0, min(100, int(int(value) * 100 / int(total)))) if int(total) else 0
    except (TypeError, ValueError):
        return 0
