"""A counter clerk changes a line the customer already holds, in a real browser: from the 360 to
办理业务, picks the order type and the line, fills what the type asks for, submits, and can print the
receipt — a plan change (套餐变更) with its new plan and a suspension (停机) with nothing to buy."""

import pytest

from telcrm.customers.models import Subscription
from telcrm.orders.models import Order, OrderState
from telcrm.orders.tests.acceptance_fixtures import shop  # noqa: F401 - the fixture
from telcrm.orders.tests.conftest import bo_team  # noqa: F401 - the fixture shop needs
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MSISDN = "13805719999"
LIVE = (OrderState.SUBMITTED, OrderState.IN_PROGRESS, OrderState.COMPLETED)


def a_line(customer) -> Subscription:
    return Subscription.objects.create(
        customer=customer,
        account=customer.accounts.first(),
        msisdn=MSISDN,
        offer_code="5G-128",
        offer_name="5G-128 套餐",
        monthly_fee=128,
        org_unit=customer.org_unit,
        owner=customer.owner,
    )


def start(page, customer, order_type: str, line: Subscription) -> None:
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"{page.base_url}/customers/{customer.pk}/")
    page.click("[data-testid=new-order]")
    page.check(f"#type-{order_type}", force=True)
    page.select_option("#subscription", str(line.pk))
    page.click("[data-testid=order-start]")
    page.wait_for_selector("[data-testid=order-no]")


def submit(page) -> None:
    pay = page.locator("form[action$='/payments/'] button[type=submit]")
    if page.locator("[data-testid=due]").count():
        pay.click()  # the amount due is prefilled
    page.wait_for_selector("[data-testid=order-submit]")
    page.click("[data-testid=order-submit]")
    page.wait_for_selector("[data-testid=receipt-link]")


def test_a_clerk_changes_the_plan_of_a_line(page, shop):  # noqa: F811
    line = a_line(shop.customer)
    start(page, shop.customer, "plan_change", line)
    plan = page.locator("[data-testid='offering-5G-198']")
    plan.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=items] >> text=5G-198")
    submit(page)

    order = Order.objects.get(customer=shop.customer)
    assert (order.order_type, order.subscription_id) == ("plan_change", line.pk)
    assert order.state in LIVE
    assert order.items.filter(offering_code="5G-198").exists()


def test_a_clerk_suspends_a_line(page, shop):  # noqa: F811
    line = a_line(shop.customer)
    start(page, shop.customer, "suspend", line)
    submit(page)

    order = Order.objects.get(customer=shop.customer)
    assert (order.order_type, order.subscription_id, order.state in LIVE) == ("suspend", line.pk, True)
    receipt = page.request.get(page.base_url + page.get_attribute("[data-testid=receipt-link]", "href"))
    assert receipt.ok and receipt.body().startswith(b"%PDF")
