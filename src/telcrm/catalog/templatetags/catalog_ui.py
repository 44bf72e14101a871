"""Presentation helpers of the catalog pages: money in fen, badge colours, icons."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

LIFECYCLE_CLASS = {
    "draft": "text-bg-secondary",
    "active": "text-bg-success",
    "retired": "text-bg-dark",
}
TARIFF_CLASS = {
    "draft": "text-bg-light border",
    "pending_approval": "text-bg-warning",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "expired": "text-bg-secondary",
    "revoked": "text-bg-dark",
}
KIND_ICON = {
    "plan": "sim",
    "add_on": "plus-circle",
    "broadband": "router",
    "device": "phone",
    "bundle": "boxes",
    "mobile": "sim",
    "service": "gear",
}


@register.filter
def fen(value) -> str:
    """12800 → "¥128.00"; None or "" → "—"."""
    if value in (None, ""):
        return "—"
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "—"
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}¥{n // 100:,}.{n % 100:02d}"


@register.filter
def yuan(value) -> str:
    """12800 → "128" or "128.50" (for form fields)."""
    if value in (None, ""):
        return ""
    n = int(value)
    return f"{n // 100}" if n % 100 == 0 else f"{n // 100}.{n % 100:02d}"


@register.filter
def lifecycle_class(code: str) -> str:
    return LIFECYCLE_CLASS.get(code, "text-bg-light")


@register.filter
def tariff_class(code: str) -> str:
    return TARIFF_CLASS.get(code, "text-bg-light")


@register.filter
def kind_icon(code: str) -> str:
    return KIND_ICON.get(code, "box")


@register.filter
def features_text(features) -> str:
    """{"data_gb": 30, "voice_min": 500} → "30GB · 500分钟" in the current language."""
    if not isinstance(features, dict):
        return ""
    parts = []
    labels = {
        "data_gb": _("%(n)sGB data"),
        "voice_min": _("%(n)s min"),
        "sms": _("%(n)s SMS"),
        "speed_mbps": _("%(n)s Mbps"),
        "lines": _("%(n)s lines"),
    }
    for key, label in labels.items():
        if features.get(key) not in (None, "", 0):
            parts.append(label % {"n": features[key]})
    return " · ".join(parts)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
