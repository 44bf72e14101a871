"""Pending installations in a real browser: on a phone (375 px wide) the installer opens their installation,
asks for the customer's phone, records arrival and the result with the ONT serial, and completes it —
the process moves on; on a desktop the back office dispatches an installation to a team's free slot.

Set TELCRM_SCREENSHOTS=/some/dir to keep screenshots of the phone pages."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from telcrm.orders import actions
from telcrm.orders.actions import installations
from telcrm.orders.models import Installation, InstallState, WorkOrder, WorkOrderState
from telcrm.orders.processes import engine
from telcrm.orders.tests.conftest import shipped
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13905710001"
PHONE_VIEWPORT = {"width": 375, "height": 812}


def _shot(page, name: str) -> None:
    folder = os.environ.get("TELCRM_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.fixture
def waiting(carrier):
    """A broadband order verified and waiting for dispatch: its installation."""
    from telcrm.customers.testing import make_customer

    admin = carrier["admin"]
    definition = actions.process_definition_create(
        actor=admin, key="order.broadband", name="宽带装机", bpmn_xml=shipped("broadband")
    )
    actions.process_version_publish(actor=admin, version=definition.versions.get())
    customer = make_customer(carrier.branch, name="王小明", owner=carrier["clerk"], phone=PHONE)
    instance = actions.process_start(
        key="order.broadband",
        actor=carrier["clerk"],
        data={"address": "浙江省杭州市西湖区文三路90号3幢201室", "customer_no": customer.customer_no},
        business_key="KD-E2E",
        schedule=False,
    )
    engine.advance(instance)
    verify = WorkOrder.objects.get(instance=instance, element_id="verify")
    actions.work_order_complete(actor=carrier["backoffice"], work_order=verify)
    engine.advance(instance)
    return Installation.objects.get(instance=instance)


def _tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def test_the_installer_reports_from_a_phone(browser, live_server, carrier, waiting):
    installations.installation_dispatch(
        actor=carrier["backoffice"],
        installation=waiting,
        team=carrier.team,
        day=_tomorrow(),
        window="am1",
        installer=carrier["installer"],
    )
    engine.advance(waiting.instance)
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        sign_in(page, "installer", PASSWORD)
        page.click("button[aria-controls=sidebar]")
        page.click("#main-menu a[data-menu=installation-mine]")
        page.wait_for_selector("[data-testid=my-jobs] [data-testid=job]")
        assert "文三路90号" in page.inner_text("[data-testid=my-jobs]")
        _shot(page, "installations-mine-375")
        page.click(f"[data-testid=job][data-installation='{waiting.pk}']")

        page.wait_for_selector("[data-testid=field-head]")
        _shot(page, "installations-field-open-375")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_VIEWPORT["width"]  # no sideways scrolling
        assert PHONE not in page.content()  # masked until asked for
        page.click("[data-testid=reveal]")
        page.wait_for_selector("[data-testid=call]")
        assert page.inner_text("[data-testid=call]").strip() == PHONE
        box = page.locator("[data-testid=arrive]").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a large touch target
        page.click("[data-testid=arrive]")
        page.wait_for_selector(".alert-success")
        assert page.locator("[data-testid=arrive]").count() == 0

        page.click("label[for=result-failed]")  # the reasons show for a failure, the serials for success
        reason, serial = "select[name=failure_reason]", "input[name=ont_serial]"
        assert page.is_visible(reason) and not page.is_visible(serial)
        _shot(page, "installations-field-failed-375")
        page.click("label[for=result-installed]")
        assert page.is_visible(serial) and not page.is_visible(reason)
        page.fill("input[name=ont_serial]", "hwtc12345678")
        page.fill("input[name=f_port_no]", "OLT-3/1/7")
        page.check("input[name=f_signal_ok]")
        page.fill("textarea[name=notes]", "信号良好")
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, "installations-field-375")
        page.click("[data-testid=finish-submit]")
        page.wait_for_selector(".alert-success")
        assert page.url.endswith("/workorders/installations/mine/")
        waiting.refresh_from_db()
        assert waiting.state == InstallState.INSTALLED and waiting.ont_serial == "HWTC12345678"
        visit = waiting.work_order
        assert visit.state == WorkOrderState.COMPLETED and visit.outcome == "installed"
        assert visit.result["port_no"] == "OLT-3/1/7"
    finally:
        context.close()


def test_the_back_office_dispatches_to_a_free_slot(page, carrier, waiting):
    sign_in(page, "backoffice", PASSWORD)
    page.goto(f"{page.base_url}/workorders/installations/{waiting.pk}/")
    page.wait_for_selector("[data-testid=dispatch-form]")
    key = f"{_tomorrow().isoformat()}|pm1"
    page.click(f"#dispatch-team input[value='{key}'] + label")  # the slot's button
    page.select_option("select[name=installer]", str(carrier["installer"].pk))
    _shot(page, "installations-dispatch-desktop")
    page.click("[data-testid=dispatch-submit]")
    page.wait_for_selector(".alert-success")
    waiting.refresh_from_db()
    assert waiting.appointment.window == "pm1" and waiting.appointment.day == _tomorrow()
    dispatch = WorkOrder.objects.get(instance=waiting.instance, element_id="dispatch")
    assert dispatch.state == WorkOrderState.COMPLETED and dispatch.result["installer"] == "installer"
