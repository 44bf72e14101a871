# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""The counter in the browser (Django test client): from the customer 360 to the printed receipt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.orders.models import Order, OrderState
from telcrm.resources.models import Number, NumberState

from .acceptance_fixtures import shop  # noqa: F401

pytestmark = pytest.mark.django_db

NUMBER = "13805710001"


def test_customer_360_has_the_new_order_button(shop, client_for):
    client = client_for(shop.clerk)
    page = client.get(reverse("customer-detail", args=[shop.customer.pk]))
    assert page.status_code == 200
    assert reverse("order-new") in page.content.decode()


def test_a_new_line_from_start_to_receipt(shop, client_for):
    client = client_for(shop.clerk)
    url = reverse("order-new") + f"?customer={shop.customer.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"customer": shop.customer.pk, "order_type": "new_line"})
    order = Order.objects.get(customer=shop.customer)
    assert response.status_code == 302 and response.url == reverse("order-detail", args=[order.pk])

    page = client.get(response.url).content.decode()
    assert "5G-128" in page and "可办" in page and NUMBER in page  # offerings with verdicts, numbers

    client.post(reverse("order-item-add", args=[order.pk]), {"offering": "5G-128"})
    client.post(reverse("order-number", args=[order.pk]), {"number": NUMBER})
    client.post(reverse("order-sim", args=[order.pk]), {"iccid": shop.sims[0]})
    order.refresh_from_db()
    assert order.one_off_fen == 5000 and Number.objects.get(msisdn=NUMBER).state == NumberState.RESERVED
    client.post(reverse("order-payment", args=[order.pk]), {"method": "cash", "amount": "50.00"})
    client.post(reverse("order-submit", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED and order.paid_fen == 5000

    pdf = client.get(reverse("order-receipt", args=[order.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_refusals_are_shown_and_nothing_is_written(shop, client_for):
    client = client_for(shop.clerk)
    response = client.post(
        reverse("order-new") + f"?customer={shop.customer.pk}",
        {"customer": shop.customer.pk, "order_type": "new_line"},
    )
    order = Order.objects.get(customer=shop.customer)
    page = client.post(reverse("order-submit", args=[order.pk]), follow=True).content.decode()
    assert response.status_code == 302
    assert "Add at least one offering" in page or "至少" in page
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_abandon_from_the_page_releases_the_number(shop, client_for):
    client = client_for(shop.clerk)
    client.post(reverse("order-new"), {"customer": shop.customer.pk, "order_type": "new_line"})
    order = Order.objects.get(customer=shop.customer)
    client.post(reverse("order-number", args=[order.pk]), {"number": NUMBER})
    client.post(reverse("order-abandon", args=[order.pk]), {"reason": "客户离开"})
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.FREE


def test_other_branch_cannot_see_the_order(shop, client_for):
    client = client_for(shop.clerk)
    client.post(reverse("order-new"), {"customer": shop.customer.pk, "order_type": "new_line"})
    order = Order.objects.get(customer=shop.customer)
    client.force_login(shop.carrier["other_clerk"])
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("order-abandon", args=[order.pk])).status_code == 404


def test_statistics_per_branch_clerk_type_and_day(shop, client_for):
    from telcrm.orders import actions
    from telcrm.orders.acceptance_queries import order_statistics

    first = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="broadband")
    actions.order_abandon(actor=shop.clerk, order=first)
    stats = order_statistics(shop.carrier["branch_manager"])
    assert stats["total"] == 2
    assert [(r["org_unit__code"], r["orders"], r["cancelled"]) for r in stats["by_branch"]] == [
        ("ZJ-HZ-01", 2, 1)
    ]
    assert [(r["created_by__username"], r["orders"]) for r in stats["by_clerk"]] == [("clerk", 2)]
    assert {r["order_type"]: r["orders"] for r in stats["by_type"]} == {"new_line": 1, "broadband": 1}
    assert [r["orders"] for r in stats["by_day"]] == [2]
    assert order_statistics(shop.carrier["other_branch_manager"])["total"] == 0  # outside their scope

    client = client_for(shop.carrier["branch_manager"])
    page = client.get(reverse("order-stats"))
    assert page.status_code == 200 and "西湖营业厅" in page.content.decode()
    listing = client.get(reverse("order-list") + "?type=broadband").content.decode()
    assert first.order_no not in listing and Order.objects.get(order_type="broadband").order_no in listing


@pytest.mark.parametrize(
    "order_type", ["broadband", "port_in", "plan_change", "add_on", "sim_swap", "termination"]
)
def test_every_order_type_has_its_page(shop, client_for, order_type):
    from telcrm.catalog.tests._fixtures import line

    sub = line(shop.customer, "5G-128")
    client = client_for(shop.clerk)
    response = client.post(
        reverse("order-new"), {"customer": shop.customer.pk, "order_type": order_type, "subscription": sub.pk}
    )
    order = Order.objects.get(customer=shop.customer)
    assert response.status_code == 302
    page = client.get(reverse("order-detail", args=[order.pk]))
    assert page.status_code == 200 and order.order_no in page.content.decode()
    htmx = client.get(reverse("order-detail", args=[order.pk]), headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()


def test_the_360_lists_the_customers_orders(shop, client_for):
    from telcrm.orders import actions

    order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    page = client_for(shop.clerk).get(reverse("customer-detail", args=[shop.customer.pk])).content.decode()
    assert 'data-testid="panel-orders.orders"' in page and order.order_no in page


def test_broadband_address_from_the_page(shop, client_for):
    client = client_for(shop.clerk)
    client.post(reverse("order-new"), {"customer": shop.customer.pk, "order_type": "broadband"})
    order = Order.objects.get(customer=shop.customer)
    address = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路1号"}
    client.post(reverse("order-details", args=[order.pk]), address)
    order.refresh_from_db()
    assert order.data["address_parts"] == address
    assert "文三路1号" in client.get(reverse("order-detail", args=[order.pk])).content.decode()


@pytest.mark.parametrize("amount", ["Infinity", "NaN", "1e400", "12.345", "-5", "abc", "0"])
def test_a_malformed_amount_is_refused_on_the_page_and_nothing_is_paid(shop, client_for, amount):
    client = client_for(shop.clerk)
    client.post(
        reverse("order-new") + f"?customer={shop.customer.pk}",
        {"customer": shop.customer.pk, "order_type": "new_line"},
    )
    order = Order.objects.get(customer=shop.customer)
    response = client.post(
        reverse("order-payment", args=[order.pk]), {"method": "cash", "amount": amount}, follow=True
    )
    assert response.status_code == 200
    assert "Enter an amount" in response.content.decode() or "金额" in response.content.decode()
    order.refresh_from_db()
    assert order.paid_fen == 0 and not order.payments.exists()


def test_an_overlong_payment_reference_is_refused_not_cut(shop, client_for):
    client = client_for(shop.clerk)
    client.post(
        reverse("order-new") + f"?customer={shop.customer.pk}",
        {"customer": shop.customer.pk, "order_type": "new_line"},
    )
    order = Order.objects.get(customer=shop.customer)
    client.post(
        reverse("order-payment", args=[order.pk]), {"method": "card", "amount": "10", "reference": "8" * 65}
    )
    order.refresh_from_db()
    assert order.paid_fen == 0 and not order.payments.exists()
