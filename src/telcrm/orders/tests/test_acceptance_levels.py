# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""A premium number's level in the order (靓号): its price and deposit are fees of the order, its
monthly minimum spend is recorded on the order and, once completed, on the line; shown on the order
page and on the receipt; releasing the number takes them out again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from telcrm.customers.models import Subscription
from telcrm.integration.models import SimulatedCall
from telcrm.orders import actions
from telcrm.orders.models import OrderState
from telcrm.resources.models import Number, NumberState

from .acceptance_fixtures import shop  # noqa: F401
from .test_acceptance import _drive, code_of, draft

pytestmark = pytest.mark.django_db

GOLD = "13805710000"  # ends 0000: the gold level of the test pool
ORDINARY = "13805710001"
PLAN_ONE_OFF = 5000  # 5G-128's one-off charge


def gold(shop):
    level = Number.objects.select_related("level").get(msisdn=GOLD).level
    assert level.code == "gold" and level.price_fen and level.deposit_fen and level.min_spend_fen
    return level


def premium_draft(shop):
    order = draft(shop)
    actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    actions.order_number_choose(actor=shop.clerk, order=order, number=GOLD)
    actions.order_sim_choose(actor=shop.clerk, order=order, iccid=shop.sims[0])
    order.refresh_from_db()
    return order


def test_the_level_price_and_deposit_are_fees_and_the_minimum_spend_is_recorded(shop):
    level = gold(shop)
    order = premium_draft(shop)
    number_item = order.items.get(holds_number=True)
    deposit = order.items.get(number=number_item.number, holds_number=False)
    assert number_item.one_off_fen == level.price_fen and level.name in number_item.name
    assert (deposit.one_off_fen, deposit.msisdn) == (level.deposit_fen, "")
    assert order.one_off_fen == PLAN_ONE_OFF + level.price_fen + level.deposit_fen
    assert order.data["number_level"] == {
        "code": "gold",
        "name": level.name,
        "name_en": level.name_en,
        "msisdn": GOLD,
        "price_fen": level.price_fen,
        "deposit_fen": level.deposit_fen,
        "min_spend_fen": level.min_spend_fen,
    }
    with pytest.raises(ValidationError) as exc:  # the deposit is not an item the clerk removes
        actions.order_item_remove(actor=shop.clerk, order=order, item=deposit)
    assert code_of(exc, "item") == "invalid"


def test_releasing_the_number_takes_its_charges_out(shop):
    order = premium_draft(shop)
    actions.order_number_choose(actor=shop.clerk, order=order, number=ORDINARY)
    order.refresh_from_db()
    assert order.one_off_fen == PLAN_ONE_OFF and "number_level" not in order.data
    assert sorted(order.items.values_list("msisdn", "one_off_fen")) == [("", PLAN_ONE_OFF), (ORDINARY, 0)]
    assert Number.objects.get(msisdn=GOLD).state == NumberState.FREE

    again = premium_draft(shop)
    actions.order_abandon(actor=shop.clerk, order=again)
    again.refresh_from_db()
    assert again.one_off_fen == PLAN_ONE_OFF and "number_level" not in again.data
    assert not again.items.filter(msisdn="", number__isnull=False).exists()  # no deposit left
    assert Number.objects.get(msisdn=GOLD).state == NumberState.FREE


def test_the_deposit_must_be_paid_and_the_level_is_charged_again_at_submission(shop):
    from telcrm.resources.actions import level_update

    level = gold(shop)
    order = premium_draft(shop)
    level_update(shop.carrier["admin"], level, deposit_fen=level.deposit_fen + 10000)
    actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=order.one_off_fen)
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "payment") == "short"
    actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=10000)
    order = actions.order_submit(actor=shop.clerk, order=order)
    assert order.state == OrderState.SUBMITTED
    assert order.one_off_fen == PLAN_ONE_OFF + level.price_fen + level.deposit_fen + 10000
    assert order.data["number_level"]["deposit_fen"] == level.deposit_fen + 10000


def test_the_completed_line_carries_the_terms_and_billing_entry_gets_them(shop, run, client_for):
    level = gold(shop)
    order = premium_draft(shop)
    actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=order.one_off_fen)
    order = actions.order_submit(actor=shop.clerk, order=order)
    _drive(shop, run, order.process)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED, order.process.error_message
    sub = Subscription.objects.get(msisdn=GOLD)
    assert (sub.number_level, sub.min_spend, sub.deposit) == (
        level.name,
        Decimal(level.min_spend_fen) / 100,
        Decimal(level.deposit_fen) / 100,
    )
    entry = SimulatedCall.objects.get(adapter="billing", operation="order_entry")
    assert entry.request["deposit"] == f"{level.deposit_fen / 100:.2f}"
    assert entry.request["min_spend"] == f"{level.min_spend_fen / 100:.2f}"
    assert entry.request["one_off"] == f"{(PLAN_ONE_OFF + level.price_fen) / 100:.2f}"
    assert entry.key.startswith(f"{order.process.uuid}:")  # the step's idempotency key

    panel = client_for(shop.clerk).get(reverse("customer-detail", args=[shop.customer.pk])).content.decode()
    assert 'data-testid="number-terms"' in panel and f"{level.min_spend_fen / 100:,.2f}" in panel


def test_the_order_page_and_the_receipt_show_the_terms(shop, client_for):
    from telcrm.orders.receipts import render_receipt, render_receipt_html

    level = gold(shop)
    order = premium_draft(shop)
    page = client_for(shop.clerk).get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'data-testid="number-terms"' in page
    assert f"¥{level.min_spend_fen // 100:,}.{level.min_spend_fen % 100:02d}" in page
    assert f"¥{level.deposit_fen // 100:,}.{level.deposit_fen % 100:02d}" in page
    html = render_receipt_html(order)
    for fen in (level.price_fen, level.deposit_fen, level.min_spend_fen):
        assert f"{fen / 100:.2f}" in html
    assert 'class="number-terms"' in html and GOLD in html
    assert render_receipt(order).startswith(b"%PDF")
