"""Possible duplicates of a customer (CUS-2): same ID number, same phone, similar name at the same address.

Used before registering a customer (an unsaved instance works: plaintext ID number and phone are
read from it) and by the merge screen. Phone numbers and ID numbers are compared through their blind
indexes; the plaintext of the customer's own numbers is read only to compute those indexes and never
leaves this module.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Exists, OuterRef, Q, TextChoices
from django.utils.translation import gettext_lazy as _

from telcrm.platform import crypto
from telcrm.platform.models import Sealed

from ..models import Address, ContactMedium, Customer, MediumKind
from ..search import name_pinyin, normalize_phone, normalize_text
from .lookup import (
    CONTACT_VALUE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PRIMARY_PHONE_CONTEXT,
    _lower_name,
    with_search_text,
)

MAX_CANDIDATES = 200
MAX_DUPLICATES = 50


class DuplicateReason(TextChoices):
    ID_NUMBER = "id_number", _("Same ID number")
    PHONE = "phone", _("Same phone number")
    NAME_ADDRESS = "name_address", _("Similar name at the same address")


def _plain(value) -> str:
    if isinstance(value, Sealed):
        try:
            return value.reveal_unaudited()  # only to compute blind indexes below; never shown
        except crypto.DecryptionError:
            return ""
    return str(value or "")


def _id_bidx(customer: Customer) -> str:
    party = customer._state.fields_cache.get("party") or (customer.party if customer.party_id else None)
    if party is None:
        return ""
    if isinstance(party.id_number, Sealed):
        return party.id_number_bidx
    return crypto.blind_index(crypto.normalize(party.id_number or ""), context=ID_NUMBER_CONTEXT)


def _phones(customer: Customer) -> set[str]:
    phones = {normalize_phone(_plain(customer.primary_phone))}
    if customer.pk:
        for value in ContactMedium.objects.filter(
            customer=customer, kind__in=[MediumKind.MOBILE, MediumKind.PHONE]
        ).values_list("value", flat=True):
            phones.add(normalize_phone(_plain(value)))
    return {p for p in phones if p}


def _squash(value: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", value or "").lower())


def find_duplicates(actor, customer: Customer, *, addresses=None) -> list[tuple[Customer, str]]:
    """Live customers in the actor's scope that may be the same person or organisation as ``customer``:
    [(customer, DuplicateReason)], strongest reason first, each customer once.

    ``addresses`` (Address objects or (city, street) pairs) stand in for an unsaved customer's.
    """
    scoped = Customer.objects.restrict(actor).live().select_related("org_unit")
    if customer.pk:
        scoped = scoped.exclude(pk=customer.pk)
    found: dict[int, tuple[Customer, str]] = {}

    def add(qs, reason):
        for c in qs[:MAX_DUPLICATES]:
            found.setdefault(c.pk, (c, reason))

    bidx = _id_bidx(customer)
    if bidx:
        add(scoped.filter(party__id_number_bidx=bidx).order_by("-id"), DuplicateReason.ID_NUMBER)

    phones = _phones(customer)
    if phones:
        primary = [crypto.blind_index(p, context=PRIMARY_PHONE_CONTEXT) for p in phones]
        media = [crypto.blind_index(p, context=CONTACT_VALUE_CONTEXT) for p in phones]
        via_media = ContactMedium.objects.filter(value_bidx__in=media).values_list("customer_id", flat=True)
        ids = list(via_media[:MAX_CANDIDATES])
        add(
            scoped.filter(Q(primary_phone_bidx__in=primary) | Q(pk__in=ids)).order_by("-id"),
            DuplicateReason.PHONE,
        )

    places = _places(customer, addresses)
    name = normalize_text(customer.name)
    if places and name:
        add(_same_name_same_place(scoped, customer.name, name, places), DuplicateReason.NAME_ADDRESS)
    return list(found.values())


def _places(customer, addresses) -> list[tuple[str, str]]:
    """(city, street) as typed, of the given addresses or the saved customer's."""
    if addresses is None:
        addresses = list(customer.addresses.all()) if customer.pk else []
    out = []
    for a in addresses:
        city, street = (a.city, a.street) if isinstance(a, Address) else a
        if _squash(city) and _squash(street):
            out.append((city.strip(), street))
    return out


def _same_name_same_place(scoped, raw_name: str, name: str, places) -> list[Customer]:
    """Same name (case, width and spacing aside) or same full pinyin (张三/章三: a typo at the counter),
    with an address in the same city and street (spacing and punctuation aside)."""
    similar = Q(lname_c=name)
    pinyin = name_pinyin(raw_name)
    if pinyin:
        similar |= Q(padded_c__contains=f" {pinyin} ")
    cities = set()
    for city, _street in places:
        cities |= {city, city.removesuffix("市"), city.removesuffix("市") + "市"}
    in_city = Address.objects.filter(customer=OuterRef("pk"), city__in=cities)
    candidates = list(
        with_search_text(scoped.annotate(lname_c=_lower_name()))
        .filter(similar)
        .filter(Exists(in_city))
        .order_by("-id")[:MAX_CANDIDATES]
    )
    if not candidates:
        return []
    wanted = {(_squash(c.removesuffix("市")), _squash(s)) for c, s in places}
    seen: dict[int, set] = {}
    for a in Address.objects.filter(customer__in=candidates).only("customer_id", "city", "street"):
        seen.setdefault(a.customer_id, set()).add((_squash(a.city.removesuffix("市")), _squash(a.street)))
    return [c for c in candidates if seen.get(c.pk, set()) & wanted]
