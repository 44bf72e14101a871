"""Field history of a customer (CUS-2): who changed what, when — from django-simple-history.

Reads the historical rows of the customer, its party, contact media, addresses, contact people,
billing accounts and tags, and turns consecutive versions into field changes. Encrypted fields show
their masks (138****5678), never plaintext; choice fields their labels; foreign keys the related
row's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from telcrm.platform import crypto
from telcrm.platform.models import EncryptedField, Sealed

from ..models import Account, Address, ContactMedium, ContactPerson, Customer, Party
from .lookup import customer_get

# Fields never listed: bookkeeping, blind indexes, derived search tokens.
SKIP_FIELDS = {"id", "created_at", "updated_at", "search_text", "classified_at", "synced_at"}
MAX_CHANGES = 500


@dataclass(frozen=True)
class FieldChange:
    """One change; unpacks as (when, who, field, old, new). ``action``: "+" added, "~" changed,
    "-" removed; ``section`` names the record ("Address · Home")."""

    when: dt.datetime
    who: Any  # platform.User or None (system, import)
    field: str
    old: Any
    new: Any
    section: Any = ""  # lazily translated
    action: str = "~"

    def __iter__(self):
        return iter((self.when, self.who, self.field, self.old, self.new))


def _tracked_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIP_FIELDS and not f.attname.endswith("_bidx")
    ]


class _Display:
    """Turns stored values into what a person reads, resolving foreign keys in one query per model."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.names: dict[tuple[type, Any], str] = {}

    def want(self, field, value):
        if field.is_relation and value is not None:
            self.wanted.setdefault(field.related_model, set()).add(value)

    def load(self):
        for model, ids in self.wanted.items():
            qs = model._base_manager.filter(pk__in=ids)
            if model is Customer:
                qs = qs.only("id", "name", "customer_no")
            for obj in qs:
                self.names[(model, obj.pk)] = str(obj)

    def show(self, field, value):
        if value is None or value == "":
            return ""
        if isinstance(field, EncryptedField):
            return _masked(field, value)
        if field.is_relation:
            return self.names.get((field.related_model, value), f"#{value}")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return value


def _plain(field: EncryptedField, value) -> str:
    """Plaintext of a historical ciphertext, for comparison and masking only (never returned)."""
    token = value.ciphertext if isinstance(value, Sealed) else str(value or "")
    if not token:
        return ""
    try:
        return crypto.decrypt(token, context=field.context)
    except crypto.DecryptionError:
        return "\x00" + token  # unreadable (old key removed): compare by ciphertext


def _masked(field: EncryptedField, value) -> str:
    plain = _plain(field, value)
    if plain.startswith("\x00"):
        return "***"
    return crypto.MASKS[field.mask](plain) if plain else ""


def _comparable(field, value):
    if isinstance(field, EncryptedField):
        return _plain(field, value)
    return value


def _section(model, record):
    """The record a change belongs to, lazily translated: "Address · Home", "Contact person · 王经理"."""
    label = capfirst(model._meta.verbose_name)
    kind = getattr(record, "kind", None)
    if kind and model in (ContactMedium, Address):
        return format_lazy("{} · {}", label, dict(model._meta.get_field("kind").flatchoices).get(kind, kind))
    if model is ContactPerson or model is Account:
        return format_lazy("{} · {}", label, getattr(record, "name", ""))
    return label


def _sources(customer: Customer):
    yield Customer, Customer.history.filter(id=customer.pk)
    yield Party, Party.history.filter(id=customer.party_id)
    for model in (ContactMedium, Address, ContactPerson, Account):
        yield model, model.history.filter(customer_id=customer.pk)


def customer_history(actor, customer, *, limit: int = MAX_CHANGES) -> list[FieldChange]:
    """Field changes of the customer and what hangs off it, newest first (at most ``limit``)."""
    customer = customer_get(actor, getattr(customer, "pk", customer))
    display = _Display()
    pending: list[tuple] = []  # (when, who, field, old, new, section, action) with raw values
    for model, history in _sources(customer):
        fields = _tracked_fields(model)
        records = list(history.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous = {}
        for rec in records:
            prev = previous.get(rec.id)
            previous[rec.id] = rec
            section = _section(model, rec)
            if rec.history_type == "+" and model is Customer:
                pending.append((rec, None, _("Customer created"), "", "", section, "+"))
                continue
            if rec.history_type == "+":
                pending.append((rec, None, _("Record added"), "", _summary(model, rec), section, "+"))
                continue
            if rec.history_type == "-":
                pending.append((rec, None, _("Record removed"), _summary(model, rec), "", section, "-"))
                continue
            if prev is None:
                continue  # the history starts mid-life (rows loaded in bulk): nothing to compare with
            for f in fields:
                old, new = getattr(prev, f.attname), getattr(rec, f.attname)
                if _comparable(f, old) != _comparable(f, new):
                    display.want(f, old)
                    display.want(f, new)
                    pending.append((rec, f, capfirst(f.verbose_name), old, new, section, "~"))
    pending.extend(_tag_changes(customer))
    display.load()
    out = []
    for rec, f, label, old, new, section, action in pending:
        if f is not None:
            old, new = display.show(f, old), display.show(f, new)
        out.append(FieldChange(rec.history_date, rec.history_user, label, old, new, section, action))
    out.sort(key=lambda c: c.when, reverse=True)
    return out[:limit]


def _summary(model, rec) -> str:
    if model is ContactMedium:
        field = model._meta.get_field("value")
        return _masked(field, rec.value)
    if model is Address:
        return f"{rec.province}{rec.city}{rec.district}{rec.street}"
    return getattr(rec, "name", "") or f"#{rec.id}"


def _tag_changes(customer):
    """Tags added and removed between consecutive versions of the customer (m2m history)."""
    through = apps.get_model("customers", "HistoricalCustomer_tags")
    rows = through.objects.filter(history__id=customer.pk).values_list("history_id", "tag_id")
    tags_at: dict[int, set] = {}
    for history_id, tag_id in rows:
        tags_at.setdefault(history_id, set()).add(tag_id)
    if not tags_at:
        return []
    from ..models import Tag

    records = list(
        Customer.history.filter(id=customer.pk).select_related("history_user").order_by("history_date")
    )
    names = dict(Tag.objects.values_list("id", "name"))
    label = capfirst(Customer._meta.get_field("tags").verbose_name)
    section = capfirst(Customer._meta.verbose_name)
    out, before = [], set()
    for rec in records:
        now = tags_at.get(rec.history_id, set())
        if now != before:
            old = "、".join(sorted(names.get(t, f"#{t}") for t in before))
            new = "、".join(sorted(names.get(t, f"#{t}") for t in now))
            out.append((rec, None, label, old, new, section, "~"))
        before = now
    return out
