"""Customer journeys in a real browser: a clerk registers a customer at the counter, lands on the 360
page, reveals the ID number (audited) and adds a contact medium in place; a branch manager finds a
customer by the pinyin initials of the name; a clerk on a phone-sized screen."""

import pytest
from stdnum.cn import ric

from telcrm.customers.models import ContactMedium, Customer
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ID_BODY = "33010619880505123"
ID_NUMBER = ID_BODY + ric.calc_check_digit(ID_BODY + "0")


def test_clerk_registers_a_customer_reveals_the_id_and_adds_a_contact(page, carrier):
    sign_in(page, "clerk", PASSWORD)
    page.click("#main-menu a[data-menu=customer-create]")
    page.wait_for_selector("[data-testid=customer-form]")
    # an enterprise shows its own fields; back to an individual
    page.click("label[for=id_customer_type_1]")
    assert page.is_visible("#id_legal_representative") and not page.is_visible("#id_gender")
    page.click("label[for=id_customer_type_0]")
    assert page.is_visible("#id_gender") and not page.is_visible("#id_legal_representative")
    page.fill("#id_name", "周星星")
    page.select_option("#id_id_doc_type", "id_card")
    page.fill("#id_id_number", ID_BODY + "0")  # a wrong check digit first
    page.fill("#id_phone", "13812345678")
    page.click("[data-testid=customer-submit]")
    page.wait_for_selector(".invalid-feedback[data-field=id_number]")
    assert not Customer.objects.filter(name="周星星").exists()
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_address_province", "浙江省")
    page.fill("#id_address_city", "杭州市")
    page.fill("#id_address_street", "文三路 100 号")
    page.click("[data-testid=customer-submit]")

    page.wait_for_selector("[data-testid=customer-head]")
    customer = Customer.objects.get(name="周星星")
    assert page.url.endswith(f"/customers/{customer.pk}/")
    assert page.inner_text("[data-testid=customer-no]") == customer.customer_no
    assert page.inner_text("[data-testid=id-number-masked]") == "330***********" + ID_NUMBER[-4:]
    assert page.is_visible("[data-testid=eligibility]")

    page.click("[data-testid=reveal-id-number]")
    page.wait_for_selector("[data-testid=id-number-plain]")
    assert page.inner_text("[data-testid=id-number-plain]") == ID_NUMBER
    log = AuditLog.objects.get(kind="reveal")
    assert log.actor == carrier["clerk"] and log.field == "id_number"

    page.click("[data-testid=add-medium]")
    page.wait_for_selector("[data-testid=part-form-media]")
    page.select_option("[data-testid=part-form-media] select[name=kind]", "email")
    page.fill("[data-testid=part-form-media] input[name=value]", "zxx@example.com")
    page.check("[data-testid=part-form-media] input[name=marketing_consent]")
    page.click("[data-testid=part-form-media] [data-testid=part-save]")
    page.wait_for_selector("[data-testid=part-form-media]", state="detached")
    assert page.locator("[data-testid=medium]").count() == 2
    assert ContactMedium.objects.filter(customer=customer, kind="email", marketing_consent=True).exists()
    assert "zxx@example.com" not in page.inner_text("[data-testid=part-media]")  # masked


def test_branch_manager_finds_a_customer_by_pinyin_initials(page, carrier):
    from telcrm.customers.actions import customer_create

    wanted = customer_create(
        actor=carrier["clerk"], customer_type="individual", name="王小明", phone="13900001111"
    )
    customer_create(actor=carrier["clerk"], customer_type="individual", name="李四", phone="13900002222")
    ningbo = customer_create(
        actor=carrier["other_clerk"], customer_type="individual", name="王晓明", phone="13900003333"
    )
    sign_in(page, "branch_manager", PASSWORD)
    page.goto(f"{page.base_url}/customers/")
    page.fill("#id_q", "wxm")
    page.wait_for_selector("[data-testid=customer-results][data-mode=search]")
    page.wait_for_function("document.querySelectorAll('[data-testid=customer-row]').length === 1")
    row = page.inner_text("[data-testid=customer-row]")
    assert "王小明" in row and wanted.customer_no in row and ningbo.customer_no not in row
    assert "139****1111" in row
    page.click("[data-testid=customer-row] a")
    page.wait_for_selector("[data-testid=customer-head]")
    assert page.url.endswith(f"/customers/{wanted.pk}/")
    # the global search box finds the same customers
    page.fill("#global-search", "wxm")
    page.wait_for_selector("#search-dropdown .search-hit")
    assert "王小明" in page.inner_text("#search-dropdown") and "王晓明" not in page.inner_text(
        "#search-dropdown"
    )


def test_customer_pages_work_on_a_phone(browser, live_server, carrier):
    from telcrm.customers.actions import customer_create

    customer = customer_create(
        actor=carrier["clerk"], customer_type="individual", name="手机端", phone="13700001111"
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, "clerk", PASSWORD)
        page.goto(f"{page.base_url}/customers/{customer.pk}/")
        page.wait_for_selector("[data-testid=customer-head]")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1  # nothing wider than the screen
        page.goto(f"{page.base_url}/customers/")
        assert page.locator("[data-testid=customer-row]").count() == 1
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        context.close()
