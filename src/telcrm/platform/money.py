"""Amounts of money: stored as integers in fen (分), entered by people in yuan (元)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def yuan_to_fen(value, *, allow_zero: bool = True) -> int:
    """``"88"``, ``"88.50"``, ``"¥1,288.00"`` → fen. Anything else — more than two decimals, negative,
    not a finite number (``NaN``, ``Infinity``, ``1e400``) — raises ValueError with the reason's message,
    so the caller names its own field."""
    text = str(value if value is not None else "").replace(",", "").replace("¥", "").strip()
    if not text:
        if allow_zero:
            return 0
        raise ValueError(_("Enter an amount in yuan, e.g. 88 or 88.50."))
    try:
        amount = Decimal(text)
        exact = amount.is_finite() and amount == amount.quantize(CENT)
    except InvalidOperation:  # quantize of a number too large for the context
        exact = False
    if not exact or amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(_("Enter an amount in yuan, e.g. 88 or 88.50."))
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_field(field: str, value, *, allow_zero: bool = True) -> int:
    """:func:`yuan_to_fen` with the error as a field error on ``field``."""
    try:
        return yuan_to_fen(value, allow_zero=allow_zero)
    except ValueError as exc:
        raise ValidationError({field: ValidationError(exc.args[0], code="invalid")}) from exc
