"""Choosing a number at the counter (选号) in a real browser: a clerk narrows the pool as they type,
reserves a number (the tile shows until when, "my reservations" lists it) and releases it again."""

import pytest
from django.utils import timezone

from telcrm.platform.testing import PASSWORD
from telcrm.resources.models import Number
from telcrm.resources.tests._fixtures import Pool

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_filters_reserves_and_releases_a_number(page, carrier):
    Pool(carrier)  # levels; 100 numbers in Hangzhou, 100 in Ningbo, 100 province-wide
    sign_in(page, "clerk", PASSWORD)
    page.click("#main-menu a[data-menu=number-search]")
    page.wait_for_selector("[data-testid=number-grid]")
    assert page.locator("[data-testid=number-tile]").count() == 24  # a page of the clerk's regions

    page.fill("#id_ends_with", "88")  # results follow the typing (HTMX, no submit)
    page.wait_for_function("document.querySelectorAll('[data-testid=number-tile]').length === 2")
    shown = page.eval_on_selector_all("[data-testid=number-tile]", "els => els.map(e => e.dataset.msisdn)")
    assert shown == ["13805710088", "19805700088"]  # Hangzhou and the province, never Ningbo
    assert "ends_with=88" in page.url

    tile = page.locator("[data-testid=number-tile][data-msisdn='13805710088']")
    tile.locator("[data-testid=reserve]").click()
    page.wait_for_selector(
        "[data-testid=number-tile][data-msisdn='13805710088'] [data-testid=reserved-until]"
    )
    page.wait_for_selector("[data-testid=my-reservation][data-msisdn='13805710088']")
    number = Number.objects.get(msisdn="13805710088")
    assert number.state == "reserved" and number.reserved_by == carrier["clerk"]
    until = page.inner_text(
        "[data-testid=number-tile][data-msisdn='13805710088'] [data-testid=reserved-until]"
    )
    assert timezone.localtime(number.reserved_until).strftime("%H:%M") in until

    page.click("[data-testid=my-reservation][data-msisdn='13805710088'] [data-testid=release]")
    page.wait_for_selector("[data-testid=no-reservations]")
    # the grid reloads with the same filters: the number is free to reserve again
    page.wait_for_selector("[data-testid=number-tile][data-msisdn='13805710088'] [data-testid=reserve]")
    number.refresh_from_db()
    assert number.state == "free" and number.reserved_by is None
    assert [e.action for e in number.events.order_by("at", "id")] == ["reserve", "release"]
