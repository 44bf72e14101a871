"""Presentation helpers of the number pool pages: grouped digits, yuan from fen, state badges."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html

from ..rules import group_digits

register = template.Library()

STATE_CLASS = {
    "free": "text-bg-success",
    "reserved": "text-bg-warning",
    "assigned": "text-bg-primary",
    "quarantined": "text-bg-info",
    "frozen": "text-bg-dark",
}


@register.filter
def grouped(msisdn) -> str:
    """13805718888 → 138 0571 8888."""
    return group_digits(str(msisdn or ""))


@register.filter
def yuan(fen) -> str:
    """Integer fen → "¥1,888" or "¥12.50"."""
    try:
        amount = Decimal(int(fen or 0)) / 100
    except (TypeError, ValueError):
        return ""
    text = f"{amount:,.2f}"
    return "¥" + text.removesuffix(".00")


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASS.get(state, "text-bg-light")


@register.filter
def hhmm(value) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


@register.simple_tag
def level_badge(level):
    if level is None:
        return ""
    return format_html(
        '<span class="badge text-bg-{} level-badge">{}</span>', level.colour, level.display_name
    )


@register.filter
def highlight(msisdn, digits) -> str:
    """The grouped number with the searched digits (``contains`` or ``ends_with``) in bold."""
    text = group_digits(str(msisdn or ""))
    digits = str(digits or "")
    if not digits:
        return text
    plain = str(msisdn)
    at = plain.rfind(digits)
    if at < 0:
        return text

    # map positions of the plain number into the grouped text (spaces after digit 3 and 7)
    def pos(i: int) -> int:
        return i + (i >= 3) + (i >= 7) if len(plain) == 11 else i

    start, end = pos(at), pos(at + len(digits) - 1) + 1
    return format_html('{}<mark class="px-0">{}</mark>{}', text[:start], text[start:end], text[end:])


@register.filter
def brand_label(code: str) -> str:
    """The brand's name from the ``number_brand`` dictionary (码表), in the current language."""
    from telcrm.platform.queries import dictionary_label

    return dictionary_label("number_brand", code) if code else ""
