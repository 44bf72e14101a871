"""Contact media, addresses, key persons and billing accounts of a customer (CUS-1)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error

from .. import validation
from ..models import Account, Address, ContactMedium, ContactPerson, CustomerType, MediumKind
from ._common import (
    Errors,
    blind_index,
    child_of,
    insert_numbered,
    lock_customer,
    mirror_primary_phone,
    parent_customer,
    plain,
    repair_primaries,
    require_open,
    save,
)
from .customer import clean_address


def _state(prefix: str, obj) -> dict:
    """A child row's snapshot with keys like ``contact_medium[12].kind`` (audited on the customer)."""
    return {f"{prefix}[{obj.pk}].{k}": v for k, v in snapshot(obj).items() if k not in ("id", "customer_id")}


def _medium_value(kind: str, value: str) -> str:
    if kind == MediumKind.MOBILE:
        return validation.validate_phone(value, "value", kind=validation.MOBILE)
    if kind == MediumKind.PHONE:
        return validation.validate_phone(value, "value", kind=validation.FIXED)
    if kind == MediumKind.EMAIL:
        return validation.validate_email(value, "value")
    return validation.validate_wechat(value, "value")


# --- contact media --------------------------------------------------------------------------------
@transaction.atomic
def contact_medium_save(
    *,
    actor,
    customer,
    medium=None,
    kind: str,
    value,
    is_primary: bool = False,
    marketing_consent: bool = False,
    do_not_disturb: bool = False,
) -> ContactMedium:
    """Add or change a phone, e-mail or WeChat contact. One primary per kind (the first one is primary);
    the primary mobile is mirrored into ``Customer.primary_phone``. A contact on do-not-disturb cannot
    carry marketing consent. ``value`` may be the stored (sealed) value when it is unchanged."""
    customer = lock_customer(actor, customer)
    require_open(customer)
    row = child_of(ContactMedium, medium, customer) if medium is not None else None
    errs = Errors()
    if kind not in MediumKind.values:
        errs.add("kind", _("Choose a valid kind of contact."), "invalid_choice")
    normalised = errs.run(_medium_value, kind, plain(value)) if kind in MediumKind.values else None
    if do_not_disturb and marketing_consent:
        errs.add(
            "do_not_disturb",
            _("A contact on do-not-disturb cannot have marketing consent."),
            "conflict",
        )
    if normalised:
        bidx = blind_index(ContactMedium, "value", normalised)
        same = customer.contact_media.filter(kind=kind, value_bidx=bidx)
        if row is not None:
            same = same.exclude(pk=row.pk)
        if same.exists():
            errs.add("value", _("The customer already has this contact."), "duplicate")
    errs.raise_if_any()

    before = _state("contact_medium", row) if row else {}
    old_kind = row.kind if row else None
    if row is None:
        row = ContactMedium(customer=customer)
    if not row.pk or row.value_bidx != blind_index(ContactMedium, "value", normalised):
        row.value = normalised
        row.verified_at = None
    was_primary = row.is_primary
    row.kind = kind
    row.marketing_consent = bool(marketing_consent)
    row.do_not_disturb = bool(do_not_disturb)
    siblings = customer.contact_media.filter(kind=kind).exclude(pk=row.pk)
    if is_primary:
        siblings.filter(is_primary=True).update(is_primary=False)
        row.is_primary = True
    elif was_primary and old_kind == kind and siblings.exists():
        row.is_primary = False
        oldest = siblings.order_by("id").first()
        siblings.filter(pk=oldest.pk).update(is_primary=True)
    else:
        row.is_primary = not siblings.filter(is_primary=True).exists()
    save(row, actor)
    repair_primaries(
        ContactMedium, customer, kinds={kind, old_kind}, prefer=row.pk if row.is_primary else None
    )
    mirror_primary_phone(customer, actor)
    row.refresh_from_db()
    audit_write(
        action="customer.contact_medium_save",
        actor=actor,
        obj=customer,
        before=before,
        after=_state("contact_medium", row),
    )
    return row


@transaction.atomic
def contact_medium_delete(*, actor, medium) -> None:
    customer = lock_customer(actor, parent_customer(ContactMedium, medium))
    require_open(customer)
    row = child_of(ContactMedium, medium, customer)
    before = _state("contact_medium", row)
    row._history_user = actor
    row.delete()
    repair_primaries(ContactMedium, customer, kinds={row.kind})
    mirror_primary_phone(customer, actor)
    audit_write(action="customer.contact_medium_delete", actor=actor, obj=customer, before=before, after={})


# --- addresses ------------------------------------------------------------------------------------
@transaction.atomic
def address_save(
    *,
    actor,
    customer,
    address=None,
    kind: str,
    province: str,
    city: str,
    district: str = "",
    street: str,
    postcode: str = "",
    is_primary: bool = False,
) -> Address:
    """Add or change an address; one primary address per customer (the first one is primary)."""
    customer = lock_customer(actor, customer)
    require_open(customer)
    row = child_of(Address, address, customer) if address is not None else None
    errs = Errors()
    given = {"kind": kind, "province": province, "city": city, "district": district, "street": street}
    data = clean_address(errs, {**given, "postcode": postcode, "is_primary": is_primary})
    errs.raise_if_any()
    before = _state("address", row) if row else {}
    row = row or Address(customer=customer)
    was_primary = row.is_primary
    for key in ("kind", "province", "city", "district", "street", "postcode"):
        setattr(row, key, data[key])
    others = customer.addresses.exclude(pk=row.pk)
    if is_primary:
        others.filter(is_primary=True).update(is_primary=False)
        row.is_primary = True
    elif was_primary and others.exists():
        row.is_primary = False
        others.filter(pk=others.order_by("id").first().pk).update(is_primary=True)
    else:
        row.is_primary = not others.filter(is_primary=True).exists()
    save(row, actor)
    repair_primaries(Address, customer, prefer=row.pk if row.is_primary else None)
    row.refresh_from_db()
    audit_write(
        action="customer.address_save", actor=actor, obj=customer, before=before, after=_state("address", row)
    )
    return row


@transaction.atomic
def address_delete(*, actor, address) -> None:
    customer = lock_customer(actor, parent_customer(Address, address))
    require_open(customer)
    row = child_of(Address, address, customer)
    before = _state("address", row)
    row._history_user = actor
    row.delete()
    repair_primaries(Address, customer)
    audit_write(action="customer.address_delete", actor=actor, obj=customer, before=before, after={})


# --- key persons of enterprises and groups --------------------------------------------------------
@transaction.atomic
def contact_person_save(
    *,
    actor,
    customer,
    person=None,
    name: str,
    title: str = "",
    phone="",
    email: str = "",
    is_decision_maker: bool = False,
) -> ContactPerson:
    """Add or change a key person (关键人) of an enterprise or group customer."""
    customer = lock_customer(actor, customer)
    require_open(customer)
    if customer.customer_type == CustomerType.INDIVIDUAL:
        raise field_error(
            "customer", _("Key persons are kept for enterprise and group customers."), "not_organisation"
        )
    row = child_of(ContactPerson, person, customer) if person is not None else None
    errs = Errors()
    name = errs.run(validation.validate_text, name, "name", max_length=100, required=True)
    title = errs.run(validation.validate_text, title, "title", max_length=100)
    phone_value = plain(phone).strip()
    if phone_value:
        phone_value = errs.run(validation.validate_phone, phone_value, "phone")
    email = errs.run(validation.validate_email, email) if (email or "").strip() else ""
    errs.raise_if_any()
    before = _state("contact_person", row) if row else {}
    row = row or ContactPerson(customer=customer)
    row.name, row.title, row.email = name, title, email
    row.is_decision_maker = bool(is_decision_maker)
    row.phone = phone_value or ""
    save(row, actor)
    audit_write(
        action="customer.contact_person_save",
        actor=actor,
        obj=customer,
        before=before,
        after=_state("contact_person", row),
    )
    return row


@transaction.atomic
def contact_person_delete(*, actor, person) -> None:
    customer = lock_customer(actor, parent_customer(ContactPerson, person))
    require_open(customer)
    row = child_of(ContactPerson, person, customer)
    before = _state("contact_person", row)
    row._history_user = actor
    row.delete()
    audit_write(action="customer.contact_person_delete", actor=actor, obj=customer, before=before, after={})


# --- billing accounts -----------------------------------------------------------------------------
MAX_CREDIT_LIMIT = Decimal("999999999999.99")


@transaction.atomic
def account_create(*, actor, customer, name: str, credit_limit=0, bill_cycle_day: int = 1) -> Account:
    """Open another billing account (TMF666) for the customer, with a new account number."""
    customer = lock_customer(actor, customer)
    require_open(customer)
    errs = Errors()
    name = errs.run(validation.validate_text, name, "name", max_length=200, required=True)
    try:
        limit = Decimal(str(credit_limit if credit_limit not in (None, "") else 0)).quantize(Decimal("0.01"))
        if not limit.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        limit = None
        errs.add("credit_limit", _("Enter an amount."), "invalid")
    if limit is not None and not (0 <= limit <= MAX_CREDIT_LIMIT):
        errs.add(
            "credit_limit", _("Enter an amount from 0 to %(max)s."), "out_of_range", max=MAX_CREDIT_LIMIT
        )
    if (
        isinstance(bill_cycle_day, bool)
        or not isinstance(bill_cycle_day, int)
        or not 1 <= bill_cycle_day <= 28
    ):
        errs.add("bill_cycle_day", _("The bill cycle day is a day from 1 to 28."), "invalid")
    errs.raise_if_any()
    account = Account(
        customer=customer,
        name=name,
        credit_limit=limit,
        bill_cycle_day=bill_cycle_day,
        org_unit_id=customer.org_unit_id,
        owner=customer.owner,
    )
    insert_numbered(account, "account_no", "A", actor=actor)
    audit_write(action="account.create", actor=actor, obj=account, after=snapshot(account))
    return account
