"""Helpers of the catalog tests: offerings made through the actions, group customers and tariffs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from telcrm.catalog import actions
from telcrm.catalog.models import Category, GroupTariff, ProductOffering, TariffStatus
from telcrm.customers.models import CustomerType, Subscription
from telcrm.customers.testing import make_customer

START = timezone.make_aware(dt.datetime(2025, 1, 1))


def moment(y: int, m: int, d: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d))


def offering(
    admin,
    code: str,
    *,
    kind: str = "plan",
    monthly: int = 12800,
    one_off: int = 0,
    activate: bool = True,
    categories=(),
    **kw,
) -> ProductOffering:
    """An offering with a monthly fee (and a one-off charge) in fen, activated unless told not to."""
    kw.setdefault("name", f"{code} 套餐")
    o = actions.offering_create(actor=admin, code=code, kind=kind, categories=list(categories), **kw)
    if monthly:
        actions.price_create(
            actor=admin, offering=o, name="月费", price_type="recurring", amount_fen=monthly, valid_from=START
        )
    if one_off:
        actions.price_create(
            actor=admin, offering=o, name="一次性", price_type="one_off", amount_fen=one_off, valid_from=START
        )
    if activate:
        o = actions.offering_activate(actor=admin, offering=o)
    return o


def category(admin, code: str, parent=None) -> Category:
    return actions.category_save(actor=admin, code=code, name=f"类别{code}", parent=parent)


def group_customer(
    carrier, *, name: str = "杭州某某集团", customer_type: str = CustomerType.GROUP, unit=None
):
    return make_customer(
        unit or carrier.branch, name=name, customer_type=customer_type, owner=carrier["account_manager"]
    )


def member_of(carrier, group, *, name: str = "集团成员"):
    return make_customer(carrier.branch, name=name, parent=group, owner=carrier["clerk"])


def approved_tariff(carrier, customer, **kw) -> GroupTariff:
    """A tariff requested by the account manager and, when it waits, approved by the admin."""
    kw.setdefault("name", "集团优惠")
    kw.setdefault("valid_from", dt.date(2025, 1, 1))
    tariff = actions.tariff_create(actor=carrier["account_manager"], customer=customer, **kw)
    if tariff.status == TariffStatus.PENDING:
        tariff = actions.tariff_approve(actor=carrier["admin"], tariff=tariff)
    return tariff


def line(customer, code: str, *, status: str = "active") -> Subscription:
    return Subscription.objects.create(
        customer=customer,
        account=customer.accounts.first(),
        msisdn="13800000000",
        offer_code=code,
        offer_name=code,
        status=status,
        org_unit=customer.org_unit,
        activated_at=moment(2024, 1, 1),
    )
