"""The product inventory record of a customer (``Subscription``): registered and corrected by hand.

Lines are normally opened and changed by orders (orders/actions/fulfilment.py, 销单入库). These two
actions are for the record itself, as an inventory system keeps it (TMF637 POST / PATCH): a line that
lives in another system (a migration, a partner's line) registered for a customer, and a correction of
its status, billing account, SIM or commitment as mirrored from the network or billing. They change
no other system; a business change of a line (suspend, plan change, termination) is an order.

- ``subscription_create`` needs ``customers.add_subscription``, ``subscription_update`` needs
  ``customers.change_subscription`` (neither is in a built-in role; an administrator grants them to an
  integration user). The customer is fetched through the actor's data scope and must be open.
- The number (``msisdn``) and the SIM (``iccid``) are held by at most one live line (active, suspended,
  pending); a terminated line stays terminated.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error

from .. import validation
from ..models import Account, Customer, Subscription, SubscriptionStatus
from ._common import Errors, child_of, lock_customer, parent_customer, pk_of, require_open

ADD = "customers.add_subscription"
CHANGE = "customers.change_subscription"
LIVE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.PENDING)
NEW_STATUSES = LIVE  # a line is not registered terminated
# status → the statuses it may move to by a correction
MOVES = {
    SubscriptionStatus.PENDING: {SubscriptionStatus.ACTIVE, SubscriptionStatus.TERMINATED},
    SubscriptionStatus.ACTIVE: {SubscriptionStatus.SUSPENDED, SubscriptionStatus.TERMINATED},
    SubscriptionStatus.SUSPENDED: {SubscriptionStatus.ACTIVE, SubscriptionStatus.TERMINATED},
    SubscriptionStatus.TERMINATED: set(),
}
EDITABLE = ("status", "account", "iccid", "commitment_end")
MAX_FEE = Decimal("100000000")


def _msisdn(value) -> str:
    """The line's service number: a mainland mobile number, or another service id (a broadband
    account) of 3 to 20 letters and digits."""
    text = re.sub(r"[\s\-]", "", str(value or ""))
    if not text:
        raise field_error("msisdn", _("Enter the line's number."), "required")
    if not re.fullmatch(r"[0-9A-Za-z]{3,20}", text):
        raise field_error("msisdn", _("Enter 3 to 20 letters and digits."), "invalid")
    if len(text) == 11 and text.startswith("1"):
        return validation.validate_phone(text, "msisdn", kind="mobile")
    return text


def _iccid(value) -> str:
    text = re.sub(r"\s", "", str(value or ""))
    if text and not re.fullmatch(r"\d{19,20}", text):
        raise field_error("iccid", _("An ICCID has 19 or 20 digits."), "invalid")
    return text


def _fee(value) -> Decimal:
    try:
        fee = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise field_error("monthly_fee", _("Enter an amount."), "invalid") from exc
    if not fee.is_finite() or fee < 0 or fee >= MAX_FEE or fee != fee.quantize(Decimal("0.01")):
        raise field_error(
            "monthly_fee", _("Enter an amount of 0 or more with at most two decimals."), "invalid"
        )
    return fee


def _held_elsewhere(field: str, value: str, sub: Subscription | None) -> None:
    """``value`` of ``field`` (msisdn, iccid) must not be held by another live line."""
    others = Subscription.objects.filter(**{field: value}, status__in=LIVE)
    if sub is not None:
        others = others.exclude(pk=sub.pk)
    if value and others.exists():
        message = (
            _("Another live line holds this number.")
            if field == "msisdn"
            else _("Another live line holds this SIM card.")
        )
        raise field_error(field, message, "in_use")


def _account(customer: Customer, account) -> Account:
    if account is None or account == "":
        found = customer.accounts.order_by("id").first()
        if found is None:
            raise field_error("account", _("The customer has no billing account."), "required")
        return found
    try:
        found = customer.accounts.filter(pk=pk_of(account)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise field_error("account", _("Choose one of the customer's billing accounts."), "invalid")
    return found


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    raise field_error(field, _("Enter a date."), "invalid")


@transaction.atomic
def subscription_create(
    *,
    actor,
    customer,
    msisdn: str,
    offer_code: str,
    offer_name: str,
    account=None,
    iccid: str = "",
    monthly_fee=0,
    status: str = SubscriptionStatus.ACTIVE,
    activated_at: dt.datetime | None = None,
    commitment_end=None,
) -> Subscription:
    """Register a line the customer holds (a product of the inventory) in one of the customer's
    billing accounts (the first one when none is given); owned like the customer it belongs to."""
    customer = lock_customer(actor, customer, perm=ADD)
    require_open(customer)
    errs = Errors()
    number = errs.run(_msisdn, msisdn)
    sim = errs.run(_iccid, iccid)
    code = errs.run(validation.validate_text, offer_code, "offer_code", max_length=40, required=True)
    name = errs.run(validation.validate_text, offer_name, "offer_name", max_length=100, required=True)
    fee = errs.run(_fee, monthly_fee)
    if status not in NEW_STATUSES:
        errs.add("status", _("A line is registered active, suspended or pending."), "invalid_choice")
    billing = errs.run(_account, customer, account)
    end = errs.run(_date, commitment_end, "commitment_end")
    if activated_at is not None and not isinstance(activated_at, dt.datetime):
        errs.add("activated_at", _("Enter a date and time."), "invalid")
    if number:
        errs.run(_held_elsewhere, "msisdn", number, None)
    if sim:
        errs.run(_held_elsewhere, "iccid", sim, None)
    errs.raise_if_any()
    if activated_at is None and status != SubscriptionStatus.PENDING:
        activated_at = timezone.now()
    sub = Subscription(
        customer=customer,
        account=billing,
        msisdn=number,
        iccid=sim,
        offer_code=code,
        offer_name=name,
        monthly_fee=fee,
        status=status,
        activated_at=activated_at,
        commitment_end=end,
        org_unit_id=customer.org_unit_id,
        owner=customer.owner,
    )
    sub.full_clean()
    sub.save()
    audit_write(action="subscription.create", actor=actor, obj=sub, after=snapshot(sub))
    return sub


@transaction.atomic
def subscription_update(*, actor, subscription, **changes) -> Subscription:
    """Correct a line's record: ``status`` (pending → active; active ⇄ suspended; any live status →
    terminated, which is final), ``account`` (another account of the same customer), ``iccid``,
    ``commitment_end``. Nothing else changes here (a plan change or a transfer is an order)."""
    customer = lock_customer(actor, parent_customer(Subscription, subscription), perm=CHANGE)
    sub = child_of(Subscription, subscription, customer)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    require_open(customer)
    before = snapshot(sub)
    errs = Errors()
    status = changes.get("status", sub.status)
    if status != sub.status:
        if status not in SubscriptionStatus.values:
            errs.add("status", _("Choose a status from the list."), "invalid_choice")
        elif status not in MOVES[sub.status]:
            errs.add(
                "status",
                _("A line that is %(current)s cannot become %(wanted)s."),
                "invalid_transition",
                current=SubscriptionStatus(sub.status).label,
                wanted=SubscriptionStatus(status).label,
            )
    if "account" in changes:
        billing = errs.run(_account, customer, changes["account"])
        if billing is not None:
            sub.account = billing
    if "iccid" in changes:
        sim = errs.run(_iccid, changes["iccid"])
        if sim and sim != sub.iccid:
            errs.run(_held_elsewhere, "iccid", sim, sub)
        if sim is not None:
            sub.iccid = sim
    if "commitment_end" in changes:
        sub.commitment_end = errs.run(_date, changes["commitment_end"], "commitment_end")
    errs.raise_if_any()
    if status != sub.status:
        sub.status = status
        if status == SubscriptionStatus.ACTIVE and sub.activated_at is None:
            sub.activated_at = timezone.now()
    sub.full_clean()
    sub.save()
    after = snapshot(sub)
    if after != before:
        audit_write(action="subscription.update", actor=actor, obj=sub, before=before, after=after)
    return sub
