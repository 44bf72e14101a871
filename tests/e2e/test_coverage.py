"""Network coverage in a real browser: a counter clerk checks whether broadband can be installed at
a customer's address, sees the options (technology, bandwidth, free ports, element), then an address
whose only element is full and is told why not."""

import pytest

from telcrm.platform.testing import PASSWORD
from telcrm.resources.coverage import actions

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _network(carrier):
    admin = carrier["admin"]
    olt = actions.element_create(
        actor=admin,
        code="HZ-XH-OLT01",
        kind="olt",
        org_unit=carrier.city,
        ports_total=64,
        max_bandwidth_mbps=1000,
        status="in_service",
    )
    cell = actions.element_create(
        actor=admin,
        code="HZ-XH-GNB01",
        kind="cell_5g",
        org_unit=carrier.city,
        ports_total=8,
        max_bandwidth_mbps=500,
        status="in_service",
    )
    full = actions.element_create(
        actor=admin,
        code="HZ-GS-OLT02",
        kind="olt",
        org_unit=carrier.city,
        ports_total=1,
        max_bandwidth_mbps=1000,
        status="in_service",
    )
    place = {"province": "浙江省", "city": "杭州市", "district": "西湖区"}
    actions.covered_address_create(
        actor=admin, element=olt, street="文三路88号", building="阳光花园", **place
    )
    actions.covered_address_create(
        actor=admin, element=cell, street="文三路88号", max_bandwidth_mbps=300, **place
    )
    actions.covered_address_create(
        actor=admin, element=full, province="浙江省", city="杭州市", district="拱墅区", street="湖墅南路5号"
    )
    actions.port_take(element=full, actor=admin, reference="ORD-E2E")


def test_clerk_checks_an_address_and_sees_the_options(page, carrier):
    _network(carrier)
    sign_in(page, "clerk", PASSWORD)
    page.click("#main-menu a[data-menu=coverage-list]")
    page.wait_for_selector("[data-testid=check-form]")
    page.click("[data-testid=check-submit]")  # nothing typed yet: the errors show under the fields
    page.wait_for_selector(".invalid-feedback[data-field=street]")

    # typed as a clerk would: without 省/市 suffixes, full-width digits, the flat after the number
    page.fill("#id_check-province", "浙江")
    page.fill("#id_check-city", "杭州")
    page.fill("#id_check-district", "西湖区")
    page.fill("#id_check-street", "文三路８８号")
    page.fill("#id_check-building", "阳光花园3幢2单元501室")
    page.click("[data-testid=check-submit]")
    page.wait_for_selector("[data-testid=check-result][data-ok='1']")
    options = page.locator("[data-testid=option]")
    assert options.count() == 2
    assert options.nth(0).get_attribute("data-technology") == "fibre"  # the best first
    assert "HZ-XH-OLT01" in options.nth(0).inner_text() and "1G" in options.nth(0).inner_text()
    assert "HZ-XH-GNB01" in options.nth(1).inner_text() and "300M" in options.nth(1).inner_text()
    assert page.url.endswith("/resources/coverage/")  # answered in place (HTMX)

    # an address whose only element is full: red, with the reason
    page.fill("#id_check-district", "拱墅区")
    page.fill("#id_check-street", "湖墅南路5号")
    page.fill("#id_check-building", "")
    page.click("[data-testid=check-submit]")
    page.wait_for_selector("[data-testid=check-result][data-ok='0']")
    assert page.get_attribute("[data-testid=check-result]", "data-reason") == "no_free_ports"
    assert page.inner_text("[data-testid=reason]").strip()
    assert "HZ-GS-OLT02" in page.inner_text("[data-testid=check-result]")

    # the element's page shows its capacity
    page.click("[data-testid=check-result] a:has-text('HZ-GS-OLT02')")
    page.wait_for_selector("[data-testid=element-head]")
    assert page.inner_text("[data-testid=free-ports]") == "0"
