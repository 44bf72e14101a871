"""Credit rating (信誉度), blacklist (黑名单) and the interaction timeline (CUS-4, CUS-6)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error
from telcrm.platform.queries import dictionary

from .. import validation
from ..models import BlacklistEffect, BlacklistEntry, CreditChange, Customer, Interaction
from ._common import Errors, lock_customer, pk_of, require_open
from .customer import clean_channel

CREDIT_LEVELS = range(1, 6)
FUTURE_SLACK = dt.timedelta(minutes=5)


# --- credit ---------------------------------------------------------------------------------------
@transaction.atomic
def credit_set(*, actor, customer, level: int, reason: str) -> CreditChange:
    """Change the credit level (1 lowest … 5 highest) with a reason; the change is kept as history."""
    require_perm(actor, "customers.set_credit")
    customer = lock_customer(actor, customer)
    require_open(customer)
    errs = Errors()
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level.strip())
    if isinstance(level, bool) or not isinstance(level, int) or level not in CREDIT_LEVELS:
        errs.add("level", _("The credit level is a whole number from 1 to 5."), "invalid")
    elif level == customer.credit_level:
        errs.add("level", _("The customer already has this credit level."), "unchanged")
    reason = errs.run(validation.validate_text, reason, "reason", max_length=200, required=True)
    errs.raise_if_any()
    change = CreditChange.objects.create(
        customer=customer,
        level_before=customer.credit_level,
        level_after=level,
        reason=reason,
        changed_by=actor,
    )
    before = {"credit_level": customer.credit_level}
    customer.credit_level = level
    customer._history_user = actor
    customer.save(update_fields=["credit_level", "updated_at"])
    audit_write(
        action="customer.credit_set",
        actor=actor,
        obj=customer,
        before=before,
        after={"credit_level": level, "reason": reason},
    )
    return change


# --- blacklist ------------------------------------------------------------------------------------
def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise field_error(field, _("Enter a valid date."), "invalid") from exc


@transaction.atomic
def blacklist_add(
    *, actor, customer, reason_code: str, effect: str, valid_from, valid_to=None, note: str = ""
) -> BlacklistEntry:
    """Blacklist a customer, and through the ID number's blind index the person behind it: the entry
    also applies to every other customer registered with the same ID number."""
    require_perm(actor, "customers.manage_blacklist")
    customer = lock_customer(actor, customer, perm="customers.manage_blacklist")
    if customer.status == "merged":
        require_open(customer)
    errs = Errors()
    reasons = {i["code"] for i in dictionary("blacklist_reason")}
    if reason_code not in reasons:
        errs.add("reason_code", _("Choose a reason from the list."), "invalid_choice")
    if effect not in BlacklistEffect.values:
        errs.add("effect", _("Choose the effect on orders."), "invalid_choice")
    start = errs.run(_date, valid_from, "valid_from")
    if start is None and "valid_from" not in errs:
        errs.add("valid_from", _("Enter the first day the entry applies."), "required")
    end = errs.run(_date, valid_to, "valid_to")
    if start and end and end < start:
        errs.add("valid_to", _("The end date is before the start date."), "before_start")
    if end and end < timezone.localdate():
        errs.add("valid_to", _("The end date has already passed."), "past")
    note = errs.run(validation.validate_text, note, "note", max_length=500)
    if not errs.errors and (
        BlacklistEntry.objects.filter(
            customer=customer, reason_code=reason_code, effect=effect, lifted_at__isnull=True
        )
        .exclude(valid_to__lt=timezone.localdate())
        .exists()
    ):
        errs.add("reason_code", _("The customer already has this blacklist entry."), "duplicate")
    errs.raise_if_any()
    entry = BlacklistEntry(
        customer=customer,
        reason_code=reason_code,
        effect=effect,
        valid_from=start,
        valid_to=end,
        note=note or "",
        org_unit_id=customer.org_unit_id,
        owner=actor,
    )
    entry.id_number_bidx = customer.party.id_number_bidx or ""
    entry.save()
    audit_write(action="customer.blacklist_add", actor=actor, obj=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def blacklist_lift(*, actor, entry, reason: str) -> BlacklistEntry:
    require_perm(actor, "customers.manage_blacklist")
    entry = access(BlacklistEntry.objects, actor, pk_of(entry), for_update=True)
    errs = Errors()
    if entry.lifted_at is not None:
        errs.add("entry", _("This blacklist entry was already lifted."), "lifted")
    reason = errs.run(validation.validate_text, reason, "reason", max_length=200, required=True)
    errs.raise_if_any()
    before = snapshot(entry)
    entry.lifted_at = timezone.now()
    entry.lifted_by = actor
    entry.lift_reason = reason
    entry.save()
    audit_write(
        action="customer.blacklist_lift", actor=actor, obj=entry, before=before, after=snapshot(entry)
    )
    return entry


# --- the timeline ---------------------------------------------------------------------------------
@transaction.atomic
def interaction_record(
    *,
    actor,
    customer,
    channel: str,
    kind: str,
    summary: str,
    direction: str = "in",
    occurred_at: dt.datetime | None = None,
    ref_type: str = "",
    ref_id: str = "",
) -> Interaction:
    """Put a contact with the customer on the 360 timeline. Every module calls this one function
    (orders, tickets, calls, campaigns). ``actor`` None is the system (a task or an adapter); a user
    needs ``customers.view_customer`` and the customer in their scope. A summary longer than the
    column is shortened rather than refused, so a long ticket title never breaks the caller."""
    if actor is None:
        try:
            row = Customer.objects.dangerously_unscoped().get(pk=pk_of(customer))
        except (Customer.DoesNotExist, ValueError, TypeError) as exc:
            raise field_error("customer", _("Not found."), "not_found") from exc
    else:
        require_perm(actor, "customers.view_customer")
        row = access(Customer.objects, actor, pk_of(customer))
    if row.status == "merged" and row.merged_into_id:
        row = Customer.objects.dangerously_unscoped().get(pk=row.merged_into_id)  # the record that lives on
    errs = Errors()
    channel = errs.run(clean_channel, channel)
    kind = (kind or "").strip()
    if not kind or len(kind) > 40:
        errs.add("kind", _("Give the kind of interaction (at most 40 characters)."), "invalid")
    text = " ".join(str(summary or "").split())
    if not text:
        errs.add("summary", _("Write what happened."), "required")
    elif len(text) > 300:
        text = text[:299] + "…"
    if direction not in ("in", "out"):
        errs.add("direction", _("Choose inbound or outbound."), "invalid_choice")
    when = occurred_at or timezone.now()
    if not isinstance(when, dt.datetime):
        errs.add("occurred_at", _("Enter a valid date and time."), "invalid")
    else:
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when > timezone.now() + FUTURE_SLACK:
            errs.add("occurred_at", _("An interaction cannot lie in the future."), "future")
    ref_type, ref_id = str(ref_type or "")[:64], str(ref_id or "")[:64]
    errs.raise_if_any()
    interaction = Interaction.objects.create(
        customer=row,
        channel=channel,
        kind=kind,
        summary=text,
        direction=direction,
        occurred_at=when,
        ref_type=ref_type,
        ref_id=ref_id,
        org_unit_id=row.org_unit_id,
        owner=actor,
    )
    audit_write(
        action="customer.interaction_record", actor=actor, obj=interaction, after=snapshot(interaction)
    )
    return interaction
