"""Processes and work orders in a real browser: the administrator sees a process as a diagram (bpmn-js),
edits its XML and saves a draft, publishes it; the back office claims and completes the verification
work order of a running order, and the instance page marks where the order is."""

import pytest

from telcrm.orders import actions
from telcrm.orders.models import ProcessDefinition, VersionState, WorkOrder, WorkOrderState
from telcrm.orders.processes import engine
from telcrm.orders.tests.conftest import shipped
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def new_line(carrier):
    admin = carrier["admin"]
    definition = actions.process_definition_create(
        actor=admin, key="order.new_line", name="新装入网", name_en="New line", bpmn_xml=shipped("new_line")
    )
    actions.process_version_publish(actor=admin, version=definition.versions.get())
    return definition


def test_admin_sees_the_diagram_edits_the_xml_and_publishes(page, new_line):
    sign_in(page, "admin", PASSWORD)
    page.click("#main-menu a[data-menu=process-list]")
    page.click(f"a[href$='/processes/{new_line.pk}/']")
    page.wait_for_selector(".bpmn-canvas [data-element-id=verify]")  # bpmn-js drew the user task
    assert page.locator(".bpmn-canvas [data-element-id=billing_entry]").count() >= 1

    page.click("[data-bpmn-tab=xml]")
    xml = page.input_value("textarea[name=bpmn_xml]")
    assert 'id="verify"' in xml
    page.fill("textarea[name=bpmn_xml]", xml.replace('name="订单核定"', 'name="订单核定（新）"'))
    page.fill("#draft-comment", "改名")
    page.click("[data-testid=save-draft]")
    page.wait_for_selector("[data-testid=publish]")
    draft = new_line.versions.get(state=VersionState.DRAFT)
    assert "订单核定（新）" in draft.bpmn_xml and draft.comment == "改名"

    page.click("[data-testid=publish]")
    page.wait_for_selector(".alert-success")
    assert ProcessDefinition.objects.get(pk=new_line.pk).versions.get(state=VersionState.ACTIVE).number == 2


def test_saving_from_the_diagram_keeps_the_extensions_and_shows_errors(page, new_line):
    sign_in(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}/processes/{new_line.pk}/")
    page.wait_for_selector(".bpmn-canvas [data-element-id=verify]")
    page.click("[data-testid=save-draft]")  # from the diagram tab: the modeler's XML is sent
    page.wait_for_selector("[data-testid=publish]")
    draft = new_line.versions.get(state=VersionState.DRAFT)
    assert "spiffworkflow:serviceTaskOperator" in draft.bpmn_xml and 'value="backoffice"' in draft.bpmn_xml

    page.click("[data-bpmn-tab=xml]")
    xml = page.input_value("textarea[name=bpmn_xml]")
    page.fill("textarea[name=bpmn_xml]", xml.replace('id="billing.entry"', 'id="billing.nothing"'))
    page.click("[data-bpmn-check]")
    page.wait_for_selector("#bpmn-check [data-element=billing_entry]")
    assert "billing.nothing" in page.inner_text("#bpmn-check")


def test_back_office_claims_and_completes_from_the_queue(page, new_line, carrier):
    instance = actions.process_start(
        key="order.new_line", actor=carrier["clerk"], business_key="DD-E2E", schedule=False
    )
    engine.advance(instance)
    wo = WorkOrder.objects.get(instance=instance)
    sign_in(page, "backoffice", PASSWORD)
    page.click("#main-menu a[data-menu=workorder-queue]")
    page.click(f"a[href$='/workorders/{wo.pk}/']")
    page.click("[data-testid=claim]")
    page.wait_for_selector("[data-testid=complete-form]")
    page.click("[data-testid=complete-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    wo.refresh_from_db()
    assert wo.state == WorkOrderState.COMPLETED
    engine.advance(instance)
    page.goto(f"{page.base_url}/processes/instances/{instance.pk}/")  # the back office may look at processes
    page.wait_for_selector(".bpmn-canvas .telcrm-done[data-element-id=archive]")
