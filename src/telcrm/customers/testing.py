"""Test helpers for customers: rows made directly (no actions), for tests of other behaviour."""

from __future__ import annotations

import itertools

from .models import Account, Customer, CustomerType, Party, PartyKind

_seq = itertools.count(1)


def make_customer(
    org_unit,
    *,
    name: str = "张三",
    owner=None,
    customer_type: str = CustomerType.INDIVIDUAL,
    phone: str = "",
    id_number: str = "",
    **fields,
) -> Customer:
    n = next(_seq)
    kind = PartyKind.INDIVIDUAL if customer_type == CustomerType.INDIVIDUAL else PartyKind.ORGANIZATION
    party = Party(
        kind=kind, name=name, org_unit=org_unit, owner=owner, id_doc_type="id_card" if id_number else ""
    )
    party.id_number = id_number
    party.save()
    from .search import build_search_text

    customer = Customer(
        customer_no=f"T{n:09d}",
        party=party,
        customer_type=customer_type,
        name=name,
        org_unit=org_unit,
        owner=owner,
        search_text=build_search_text(name=name, customer_no=f"T{n:09d}"),
        **fields,
    )
    customer.primary_phone = phone
    customer.save()
    Account.objects.create(
        account_no=f"A{n:09d}", customer=customer, name=name, org_unit=org_unit, owner=owner
    )
    return customer
