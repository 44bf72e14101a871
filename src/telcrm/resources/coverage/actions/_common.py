"""What the coverage actions share: their permission and the check of whole numbers."""

from __future__ import annotations

from telcrm.customers.actions._common import Errors

from ..i18n import _

MANAGE = "coverage.manage_coverage"


def _whole_number(errs: Errors, field: str, value, *, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errs.add(field, _("Enter a whole number from %(low)d to %(high)d."), "invalid", low=low, high=high)
        return None
    return number
