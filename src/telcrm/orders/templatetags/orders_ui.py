"""Template helpers of the process and work-order pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` (None when absent), for dicts keyed by a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def minutes(value) -> str:
    """A number of minutes as "2 h 5 min" / "45 min"."""
    try:
        total = int(value)
    except (TypeError, ValueError):
        return "—"
    hours, rest = divmod(total, 60)
    return f"{hours} h {rest} min" if hours and rest else (f"{hours} h" if hours else f"{rest} min")
