"""A counter clerk takes a new-line order in a real browser: from the customer's 360 to 办理业务, adds a
plan (with its verdict and price), picks a number, enters the SIM, takes the payment and submits; the
order is submitted with the number assigned, and its receipt can be printed."""

import pytest

from telcrm.orders.models import Order, OrderState
from telcrm.orders.tests.acceptance_fixtures import shop  # noqa: F401 - the fixture
from telcrm.orders.tests.conftest import bo_team  # noqa: F401 - the fixture shop needs
from telcrm.platform.testing import PASSWORD
from telcrm.resources.models import Number, NumberState

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "13805710001"


def test_a_clerk_takes_a_new_line_order_from_the_360_to_the_receipt(page, shop):  # noqa: F811
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"{page.base_url}/customers/{shop.customer.pk}/")
    page.click("[data-testid=new-order]")
    page.check("#type-new_line", force=True)
    page.click("[data-testid=order-start]")
    page.wait_for_selector("[data-testid=order-no]")

    plan = page.locator("[data-testid='offering-5G-128']")
    assert "可办" in plan.inner_text()
    plan.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=items] >> text=5G-128")
    page.click(f"[data-testid=number-{NUMBER}]")
    page.wait_for_selector(f"[data-testid=items] >> text={NUMBER}")
    page.fill("input[name=iccid]", shop.sims[0])
    with page.expect_navigation():
        page.locator("form[action$='/sim/'] button[type=submit]").click()
    assert page.input_value("input[name=iccid]") == shop.sims[0]  # kept on the order

    page.locator("form[action$='/payments/'] button[type=submit]").click()  # the amount due is prefilled
    page.wait_for_selector("[data-testid=order-submit]")
    page.click("[data-testid=order-submit]")
    page.wait_for_selector("[data-testid=receipt-link]")

    order = Order.objects.get(customer=shop.customer)
    assert order.state in (OrderState.SUBMITTED, OrderState.IN_PROGRESS, OrderState.COMPLETED)
    assert order.paid_fen == order.one_off_fen > 0
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.ASSIGNED
