"""The transitions of a number (the interface orders call): reserve, release, assign, quarantine,
freeze, unfreeze. Each is one transaction: check the permission, fetch the number through the
actor's visibility, validate, one compare-and-set UPDATE (its rowcount decides who won), then the
history row and the audit record. A number is never reserved or assigned twice: the UPDATE only
matches the row in the state the caller saw, and the CHECK constraints refuse any other shape."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import AccessDenied, field_error
from telcrm.platform.models import User
from telcrm.platform.parameters import param

from ..models import Number, NumberState
from ._common import (
    MANAGE,
    RESERVE,
    clean_reason,
    clean_reference,
    compare_and_set,
    fetch,
    not_in_state,
    pk_of,
    record,
    require_perm,
)

NOT_HOLDER = _(
    "Number %(msisdn)s is held by someone else; only they, their order or a manager may release it."
)


def _taken(number: Number):
    return field_error(
        "number",
        _("Someone else has just taken number %(msisdn)s; choose another."),
        "taken",
        msisdn=number.msisdn,
    )


def _minutes(minutes) -> int:
    if minutes in (None, ""):
        return int(param("resources.reservation_minutes"))
    try:
        value = int(minutes)
    except (TypeError, ValueError) as exc:
        raise field_error("minutes", _("Enter a whole number of minutes."), "invalid") from exc
    longest = int(param("resources.reservation_max_minutes"))
    if not 1 <= value <= longest:
        raise field_error(
            "minutes",
            _("A reservation lasts from 1 to %(max)s minutes."),
            "out_of_range",
            max=longest,
        )
    return value


def _customer(actor, customer, *, required: bool):
    """A live customer the actor may see (customers' own data scope), or None when not required."""
    from telcrm.customers.models import Customer, CustomerStatus

    if customer in (None, ""):
        if required:
            raise field_error("customer", _("Choose the customer the number is for."), "required")
        return None
    try:
        found = Customer.objects.restrict(actor).filter(pk=pk_of(customer)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise field_error("customer", _("Choose a customer within your data scope."), "invalid")
    if found.status in (CustomerStatus.CLOSED, CustomerStatus.MERGED):
        raise field_error("customer", _("This customer is closed or merged."), "inactive")
    return found


def _may_act_for_holder(actor, number: Number, reference: str) -> bool:
    """Whether the actor may end someone's reservation: the holder, the order holding it (its
    reference), a number administrator, or a manager whose data scope covers the holder."""
    if number.reserved_by_id == actor.pk:
        return True
    if reference and number.reservation_ref and reference == number.reservation_ref:
        return True
    if actor.has_perm(MANAGE):
        return True
    if actor.data_scope == "own":
        return False
    return User.objects.restrict(actor).filter(pk=number.reserved_by_id).exists()


def _reservation_match(number: Number) -> dict:
    """The WHERE clause that matches exactly the reservation the caller saw."""
    return {
        "state": NumberState.RESERVED,
        "reserved_by_id": number.reserved_by_id,
        "reservation_ref": number.reservation_ref,
        "reserved_until": number.reserved_until,
    }


CLEAR_RESERVATION = {"reserved_until": None, "reserved_by": None, "reservation_ref": ""}


@transaction.atomic
def number_reserve(actor, number, *, reference: str = "", customer=None, minutes=None) -> Number:
    """free → reserved until now + ``resources.reservation_minutes`` (or ``minutes``) for the actor,
    optionally for an order (``reference``) and a customer. Someone faster gets a field error on
    ``number`` ("taken")."""
    require_perm(actor, RESERVE)
    row = fetch(actor, number)
    reference = clean_reference(reference)
    length = _minutes(minutes)
    buyer = _customer(actor, customer, required=False)
    if row.state != NumberState.FREE:
        raise not_in_state(row, NumberState.FREE)
    limit = int(param("resources.max_reservations_per_user"))
    now = timezone.now()
    # the limit per person is part of the same UPDATE: (SELECT count(*) of what the actor holds) < limit
    held = (
        Number.objects.filter(state=NumberState.RESERVED, reserved_by=actor, reserved_until__gt=now)
        .order_by()
        .values("reserved_by")
        .annotate(n=Count("id"))
        .values("n")
    )
    under_limit = LessThan(Coalesce(Subquery(held), 0), limit)
    changes = {
        "state": NumberState.RESERVED,
        "reserved_until": now + timedelta(minutes=length),
        "reserved_by": actor,
        "reservation_ref": reference,
        "customer": buyer,
        "updated_at": now,
    }
    if not compare_and_set(row, {"state": NumberState.FREE}, changes, under_limit):
        if held.exists() and held[0]["n"] >= limit:
            raise field_error(
                "number",
                _("You already hold %(max)s reserved numbers; release one first."),
                "too_many",
                max=limit,
            )
        raise _taken(row)
    record(
        row,
        actor=actor,
        action="reserve",
        from_state=NumberState.FREE,
        at=now,
        reference=reference,
        customer_id=buyer.pk if buyer else None,
        after={"reserved_until": row.reserved_until, **({"customer": buyer.pk} if buyer else {})},
    )
    return row


@transaction.atomic
def number_release(actor, number, *, reference: str = "") -> Number:
    """reserved → free: by the holder, the order holding it (same ``reference``) or a manager."""
    require_perm(actor, RESERVE)
    row = fetch(actor, number)
    reference = clean_reference(reference)
    if row.state != NumberState.RESERVED:
        raise not_in_state(row, NumberState.RESERVED)
    if not _may_act_for_holder(actor, row, reference):
        raise field_error(
            "number",
            NOT_HOLDER,
            "not_holder",
            msisdn=row.msisdn,
        )
    seen = _reservation_match(row)
    held_by, held_for = row.reserved_by_id, row.reservation_ref
    now = timezone.now()
    changes = {"state": NumberState.FREE, **CLEAR_RESERVATION, "customer": None, "updated_at": now}
    if not compare_and_set(row, seen, changes):
        raise _changed(row)
    record(
        row,
        actor=actor,
        action="release",
        from_state=NumberState.RESERVED,
        at=now,
        reference=held_for,
        before={"reserved_by": held_by},
    )
    return row


def _changed(number: Number):
    return field_error(
        "number",
        _("Number %(msisdn)s was changed by someone else meanwhile; look at it again."),
        "changed",
        msisdn=number.msisdn,
    )


@transaction.atomic
def number_assign(actor, number, *, customer, reference: str = "") -> Number:
    """reserved (by this order ``reference``, or by the actor) → assigned, or free → assigned, to
    ``customer``. The order module calls it when the line is opened."""
    require_perm(actor, RESERVE)
    row = fetch(actor, number)
    reference = clean_reference(reference)
    buyer = _customer(actor, customer, required=True)
    now = timezone.now()
    if row.state == NumberState.FREE:
        expected = {"state": NumberState.FREE}
    elif row.state == NumberState.RESERVED:
        if row.reservation_ref and reference != row.reservation_ref:
            raise field_error(
                "number",
                _("Number %(msisdn)s is reserved for another order."),
                "reserved_elsewhere",
                msisdn=row.msisdn,
            )
        if not row.reservation_ref and not _may_act_for_holder(actor, row, reference):
            raise field_error(
                "number",
                _("Number %(msisdn)s is reserved by someone else."),
                "reserved_elsewhere",
                msisdn=row.msisdn,
            )
        if row.customer_id and row.customer_id != buyer.pk:
            raise field_error("customer", _("The number is reserved for another customer."), "other_customer")
        if row.reserved_until <= now:
            raise field_error(
                "number",
                _("The reservation of number %(msisdn)s has expired; reserve it again."),
                "expired",
                msisdn=row.msisdn,
            )
        expected = _reservation_match(row)
    else:
        raise not_in_state(row, NumberState.FREE, NumberState.RESERVED)
    from_state = row.state
    changes = {"state": NumberState.ASSIGNED, **CLEAR_RESERVATION, "customer": buyer, "updated_at": now}
    if not compare_and_set(row, expected, changes):
        raise _taken(row)  # assigned, reserved or released by someone else since we read it
    record(
        row,
        actor=actor,
        action="assign",
        from_state=from_state,
        at=now,
        reference=reference,
        customer_id=buyer.pk,
        after={"customer": buyer.pk},
    )
    return row


@transaction.atomic
def number_quarantine(actor, number, *, reason: str = "") -> Number:
    """assigned → quarantined for ``resources.quarantine_days`` (the line was terminated); the number
    returns to the pool by itself when the cooling period ends (scheduled ``quarantine_finish``)."""
    if not (actor is not None and (actor.has_perm(RESERVE) or actor.has_perm(MANAGE))):
        raise AccessDenied()
    row = fetch(actor, number)
    reason = clean_reason(reason)
    if row.state != NumberState.ASSIGNED:
        raise not_in_state(row, NumberState.ASSIGNED)
    now = timezone.now()
    holder = row.customer_id
    changes = {
        "state": NumberState.QUARANTINED,
        "quarantine_until": now + timedelta(days=int(param("resources.quarantine_days"))),
        "updated_at": now,
    }
    if not compare_and_set(row, {"state": NumberState.ASSIGNED, "customer_id": holder}, changes):
        raise _changed(row)
    record(
        row,
        actor=actor,
        action="quarantine",
        from_state=NumberState.ASSIGNED,
        at=now,
        customer_id=holder,
        note=reason,
        after={"quarantine_until": row.quarantine_until},
    )
    return row


@transaction.atomic
def number_freeze(actor, number, *, reason: str) -> Number:
    """free or quarantined → frozen: an administrator's hold (reserved for a VIP, disputed, …)."""
    require_perm(actor, MANAGE)
    row = fetch(actor, number)
    reason = clean_reason(reason, required=True)
    if row.state not in (NumberState.FREE, NumberState.QUARANTINED):
        raise not_in_state(row, NumberState.FREE, NumberState.QUARANTINED)
    now = timezone.now()
    from_state = row.state
    changes = {
        "state": NumberState.FROZEN,
        "frozen_reason": reason,
        "quarantine_until": None,
        "customer": None,
        "updated_at": now,
    }
    if not compare_and_set(row, {"state": from_state, "customer_id": row.customer_id}, changes):
        raise _changed(row)
    record(
        row,
        actor=actor,
        action="freeze",
        from_state=from_state,
        at=now,
        note=reason,
        after={"reason": reason},
    )
    return row


@transaction.atomic
def number_unfreeze(actor, number) -> Number:
    """frozen → free."""
    require_perm(actor, MANAGE)
    row = fetch(actor, number)
    if row.state != NumberState.FROZEN:
        raise not_in_state(row, NumberState.FROZEN)
    now = timezone.now()
    reason = row.frozen_reason
    changes = {"state": NumberState.FREE, "frozen_reason": "", "updated_at": now}
    if not compare_and_set(row, {"state": NumberState.FROZEN}, changes):
        raise _changed(row)
    record(
        row, actor=actor, action="unfreeze", from_state=NumberState.FROZEN, at=now, before={"reason": reason}
    )
    return row


__all__ = [
    "number_assign",
    "number_freeze",
    "number_quarantine",
    "number_release",
    "number_reserve",
    "number_unfreeze",
]
