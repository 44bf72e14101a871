"""Writes the TMF APIs need beyond the customer actions (customers/actions.py): a party without a
customer (TMF632), TMF666 accounts and bill-structure reference data, the TMF attributes of a
customer, and billing accounts whose owner we cannot resolve.

Same rules as every action: keyword-only, fetch within the actor's scope, validate (the shared
``customers.validation`` rules, then ``full_clean``), write, audit — one transaction each.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform import crypto
from telcrm.platform.actions._base import access, require_perm, validate
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error

from .. import validation
from ..models import (
    Account,
    BillFormat,
    BillingCycleSpecification,
    BillPresentationMedia,
    Customer,
    CustomerStatus,
    CustomerTmfData,
    Gender,
    Party,
    PartyAccount,
    PartyAccountKind,
    PartyKind,
)

ADD = "customers.add_customer"
CHANGE = "customers.change_customer"
REFERENCE_DATA = "platform.manage_parameters"  # carrier-wide billing configuration


# --- parties (TMF632) ---------------------------------------------------------------------------------
def individual_name(family_name: str, given_name: str) -> str:
    """张 + 三 → 张三; Jane + Lamborgizzia → Jane Lamborgizzia (Latin names: given name first)."""
    if (family_name + given_name).isascii():
        return " ".join(p for p in (given_name, family_name) if p)
    return f"{family_name}{given_name}"


PARTY_FIELDS = {
    "name": 200,
    "family_name": 100,
    "given_name": 100,
    "trading_name": 200,
    "legal_representative": 100,
    "industry": 50,
    "nationality": 3,
}


def _check_party(party: Party, *, id_number: str | None, creating: bool = False) -> None:
    """Shared rules (customers.validation) on a party about to be saved; sets normalised values."""
    for field, max_length in PARTY_FIELDS.items():
        setattr(party, field, validation.validate_text(getattr(party, field), field, max_length=max_length))
    if party.kind == PartyKind.INDIVIDUAL and creating:
        if not party.family_name:
            raise field_error("family_name", _("Enter the family name."), "required")
        if not party.given_name:
            raise field_error("given_name", _("Enter the given name."), "required")
    if party.kind == PartyKind.INDIVIDUAL:
        party.name = party.name or individual_name(party.family_name, party.given_name)
        if not party.name:
            raise field_error("name", _("Enter the name."), "required")
    else:
        if not party.trading_name and not party.name:
            raise field_error("trading_name", _("Enter the organisation's trading name."), "required")
        party.name = party.name or party.trading_name
        party.trading_name = party.trading_name or party.name
    if party.gender and party.gender not in Gender.values:
        raise field_error("gender", _("Choose a valid gender."), "invalid_choice")
    party.birth_date = validation.validate_birth_date(party.birth_date)
    customer_type = "individual" if party.kind == PartyKind.INDIVIDUAL else "enterprise"
    if id_number is not None:  # a new or changed ID number
        if id_number.strip():
            party.id_doc_type = validation.validate_doc_type(party.id_doc_type, customer_type=customer_type)
            number = validation.validate_id_number(party.id_doc_type, id_number)
            index = crypto.blind_index(crypto.normalize(number), context="customers.Party.id_number")
            taken = Party.objects.dangerously_unscoped().filter(id_number_bidx=index).exclude(pk=party.pk)
            if taken.exists():
                raise field_error(
                    "id_number", _("A party with this ID number is already registered."), "duplicate"
                )
            party.id_number = number
        else:
            party.id_number = ""
            party.id_doc_type = ""
    elif party.id_doc_type:
        validation.validate_doc_type(party.id_doc_type, customer_type=customer_type)


@transaction.atomic
def party_create(
    *,
    actor,
    kind: str,
    name: str = "",
    family_name: str = "",
    given_name: str = "",
    gender: str = "",
    birth_date=None,
    nationality: str = "CHN",
    trading_name: str = "",
    legal_representative: str = "",
    industry: str = "",
    id_doc_type: str = "",
    id_number: str = "",
) -> Party:
    """A party (person or organisation) with no customer role yet, in the actor's unit."""
    require_perm(actor, ADD)
    if kind not in PartyKind.values:
        raise field_error("kind", _("Choose individual or organisation."), "invalid_choice")
    party = Party(
        kind=kind,
        name=name or "",
        family_name=family_name or "",
        given_name=given_name or "",
        gender=gender or "",
        birth_date=birth_date,
        nationality=nationality or "",
        trading_name=trading_name or "",
        legal_representative=legal_representative or "",
        industry=industry or "",
        id_doc_type=(id_doc_type or "").strip(),
        org_unit=actor.org_unit,
        owner=actor,
    )
    _check_party(party, id_number=id_number or "", creating=True)
    validate(party, exclude=["id_number"])
    party.save()
    audit_write(action="party.create", actor=actor, obj=party, after=snapshot(party))
    return party


PARTY_EDITABLE = (
    "name",
    "family_name",
    "given_name",
    "gender",
    "birth_date",
    "nationality",
    "trading_name",
    "legal_representative",
    "industry",
    "id_doc_type",
    "id_number",
)


@transaction.atomic
def party_update(*, actor, party: Party, **changes) -> Party:
    """Change a party's data. A party that is a customer changes through the customer actions, so the
    customer's denormalised name, search tokens and history follow; its ID number is not changed here."""
    require_perm(actor, CHANGE)
    party = access(Party.objects, actor, party.pk)
    # customers before their party, the order customer_update locks them in (no deadlock between the two)
    live = party.customers.exclude(status=CustomerStatus.MERGED).order_by("pk")
    list(live.select_for_update(of=("self",)).values_list("pk", flat=True))
    party = access(Party.objects, actor, party.pk, for_update=True)
    unknown = set(changes) - set(PARTY_EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    customers = list(live)
    if customers and ({"id_doc_type", "id_number"} & set(changes)):
        raise field_error(
            "id_number",
            _("The ID document of a customer changes through a real-name re-registration, not here."),
            "read_only",
        )
    before = snapshot(party)
    id_number = changes.pop("id_number", None)
    for field, value in changes.items():
        setattr(party, field, value if value is not None else ("" if field != "birth_date" else None))
    renamed = {"family_name", "given_name"} & set(changes)
    if party.kind == PartyKind.INDIVIDUAL and renamed and "name" not in changes:
        party.name = individual_name(party.family_name.strip(), party.given_name.strip())
    _check_party(party, id_number=id_number)
    validate(party, exclude=["id_number"])
    if customers:
        from ..actions import customer_update

        other = sorted(set(changes) - set(CUSTOMER_PARTY_FIELDS))
        if other:
            raise field_error(other[0], _("This field cannot be changed here."), "read_only")
        customer_fields = {f: getattr(party, f) for f in changes}
        if party.name != before["name"]:  # e.g. recomposed from a new family or given name
            customer_fields["name"] = party.name
        for customer in customers:
            customer_update(actor=actor, customer=customer, **customer_fields)
        party.refresh_from_db()
        return party
    party.save()
    audit_write(action="party.update", actor=actor, obj=party, before=before, after=snapshot(party))
    return party


# The party data customer_update accepts (customers/actions.py), used when a party is a customer.
CUSTOMER_PARTY_FIELDS = (
    "name",
    "family_name",
    "given_name",
    "gender",
    "birth_date",
    "trading_name",
    "legal_representative",
    "industry",
)


# --- customers: the TMF attributes beside the customer actions (TMF629) --------------------------------
def _store_tmf_data(*, actor, customer: Customer, **data) -> None:
    record, _created = CustomerTmfData.objects.get_or_create(customer=customer)
    before = {k: getattr(record, k) for k in data}
    for key, value in data.items():
        setattr(record, key, value)
    record.save()
    audit_write(
        action="customer.tmf_data",
        actor=actor,
        obj=customer,
        before=before,
        after={k: getattr(record, k) for k in data},
    )


@transaction.atomic
def tmf_customer_create(
    *, actor, engaged_party: dict | None, related_party=(), characteristic=(), **customer_fields
) -> Customer:
    """``customers.actions.customer_create`` plus the references a TMF client gave, in one transaction."""
    from ..actions import customer_create

    customer = customer_create(actor=actor, **customer_fields)
    extras = {
        "engaged_party": engaged_party,
        "related_party": list(related_party),
        "characteristic": list(characteristic),
    }
    if any(extras.values()):
        _store_tmf_data(actor=actor, customer=customer, **extras)
    return customer


@transaction.atomic
def tmf_customer_update(
    *,
    actor,
    customer: Customer,
    tmf: dict | None = None,
    phone: str = "",
    address: dict | None = None,
    **changes,
) -> Customer:
    """A TMF PATCH of a customer in one transaction: ``customers.actions.customer_update`` for its data,
    ``contact_medium_save`` for a new primary phone, ``address_save`` for a new primary address, and
    the TMF references in ``tmf`` (keys engaged_party, related_party, characteristic)."""
    from ..actions import address_save, contact_medium_save, customer_update

    require_perm(actor, CHANGE)
    customer = access(Customer.objects, actor, customer.pk)
    if changes:
        customer = customer_update(actor=actor, customer=customer, **changes)
    if phone:
        number, kind = validation.parse_phone(phone, "value")
        index = crypto.blind_index(number, context="customers.ContactMedium.value")
        existing = customer.contact_media.filter(kind=kind, value_bidx=index).first()
        contact_medium_save(
            actor=actor,
            customer=customer,
            medium=existing,
            kind=kind,
            value=existing.value if existing is not None else number,
            is_primary=True,
            marketing_consent=existing.marketing_consent if existing is not None else False,
            do_not_disturb=existing.do_not_disturb if existing is not None else False,
        )
    if address:
        address_save(actor=actor, customer=customer, kind="home", is_primary=True, **address)
    if tmf:
        if customer.status in (CustomerStatus.CLOSED, CustomerStatus.MERGED):
            raise field_error("customer", _("This customer is closed and cannot be changed."), "closed")
        _store_tmf_data(actor=actor, customer=customer, **tmf)
    return customer


def _check_currency(currency) -> None:
    if currency and str(currency).strip().upper() != "CNY":
        raise field_error("currency", _("A customer's billing account is kept in CNY."), "invalid")


@transaction.atomic
def billing_account_update(*, actor, account: Account, **changes) -> Account:
    """Rename a customer's billing account or change its credit limit. Balance, arrears and state are
    mirrored from the billing system and are not changed here."""
    require_perm(actor, CHANGE)
    account = access(Account.objects, actor, account.pk)
    # the customer first (as closing a customer does), so its status cannot change under this update
    customer = Customer.objects.select_for_update(of=("self",)).get(pk=account.customer_id)
    account = access(Account.objects, actor, account.pk, for_update=True)
    account.customer = customer
    _check_currency(changes.pop("currency", None))
    unknown = set(changes) - {"name", "credit_limit"}
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    if account.customer.status in (CustomerStatus.CLOSED, CustomerStatus.MERGED):
        raise field_error("customer", _("This customer is closed and cannot be changed."), "closed")
    before = snapshot(account)
    if "name" in changes:
        account.name = validation.validate_text(changes["name"], "name", max_length=200, required=True)
    if "credit_limit" in changes:
        account.credit_limit = _credit_limit(changes["credit_limit"]) or Decimal("0")
    validate(account)
    account._history_user = actor
    account.save()
    audit_write(action="account.update", actor=actor, obj=account, before=before, after=snapshot(account))
    return account


# --- TMF666 accounts kept as described -----------------------------------------------------------------
ACCOUNT_TEXT = {"name": 200, "description": 500, "account_type": 60, "state": 30, "payment_status": 30}


def _credit_limit(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise field_error("credit_limit", _("Enter an amount."), "invalid") from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise field_error("credit_limit", _("Enter an amount of 0 or more."), "invalid")
    return amount.quantize(Decimal("0.01"))


def _check_account(account: PartyAccount) -> None:
    for field, max_length in ACCOUNT_TEXT.items():
        value = validation.validate_text(
            getattr(account, field), field, max_length=max_length, required=field == "name"
        )
        setattr(account, field, value)
    account.credit_limit = _credit_limit(account.credit_limit)
    account.currency = (account.currency or "CNY").strip().upper()
    if len(account.currency) != 3 or not account.currency.isalpha():
        raise field_error("currency", _("Enter a three-letter currency code such as CNY."), "invalid")
    if account.kind != PartyAccountKind.FINANCIAL and not account.related_party:
        raise field_error("related_party", _("Name at least one related party."), "required")


@transaction.atomic
def party_account_create(
    *,
    actor,
    kind: str,
    name: str,
    related_party=(),
    description: str = "",
    account_type: str = "",
    state: str = "active",
    payment_status: str = "",
    credit_limit=None,
    currency: str = "CNY",
) -> PartyAccount:
    """A TMF666 party / settlement / financial account, or a billing account of a party that is not one
    of our customers; its related parties are kept as given."""
    require_perm(actor, ADD)
    if kind not in PartyAccountKind.values:
        raise field_error("kind", _("Choose a valid kind of account."), "invalid_choice")
    account = PartyAccount(
        kind=kind,
        name=name,
        description=description or "",
        account_type=account_type or "",
        state=state or "active",
        payment_status=payment_status or "",
        credit_limit=credit_limit,
        currency=currency or "CNY",
        related_party=list(related_party),
        org_unit=actor.org_unit,
        owner=actor,
    )
    _check_account(account)
    validate(account)
    account.save()
    audit_write(action="party_account.create", actor=actor, obj=account, after=snapshot(account))
    return account


ACCOUNT_EDITABLE = (
    "name",
    "description",
    "account_type",
    "state",
    "payment_status",
    "credit_limit",
    "currency",
    "related_party",
)


@transaction.atomic
def party_account_update(*, actor, account: PartyAccount, **changes) -> PartyAccount:
    require_perm(actor, CHANGE)
    account = access(PartyAccount.objects, actor, account.pk, for_update=True)
    unknown = set(changes) - set(ACCOUNT_EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(account)
    for field, value in changes.items():
        setattr(account, field, value if value is not None or field == "credit_limit" else "")
    _check_account(account)
    validate(account)
    account.save()
    audit_write(
        action="party_account.update", actor=actor, obj=account, before=before, after=snapshot(account)
    )
    return account


def resolve_customer(actor, refs) -> Customer | None:
    """The customer a TMF reference list names, within the actor's scope: a ``Customer`` reference, or
    an ``Individual``/``Organization`` reference to one of our parties that has a customer role. None
    when no reference resolves (the references are then kept as given)."""
    kinds = {"individual": PartyKind.INDIVIDUAL, "organization": PartyKind.ORGANIZATION}
    for ref in refs:
        raw = str(ref.get("id", ""))
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            continue
        referred = str(ref.get("@referredType", "")).lower()
        customers = Customer.objects.restrict(actor).live()
        if referred == "customer":
            found = customers.filter(pk=int(raw)).first()
        elif referred in kinds:
            found = customers.filter(party_id=int(raw), party__kind=kinds[referred]).order_by("id").first()
        else:
            found = None
        if found is not None:
            return found
    return None


@transaction.atomic
def billing_account_create(*, actor, name: str, related_party, credit_limit=None, **tmf_fields):
    """A billing account: a customers ``Account`` (customers.actions.account_create) when the related
    parties name one of our customers, else a :class:`PartyAccount` of kind billing kept as given.
    Returns the Account or the PartyAccount."""
    customer = resolve_customer(actor, related_party)
    if customer is not None:
        from ..actions import account_create

        _check_currency(tmf_fields.get("currency"))
        limit = _credit_limit(credit_limit)
        return account_create(actor=actor, customer=customer, name=name, credit_limit=limit or 0)
    return party_account_create(
        actor=actor,
        kind=PartyAccountKind.BILLING,
        name=name,
        related_party=related_party,
        credit_limit=credit_limit,
        **tmf_fields,
    )


# --- bill structure reference data (TMF666) ------------------------------------------------------------
REFERENCE_MODELS = {
    "bill_format": BillFormat,
    "billing_cycle_specification": BillingCycleSpecification,
    "bill_presentation_media": BillPresentationMedia,
}


def _reference_save(*, actor, obj, action: str, before=None):
    obj.name = validation.validate_text(obj.name, "name", max_length=100, required=True)
    obj.description = validation.validate_text(obj.description, "description", max_length=500)
    validate(obj)
    obj.save()
    audit_write(action=action, actor=actor, obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def bill_format_create(*, actor, name: str, description: str = "") -> BillFormat:
    require_perm(actor, REFERENCE_DATA)
    return _reference_save(
        actor=actor, obj=BillFormat(name=name, description=description or ""), action="bill_format.create"
    )


@transaction.atomic
def bill_format_update(*, actor, bill_format: BillFormat, **changes) -> BillFormat:
    return _reference_update(actor=actor, obj=bill_format, changes=changes, action="bill_format.update")


@transaction.atomic
def bill_presentation_media_create(*, actor, name: str, description: str = "") -> BillPresentationMedia:
    require_perm(actor, REFERENCE_DATA)
    media = BillPresentationMedia(name=name, description=description or "")
    return _reference_save(actor=actor, obj=media, action="bill_presentation_media.create")


@transaction.atomic
def bill_presentation_media_update(
    *, actor, media: BillPresentationMedia, **changes
) -> BillPresentationMedia:
    return _reference_update(actor=actor, obj=media, changes=changes, action="bill_presentation_media.update")


CYCLE_FIELDS = (
    "name",
    "description",
    "frequency",
    "billing_period",
    "billing_date_shift",
    "charge_date_offset",
    "credit_date_offset",
    "mailing_date_offset",
    "payment_due_date_offset",
    "valid_from",
    "valid_to",
)
CYCLE_OFFSETS = CYCLE_FIELDS[4:9]


def _check_cycle(cycle: BillingCycleSpecification) -> None:
    for field in ("frequency", "billing_period"):
        setattr(cycle, field, validation.validate_text(getattr(cycle, field), field, max_length=30))
    for field in CYCLE_OFFSETS:
        value = getattr(cycle, field)
        if value is not None and not (isinstance(value, int) and -366 <= value <= 366):
            raise field_error(field, _("Enter a whole number of days between -366 and 366."), "invalid")
    if cycle.valid_from and cycle.valid_to and cycle.valid_to < cycle.valid_from:
        raise field_error("valid_to", _("The end must not be before the start."), "invalid")


@transaction.atomic
def billing_cycle_specification_create(*, actor, name: str, **fields) -> BillingCycleSpecification:
    require_perm(actor, REFERENCE_DATA)
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    cycle = BillingCycleSpecification(name=name, **fields)
    cycle.description = cycle.description or ""
    _check_cycle(cycle)
    return _reference_save(actor=actor, obj=cycle, action="billing_cycle_specification.create")


@transaction.atomic
def billing_cycle_specification_update(
    *, actor, cycle: BillingCycleSpecification, **changes
) -> BillingCycleSpecification:
    return _reference_update(
        actor=actor,
        obj=cycle,
        changes=changes,
        action="billing_cycle_specification.update",
        check=_check_cycle,
    )


def _reference_update(*, actor, obj, changes: dict, action: str, check=None):
    require_perm(actor, REFERENCE_DATA)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    editable = CYCLE_FIELDS if isinstance(obj, BillingCycleSpecification) else ("name", "description")
    unknown = set(changes) - set(editable)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if check is not None:
        check(obj)
    return _reference_save(actor=actor, obj=obj, action=action, before=before)
