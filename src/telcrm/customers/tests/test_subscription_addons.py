"""The inventory below a line: add-ons (SubscriptionAddOn) started once, ended with the line; a premium
number's terms on the line; the 360 lists both in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from telcrm.customers.actions import (
    subscription_addon_start,
    subscription_addons_end,
    subscription_number_terms_set,
)
from telcrm.customers.models import AddOnStatus, Subscription, SubscriptionAddOn
from telcrm.customers.testing import make_customer
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries

pytestmark = pytest.mark.django_db


def _line(customer, i: int = 0) -> Subscription:
    return Subscription.objects.create(
        customer=customer,
        account=customer.accounts.first(),
        msisdn=f"1390000{i:04d}",
        offer_code="5G-128",
        offer_name="5G 套餐",
        org_unit=customer.org_unit,
    )


@pytest.fixture
def customer(carrier):
    return make_customer(carrier.branch, owner=carrier["clerk"], name="王芳", phone="13812340000")


def test_an_add_on_is_active_once_per_line_and_ends_with_it(customer):
    line = _line(customer)
    first = subscription_addon_start(
        subscription=line,
        offer_code="FLOW-20G",
        offer_name="20G流量包",
        monthly_fee=Decimal("20"),
        order_no="OD1",
    )
    again = subscription_addon_start(subscription=line, offer_code="FLOW-20G", offer_name="x", order_no="OD2")
    assert again == first and line.addons.count() == 1  # the completion ran again
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        SubscriptionAddOn.objects.create(
            subscription=line, offer_code="FLOW-20G", offer_name="x", started_at=first.started_at
        )
    subscription_addon_start(subscription=line, offer_code="VIDEO", offer_name="视频会员")
    assert subscription_addons_end(subscription=line, reason="销户", order_no="OD3") == 2
    assert subscription_addons_end(subscription=line, reason="销户") == 0
    assert set(line.addons.values_list("status", "end_reason")) == {(AddOnStatus.ENDED, "销户")}
    assert not line.addons.filter(ended_at__isnull=True).exists()
    # ended, it may be taken again later
    assert (
        subscription_addon_start(subscription=line, offer_code="FLOW-20G", offer_name="20G").status
        == "active"
    )
    assert AuditLog.objects.filter(action="subscription.addons_end", object_id=str(line.pk)).count() == 1


def test_the_number_terms_are_recorded_on_the_line(customer):
    line = _line(customer)
    subscription_number_terms_set(
        subscription=line,
        number_level="金号",
        min_spend=Decimal("188.80"),
        deposit=Decimal("472"),
        order_no="OD1",
    )
    line.refresh_from_db()
    assert (line.number_level, line.min_spend, line.deposit) == ("金号", Decimal("188.80"), Decimal("472.00"))
    entry = AuditLog.objects.get(action="subscription.number_terms", object_id=str(line.pk))
    assert entry.after["min_spend"] == "188.80"


def test_the_360_lists_add_ons_and_terms_in_a_fixed_number_of_queries(carrier, client_for, customer):
    big = make_customer(carrier.branch, owner=carrier["clerk"], name="李强", phone="13812341111")
    small_line = _line(customer)
    subscription_addon_start(subscription=small_line, offer_code="FLOW-20G", offer_name="20G流量包")
    subscription_number_terms_set(
        subscription=small_line, number_level="金号", min_spend=Decimal("188.80"), deposit=Decimal("472")
    )
    for i in range(12):
        line = _line(big, i + 1)
        for code in ("FLOW-20G", "VIDEO"):
            subscription_addon_start(subscription=line, offer_code=code, offer_name=code)
    ended = _line(big, 99)
    subscription_addon_start(subscription=ended, offer_code="OLD", offer_name="旧包")
    subscription_addons_end(subscription=ended, reason="销户")
    client = client_for(carrier["clerk"])
    client.get(reverse("customer-detail", args=[customer.pk]))  # warm caches
    with count_queries() as one:
        small = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()
    with count_queries() as many:
        html = client.get(reverse("customer-detail", args=[big.pk])).content.decode()
    assert len(one) == len(many), [q["sql"][:120] for q in many.captured_queries]
    assert html.count('data-testid="addon-row"') == 24 and "旧包" not in html  # ended ones are not listed
    assert small.count('data-testid="addon-row"') == 1 and 'data-testid="number-terms"' in small
    assert "金号" in small and "188.80" in small
