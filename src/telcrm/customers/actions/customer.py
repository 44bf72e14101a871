"""Registering and maintaining customers (CUS-1, CUS-2, CUS-5): create, update, tags, real name."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, field_error
from telcrm.platform.queries import dictionary

from .. import validation
from ..models import (
    Account,
    AccountStatus,
    AddressKind,
    BehaviourType,
    BlacklistEntry,
    ContactMedium,
    Customer,
    CustomerStatus,
    CustomerType,
    Gender,
    Interaction,
    LoyaltyClass,
    MediumKind,
    Party,
    RelationType,
    Subscription,
    SubscriptionStatus,
    Tag,
    UpdateRequest,
    ValueTier,
)
from ._common import (
    LIVE_STATUSES,
    Errors,
    blind_index,
    lock_customer,
    lock_key,
    refresh_search_text,
    repair_primaries,
    require_open,
    resolve_org_unit,
    resolve_parent,
    resolve_tags,
    resolve_user,
    save,
)

ADDRESS_KEYS = ("kind", "province", "city", "district", "street", "postcode", "is_primary")
PARTY_TEXT = {
    "family_name": 100,
    "given_name": 100,
    "trading_name": 200,
    "legal_representative": 100,
    "industry": 50,
}
CLASSIFICATION = {
    "value_tier": ValueTier,
    "loyalty_class": LoyaltyClass,
    "behaviour_type": BehaviourType,
    "relation_type": RelationType,
}
UPDATABLE = {
    "name",
    "email",
    "gender",
    "birth_date",
    *PARTY_TEXT,
    *CLASSIFICATION,
    "account_manager",
    "parent",
    "owner",
    "org_unit",
    "customer_type",
    "status",
    "reason",
}
LIVE_LINE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.PENDING)


# --- shared pieces ------------------------------------------------------------------------------
def channel_codes() -> set[str]:
    return {i["code"] for i in dictionary("contact_channel", active_only=False)}


def clean_channel(value: str, field: str = "channel") -> str:
    value = value.strip() if isinstance(value, str) else value
    if not isinstance(value, str) or value not in channel_codes():
        raise field_error(field, _("Choose a valid contact channel."), "invalid_choice")
    return value


def clean_address(errs: Errors, data: dict, *, prefix: str = "") -> dict:
    """Validated address fields; errors named ``prefix + field`` ("address.city" or "city")."""
    unknown = sorted(set(data) - set(ADDRESS_KEYS))
    for key in unknown:
        errs.add(prefix + key, _("This field cannot be changed here."), "read_only")
    out: dict = {"kind": (data.get("kind") or AddressKind.HOME)}
    if out["kind"] not in AddressKind.values:
        errs.add(prefix + "kind", _("Choose a valid kind of address."), "invalid_choice")
    for key, limit, required in (
        ("province", 40, True),
        ("city", 40, True),
        ("district", 40, False),
        ("street", 200, True),
    ):
        out[key] = errs.run(
            validation.validate_text, data.get(key), prefix + key, max_length=limit, required=required
        )
    out["postcode"] = errs.run(validation.validate_postcode, data.get("postcode") or "", prefix + "postcode")
    out["is_primary"] = bool(data.get("is_primary", False))
    return out


def check_duplicate_id(actor, bidx: str, *, exclude_party_id=None, allow_duplicate: bool = False) -> None:
    """The same ID number may belong to one live customer only (an administrator may override)."""
    lock_key(f"customers.id_number:{bidx}")  # two counters registering the same person at once
    others = Customer.objects.dangerously_unscoped().filter(
        party__id_number_bidx=bidx, status__in=LIVE_STATUSES
    )
    if exclude_party_id is not None:
        others = others.exclude(party_id=exclude_party_id)
    other = others.order_by("id").first()
    if other is None:
        return
    if allow_duplicate:
        if not actor.has_perm("platform.manage_platform"):
            raise AccessDenied(_("Only an administrator may register an ID number twice."))
        return
    raise duplicate_id_error(other, in_scope=Customer.objects.restrict(actor).filter(pk=other.pk).exists())


def duplicate_id_error(other: Customer, *, in_scope: bool) -> ValidationError:
    """The error for an ID number that is live customer ``other``'s: named only if the actor sees it."""
    if in_scope:
        return field_error(
            "id_number",
            _("This ID number is already registered as customer %(no)s."),
            "duplicate",
            no=other.customer_no,
        )
    return field_error(
        "id_number",
        _("This ID number is already registered for a customer outside your data scope; ask its branch."),
        "duplicate",
    )


def derive_from_id(errs: Errors, doc_type: str, number: str, birth_date, gender: str) -> tuple:
    """Date of birth and gender from a resident ID; a different value given by hand is an error."""
    if doc_type != "id_card" or not number:
        return birth_date, gender
    id_birth, id_gender = validation.id_birth_date(number), validation.id_gender(number)
    if birth_date and id_birth and birth_date != id_birth:
        errs.add("birth_date", _("The date of birth does not match the ID number."), "id_mismatch")
    if gender in ("m", "f") and id_gender and gender != id_gender:
        errs.add("gender", _("The gender does not match the ID number."), "id_mismatch")
    return id_birth or birth_date, id_gender or gender


def _full_name(family: str, given: str) -> str:
    if not (family or given):
        return ""
    if (family + given).isascii():
        return f"{given} {family}".strip()
    return family + given


def record_interaction(customer, *, actor, channel: str, kind: str, summary, direction: str = "in", **kw):
    return Interaction.objects.create(
        customer=customer,
        channel=channel,
        kind=kind,
        summary=str(summary)[:300],
        direction=direction,
        occurred_at=kw.pop("occurred_at", None) or timezone.now(),
        org_unit_id=customer.org_unit_id,
        owner=actor if actor is not None and getattr(actor, "pk", None) else None,
        **kw,
    )


def customer_state(customer: Customer, *, tags=None) -> dict:
    """Snapshot of a customer with its party and tags (``tags``: the Tag rows, when the caller has
    them), for before/after in the audit log."""
    party = customer.party
    out = {f"customer.{k}": v for k, v in snapshot(customer).items() if k != "search_text"}
    out.update({f"party.{k}": v for k, v in snapshot(party).items()})
    codes = customer.tags.values_list("code", flat=True) if tags is None else [t.code for t in tags]
    out["customer.tags"] = sorted(codes)
    return out


# --- update -------------------------------------------------------------------------------------
@transaction.atomic
def customer_update(*, actor, customer, **changes) -> Customer:
    """Change a customer's data. Classification fields (value tier, loyalty, behaviour, relation) are
    manual overrides and need ``customers.set_credit``; ``status`` moves between active, suspended
    and closed with a ``reason``; ``org_unit`` transfers the customer (and its accounts and lines)."""
    customer = lock_customer(actor, customer)
    require_open(customer)
    for key in sorted(changes):
        if key in ("id_doc_type", "id_number"):
            raise field_error(key, _("Change the ID document through real-name registration."), "read_only")
        if key not in UPDATABLE:
            raise field_error(key, _("This field cannot be changed here."), "read_only")
    if set(changes) & set(CLASSIFICATION) and not actor.has_perm("customers.set_credit"):
        raise AccessDenied(_("Your role may not change the classification of customers."))
    party = customer.party
    before = customer_state(customer)
    errs = Errors()

    if "name" in changes:
        name = errs.run(validation.validate_text, changes["name"], "name", max_length=200, required=True)
        if name:
            customer.name = party.name = name
    for key, limit in PARTY_TEXT.items():
        if key in changes:
            value = errs.run(validation.validate_text, changes[key], key, max_length=limit)
            if value is not None:
                setattr(party, key, value)
    if "gender" in changes:
        if (changes["gender"] or "") not in ("", *Gender.values):
            errs.add("gender", _("Choose a valid gender."), "invalid_choice")
        else:
            party.gender = changes["gender"] or ""
    if "birth_date" in changes:
        with errs.collect():
            party.birth_date = validation.validate_birth_date(changes["birth_date"])
    if party.id_doc_type == "id_card" and ("birth_date" in changes or "gender" in changes):
        number = party.id_number.reveal_unaudited() if party.id_number else ""
        party.birth_date, party.gender = derive_from_id(
            errs, party.id_doc_type, number, party.birth_date, party.gender
        )
    for key, choices in CLASSIFICATION.items():
        if key in changes:
            value = changes[key] or ""
            if value not in choices.values and not (key == "behaviour_type" and value == ""):
                errs.add(key, _("Choose a valid value."), "invalid_choice")
            else:
                if key != "relation_type" and value != getattr(customer, key):
                    # a class chosen by hand: the automatic classification must not undo it
                    customer.classification_manual = sorted({*customer.classification_manual, key})
                setattr(customer, key, value)
    if "account_manager" in changes:
        with errs.collect():
            customer.account_manager = resolve_user(actor, changes["account_manager"], "account_manager")
    if "owner" in changes:
        with errs.collect():
            if changes["owner"] is None:
                raise field_error("owner", _("Choose the user who owns the customer."), "required")
            customer.owner = resolve_user(actor, changes["owner"], "owner")
    if "parent" in changes:
        with errs.collect():
            customer.parent = resolve_parent(actor, changes["parent"], customer=customer)
    if "customer_type" in changes:
        _change_type(errs, customer, changes["customer_type"])
    if "org_unit" in changes:
        with errs.collect():
            if changes["org_unit"] is None:
                raise field_error(
                    "org_unit", _("Choose the organisation unit that owns the customer."), "required"
                )
            customer.org_unit = party.org_unit = resolve_org_unit(actor, changes["org_unit"])
    email = None
    if "email" in changes:
        email = errs.run(validation.validate_email, changes["email"]) if changes["email"] else ""
    if "status" in changes:
        _change_status(errs, customer, changes["status"], changes.get("reason", ""))
    elif "reason" in changes:
        errs.add("reason", _("A reason is only recorded with a change of status."), "read_only")
    errs.raise_if_any()

    if before["customer.org_unit_id"] != customer.org_unit_id:
        for model in (Account, Subscription, UpdateRequest):
            model.objects.filter(customer=customer).update(org_unit=customer.org_unit)
    if before["customer.status"] != customer.status and customer.status == CustomerStatus.CLOSED:
        Account.objects.filter(customer=customer).update(status=AccountStatus.CLOSED)
    refresh_search_text(customer)
    save(party, actor)
    save(customer, actor)
    if email is not None:
        _set_primary_email(customer, email, actor)
    after = customer_state(customer)
    if "reason" in changes:
        after["reason"] = str(changes["reason"] or "").strip()
    audit_write(action="customer.update", actor=actor, obj=customer, before=before, after=after)
    return customer


def _change_type(errs: Errors, customer: Customer, new_type) -> None:
    if new_type == customer.customer_type:
        return
    organisations = (CustomerType.ENTERPRISE, CustomerType.GROUP)
    if new_type not in organisations or customer.customer_type not in organisations:
        errs.add(
            "customer_type",
            _("Only an enterprise and a group customer can change into each other."),
            "invalid_change",
        )
        return
    if (
        customer.customer_type == CustomerType.GROUP
        and customer.members.exclude(status=CustomerStatus.MERGED).exists()
    ):
        errs.add("customer_type", _("This group still has members."), "has_members")
        return
    customer.customer_type = new_type


def _change_status(errs: Errors, customer: Customer, status, reason) -> None:
    current = customer.status
    if status == current:
        return
    reason = " ".join(str(reason or "").split())
    allowed = {
        CustomerStatus.ACTIVE: (CustomerStatus.SUSPENDED, CustomerStatus.CLOSED),
        CustomerStatus.SUSPENDED: (CustomerStatus.ACTIVE, CustomerStatus.CLOSED),
    }
    if status == CustomerStatus.MERGED:
        errs.add("status", _("Customers are merged with the merge function."), "invalid_change")
        return
    if status not in allowed.get(current, ()):
        errs.add("status", _("This change of status is not possible."), "invalid_change")
        return
    if status in (CustomerStatus.SUSPENDED, CustomerStatus.CLOSED) and not reason:
        errs.add("reason", _("Give the reason for the change of status."), "required")
    if len(reason) > 200:
        errs.add("reason", _("Enter at most %(max)s characters (it has %(length)s)."), "max_length",
                 max=200, length=len(reason))  # fmt: skip
    if status == CustomerStatus.CLOSED:
        lines = customer.subscriptions.filter(status__in=LIVE_LINE_STATUSES).count()
        if lines:
            errs.add(
                "status",
                _("The customer still has %(count)s line(s); terminate them first."),
                "has_lines",
                count=lines,
            )
        arrears = customer.accounts.aggregate(total=Sum("arrears"))["total"] or 0
        if arrears > 0:
            errs.add(
                "status",
                _("The customer owes %(amount)s; settle the arrears first."),
                "arrears",
                amount=arrears,
            )
        if customer.members.filter(status__in=LIVE_STATUSES).exists():
            errs.add("status", _("This group still has members."), "has_members")
    customer.status = status


def _set_primary_email(customer: Customer, email: str, actor) -> None:
    primary = (
        customer.contact_media.select_for_update().filter(kind=MediumKind.EMAIL, is_primary=True).first()
    )
    if not email:
        if primary is not None:
            primary._history_user = actor
            primary.delete()
            repair_primaries(ContactMedium, customer, kinds={MediumKind.EMAIL})
        return
    bidx = blind_index(ContactMedium, "value", email)
    existing = customer.contact_media.filter(kind=MediumKind.EMAIL, value_bidx=bidx).first()
    if existing is not None:
        if not existing.is_primary:
            customer.contact_media.filter(kind=MediumKind.EMAIL, is_primary=True).update(is_primary=False)
            existing.is_primary = True
            save(existing, actor)
        return
    if primary is None:
        primary = ContactMedium(customer=customer, kind=MediumKind.EMAIL, is_primary=True)
    primary.value = email
    primary.verified_at = None
    save(primary, actor)


# --- tags ---------------------------------------------------------------------------------------
@transaction.atomic
def customer_set_tags(*, actor, customer, tags) -> Customer:
    customer = lock_customer(actor, customer)
    require_open(customer)
    rows = resolve_tags(tags)
    before = sorted(customer.tags.values_list("code", flat=True))
    customer._history_user = actor
    customer.tags.set(rows)
    after = sorted(t.code for t in rows)
    audit_write(
        action="customer.set_tags", actor=actor, obj=customer, before={"tags": before}, after={"tags": after}
    )
    return customer


@transaction.atomic
def tag_save(*, actor, code: str, name: str, name_en: str = "", color: str = "secondary", tag=None) -> Tag:
    """Create or rename a tag (administrators: ``platform.manage_parameters``)."""
    require_perm(actor, "platform.manage_parameters")
    errs = Errors()
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", code):
        errs.add("code", _("A code has up to 40 lower-case letters, digits, - and _."), "invalid")
    name = errs.run(validation.validate_text, name, "name", max_length=60, required=True)
    name_en = errs.run(validation.validate_text, name_en, "name_en", max_length=60)
    if color not in ("primary", "secondary", "success", "danger", "warning", "info", "dark"):
        errs.add("color", _("Choose a valid colour."), "invalid_choice")
    row = Tag.objects.select_for_update().filter(pk=tag.pk).first() if tag is not None else None
    if tag is not None and row is None:
        errs.add("tag", _("Not found."), "not_found")
    clash = Tag.objects.filter(code=code)
    if row is not None:
        clash = clash.exclude(pk=row.pk)
    if code and clash.exists():
        errs.add("code", _("A tag with this code exists already."), "duplicate")
    errs.raise_if_any()
    before = snapshot(row) if row else None
    row = row or Tag()
    row.code, row.name, row.name_en, row.color = code, name, name_en, color
    row.save()
    audit_write(action="tag.save", actor=actor, obj=row, before=before, after=snapshot(row))
    return row


# --- real-name registration (实名制) ------------------------------------------------------------
@transaction.atomic
def real_name_verify(
    *,
    actor,
    customer,
    id_doc_type: str,
    id_number: str,
    allow_duplicate: bool = False,
    channel: str = "counter",
) -> Customer:
    """Record the customer's checked ID document: its type and number, and who verified it when.

    For a resident ID the date of birth and gender are taken from the number. The ID of a customer
    already verified under another number changes only by an administrator (a different person is an
    ownership transfer, not a correction). Blacklist entries of the customer follow the ID number, so
    they apply to every customer of the same person.
    """
    customer = lock_customer(actor, customer)
    require_open(customer)
    party = customer.party
    errs = Errors()
    doc_type = errs.run(validation.validate_doc_type, id_doc_type, customer_type=customer.customer_type)
    number = errs.run(validation.validate_id_number, doc_type, id_number) if doc_type else None
    channel = errs.run(clean_channel, channel)
    errs.raise_if_any()
    bidx = blind_index(Party, "id_number", number)
    if (
        party.id_verified_at
        and party.id_number_bidx
        and party.id_number_bidx != bidx
        and not actor.has_perm("platform.manage_platform")
    ):
        raise field_error(
            "id_number",
            _("This customer was verified with another ID number; only an administrator can correct it."),
            "already_verified",
        )
    check_duplicate_id(actor, bidx, exclude_party_id=party.pk, allow_duplicate=allow_duplicate)
    before = customer_state(customer)
    party.id_doc_type = doc_type
    party.id_number = number
    if doc_type == "id_card":
        party.birth_date = validation.id_birth_date(number) or party.birth_date
        party.gender = validation.id_gender(number) or party.gender
    party.id_verified_at = timezone.now()
    party.id_verified_by = actor
    save(party, actor)
    BlacklistEntry.objects.filter(customer__party=party).update(id_number_bidx=bidx)
    record_interaction(
        customer,
        actor=actor,
        channel=channel,
        kind="real_name",
        summary=gettext("Real-name registration verified"),
    )
    audit_write(
        action="customer.real_name_verify",
        actor=actor,
        obj=customer,
        before=before,
        after=customer_state(customer),
    )
    return customer
