"""The TMF event hub mounted at TMF629's basePath: register a listener (201), remove it (204); a
customer created (through the TMF API or the counter) reaches the listener as a TMF event."""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from telcrm.customers.actions import customer_create
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import Delivery, Event, State, Subscription, SubscriptionKind
from telcrm.platform.models import AuditLog
from telcrm.platform.tests._api_fixtures import client_as

pytestmark = pytest.mark.django_db

BASE = "/tmf-api/customerManagement/v4/"
HUB = BASE + "hub"


def tmf_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["@type"] == "Error" and body["status"] == str(status), body
    return body


@pytest.fixture
def admin_api(carrier):
    return client_as(carrier["admin"])


def test_register_receive_and_unregister(admin_api, carrier, receiver, clock):
    callback = f"{receiver.url}/listener"
    response = admin_api.post(
        HUB, {"callback": callback, "query": "eventType=CustomerCreateEvent"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"id": body["id"], "callback": callback, "query": "eventType=CustomerCreateEvent"}
    sub = Subscription.objects.get(pk=int(body["id"]))
    assert (sub.kind, sub.tmf_api, sub.topics) == (SubscriptionKind.TMF_HUB, "TMF629", ["customer.created"])
    assert sub.tmf_base_url == "http://testserver" + BASE
    assert AuditLog.objects.filter(action="subscription.create", object_id=str(sub.pk)).exists()

    customer = {"name": "Moon Football Club", "engagedParty": {"@referredType": "Organization", "id": "500"}}
    created = admin_api.post(BASE + "customer", customer, format="json")
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    event = Event.objects.get(topic="customer.created")
    assert event.aggregate_id == customer_id and event.payload["name"] == "Moon Football Club"
    assert dispatch_due(now=clock.now) == {"done": 1}
    sent = receiver.requests[0]
    assert sent["path"] == "/listener"
    assert sent["headers"]["Idempotency-Key"] == str(event.event_id)
    assert sent["json"]["eventType"] == "CustomerCreateEvent"
    assert sent["json"]["eventId"] == str(event.event_id)
    resource = sent["json"]["event"]["customer"]
    assert resource["id"] == customer_id and resource["@type"] == "Customer"
    assert resource["href"] == f"http://testserver{BASE}customer/{customer_id}"
    assert resource["name"] == "Moon Football Club" and resource["status"] == "active"
    assert {c["name"] for c in resource["characteristic"]} >= {"customerNumber", "customerType"}

    assert admin_api.delete(f"{HUB}/{sub.pk}").status_code == 204
    sub.refresh_from_db()
    assert sub.deleted_at is not None and not sub.active
    tmf_error(admin_api.delete(f"{HUB}/{sub.pk}"), 404)  # gone already


def test_a_counter_registration_is_announced_in_its_transaction(carrier):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_create(actor=carrier["clerk"], customer_type="individual", name="李四")
        raise RuntimeError("the clerk's next step failed")
    assert not Event.objects.exists()
    customer = customer_create(actor=carrier["clerk"], customer_type="individual", name="王五")
    event = Event.objects.get()
    assert (event.topic, event.aggregate_type, event.aggregate_id) == (
        "customer.created",
        "customers.customer",
        str(customer.pk),
    )
    assert event.org_unit_id == customer.org_unit_id and event.actor == carrier["clerk"]
    assert event.payload["customerNo"] == customer.customer_no


def test_without_query_every_event_type_of_the_api(admin_api, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    response = admin_api.post(HUB, {"callback": "http://127.0.0.1:9/l"}, format="json")
    assert response.status_code == 201
    assert Subscription.objects.get().topics == [
        "customer.created",
        "customer.deleted",
        "customer.status_changed",
        "customer.updated",
    ]


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({}, "callback"),
        ([], "JSON"),
        ({"callback": "not a url"}, "callback"),
        ({"callback": "http://127.0.0.1:9/l", "query": "eventType=OrderCreateEvent"}, "CustomerCreateEvent"),
        ({"callback": "http://127.0.0.1:9/l", "query": "status=active"}, "eventType"),
        ({"callback": "http://127.0.0.1:9/l", "query": 5}, "query"),
    ],
)
def test_bad_registrations_are_400_naming_the_attribute(admin_api, settings, body, word):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    error = tmf_error(admin_api.post(HUB, body, format="json"), 400)
    assert word in error["message"]
    assert not Subscription.objects.exists()


def test_a_private_callback_is_refused_by_default(admin_api):
    error = tmf_error(admin_api.post(HUB, {"callback": "http://127.0.0.1:9/l"}, format="json"), 400)
    assert error["message"].startswith("callback")


def test_who_may_register(carrier):
    tmf_error(APIClient().post(HUB, {"callback": "https://x.example/l"}, format="json"), 401)
    # a clerk may read customers but not register listeners
    tmf_error(client_as(carrier["clerk"]).post(HUB, {"callback": "https://x.example/l"}, format="json"), 403)
    tmf_error(client_as(carrier["clerk"]).delete(f"{HUB}/1"), 403)


def test_deleting_a_webhook_through_the_hub_is_404(admin_api, carrier, settings):
    from telcrm.integration.actions import subscription_create

    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    hook = subscription_create(actor=carrier["admin"], name="w", callback="http://127.0.0.1:9/", topics=["*"])
    tmf_error(admin_api.delete(f"{HUB}/{hook.pk}"), 404)
    tmf_error(admin_api.delete(f"{HUB}/abc"), 404)
    assert Subscription.objects.get(pk=hook.pk).deleted_at is None
    assert not Delivery.objects.filter(state=State.DISCARDED).exists()
