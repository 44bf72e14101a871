"""Registering many customers in one transaction: the import's path (CUS-7).

Each row goes through the counter's own validation (``clean_registration``) and the same rules as
``customer_create`` — one live customer per ID number, numbering, a default billing account, the
registration on the timeline, field history and an audit record per customer — but the rows are
written per table with COPY (``platform.bulk``) instead of one INSERT per row and table, and the
references (unit, users, tags, channel) are resolved once per batch.

Two stages, so that an import can validate its next batch while the database writes the last one:
:func:`customers_prepare_many` does the Python work (validation, encryption, numbering, the rows of
every table, the audit records) and only reads; :func:`customers_write_prepared` takes the locks,
checks again what may have changed since (an ID registered meanwhile, a number taken meanwhile) and
writes with COPY in one transaction. :func:`customers_create_many` is the two in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_prepare_many
from telcrm.platform.bulk import Prepared, assign_ids, prepare_many, write_prepared
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
from ._common import (
    LIVE_STATUSES,
    NUMBER_DIGITS,
    _last_number,
    blind_index,
    lock_key,
    lock_keys,
    next_numbers,
    refresh_search_text,
)
from .customer import customer_state, duplicate_id_error
from .registration import Registration, Resolver, clean_registration

NOT_IN_BULK = ("party", "allow_duplicate", "actor")
NUMBER_ATTEMPTS = 5
NUMBERED = ((Customer, "customer_no", "C"), (Account, "account_no", "A"))


class Numbering:
    """Number blocks for the consecutive batches of one writer: each block starts after the highest
    number in the database and after this writer's previous block (which may not be committed yet
    while the next batch is prepared)."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def block(self, model, field_name: str, prefix: str, count: int) -> list[str]:
        numbers = next_numbers(model, field_name, prefix, count)  # checked under the lock when written
        key = f"{model._meta.label}.{field_name}"
        own = self.next.get(key, 0)
        if numbers and _value(numbers[0], prefix) < own:
            numbers = [f"{prefix}{n:0{NUMBER_DIGITS}d}" for n in range(own, own + count)]
        if numbers:
            self.next[key] = _value(numbers[-1], prefix) + 1
        return numbers


def _value(number: str, prefix: str) -> int:
    return int(number[len(prefix) :])


@dataclass
class PreparedCustomers:
    """A batch after :func:`customers_prepare_many`: one result per input row (None, or the error
    that left the row out) and, for the valid rows, everything to write."""

    actor: object
    rows: Sequence[dict]
    results: list[ValidationError | None]
    customers: list[Customer] = field(default_factory=list)
    id_keys: dict[str, int] = field(default_factory=dict)  # blind index of the ID number -> row
    tables: list[Prepared] = field(default_factory=list)
    first_numbers: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def customers_create_many(*, actor, rows: Sequence[dict]) -> list[ValidationError | None]:
    """Register a customer for each row (the keyword arguments of ``customer_create``) in one
    transaction. Returns one entry per row: None when registered, else the ValidationError naming its
    fields. Invalid rows are left out; the valid ones are registered.
    """
    return customers_write_prepared(customers_prepare_many(actor=actor, rows=rows))


def customers_prepare_many(
    *, actor, rows: Sequence[dict], numbering: Numbering | None = None, refused: dict | None = None
) -> PreparedCustomers:
    """Validate ``rows`` and build every row to write for the valid ones (no writes; the primary keys
    come from the sequences). ``refused``: rows already known to be refused (index -> error)."""
    require_perm(actor, "customers.add_customer")
    resolver = Resolver(actor)
    results: list[ValidationError | None] = [None] * len(rows)
    valid: list[tuple[int, Registration, str]] = []
    for i, kw in enumerate(rows):
        bad = [k for k in NOT_IN_BULK if k in kw]
        if bad:
            raise TypeError(f"customers_create_many: {bad} are for customer_create, one customer at a time")
        if refused and i in refused:
            results[i] = refused[i]
            continue
        try:
            reg = clean_registration(actor, resolver=resolver, **kw)
        except ValidationError as exc:
            results[i] = exc
            continue
        valid.append((i, reg, blind_index(Party, "id_number", reg.number) if reg.number else ""))
    valid = _without_duplicate_ids(actor, valid, results)
    batch = PreparedCustomers(actor=actor, rows=rows, results=results)
    if valid:
        _prepare(batch, [reg for _i, reg, _b in valid], numbering or Numbering())
        batch.id_keys = {b: i for i, _reg, b in valid if b}
    return batch


def _without_duplicate_ids(actor, valid, results):
    """Rows whose ID number is a live customer's already, or an earlier row's, get the counter's error."""
    taken = _taken([b for _i, _r, b in valid if b])
    if taken:
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


def _taken(keys: list[str]) -> dict[str, Customer]:
    """The live customers holding these ID numbers (blind indexes), by blind index."""
    taken: dict[str, Customer] = {}
    if not keys:
        return taken
    for c in (
        Customer.objects.dangerously_unscoped()
        .filter(party__id_number_bidx__in=set(keys), status__in=LIVE_STATUSES)
        .select_related("party")
        .only("pk", "customer_no", "party__id_number_bidx")
        .order_by("id")
    ):
        taken.setdefault(c.party.id_number_bidx, c)
    return taken


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


def _prepare(batch: PreparedCustomers, regs: list[Registration], numbering: Numbering) -> None:
    actor = batch.actor
    rows = _build(actor, regs)
    customers, accounts = rows["customer"], rows["account"]
    for key in ("party", "customer", "medium", "address", "account", "interaction"):
        assign_ids(rows[key])
    for customer in customers:
        customer.party = customer.party  # the key of the (not yet saved) party, which stays cached
    for key in ("medium", "address", "account", "interaction"):
        for obj in rows[key]:
            obj.customer = obj.customer
    customer_nos = numbering.block(Customer, "customer_no", "C", len(customers))
    for customer, no in zip(customers, customer_nos, strict=True):
        customer.customer_no = no
        refresh_search_text(customer)
    for account, no in zip(accounts, numbering.block(Account, "account_no", "A", len(accounts)), strict=True):
        account.account_no = no
    batch.first_numbers = {"customer_no": customers[0].customer_no, "account_no": accounts[0].account_no}
    tables = [prepare_many(rows[key], actor=actor) for key in ("party", "customer")]
    tables += [prepare_many(rows[k], actor=actor) for k in ("medium", "address", "account", "interaction")]
    if rows["tag"]:
        through = Customer.tags.through
        links = [through(customer_id=c.pk, tag_id=t.pk) for c, t in rows["tag"]]
        tables.append(prepare_many(links, history=False))
    entries = []
    for customer in customers:
        reg, media, account = customer._registration
        after = customer_state(customer, tags=reg.tags)
        after["account.account_no"] = account.account_no
        after["contact_media"] = media
        after["address"] = bool(reg.address)
        entries.append({"action": "customer.create", "actor": actor, "obj": customer, "after": after})
    tables.append(audit_prepare_many(entries))
    batch.customers = customers
    batch.tables = tables


@transaction.atomic
def customers_write_prepared(batch: PreparedCustomers) -> list[ValidationError | None]:
    """Write a prepared batch in one transaction, after checking under the counter's locks what may
    have changed since it was prepared: an ID number registered meanwhile leaves its row out, numbers
    taken meanwhile give the batch new ones. Returns one result per input row (see
    :func:`customers_create_many`)."""
    actor = batch.actor
    if batch.id_keys:
        lock_keys(f"customers.id_number:{b}" for b in batch.id_keys)  # the same lock customer_create takes
        taken = _taken(list(batch.id_keys))
        if taken:  # registered since the batch was prepared: the rows are checked again
            refused = {i: r for i, r in enumerate(batch.results) if r is not None}
            batch = customers_prepare_many(actor=actor, rows=batch.rows, refused=refused)
            return customers_write_prepared(batch)
    for attempt in range(NUMBER_ATTEMPTS):
        if not batch.customers:
            return batch.results
        if _numbers_taken(batch):
            refused = {i: r for i, r in enumerate(batch.results) if r is not None}
            batch = customers_prepare_many(actor=actor, rows=batch.rows, refused=refused)
            continue
        try:
            with transaction.atomic():
                for table in batch.tables:
                    write_prepared(table)
            break
        except IntegrityError:
            # a counter registered a customer (or account) under a number of the block meanwhile
            if not _numbers_taken(batch) or attempt == NUMBER_ATTEMPTS - 1:
                raise
    emit_many("customer.created", batch.customers, actor=actor)
    return batch.results


def _numbers_taken(batch: PreparedCustomers) -> bool:
    """Whether a number of the batch's blocks is in use by now (under the numbering lock: bulk
    writers take turns; a counter's single registration races and fails on the unique constraint)."""
    for model, name, prefix in NUMBERED:
        lock_key(f"numbering:{model._meta.label}.{name}:{prefix}")
        first = batch.first_numbers.get(name)
        if first and _last_number(model, name, prefix, NUMBER_DIGITS) >= _value(first, prefix):
            return True
    return False
