"""The work-order and process API: scope, the actions, bilingual errors, the schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from telcrm.orders import actions
from telcrm.orders.models import WorkOrder
from telcrm.orders.testing import chain, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    def as_user(u):
        client = APIClient()
        client.force_authenticate(u)
        return client

    return as_user


@pytest.fixture
def work_order(carrier, publish, run):
    publish("order.test", chain(user("approve", name="核定", form="ref:text!:单号|Ref")))
    instance = actions.process_start(key="order.test", actor=carrier["clerk"], business_key="DD9")
    run(instance)
    return WorkOrder.objects.get(instance=instance)


def test_queues_and_scope(carrier, work_order, api):
    bo = api(carrier["backoffice"])
    body = bo.get("/api/v1/workorders/?queue=team").json()
    assert [r["number"] for r in body["results"]] == [work_order.number]
    assert body["results"][0]["queue_role"]["code"] == "backoffice"
    assert bo.get("/api/v1/workorders/?queue=mine").json()["results"] == []
    assert api(carrier["other_branch_manager"]).get(f"/api/v1/workorders/{work_order.pk}").status_code == 404
    assert api(carrier["marketer"]).get("/api/v1/workorders/").status_code == 403


def test_claim_complete_with_bilingual_errors(carrier, work_order, api):
    bo = api(carrier["backoffice"])
    assert bo.post(f"/api/v1/workorders/{work_order.pk}/claim").json()["state"] == "claimed"
    response = bo.post(f"/api/v1/workorders/{work_order.pk}/complete", {"data": {}}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (
        error["field"] == "ref" and error["message_en"] == "This field is required." and error["message_zh"]
    )
    response = bo.post(f"/api/v1/workorders/{work_order.pk}/complete", {"data": {"ref": "R1"}}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "completed"
    history = bo.get(f"/api/v1/workorders/{work_order.pk}/history").json()
    assert [h["move"] for h in history] == ["create", "claim", "complete"]


def test_return_and_reassign(carrier, work_order, api):
    from telcrm.platform.testing import make_user

    colleague = make_user("hz_bo_api", "backoffice", carrier.city)
    manager = api(carrier["branch_manager"])
    response = manager.post(
        f"/api/v1/workorders/{work_order.pk}/reassign", {"assignee": colleague.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["assignee"]["username"] == "hz_bo_api"
    response = api(colleague).post(
        f"/api/v1/workorders/{work_order.pk}/return", {"reason": "资料不全"}, format="json"
    )
    assert response.json()["state"] == "returned"


def test_instances_and_definitions(carrier, work_order, api):
    admin = api(carrier["admin"])
    [definition] = admin.get("/api/v1/processes/definitions/").json()["results"]
    assert definition["key"] == "order.test" and definition["active_number"] == 1
    versions = admin.get(f"/api/v1/processes/definitions/{definition['id']}/versions").json()
    assert versions[0]["state"] == "active" and versions[0]["elements"]
    [instance] = admin.get("/api/v1/processes/instances/?q=DD9").json()["results"]
    assert instance["state"] == "waiting" and instance["key"] == "order.test"
    response = admin.post(
        f"/api/v1/processes/instances/{instance['id']}/cancel", {"reason": "撤单"}, format="json"
    )
    assert response.json()["state"] == "cancelled"
    assert api(carrier["clerk"]).get("/api/v1/processes/instances/").status_code == 403


def test_schema_lists_the_endpoints(carrier, api):
    paths = api(carrier["admin"]).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/workorders/{id}/complete/" in paths and "/api/v1/processes/instances/{id}/retry/" in paths
    assert "WorkOrderOutput" in str(paths["/api/v1/workorders/"]["get"]["responses"]["200"])
