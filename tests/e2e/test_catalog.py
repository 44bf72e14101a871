"""Catalog journeys in a real browser: a clerk looks up what a customer of a group may buy (the group's
tariff on the prices, a refused offering with its reason); a product manager creates a draft offering,
gives it a price and puts it on sale."""

import datetime as dt

import pytest

from telcrm.catalog import actions
from telcrm.catalog.demo import build_catalog
from telcrm.catalog.models import Category, ProductOffering
from telcrm.customers.models import CustomerType
from telcrm.customers.testing import make_customer
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_catalog(carrier, monkeypatch):
    from telcrm.catalog import eligibility

    monkeypatch.setattr(eligibility, "evaluate_rules", lambda facts: [])  # the catalog's own rules only
    build_catalog(carrier["admin"])  # the demo carrier's catalog: plans, add-ons, broadband, bundles
    return carrier


def test_clerk_sees_the_group_price_and_why_an_offering_is_refused(page, demo_catalog):
    carrier = demo_catalog
    group = make_customer(
        carrier.branch,
        name="浙江开元建设集团",
        customer_type=CustomerType.GROUP,
        owner=carrier["account_manager"],
    )
    make_customer(carrier.branch, name="刘璐", parent=group, owner=carrier["clerk"])
    actions.tariff_create(
        actor=carrier["admin"],
        customer=group,
        name="集团5G套餐统一85折",
        category=Category.objects.get(code="plans-5g"),
        kind="percent_off",
        value=15,
        valid_from=dt.date(2025, 1, 1),
    )
    actions.tariff_approve(actor=carrier["branch_manager"], tariff=group.group_tariffs.get())

    sign_in(page, "clerk", PASSWORD)
    page.click("#main-menu a[data-menu=catalog-browse]")
    page.wait_for_selector("[data-testid=browse-results]")
    page.fill("[data-testid=customer-search]", "刘璐")
    page.wait_for_selector("[data-testid=pick-customer]")
    page.click("[data-testid=pick-customer]")
    page.wait_for_selector("[data-testid=browse-customer]")
    assert "刘璐" in page.inner_text("[data-testid=browse-customer]")

    row = page.locator("tr[data-code='5G-CX-128']")
    assert "集团5G套餐统一85折" in row.locator("[data-testid=tariff-badge]").inner_text()
    assert "¥108.80" in row.locator("[data-testid=customer-price]").inner_text()  # ¥128 less 15%
    assert row.locator("[data-testid=verdict-ok]").is_visible()

    refused = page.locator("tr[data-code='BB-IPTV-15']")  # an add-on for broadband the customer lacks
    assert refused.locator("[data-testid=verdict-refused]").is_visible()
    reason = refused.locator("[data-testid=verdict-reasons] li[data-code=addon_needs_plan]")
    assert reason.is_visible() and reason.inner_text().strip()

    # narrowing to broadband keeps the customer and the verdicts
    page.select_option("#id_kind", "broadband")
    page.wait_for_function("!document.querySelector(\"tr[data-code='5G-CX-128']\")")
    assert page.locator("tr[data-code='BB-1000M'] [data-testid=verdict]").is_visible()


def test_product_manager_creates_a_draft_with_a_price_and_activates_it(page, demo_catalog):
    sign_in(page, "admin", PASSWORD)
    page.click("#main-menu a[data-menu=catalog-offering-list]")
    page.click("[data-testid=new-offering]")
    page.wait_for_selector("[data-testid=offering-form]")
    page.fill("#id_code", "5G-CX-238")
    page.fill("#id_name", "5G畅享套餐 238元")
    page.select_option("#id_kind", "plan")
    page.select_option("#id_categories", label="5G套餐")
    page.fill("#id_data_gb", "80")
    page.fill("#id_voice_min", "1500")
    page.click("[data-testid=save-offering]")

    page.wait_for_selector("[data-testid=activation-problems]")  # a draft without a price
    assert page.inner_text("[data-testid=lifecycle-badge]").strip()
    page.click("[data-testid=add-price]")
    page.wait_for_selector("[data-testid=price-form]")
    page.fill("#id_name", "月功能费")
    page.select_option("#id_price_type", "recurring")
    page.fill("#id_amount", "238")
    page.fill("#id_valid_from", "2026-01-01")
    page.click("[data-testid=save-price]")

    page.wait_for_selector("[data-testid=price-row]")
    assert "¥238.00" in page.inner_text("[data-testid=price-row]")
    page.click("[data-testid=activate]")
    page.wait_for_selector("[data-testid=retire]")
    offering = ProductOffering.objects.get(code="5G-CX-238")
    assert (offering.lifecycle_status, offering.version, offering.features) == (
        "active",
        1,
        {"data_gb": 80, "voice_min": 1500},
    )
    assert [p.amount_fen for p in offering.prices.all()] == [23800]
