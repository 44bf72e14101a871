"""The process and work-order pages: who may open them, what they show, what their forms do."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telcrm.orders import actions
from telcrm.orders.models import ProcessDefinition, ProcessVersion, VersionState, WorkOrder, WorkOrderState
from telcrm.orders.processes.registry import service_task
from telcrm.orders.testing import chain, service, user
from telcrm.platform.testing import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(db):
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def work_order(carrier, publish, run):
    publish(
        "order.test",
        chain(
            user(
                "approve",
                name="核定",
                outcomes="approved:通过|Approve,rejected:不通过|Reject",
                form="ref:text!:单号|Ref",
            )
        ),
    )
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], business_key="DD7")
    run(instance)
    return WorkOrder.objects.get(instance=instance)


# --- work orders --------------------------------------------------------------------------------------------
def test_queue_mine_list_and_stats_pages(carrier, work_order, login):
    client = login(carrier["backoffice"])
    response = client.get(reverse("workorder-queue"))
    assert response.status_code == 200 and work_order.number in response.content.decode()
    assert client.get(reverse("workorder-mine")).status_code == 200
    response = client.get(reverse("workorder-list"), {"q": "DD7", "state": "active"})
    assert work_order.number in response.content.decode()
    response = client.get(reverse("workorder-stats"))
    assert response.status_code == 200 and 'data-category="verification"' not in response.content.decode()
    assert 'data-category="general"' in response.content.decode()


def test_queue_page_has_a_fixed_number_of_queries(carrier, publish, run, login):
    publish("order.test", chain(user("approve")))
    client = login(carrier["backoffice"])

    def queries_for(n):
        for _ in range(n):
            instance = actions.process_start(key="order.test", actor=carrier["clerk"])
            run(instance)
        client.get(reverse("workorder-queue"))  # warm caches (parameters, dictionaries)
        with count_queries() as q:
            assert client.get(reverse("workorder-queue")).status_code == 200
        return len(q)

    assert queries_for(1) == queries_for(5)


def test_pages_need_the_permission_and_the_scope(carrier, work_order, login):
    assert login(carrier["marketer"]).get(reverse("workorder-queue")).status_code == 403
    other = login(carrier["other_branch_manager"])
    assert other.get(reverse("workorder-detail", args=[work_order.pk])).status_code == 404
    assert (
        login(carrier["branch_manager"]).get(reverse("workorder-detail", args=[work_order.pk])).status_code
        == 200
    )


def test_claim_and_complete_through_the_page(carrier, work_order, login, run):
    client = login(carrier["backoffice"])
    page = client.get(reverse("workorder-detail", args=[work_order.pk])).content.decode()
    assert 'data-testid="claim"' in page and 'data-testid="complete-form"' in page
    response = client.post(reverse("workorder-claim", args=[work_order.pk]))
    assert response.status_code == 302
    response = client.post(reverse("workorder-complete", args=[work_order.pk]), {"outcome": "approved"})
    assert response.status_code == 400 and "f_ref" in response.context["complete_form"].errors
    response = client.post(
        reverse("workorder-complete", args=[work_order.pk]), {"outcome": "approved", "f_ref": "X-1"}
    )
    assert response.status_code == 302
    work_order.refresh_from_db()
    assert work_order.state == WorkOrderState.COMPLETED and work_order.result == {"ref": "X-1"}


def test_return_through_the_page_needs_a_reason(carrier, work_order, login):
    client = login(carrier["backoffice"])
    response = client.post(reverse("workorder-return", args=[work_order.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("workorder-return", args=[work_order.pk]), {"reason": "资料不全"})
    assert response.status_code == 302
    work_order.refresh_from_db()
    assert work_order.state == WorkOrderState.RETURNED


def test_a_clerk_sees_but_cannot_handle(carrier, work_order, login):
    client = login(carrier["clerk"])
    page = client.get(reverse("workorder-detail", args=[work_order.pk])).content.decode()
    assert 'data-testid="claim"' not in page
    assert client.post(reverse("workorder-claim", args=[work_order.pk])).status_code == 403


def test_home_panel_of_the_back_office(carrier, work_order, login):
    page = login(carrier["backoffice"]).get(reverse("home")).content.decode()
    assert 'data-testid="home-work-orders"' in page


# --- processes ----------------------------------------------------------------------------------------------
def test_process_pages(carrier, work_order, login):
    admin = login(carrier["admin"])
    definition = ProcessDefinition.objects.get(key="order.test")
    assert "order.test" in admin.get(reverse("process-list")).content.decode()
    page = admin.get(reverse("process-detail", args=[definition.pk])).content.decode()
    assert "bpmn-modeler.production.min.js" in page and 'name="bpmn_xml"' in page
    assert admin.get(reverse("process-version", args=[definition.pk, 1])).status_code == 200
    download = admin.get(reverse("process-version-download", args=[definition.pk, 1]))
    assert download["Content-Disposition"].endswith('order.test-v1.bpmn"')
    page = admin.get(reverse("process-instance-list")).content.decode()
    assert work_order.instance.number in page
    page = admin.get(reverse("process-instance-detail", args=[work_order.instance_id])).content.decode()
    assert '"active": ["approve"]' in page and "bpmn-viewer.production.min.js" in page
    backoffice = login(carrier["backoffice"])  # may view, not change
    page = backoffice.get(reverse("process-detail", args=[definition.pk])).content.decode()
    assert "bpmn-viewer.production.min.js" in page and 'name="bpmn_xml"' not in page
    assert backoffice.post(reverse("process-publish", args=[definition.pk])).status_code == 403
    assert login(carrier["clerk"]).get(reverse("process-list")).status_code == 403


def test_create_edit_upload_and_publish(carrier, login):
    admin = login(carrier["admin"])
    response = admin.post(reverse("process-create"), {"key": "order.demo_flow", "name": "演示"})
    definition = ProcessDefinition.objects.get(key="order.demo_flow")
    assert response.status_code == 302 and definition.versions.get().state == VersionState.DRAFT
    bad = chain(service("svc", "no.such_handler", name="开户"))
    response = admin.post(
        reverse("process-upload", args=[definition.pk]),
        {"bpmn_file": SimpleUploadedFile("x.bpmn", bad.encode(), "application/xml")},
    )
    assert response.status_code == 400
    assert [e["element"] for e in response.context["bpmn_errors"]] == ["svc"]
    assert response.context["marks"] == {"error": ["svc"]}
    good = chain(service("svc", "order.archive"))
    token = actions.draft_token(definition.versions.get())
    response = admin.post(
        reverse("process-draft-save", args=[definition.pk]), {"bpmn_xml": good, "draft_token": token}
    )
    assert response.status_code == 302
    response = admin.post(
        reverse("process-draft-save", args=[definition.pk]), {"bpmn_xml": good, "draft_token": token}
    )
    assert response.status_code == 400  # someone saved since this token
    admin.post(reverse("process-publish", args=[definition.pk]), {"comment": "首版"})
    version = ProcessVersion.objects.get(definition=definition)
    assert version.state == VersionState.ACTIVE and version.comment == "首版"
    admin.post(reverse("process-version-retire", args=[definition.pk, version.number]))
    version.refresh_from_db()
    assert version.state == VersionState.RETIRED


def test_check_button_validates_without_saving(carrier, login):
    admin = login(carrier["admin"])
    response = admin.post(reverse("process-validate"), {"bpmn_xml": chain(service("svc", "no.such_handler"))})
    assert 'data-element="svc"' in response.content.decode()
    response = admin.post(reverse("process-validate"), {"bpmn_xml": chain(service("svc", "order.archive"))})
    assert 'data-testid="bpmn-valid"' in response.content.decode()


FLAKY = {"fail": True}


@service_task("test.views_flaky")
def _flaky(step):
    if FLAKY["fail"]:
        raise RuntimeError("down")
    return {}


def test_operators_retry_a_failed_instance(carrier, publish, run, login):
    FLAKY["fail"] = True
    publish("order.test", chain(service("svc", "test.views_flaky")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"])
    run(instance)
    admin = login(carrier["admin"])
    page = admin.get(reverse("process-instance-detail", args=[instance.pk])).content.decode()
    assert 'data-testid="instance-error"' in page and '"error": ["svc"]' in page
    FLAKY["fail"] = False
    assert admin.post(reverse("process-instance-retry", args=[instance.pk])).status_code == 302
    run(instance)
    assert instance.state == "completed"


def test_pages_speak_both_languages(carrier, work_order, login):
    handler = carrier["backoffice"]
    page = login(handler).get(reverse("workorder-detail", args=[work_order.pk])).content.decode()
    assert "领取" in page and "待处理" in page and "单号" in page
    handler.language = "en"
    handler.save(update_fields=["language"])
    page = login(handler).get(reverse("workorder-detail", args=[work_order.pk])).content.decode()
    assert "Claim" in page and "Open" in page and "Ref" in page and "领取" not in page
