# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""Cancelling an order after submission: its process and open work orders stop, what billing and the
network already did is undone through the outbox, the SIM and the number are given back, the payments
are recorded as to be refunded — and a completed order cannot be cancelled."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from telcrm.integration import dispatch
from telcrm.integration.models import Command, Event, SimulatedResource, State
from telcrm.orders import actions
from telcrm.orders.models import InstanceState, OrderState, WorkOrder, WorkOrderState
from telcrm.orders.testing import chain, service, user
from telcrm.platform.errors import NotFoundInScope, bilingual
from telcrm.platform.models import AuditLog
from telcrm.resources.models import Number, NumberState
from telcrm.resources.stock.models import SimCard

from .acceptance_fixtures import shop  # noqa: F401
from .lifecycle_fixtures import NUMBER, submitted, verify

pytestmark = pytest.mark.django_db


def commands_of(order):
    return list(
        Command.objects.filter(aggregate_type="orders.order", aggregate_id=str(order.pk)).order_by("id")
    )


def test_cancelling_a_submitted_order_stops_it_and_gives_everything_back(shop, run):
    order = submitted(shop)
    run(order.process)  # waiting for the back office's verification
    assert WorkOrder.objects.get(instance=order.process).state == WorkOrderState.OPEN
    order = actions.order_cancel(actor=shop.clerk, order=order, reason="客户改主意")
    assert (order.state, order.reason) == (OrderState.CANCELLED, "客户改主意") and order.cancelled_at
    order.process.refresh_from_db()
    assert order.process.state == InstanceState.CANCELLED
    assert WorkOrder.objects.get(instance=order.process).state == WorkOrderState.CANCELLED
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.QUARANTINED
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "in_stock"
    assert not order.items.filter(holds_number=True).exists()
    refund = order.data["refund"]
    assert (refund["state"], refund["amount_fen"]) == ("due", order.paid_fen) and refund["payments"]
    assert commands_of(order) == []  # nothing reached billing or the network
    for action in ("order.cancel", "order.refund_due"):
        assert AuditLog.objects.filter(action=action, object_id=str(order.pk), actor=shop.clerk).exists()
    for topic in ("order.cancelled", "order.refund_due"):
        assert Event.objects.filter(topic=topic, aggregate_id=str(order.pk)).exists()


def test_what_billing_and_the_network_did_is_undone(shop, run, publish):
    # a new-line process that opens the account and the line, then waits for someone
    publish(
        "order.new_line",
        chain(
            service("open_account", "billing.open_account", name="计费开户"),
            service("activate_line", "network.activate_line", name="网络开通"),
            user("check", name="回访"),
        ),
    )
    order = submitted(shop)
    run(order.process)
    assert order.process.state == InstanceState.WAITING
    line = SimulatedResource.objects.get(adapter="network", kind="line", ref=NUMBER)
    assert line.state["status"] == "active"

    order = actions.order_cancel(actor=shop.clerk, order=order, reason="客户放弃")
    undo = commands_of(order)
    assert [(c.adapter, c.operation, c.state) for c in undo] == [
        ("network", "deactivate_line", State.PENDING),  # newest step first
        ("billing", "close_account", State.PENDING),
    ]
    assert all(c.key.startswith("cancel:") for c in undo)
    assert len(order.data["cancellation"]["commands"]) == 2 and order.data["cancellation"]["manual"] == []
    dispatch.dispatch_due()
    line.refresh_from_db()
    assert line.state["status"] == "deactivated"
    account = SimulatedResource.objects.get(adapter="billing", kind="account")
    assert account.state["status"] == "closed"
    assert {c.state for c in commands_of(order)} == {State.DONE}


def test_a_completed_order_cannot_be_cancelled_in_chinese_and_english(shop, run):
    order = submitted(shop)
    verify(shop, run, order)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    with pytest.raises(ValidationError) as exc:
        actions.order_cancel(actor=shop.clerk, order=order, reason="晚了")
    [item] = bilingual(exc.value)
    assert (item["field"], item["code"]) == ("order", "completed")
    assert order.order_no in item["message_zh"] and "已竣工" in item["message_zh"]
    assert "completed and cannot be cancelled" in item["message_en"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED


def test_cancelling_needs_a_reason_the_permission_and_the_scope(shop, run):
    order = submitted(shop)
    with pytest.raises(ValidationError) as exc:
        actions.order_cancel(actor=shop.clerk, order=order, reason="  ")
    assert exc.value.error_dict["reason"][0].code == "required"
    with pytest.raises(PermissionDenied):
        actions.order_cancel(actor=shop.carrier["installer"], order=order, reason="x")
    with pytest.raises(NotFoundInScope):
        actions.order_cancel(actor=shop.carrier["other_clerk"], order=order, reason="x")
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED


def test_a_failed_order_is_cancelled_by_the_back_office(shop, run, set_param):
    set_param("integration.simulator_faults", {"network.activate_line": "reject"})
    order = submitted(shop)
    verify(shop, run, order)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    order = actions.order_cancel(actor=shop.carrier["backoffice"], order=order, reason="号码资料错误")
    assert order.state == OrderState.CANCELLED and "failure" not in order.data
    order.process.refresh_from_db()
    assert order.process.state == InstanceState.CANCELLED
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.QUARANTINED
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "in_stock"
    cancellation = order.data["cancellation"]
    assert [c["operation"] for c in cancellation["commands"]] == ["close_account"]  # the account was opened
    assert cancellation["manual"] == [
        {"element": "activate_line", "step": "网络开通", "unsure": True}  # refused, but who knows
    ]


def test_cancelling_the_process_from_its_page_cancels_the_order(shop, run):
    order = submitted(shop)
    run(order.process)
    actions.process_cancel(actor=shop.carrier["admin"], instance=order.process, reason="重复受理")
    order.refresh_from_db()
    assert (order.state, order.reason) == (OrderState.CANCELLED, "重复受理")
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.QUARANTINED


def test_an_order_past_a_step_that_cannot_be_undone_is_not_cancelled(shop, run, publish):
    from telcrm.catalog.tests._fixtures import line

    publish(
        "order.termination",
        chain(service("terminate", "network.terminate_line", name="网络拆机"), user("check", name="回访")),
    )
    sub = line(shop.customer, "5G-128")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="termination", subscription=sub
    )
    order = actions.order_submit(actor=shop.clerk, order=order)
    run(order.process)
    with pytest.raises(ValidationError) as exc:
        actions.order_cancel(actor=shop.clerk, order=order, reason="客户又不销户了")
    [item] = bilingual(exc.value)
    assert item["code"] == "applied" and "网络拆机" in item["message_zh"]
    order.refresh_from_db()
    order.process.refresh_from_db()
    assert (order.state, order.process.state) == (OrderState.IN_PROGRESS, InstanceState.WAITING)


def test_the_refund_is_paid_once(shop, run):
    order = actions.order_cancel(actor=shop.clerk, order=submitted(shop), reason="不要了")
    order = actions.order_refund_record(actor=shop.clerk, order=order, reference="RF-001")
    assert (order.data["refund"]["state"], order.data["refund"]["reference"]) == ("refunded", "RF-001")
    assert AuditLog.objects.filter(action="order.refund", object_id=str(order.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        actions.order_refund_record(actor=shop.clerk, order=order)
    assert exc.value.error_dict["order"][0].code == "no_refund"


def test_the_order_page_cancels_and_shows_what_is_owed(shop, run, client_for):
    order = submitted(shop)
    client = client_for(shop.clerk)
    url = reverse("order-detail", args=[order.pk])
    assert 'data-testid="order-cancel"' in client.get(url).content.decode()
    response = client.post(reverse("order-cancel", args=[order.pk]), {"reason": "客户改主意"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="order-cancellation"' in page and 'data-testid="order-refund"' in page
    assert 'data-testid="order-cancel"' not in page
    response = client.post(reverse("order-refund", args=[order.pk]), {"reference": "RF-9"})
    order.refresh_from_db()
    assert order.data["refund"]["state"] == "refunded"


def test_a_completed_order_page_has_no_cancel_and_a_post_is_refused(shop, run, client_for):
    order = submitted(shop)
    verify(shop, run, order)
    client = client_for(shop.clerk)
    assert (
        'data-testid="order-cancel"'
        not in client.get(reverse("order-detail", args=[order.pk])).content.decode()
    )
    response = client.post(reverse("order-cancel", args=[order.pk]), {"reason": "x"}, follow=True)
    assert "已竣工" in response.content.decode()  # the clerk's language is Chinese
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
