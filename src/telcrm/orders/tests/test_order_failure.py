# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""A failed process fails its order: the reason kept and shown, the number and SIM kept for a retry,
and an operator runs it again from the order page, the process page or the error queue."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from telcrm.customers.models import Subscription
from telcrm.integration.models import Event
from telcrm.orders import actions
from telcrm.orders.actions import lifecycle
from telcrm.orders.models import InstanceState, OrderState, WorkOrder
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries
from telcrm.resources.models import Number, NumberState
from telcrm.resources.stock.models import SimCard

from .acceptance_fixtures import shop, verified_customer  # noqa: F401
from .lifecycle_fixtures import NUMBER, submitted, verify

pytestmark = pytest.mark.django_db

REFUSED = {"network.activate_line": "reject"}


def failed_order(shop, run, set_param, **kw):
    set_param("integration.simulator_faults", REFUSED)
    order = submitted(shop, **kw)
    verify(shop, run, order)
    order.refresh_from_db()
    return order


def test_a_refused_step_fails_the_order_with_its_reason_and_keeps_number_and_sim(shop, run, set_param):
    order = failed_order(shop, run, set_param)
    instance = order.process
    assert (instance.state, instance.error_task) == (InstanceState.FAILED, "activate_line")
    assert order.state == OrderState.FAILED
    assert order.reason.startswith("网络开通: ") and "simulated refusal" in order.reason
    failure = order.data["failure"]
    assert (failure["element"], failure["step"], failure["state"]) == (
        "activate_line",
        "网络开通",
        OrderState.IN_PROGRESS,
    )
    # kept for a retry: the number stays assigned to the customer, the SIM allocated to the order
    number = Number.objects.get(msisdn=NUMBER)
    assert (number.state, number.customer_id) == (NumberState.ASSIGNED, shop.customer.pk)
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "allocated"
    assert order.items.filter(holds_number=True).exists()
    assert AuditLog.objects.filter(action="order.fail", object_id=str(order.pk)).exists()
    assert Event.objects.filter(topic="order.failed", aggregate_id=str(order.pk)).exists()


def test_retries_used_up_fail_the_order(shop, run, set_param):
    set_param("orders.retry_max_attempts", 1)
    set_param("integration.simulator_faults", {"network.activate_line": -1})  # down for good
    order = submitted(shop)
    verify(shop, run, order)
    order.refresh_from_db()
    assert order.process.state == InstanceState.FAILED
    assert order.state == OrderState.FAILED
    assert order.data["failure"]["attempts"] == 1 and "TransientError" in order.data["failure"]["error"]


def test_a_returned_order_is_not_a_failure_to_retry(shop, run):
    order = submitted(shop)
    run(order.process)
    wo = WorkOrder.objects.get(instance=order.process)
    handler = shop.carrier["bo_handler"]
    actions.work_order_claim(actor=handler, work_order=wo)
    actions.work_order_return(actor=handler, work_order=wo, reason="证件不清")
    run(order.process)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED and not lifecycle.retryable(order)
    with pytest.raises(ValidationError) as exc:
        actions.order_retry(actor=shop.carrier["admin"], order=order)
    assert exc.value.error_dict["order"][0].code == "not_failed"


def test_the_order_page_shows_the_failure_and_an_operator_runs_it_again(shop, run, set_param, client_for):
    order = failed_order(shop, run, set_param)
    url = reverse("order-detail", args=[order.pk])
    page = client_for(shop.clerk).get(url).content.decode()
    assert 'data-testid="order-failure"' in page and "simulated refusal" in page
    assert 'data-testid="order-retry"' not in page  # the clerk may cancel, not run it again
    assert 'data-testid="order-cancel"' in page

    back_office = shop.carrier["backoffice"]  # the error queue's operators (integration.manage_outbox)
    client = client_for(back_office)
    assert 'data-testid="order-retry"' in client.get(url).content.decode()
    set_param("integration.simulator_faults", {})  # the cause was fixed
    response = client.post(reverse("order-retry", args=[order.pk]))
    assert response.status_code == 302 and response["Location"] == url
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and order.reason == "" and "failure" not in order.data
    assert order.process.state == InstanceState.RUNNING
    assert AuditLog.objects.filter(action="order.retry", object_id=str(order.pk), actor=back_office).exists()
    run(order.process)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert Subscription.objects.filter(customer=shop.customer, msisdn=NUMBER).count() == 1


def test_running_again_needs_an_operator(shop, run, set_param, client_for):
    order = failed_order(shop, run, set_param)
    assert client_for(shop.clerk).post(reverse("order-retry", args=[order.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.order_retry(actor=shop.clerk, order=order)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED


def test_a_retry_from_the_process_page_brings_the_order_back(shop, run, set_param):
    order = failed_order(shop, run, set_param)
    actions.process_retry(actor=shop.carrier["admin"], instance=order.process)
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and order.data["retries"][0]["element"] == "activate_line"


def test_a_receiver_that_breaks_does_not_lose_the_process_failure(shop, run, set_param, monkeypatch):
    def broken(instance):
        raise RuntimeError("boom")

    monkeypatch.setattr(lifecycle, "order_process_failed", broken)
    order = failed_order(shop, run, set_param)
    assert order.process.state == InstanceState.FAILED
    assert order.state == OrderState.IN_PROGRESS  # the order's writes were rolled back, the failure kept


def test_failed_orders_wait_in_the_error_queue(shop, run, set_param, client_for):
    order = failed_order(shop, run, set_param)
    client = client_for(shop.carrier["backoffice"])
    url = reverse("order-failed-list")
    client.get(url)  # warm the session and the cached parameters
    with count_queries() as one:
        page = client.get(url).content.decode()
    assert order.order_no in page and 'data-testid="failed-orders-tab"' in page
    assert 'data-testid="failed-order-retry"' in page
    other = verified_customer(shop.carrier, name="王五", id_number="330106199202021234")
    failed_order(shop, run, set_param, number="13805710002", sim=1, customer=other)
    with count_queries() as two:
        page = client.get(url).content.decode()
    assert page.count('data-testid="failed-order-row"') == 2
    assert len(two) == len(one)
    set_param("integration.simulator_faults", {})
    response = client.post(reverse("order-retry", args=[order.pk]), {"back": "queue"})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).content.decode().count('data-testid="failed-order-row"') == 1


def test_a_second_new_line_on_the_customers_account_completes(shop, run):
    """Billing opens the customer's account once; the next new line is a further line on it, not a
    refused "account exists" that would fail the order."""
    for number, sim in ((NUMBER, 0), ("13805710002", 1)):
        order = submitted(shop, number=number, sim=sim)
        verify(shop, run, order)
        order.refresh_from_db()
        assert order.state == OrderState.COMPLETED, order.data.get("failure")
    assert Subscription.objects.filter(customer=shop.customer).count() == 2
