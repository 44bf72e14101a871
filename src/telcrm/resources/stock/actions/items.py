"""State changes of one SIM card or terminal — what the order module calls at the counter.

Each is one transaction: check the permission, find the item by its number within the actor's data
scope (a clerk: their own branch), check the move against the state machine (states.py), then a
conditional UPDATE ``… WHERE id = %s AND state = <state read>`` (compare-and-set), a movement row and
an audit record. A second caller racing for the same item finds it no longer in that state and gets
a field error; the same SIM is never allocated twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error

from .. import states, validation
from ..models import SimCard, Terminal
from ..permissions import ALLOCATE, MANAGE
from ..states import ItemState, Move
from ._common import SIM, TERMINAL, Kind, movement


def _change(
    actor,
    kind: Kind,
    code,
    move: str,
    *,
    perm: str,
    updates: Callable[[object, object], dict] | None = None,
    reference: str | None = None,
    check_reference: bool = False,
    note: str = "",
    field: str | None = None,
):
    require_perm(actor, perm)
    field = field or kind.key
    code = kind.clean(code, field)
    if reference is not None:
        reference = validation.clean_reference(reference)
    # FOR NO KEY UPDATE: concurrent inserts referencing the item (movements) are not blocked
    item = (
        kind.model.objects.restrict(actor).select_for_update(no_key=True).filter(**{kind.key: code}).first()
    )
    if item is None:
        raise field_error(
            field, _("No %(item)s with this number in your stock."), "not_found", item=kind.label
        )
    try:
        new_state = states.target(kind.code, item.state, move)
    except states.TransitionRefused:
        raise field_error(
            field,
            _("This %(item)s is “%(state)s”; “%(move)s” is not possible in that state."),
            "invalid_state",
            item=kind.label,
            state=ItemState(item.state).label,
            move=Move(move).label,
        ) from None
    if check_reference and reference and item.reference and item.reference != reference:
        raise field_error(
            "reference",
            _("This item is held for another order (%(reference)s)."),
            "reference_mismatch",
            reference=item.reference,
        )
    now = timezone.now()
    before = {"state": item.state, "reference": item.reference}
    fields = {"state": new_state, "state_changed_at": now, "updated_at": now}
    if updates is not None:
        fields.update(updates(item, now))
    if note:
        fields["note"] = note
    # compare-and-set: only if nobody moved the item since it was read
    if not kind.model.objects.filter(pk=item.pk, state=item.state).update(**fields):
        raise field_error(
            field,
            _("This %(item)s was changed by someone else a moment ago; try again."),
            "conflict",
            item=kind.label,
        )
    old_state = item.state
    for name, value in fields.items():
        setattr(item, name, value)
    movement(
        item,
        move=move,
        state_from=old_state,
        state_to=new_state,
        actor=actor,
        at=now,
        org_unit_id=item.org_unit_id,
        reference=item.reference or (reference or ""),
        note=note,
    ).save()
    after = {"state": new_state, "reference": item.reference}
    for extra in ("msisdn", "note"):
        if extra in fields:
            after[extra] = fields[extra]
    audit_write(action=f"stock.{kind.code}_{move}", actor=actor, obj=item, before=before, after=after)
    return item


def _reason(actor, reason) -> str:
    require_perm(actor, MANAGE)  # a missing permission is a 403 before any input error
    return validation.clean_text(reason, "reason", max_length=200, required=True)


# --- SIM cards --------------------------------------------------------------------------------------------
@transaction.atomic
def sim_allocate(actor, iccid, *, reference: str = "") -> SimCard:
    """Take a SIM card in stock (at a unit in the actor's scope) for an order: in_stock → allocated."""
    return _change(
        actor,
        SIM,
        iccid,
        Move.ALLOCATE,
        perm=ALLOCATE,
        reference=reference,
        updates=lambda item, now: {"reference": validation.clean_reference(reference), "allocated_at": now},
    )


@transaction.atomic
def sim_activate(actor, iccid, *, msisdn, reference: str = "") -> SimCard:
    """The line is open on this card: allocated → activated, with its number."""
    require_perm(actor, ALLOCATE)
    number = validation.clean_msisdn(msisdn)
    return _change(
        actor,
        SIM,
        iccid,
        Move.ACTIVATE,
        perm=ALLOCATE,
        reference=reference,
        check_reference=True,
        updates=lambda item, now: {
            "msisdn": number,
            "activated_at": now,
            "reference": validation.clean_reference(reference) or item.reference,
        },
    )


@transaction.atomic
def sim_release(actor, iccid, *, reference: str = "") -> SimCard:
    """The order was abandoned: allocated → in_stock, free for the next one."""
    return _change(
        actor,
        SIM,
        iccid,
        Move.RELEASE,
        perm=ALLOCATE,
        reference=reference,
        check_reference=True,
        updates=lambda item, now: {"reference": "", "allocated_at": None},
    )


@transaction.atomic
def sim_mark_faulty(actor, iccid, *, reason: str) -> SimCard:
    """A broken card (at the counter, or a customer's card replaced): → faulty."""
    return _change(actor, SIM, iccid, Move.FAULT, perm=MANAGE, note=_reason(actor, reason))


@transaction.atomic
def sim_return(actor, iccid, *, reason: str) -> SimCard:
    """Sent back to the supplier or warehouse (退库): in_stock / faulty → returned."""
    return _change(actor, SIM, iccid, Move.RETURN, perm=MANAGE, note=_reason(actor, reason))


# --- terminals --------------------------------------------------------------------------------------------
@transaction.atomic
def terminal_allocate(actor, imei, *, reference: str = "") -> Terminal:
    return _change(
        actor,
        TERMINAL,
        imei,
        Move.ALLOCATE,
        perm=ALLOCATE,
        reference=reference,
        updates=lambda item, now: {"reference": validation.clean_reference(reference), "allocated_at": now},
    )


@transaction.atomic
def terminal_sell(actor, imei, *, reference: str = "") -> Terminal:
    """Handed over to the customer: allocated (or straight from stock) → sold."""
    return _change(
        actor,
        TERMINAL,
        imei,
        Move.SELL,
        perm=ALLOCATE,
        reference=reference,
        check_reference=True,
        updates=lambda item, now: {
            "sold_at": now,
            "reference": validation.clean_reference(reference) or item.reference,
        },
    )


@transaction.atomic
def terminal_release(actor, imei, *, reference: str = "") -> Terminal:
    return _change(
        actor,
        TERMINAL,
        imei,
        Move.RELEASE,
        perm=ALLOCATE,
        reference=reference,
        check_reference=True,
        updates=lambda item, now: {"reference": "", "allocated_at": None},
    )


@transaction.atomic
def terminal_mark_faulty(actor, imei, *, reason: str) -> Terminal:
    return _change(actor, TERMINAL, imei, Move.FAULT, perm=MANAGE, note=_reason(actor, reason))


@transaction.atomic
def terminal_return(actor, imei, *, reason: str) -> Terminal:
    return _change(actor, TERMINAL, imei, Move.RETURN, perm=MANAGE, note=_reason(actor, reason))
