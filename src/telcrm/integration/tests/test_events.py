"""Events: written in the caller's transaction with one delivery per matching subscriber, delivered
at least once by the dispatcher (webhooks signed and keyed, code subscribers exactly once)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from telcrm.integration import actions, events
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import Delivery, Event, State, Subscription
from telcrm.platform.models import User

pytestmark = pytest.mark.django_db

SEEN: list[str] = []
FAIL = {"n": 0}


@events.subscribe("order.*", name="tests.orders")
def _on_order(event):
    if FAIL["n"]:
        FAIL["n"] -= 1
        raise RuntimeError("not yet")
    SEEN.append(event.topic)


@pytest.fixture(autouse=True)
def _reset():
    SEEN.clear()
    FAIL["n"] = 0


def _webhook(actor, url, topics=("customer.*",), secret="s3cret-s3cret-s3cret", **kw) -> Subscription:
    return actions.subscription_create(
        actor=actor, name="CRM mirror", callback=url, topics=list(topics), secret=secret, **kw
    )


def _emit(topic="customer.created", aggregate=("customers.customer", 1), **kw):
    with transaction.atomic():
        return events.emit(topic, aggregate=aggregate, payload=kw.pop("payload", {"id": "1"}), **kw)


def test_an_event_in_a_rolled_back_transaction_is_never_announced(carrier, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    _webhook(carrier["admin"], "http://127.0.0.1:9/hook")
    with pytest.raises(RuntimeError), transaction.atomic():
        _emit()
        raise RuntimeError("the customer failed validation")
    assert not Event.objects.exists() and not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        events.emit("customer.created", aggregate=("customers.customer", 1))
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "topic", ["Customer.Created", "customer", "customer..created", "customer.created.", ""]
)
def test_malformed_topics_are_refused(topic):
    with pytest.raises(ValueError, match="not a topic"), transaction.atomic():
        events.emit(topic, aggregate=("x.y", 1))


def test_deliveries_go_to_matching_subscriptions_within_their_scope(carrier, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    everything = _webhook(carrier["admin"], "http://127.0.0.1:9/all", topics=["*"])
    customers = _webhook(carrier["admin"], "http://127.0.0.1:9/c", topics=["customer.*"])
    _webhook(carrier["admin"], "http://127.0.0.1:9/o", topics=["order.completed"])
    paused = _webhook(carrier["admin"], "http://127.0.0.1:9/p", topics=["*"], active=False)
    # a subscription registered by a user whose scope is their subtree (the Hangzhou back office)
    back_office = carrier["backoffice"]
    back_office.role.permissions.add(Permission.objects.get(codename="manage_subscriptions"))
    back_office = User.objects.get(pk=back_office.pk)  # permissions are cached per instance
    hangzhou = actions.subscription_create(
        actor=back_office, name="Hangzhou", callback="http://127.0.0.1:9/hz", topics=["*"]
    )
    assert hangzhou.org_unit == carrier.city
    in_hz = _emit(org_unit=carrier.branch)
    in_nb = _emit(org_unit=carrier.other_branch)
    carrier_wide = _emit("catalog.offering_changed")
    to = {e.pk: {d.subscription_id for d in e.deliveries.all()} for e in (in_hz, in_nb, carrier_wide)}
    assert to[in_hz.pk] == {everything.pk, customers.pk, hangzhou.pk}
    assert to[in_nb.pk] == {everything.pk, customers.pk}
    assert to[carrier_wide.pk] == {everything.pk, hangzhou.pk}
    assert paused.pk not in set().union(*to.values())
    assert all(d.topic == e.topic for e in (in_hz,) for d in e.deliveries.all())


def test_one_wake_up_per_transaction(django_capture_on_commit_callbacks, carrier, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    _webhook(carrier["admin"], "http://127.0.0.1:9/all", topics=["*"])
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        events.emit("customer.created", aggregate=("customers.customer", 1))
        events.emit("customer.updated", aggregate=("customers.customer", 1))
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        events.emit("nobody.listens", aggregate=("x.y", 1))
    assert callbacks == []  # no delivery, nothing to wake the dispatcher for


def test_the_wake_up_delivers_at_once(django_capture_on_commit_callbacks, carrier, receiver):
    _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        event = _emit()
    assert receiver.received == {str(event.event_id): 1}
    assert Delivery.objects.get().state == State.DONE


def test_a_webhook_gets_a_signed_keyed_json_post_and_is_retried(carrier, receiver, clock):
    sub = _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["customer.created"])
    receiver.script = ["503", "timeout", "ok"]
    event = _emit(payload={"id": "1", "name": "张三"}, org_unit=carrier.branch)
    assert dispatch_due(now=clock.now) == {"failed": 1}
    delivery = Delivery.objects.get()
    assert (delivery.error_code, delivery.attempts) == ("http_503", 1)
    assert dispatch_due(now=clock.advance(3600)) == {"failed": 1}
    delivery.refresh_from_db()
    assert delivery.error_code == "timeout"
    assert dispatch_due(now=clock.advance(3600)) == {"done": 1}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error_code) == (State.DONE, 3, "")
    key = str(event.event_id)
    assert receiver.received == {key: 3} and receiver.applied == {key: 1}
    last = receiver.requests[-1]
    assert last["headers"]["Idempotency-Key"] == key
    assert last["headers"]["X-Telcrm-Topic"] == "customer.created"
    assert last["headers"]["X-Telcrm-Attempt"] == "3"
    expected = "sha256=" + hmac.new(b"s3cret-s3cret-s3cret", last["body"], hashlib.sha256).hexdigest()
    assert last["headers"]["X-Telcrm-Signature"] == expected
    assert last["json"] == {
        "id": key,
        "topic": "customer.created",
        "occurredAt": last["json"]["occurredAt"],
        "aggregate": {"type": "customers.customer", "id": "1"},
        "data": {"id": "1", "name": "张三"},
    }
    assert sub.deliveries.get() == delivery


def test_a_dead_delivery_is_replayed_with_the_same_key(carrier, receiver, set_param, clock):
    set_param("integration.max_attempts", 2)
    _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"], secret="")
    receiver.script = ["500", "500"]
    event = _emit()
    dispatch_due(now=clock.now)
    dispatch_due(now=clock.advance(3600))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.DEAD, 2)
    actions.delivery_replay(actor=carrier["admin"], delivery=delivery)
    assert dispatch_due(now=clock.now) == {"done": 1}
    assert receiver.received == {str(event.event_id): 3}
    assert "X-Telcrm-Signature" not in receiver.requests[-1]["headers"]  # no secret, no signature


def test_a_refusing_receiver_makes_the_delivery_dead_at_once(carrier, receiver, clock):
    _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"])
    receiver.script = ["404"]
    _emit()
    assert dispatch_due(now=clock.now) == {"dead": 1}
    assert Delivery.objects.get().error_code == "http_404"


def test_callbacks_into_private_networks_are_refused(carrier, settings, clock):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x", "ftp://example.com/x"):
        with pytest.raises(Exception) as exc:
            _webhook(carrier["admin"], url)
        assert "callback" in exc.value.error_dict, url
    # a name that resolves into the private network is refused when it is delivered
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    _webhook(carrier["admin"], "http://localhost:9/x", topics=["*"])
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = False
    _emit()
    assert dispatch_due(now=clock.now) == {"dead": 1}
    assert Delivery.objects.get().error_code == "private_address"


def test_a_paused_subscription_holds_its_deliveries_until_resumed(carrier, receiver, clock):
    sub = _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"])
    _emit()
    actions.subscription_update(actor=carrier["admin"], subscription=sub, active=False)
    assert dispatch_due(now=clock.now) == {"paused": 1}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 0)
    assert receiver.received == {}
    actions.subscription_update(actor=carrier["admin"], subscription=sub, active=True)
    assert dispatch_due() == {"done": 1}


def test_deleting_a_subscription_discards_what_is_open(carrier, receiver, clock):
    sub = _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"])
    _emit()
    actions.subscription_delete(actor=carrier["admin"], subscription=sub)
    delivery = Delivery.objects.get()
    assert delivery.state == State.DISCARDED
    assert dispatch_due(now=clock.now) == {}
    assert Subscription.objects.get(pk=sub.pk).deleted_at is not None
    _emit()
    assert Delivery.objects.count() == 1  # a deleted subscription gets nothing new


def test_a_code_subscriber_runs_once_in_the_transaction_of_its_delivery(clock):
    _emit("order.completed", aggregate=("orders.order", 5))
    _emit("customer.created")  # not its topic
    FAIL["n"] = 1
    assert dispatch_due(now=clock.now) == {"failed": 1}
    assert dispatch_due(now=clock.advance(3600)) == {"done": 1}
    assert SEEN == ["order.completed"]
    delivery = Delivery.objects.get()
    assert (delivery.handler, delivery.state, delivery.attempts) == ("tests.orders", State.DONE, 2)


def test_a_secret_is_generated_and_kept_encrypted(carrier, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    sub = actions.subscription_create(
        actor=carrier["admin"], name="x", callback="http://127.0.0.1:9/", topics="customer.* order.completed"
    )
    assert len(sub.new_secret) >= 32 and sub.topics == ["customer.*", "order.completed"]
    stored = Subscription.objects.values_list("secret", flat=True).get(pk=sub.pk).ciphertext
    assert stored and sub.new_secret not in stored
    assert Subscription.objects.get(pk=sub.pk).secret.reveal_unaudited() == sub.new_secret


def test_a_delivery_of_a_deleted_subscription_cannot_be_replayed(carrier, receiver, clock):
    sub = _webhook(carrier["admin"], f"{receiver.url}/hook", topics=["*"])
    receiver.script = ["400"]
    _emit()
    dispatch_due(now=clock.now)
    delivery = Delivery.objects.get()
    assert delivery.state == State.DEAD
    actions.subscription_delete(actor=carrier["admin"], subscription=sub)
    delivery.refresh_from_db()
    assert delivery.state == State.DISCARDED  # deleting discards the error queue's rows too
