"""Registering many customers in one transaction: the import's path (CUS-7).

Each row goes through the counter's own validation (``clean_registration``) and the same rules as
``customer_create`` — one live customer per ID number, numbering, a default billing account, the
registration on the timeline, field history and an audit record per customer — but the rows are
written per table with COPY (``platform.bulk``) instead of one INSERT per row and table, and the
references (unit, users, tags, channel) are resolved once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write_many
from telcrm.platform.bulk import copy_rows, insert_many
from telcrm.platform.errors import field_error
from telcrm.platform.events import emit_many

from .. import validation
from ..models import (
    Account,
    Address,
    ContactMedium,
    Customer,
    Interaction,
    MediumKind,
    Party,
    PartyKind,
    RelationType,
)
from ._common import LIVE_STATUSES, blind_index, lock_keys, number_block, refresh_search_text
from .customer import customer_state, duplicate_id_error
from .registration import Registration, Resolver, clean_registration

NOT_IN_BULK = ("party", "allow_duplicate", "actor")
NUMBER_ATTEMPTS = 5


@transaction.atomic
def customers_create_many(*, actor, rows: Sequence[dict]) -> list[ValidationError | None]:
    """Register a customer for each row (the keyword arguments of ``customer_create``) in one
    transaction. Returns one entry per row: None when registered, else the ValidationError naming its
    fields. Invalid rows are left out; the valid ones are registered.
    """
    require_perm(actor, "customers.add_customer")
    resolver = Resolver(actor)
    results: list[ValidationError | None] = [None] * len(rows)
    valid: list[tuple[int, Registration, str]] = []
    for i, kw in enumerate(rows):
        bad = [k for k in NOT_IN_BULK if k in kw]
        if bad:
            raise TypeError(f"customers_create_many: {bad} are for customer_create, one customer at a time")
        try:
            reg = clean_registration(actor, resolver=resolver, **kw)
        except ValidationError as exc:
            results[i] = exc
            continue
        valid.append((i, reg, blind_index(Party, "id_number", reg.number) if reg.number else ""))
    valid = _without_duplicate_ids(actor, valid, results)
    if valid:
        _write(actor, [reg for _i, reg, _b in valid])
    return results


def _without_duplicate_ids(actor, valid, results):
    """Rows whose ID number is a live customer's already, or an earlier row's, get the counter's error."""
    keys = [b for _i, _r, b in valid if b]
    if not keys:
        return valid
    lock_keys(f"customers.id_number:{b}" for b in keys)  # the same lock customer_create takes
    taken: dict[str, Customer] = {}
    for c in (
        Customer.objects.dangerously_unscoped()
        .filter(party__id_number_bidx__in=set(keys), status__in=LIVE_STATUSES)
        .select_related("party")
        .only("pk", "customer_no", "party__id_number_bidx")
        .order_by("id")
    ):
        taken.setdefault(c.party.id_number_bidx, c)
    others = [c.pk for c in taken.values()]
    visible = set(Customer.objects.restrict(actor).filter(pk__in=others).values_list("pk", flat=True))
    kept, seen = [], set()
    for i, reg, bidx in valid:
        if bidx and bidx in taken:
            other = taken[bidx]
            results[i] = duplicate_id_error(other, in_scope=other.pk in visible)
        elif bidx and bidx in seen:
            results[i] = field_error(
                "id_number", _("The same ID number is in another row of this batch."), "duplicate"
            )
        else:
            seen.add(bidx)
            kept.append((i, reg, bidx))
    return kept


def _build(actor, regs: list[Registration]):
    now, today = timezone.now(), timezone.localdate()
    summary = gettext("Registered as a customer")
    out = {"party": [], "customer": [], "medium": [], "address": [], "account": [], "interaction": []}
    out["tag"] = []  # (customer, tag)
    for reg in regs:
        party = Party(
            kind=PartyKind.INDIVIDUAL if reg.individual else PartyKind.ORGANIZATION,
            name=reg.name,
            gender=reg.gender,
            birth_date=reg.birth_date,
            org_unit=reg.unit,
            owner=reg.owner,
            id_doc_type=reg.doc_type,
            **reg.texts,
        )
        party.id_number = reg.number
        if reg.number and reg.verify_id:
            party.id_verified_at, party.id_verified_by = now, actor
        customer = Customer(
            party=party,
            customer_type=reg.customer_type,
            name=reg.name,
            org_unit=reg.unit,
            owner=reg.owner,
            account_manager=reg.manager,
            parent=reg.group,
            tenure_start=today,
            relation_type=RelationType.CONSUMER if reg.individual else RelationType.B2B,
        )
        customer.primary_phone = reg.phone_value if reg.phone_kind == validation.MOBILE else ""
        media = []
        if reg.phone_value:
            kind = MediumKind.MOBILE if reg.phone_kind == validation.MOBILE else MediumKind.PHONE
            media.append((kind, reg.phone_value))
        if reg.email_value:
            media.append((MediumKind.EMAIL, reg.email_value))
        for kind, value in media:
            medium = ContactMedium(
                customer=customer, kind=kind, is_primary=True, marketing_consent=reg.marketing_consent
            )
            medium.value = value
            out["medium"].append(medium)
        if reg.address:
            out["address"].append(Address(customer=customer, **{**reg.address, "is_primary": True}))
        account = Account(customer=customer, name=reg.name, org_unit=reg.unit, owner=reg.owner)
        out["party"].append(party)
        out["customer"].append(customer)
        out["account"].append(account)
        out["interaction"].append(
            Interaction(
                customer=customer,
                channel=reg.source,
                kind="registration",
                summary=summary,
                direction="in",
                occurred_at=now,
                org_unit_id=reg.unit.pk,
                owner=actor if getattr(actor, "pk", None) else None,
            )
        )
        out["tag"].extend((customer, tag) for tag in reg.tags)
        customer._registration = (reg, [k for k, _v in media], account)
    return out


def _number(customers: list[Customer], accounts: list[Account]) -> None:
    numbers = number_block(Customer, "customer_no", "C", len(customers))
    for customer, no in zip(customers, numbers, strict=True):
        customer.customer_no = no
        refresh_search_text(customer)
    for account, no in zip(accounts, number_block(Account, "account_no", "A", len(accounts)), strict=True):
        account.account_no = no


def _write(actor, regs: list[Registration]) -> None:
    rows = _build(actor, regs)
    customers, accounts = rows["customer"], rows["account"]
    for attempt in range(NUMBER_ATTEMPTS):
        _number(customers, accounts)
        try:
            with transaction.atomic():
                _insert(actor, rows)
            break
        except IntegrityError:
            # a counter registered a customer (or account) under a number of the block meanwhile
            raced = Customer.objects.filter(customer_no__in=[c.customer_no for c in customers]).exists()
            raced = raced or Account.objects.filter(account_no__in=[a.account_no for a in accounts]).exists()
            if not raced or attempt == NUMBER_ATTEMPTS - 1:
                raise
    entries = []
    for customer in customers:
        reg, media, account = customer._registration
        after = customer_state(customer, tags=reg.tags)
        after["account.account_no"] = account.account_no
        after["contact_media"] = media
        after["address"] = bool(reg.address)
        entries.append({"action": "customer.create", "actor": actor, "obj": customer, "after": after})
    audit_write_many(entries)
    emit_many("customer.created", customers, actor=actor)


def _insert(actor, rows) -> None:
    insert_many(rows["party"], actor=actor)
    # assigning the saved object again sets the key and keeps the object cached (no query to fetch it)
    for customer in rows["customer"]:
        customer.party = customer.party
    insert_many(rows["customer"], actor=actor)
    for key in ("medium", "address", "account", "interaction"):
        for obj in rows[key]:
            obj.customer = obj.customer
        insert_many(rows[key], actor=actor)
    if rows["tag"]:
        through = Customer.tags.through
        copy_rows(through, ("customer_id", "tag_id"), ((c.pk, t.pk) for c, t in rows["tag"]))
