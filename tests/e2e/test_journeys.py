"""Main journeys in a real browser: each role signs in and lands on its home page; language switch."""

import pytest

from telcrm.platform.roles import ROLES
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("code", [r.code for r in ROLES])
def test_each_role_signs_in_to_its_home_page(page, carrier, code):
    user = carrier[code]
    sign_in(page, user.username, PASSWORD)
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
    page.wait_for_selector("[data-testid=home-title]")
    assert user.role.name in page.inner_text("[data-testid=home-role]")  # Chinese by default
    assert page.locator("#main-menu a[data-menu=home]").count() == 1


def test_menu_differs_by_role(page, carrier):
    sign_in(page, "clerk", PASSWORD)
    assert page.locator("#main-menu a[data-menu=parameter-list]").count() == 0
    page.click("#user-menu")
    page.click("#logout")
    sign_in(page, "admin", PASSWORD)
    assert page.locator("#main-menu a[data-menu=parameter-list]").count() == 1


def test_switch_language_to_english_and_back(page, carrier):
    sign_in(page, "clerk", PASSWORD)
    assert "后台任务" in page.inner_text("#main-menu")
    page.click("#language-menu")
    page.click("button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Background jobs" in page.inner_text("#main-menu")
    assert carrier["clerk"].role.name_en in page.inner_text("[data-testid=home-role]")
    page.reload()
    assert page.get_attribute("html", "lang") == "en"  # remembered for the user
    page.click("#language-menu")
    page.click("button[data-lang=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")


def test_wrong_password_then_lockout(page, carrier):
    for _ in range(5):
        sign_in(page, "clerk", "wrong-password")
    sign_in(page, "clerk", PASSWORD)
    assert page.locator("[data-testid=locked]").count() == 1


def test_phone_sized_screen_has_menu_button(browser, live_server, carrier):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base_url = live_server.url
    sign_in(page, "installer", PASSWORD)
    assert not page.is_visible("#main-menu")
    page.click("button[aria-controls=sidebar]")
    page.wait_for_selector("#main-menu a[data-menu=home]", state="visible")
    context.close()
