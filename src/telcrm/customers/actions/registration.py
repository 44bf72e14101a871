"""Registering a customer (CUS-1, CUS-5): validation shared with the import, and customer_create."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import field_error
from telcrm.platform.events import emit

from .. import validation
from ..models import (
    Account,
    Address,
    ContactMedium,
    Customer,
    CustomerType,
    Gender,
    MediumKind,
    Party,
    PartyKind,
    RelationType,
    Tag,
)
from ._common import (
    LIVE_STATUSES,
    Errors,
    blind_index,
    insert_numbered,
    pk_of,
    refresh_search_text,
    resolve_org_unit,
    resolve_parent,
    resolve_tags,
    resolve_user,
    save,
)
from .customer import (
    PARTY_TEXT,
    _full_name,
    check_duplicate_id,
    clean_address,
    clean_channel,
    customer_state,
    derive_from_id,
    record_interaction,
)


# --- create -------------------------------------------------------------------------------------
@dataclasses.dataclass
class Registration:
    """A new customer's values, validated by :func:`clean_registration`, ready to be written."""

    customer_type: str
    individual: bool
    name: str
    texts: dict
    gender: str
    birth_date: dt.date | None
    doc_type: str
    number: str
    phone_value: str
    phone_kind: str
    email_value: str
    address: dict | None
    unit: object
    manager: object
    owner: object
    group: object
    tags: list
    source: str
    marketing_consent: bool
    verify_id: bool
    party: Party | None = None  # an existing party given the customer role


class Resolver:
    """The references a registration names (unit, users, parent group, tags, channel), resolved in
    the actor's scope; one resolver serves every row of an import, so each distinct value costs one
    lookup per batch instead of one per row."""

    def __init__(self, actor):
        self.actor = actor
        self._memo: dict = {}

    def _cached(self, key, fn):
        try:
            hash(key)
        except TypeError:  # an odd value (a list for a user, say): resolved, not remembered
            return fn()
        hit = self._memo.get(key)
        if hit is None:
            try:
                hit = (fn(), None)
            except ValidationError as exc:
                hit = (None, exc)
            self._memo[key] = hit
        if hit[1] is not None:
            raise hit[1]
        return hit[0]

    @staticmethod
    def _key(value):
        return value if isinstance(value, str | int | type(None)) else ("pk", pk_of(value))

    def org_unit(self, unit):
        return self._cached(("unit", self._key(unit)), lambda: resolve_org_unit(self.actor, unit))

    def user(self, user, field: str):
        return self._cached(("user", field, self._key(user)), lambda: resolve_user(self.actor, user, field))

    def parent(self, parent):
        return self._cached(("parent", self._key(parent)), lambda: resolve_parent(self.actor, parent))

    def tags(self, tags):
        if isinstance(tags, str | Tag | int):
            tags = [tags]
        try:
            key = ("tags", tuple(self._key(t) for t in (tags or ())))
        except TypeError:  # not a list at all: resolve_tags names the field
            return resolve_tags(tags)
        return self._cached(key, lambda: resolve_tags(tags))

    def channel(self, value, field: str):
        return self._cached(("channel", field, value), lambda: clean_channel(value, field))


def _existing_party(actor, party, *, individual: bool, given: dict) -> Party:
    """The party a new customer role is given to: in the actor's scope, of the customer type's kind,
    not already a live customer, and with no party data given beside it."""
    from ._common import _first

    found = _first(Party.objects.restrict(actor).select_for_update(), party)
    if found is None:
        raise field_error("party", _("Choose a party within your data scope."), "invalid")
    if (found.kind == PartyKind.INDIVIDUAL) != individual:
        raise field_error(
            "customer_type",
            _("A person becomes an individual customer; an organisation an enterprise or group customer."),
            "kind_mismatch",
        )
    errs = Errors()
    for key, value in given.items():
        if value not in ("", None):
            errs.add(key, _("This comes from the party; change it on the party."), "read_only")
    errs.raise_if_any()
    live = found.customers.filter(status__in=LIVE_STATUSES).order_by("id").first()
    if live is not None:
        raise field_error(
            "party",
            _("This party is already registered as customer %(no)s."),
            "duplicate",
            no=live.customer_no,
        )
    return found


def clean_registration(
    actor,
    *,
    resolver: Resolver | None = None,
    customer_type: str,
    name: str,
    org_unit=None,
    id_doc_type: str = "",
    id_number: str = "",
    phone: str = "",
    email: str = "",
    family_name: str = "",
    given_name: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    trading_name: str = "",
    legal_representative: str = "",
    industry: str = "",
    address: dict | None = None,
    tags=(),
    account_manager=None,
    parent=None,
    marketing_consent: bool = False,
    owner=None,
    source: str = "counter",
    verify_id: bool = False,
    party=None,
) -> Registration:
    """The arguments of :func:`customer_create`, validated: every wrong field reported at once
    (ValidationError), nothing written. ``resolver`` resolves the references (unit, users, parent, tags,
    channel) and may be shared by the rows of one import."""
    resolver = resolver or Resolver(actor)
    errs = Errors()
    if customer_type not in CustomerType.values:
        errs.add("customer_type", _("Choose a valid customer type."), "invalid_choice")
    individual = customer_type == CustomerType.INDIVIDUAL
    if party is not None:
        existing = _existing_party(
            actor,
            party,
            individual=individual,
            given={
                "id_doc_type": id_doc_type,
                "id_number": id_number,
                "family_name": family_name,
                "given_name": given_name,
                "gender": gender,
                "birth_date": birth_date,
                "trading_name": trading_name,
                "legal_representative": legal_representative,
                "industry": industry,
            },
        )
        name = name or existing.name

    given = {
        "family_name": family_name,
        "given_name": given_name,
        "trading_name": trading_name,
        "legal_representative": legal_representative,
        "industry": industry,
    }
    texts = {
        k: errs.run(validation.validate_text, v, k, max_length=PARTY_TEXT[k]) or "" for k, v in given.items()
    }
    name = errs.run(validation.validate_text, name, "name", max_length=200) or ""
    if not name and individual:
        name = _full_name(texts["family_name"], texts["given_name"])
    if not name and "name" not in errs:
        errs.add("name", _("Enter the customer's name."), "required")
    if gender and gender not in Gender.values:
        errs.add("gender", _("Choose a valid gender."), "invalid_choice")
    birth_date = errs.run(validation.validate_birth_date, birth_date)

    doc_type = number = ""
    if id_doc_type or id_number:
        if not id_number:
            errs.add("id_number", _("Enter the ID number."), "required")
        if customer_type in CustomerType.values:
            doc_type = errs.run(validation.validate_doc_type, id_doc_type, customer_type=customer_type) or ""
            if doc_type and id_number:
                number = errs.run(validation.validate_id_number, doc_type, id_number) or ""
        birth_date, gender = derive_from_id(errs, doc_type, number, birth_date, gender)

    phone_value = phone_kind = ""
    if phone:
        phone_value, phone_kind = errs.run(validation.parse_phone, phone, "phone") or ("", "")
    email_value = errs.run(validation.validate_email, email) if email else ""
    address_data = None
    if address:
        if isinstance(address, dict):
            address_data = clean_address(errs, address, prefix="address.")
        else:
            errs.add("address", _("Enter the address."), "invalid")
    unit = errs.run(resolver.org_unit, org_unit)
    manager = errs.run(resolver.user, account_manager, "account_manager")
    owner = errs.run(resolver.user, owner, "owner") if owner is not None else actor
    group = errs.run(resolver.parent, parent)
    tag_rows = errs.run(resolver.tags, tags) or []
    source = errs.run(resolver.channel, source, "source")
    errs.raise_if_any()
    return Registration(
        customer_type=customer_type,
        individual=individual,
        name=name,
        texts=texts,
        gender=gender or "",
        birth_date=birth_date,
        doc_type=doc_type,
        number=number,
        phone_value=phone_value,
        phone_kind=phone_kind,
        email_value=email_value or "",
        address=address_data,
        unit=unit,
        manager=manager,
        owner=owner,
        group=group,
        tags=tag_rows,
        source=source,
        marketing_consent=bool(marketing_consent),
        verify_id=verify_id,
        party=existing if party is not None else None,
    )


@transaction.atomic
def customer_create(
    *,
    actor,
    customer_type: str,
    name: str,
    org_unit=None,
    id_doc_type: str = "",
    id_number: str = "",
    phone: str = "",
    email: str = "",
    family_name: str = "",
    given_name: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    trading_name: str = "",
    legal_representative: str = "",
    industry: str = "",
    address: dict | None = None,
    tags=(),
    account_manager=None,
    parent=None,
    marketing_consent: bool = False,
    owner=None,
    source: str = "counter",
    allow_duplicate: bool = False,
    verify_id: bool = False,
    party=None,
) -> Customer:
    """Register a customer: party, customer (new number), primary contact media, address, a default
    billing account, tags, and the registration on the timeline.

    ``party`` (a Party or its id, within the actor's data scope) gives the customer role to a party
    that exists already (one registered through TMF632, say) instead of creating one: its name,
    person or organisation data and ID document are the party's, and the party-level arguments must
    be left empty.

    The ID document and phone are optional (the record may await real-name registration); when
    given they are validated, and the ID number may belong to one live customer only.
    ``verify_id`` records the document as checked by ``actor`` (real-name verification at the counter).
    """
    require_perm(actor, "customers.add_customer")
    reg = clean_registration(
        actor,
        customer_type=customer_type,
        name=name,
        org_unit=org_unit,
        id_doc_type=id_doc_type,
        id_number=id_number,
        phone=phone,
        email=email,
        family_name=family_name,
        given_name=given_name,
        gender=gender,
        birth_date=birth_date,
        trading_name=trading_name,
        legal_representative=legal_representative,
        industry=industry,
        address=address,
        tags=tags,
        account_manager=account_manager,
        parent=parent,
        marketing_consent=marketing_consent,
        owner=owner,
        source=source,
        verify_id=verify_id,
        party=party,
    )

    now = timezone.now()
    name, individual, unit, owner = reg.name, reg.individual, reg.unit, reg.owner
    if reg.party is not None:
        party = reg.party
        if party.id_number_bidx:
            check_duplicate_id(
                actor, party.id_number_bidx, exclude_party_id=party.pk, allow_duplicate=allow_duplicate
            )
        if party.id_number and verify_id and not party.id_verified_at:
            party.id_verified_at, party.id_verified_by = now, actor
            save(party, actor, update_fields=["id_verified_at", "id_verified_by", "updated_at"])
    else:
        number = reg.number
        bidx = blind_index(Party, "id_number", number) if number else ""
        if bidx:
            check_duplicate_id(actor, bidx, allow_duplicate=allow_duplicate)
        party = Party(
            kind=PartyKind.INDIVIDUAL if individual else PartyKind.ORGANIZATION,
            name=name,
            gender=reg.gender,
            birth_date=reg.birth_date,
            org_unit=unit,
            owner=owner,
            id_doc_type=reg.doc_type,
            **reg.texts,
        )
        party.id_number = number
        if number and verify_id:
            party.id_verified_at, party.id_verified_by = now, actor
        save(party, actor)
    customer = Customer(
        party=party,
        customer_type=customer_type,
        name=name,
        org_unit=unit,
        owner=owner,
        account_manager=reg.manager,
        parent=reg.group,
        tenure_start=timezone.localdate(),
        relation_type=RelationType.CONSUMER if individual else RelationType.B2B,
    )
    phone_value, phone_kind, email_value = reg.phone_value, reg.phone_kind, reg.email_value
    customer.primary_phone = phone_value if phone_kind == validation.MOBILE else ""
    insert_numbered(customer, "customer_no", "C", actor=actor, prepare=refresh_search_text)

    media = []
    if phone_value:
        media.append(
            (MediumKind.MOBILE if phone_kind == validation.MOBILE else MediumKind.PHONE, phone_value)
        )
    if email_value:
        media.append((MediumKind.EMAIL, email_value))
    for kind, value in media:
        medium = ContactMedium(
            customer=customer, kind=kind, is_primary=True, marketing_consent=reg.marketing_consent
        )
        medium.value = value
        save(medium, actor)
    if reg.address:
        save(Address(customer=customer, **{**reg.address, "is_primary": True}), actor)
    account = Account(customer=customer, name=name, org_unit=unit, owner=owner)
    insert_numbered(account, "account_no", "A", actor=actor)
    if reg.tags:
        customer.tags.set(reg.tags)
    record_interaction(
        customer,
        actor=actor,
        channel=reg.source,
        kind="registration",
        summary=gettext("Registered as a customer"),
    )
    after = customer_state(customer)
    after["account.account_no"] = account.account_no
    after["contact_media"] = [k for k, _v in media]
    after["address"] = bool(reg.address)
    emit("customer.created", aggregate=customer, actor=actor)
    audit_write(action="customer.create", actor=actor, obj=customer, after=after)
    return customer
