"""Shared pieces of the number pool's actions: permissions, fetching a number in scope, the
compare-and-set UPDATE, and writing the history row and the audit record of a transition."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error

from .. import queries
from ..models import Number, NumberEvent, NumberState

VIEW = "resources.view_numbers"
RESERVE = "resources.reserve_number"
MANAGE = "resources.manage_numbers"
REFERENCE_MAX = 40
REASON_MAX = 200

__all__ = [
    "MANAGE",
    "RESERVE",
    "VIEW",
    "clean_reason",
    "clean_reference",
    "compare_and_set",
    "fetch",
    "not_in_state",
    "record",
    "require_perm",
]


def fetch(actor, number) -> Number:
    """The current row of ``number`` (a Number, id or MSISDN) if the actor may see it; else
    NotFoundInScope. Always read again: the caller's copy may be stale."""
    return queries.number_get(actor, number, related=False)


def compare_and_set(number: Number, expected: dict, changes: dict, *conditions) -> bool:
    """``UPDATE … SET changes WHERE id = number AND expected [AND conditions]`` — True when this call won.

    The WHERE clause repeats what the caller saw (state, holder, expiry…), so of two transactions
    racing for the same number exactly one matches: on PostgreSQL the second waits for the first's
    row lock, re-reads the committed row, no longer matches and updates nothing (rowcount 0). On
    SQLite writing transactions are serialised (BEGIN IMMEDIATE), with the same outcome.
    """
    won = Number.objects.filter(*conditions, pk=number.pk, **expected).update(**changes) == 1
    if won:
        for field, value in changes.items():
            setattr(number, field, value)
    return won


def record(
    number: Number,
    *,
    actor,
    action: str,
    from_state: str,
    at,
    reference: str = "",
    customer_id=None,
    note: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> NumberEvent:
    """The history row and the audit record of one transition (same transaction as the UPDATE)."""
    event = NumberEvent.objects.create(
        number=number,
        action=action,
        from_state=from_state,
        to_state=number.state,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        reference=reference,
        customer_id=customer_id,
        note=note[:REASON_MAX],
        at=at,
    )
    audit_write(
        action=f"number.{action}",
        actor=actor,
        obj=number,
        before={"state": from_state, **(before or {})},
        after={"state": number.state, **({"reference": reference} if reference else {}), **(after or {})},
    )
    return event


def clean_reference(value, field: str = "reference") -> str:
    text = str(value or "").strip()
    if len(text) > REFERENCE_MAX:
        raise field_error(
            field, _("Keep the reference to %(max)s characters or fewer."), "max_length", max=REFERENCE_MAX
        )
    return text


def clean_reason(value, field: str = "reason", *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("Give a reason."), "required")
    if len(text) > REASON_MAX:
        raise field_error(
            field, _("Keep the reason to %(max)s characters or fewer."), "max_length", max=REASON_MAX
        )
    return text


def not_in_state(number: Number, *allowed: str, code: str = "invalid_state"):
    """The field error for a number that is not in one of the ``allowed`` states."""
    if number.state == NumberState.FREE or NumberState.FREE not in allowed:
        return field_error(
            "number",
            _("Number %(msisdn)s cannot do this while it is %(state)s."),
            code,
            msisdn=number.msisdn,
            state=NumberState(number.state).label,
        )
    return field_error(
        "number",
        _("Number %(msisdn)s is not free (it is %(state)s); choose another."),
        "not_free",
        msisdn=number.msisdn,
        state=NumberState(number.state).label,
    )


def pk_of(obj):
    return obj.pk if isinstance(obj, Model) else obj
