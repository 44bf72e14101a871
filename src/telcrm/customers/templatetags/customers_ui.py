"""Small presentation helpers of the customer pages: badge colours, dictionary labels, money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()

TIER_CLASS = {"vip": "text-bg-warning", "important": "text-bg-primary", "ordinary": "text-bg-light border"}
STATUS_CLASS = {
    "active": "text-bg-success",
    "suspended": "text-bg-warning",
    "closed": "text-bg-secondary",
    "merged": "text-bg-dark",
    "terminated": "text-bg-secondary",
    "pending": "text-bg-info",
    "approved": "text-bg-success",
    "rejected": "text-bg-secondary",
}
TYPE_ICON = {"individual": "person", "enterprise": "building", "group": "buildings"}


@register.filter
def tier_class(code: str) -> str:
    return TIER_CLASS.get(code, "text-bg-light")


@register.filter
def status_class(code: str) -> str:
    return STATUS_CLASS.get(code, "text-bg-light")


@register.filter
def type_icon(code: str) -> str:
    return TYPE_ICON.get(code, "person")


@register.filter
def credit_class(level) -> str:
    try:
        level = int(level)
    except (TypeError, ValueError):
        return "text-bg-light"
    return "text-bg-danger" if level <= 1 else "text-bg-warning" if level == 2 else "text-bg-success"


@register.filter
def dict_label(code: str, dictionary: str) -> str:
    """The label of ``code`` in dictionary ``dictionary`` (码表), in the current language."""
    from telcrm.platform.queries import dictionary_label

    return dictionary_label(dictionary, code) if code else ""


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50" (yuan)."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except Exception:
        return str(value)


@register.filter
def is_active_entry(entry) -> bool:
    """Whether a blacklist entry is in force today (not lifted, within its period)."""
    today = timezone.localdate()
    if getattr(entry, "lifted_at", None):
        return False
    start, end = entry.valid_from, entry.valid_to
    return (start is None or start <= today) and (end is None or end >= today)


@register.filter
def field_label(name: str, model: str = "customer") -> str:
    from django.apps import apps
    from django.utils.text import capfirst

    try:
        return str(capfirst(apps.get_model("customers", model)._meta.get_field(name).verbose_name))
    except Exception:
        return name


@register.filter
def days_until(value) -> int | None:
    if not isinstance(value, dt.date):
        return None
    return (value - timezone.localdate()).days


def _kind_labels() -> dict:
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext_lazy

    return {
        "registration": _("Registration"),
        "real_name": _("Real-name registration"),
        "visit": _("Visit at the counter"),
        "call": _("Phone call"),
        "note": _("Note"),
        "complaint": _("Complaint"),
        "consultation": _("Consultation"),
        "consult": _("Consultation"),
        "order": pgettext_lazy("customers-ui", "Order"),
        "sms": _("SMS"),
        "email": _("Email"),
        "ticket": pgettext_lazy("customers-ui", "Service request"),
        "update_request": _("Update request"),
        "update_request_reviewed": _("Update request reviewed"),
        "merge": pgettext_lazy("customers-ui", "Merge"),
        "import": _("Bulk import"),
    }


@register.filter
def interaction_kind(code: str) -> str:
    return str(_kind_labels().get(code, code))


@register.filter
def shown_changes(update_request) -> list[dict]:
    """The requested changes of an update request, labelled, personal data masked."""
    from ..views.reviews import requested_changes

    return requested_changes(update_request)
