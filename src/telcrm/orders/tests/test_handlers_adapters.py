# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""The process steps call billing and the network through the adapters with the step's idempotency
key — no step only records any more: billing entry (计费入帐), transfer (过户), suspend/resume in
billing, a plan change, an add-on and a broadband port on the network. Against the local HTTP+XML
BOSS a failing step is retried by the engine with the same key and applied once."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from telcrm.catalog.tests._fixtures import line, offering
from telcrm.integration.models import SimulatedCall, SimulatedResource
from telcrm.orders import actions
from telcrm.orders.models import InstanceState, OrderState, WorkOrder
from telcrm.orders.processes.registry import handler_for

from .acceptance_fixtures import shop, verified_customer  # noqa: F401
from .test_acceptance import _drive, ready_new_line

pytestmark = pytest.mark.django_db

STEPS = (
    "billing.entry",
    "billing.transfer_owner",
    "billing.suspend",
    "billing.resume",
    "network.change_plan",
    "network.add_on",
    "network.reserve_port",
)


@pytest.fixture
def boss(settings):
    """The scripted HTTP+XML BOSS of integration/testing.py; billing and the network point at it."""
    from telcrm.integration.testing import adapter_settings, boss_server

    server = boss_server()
    settings.INTEGRATION_ADAPTERS = adapter_settings(server)
    yield server
    server.close()


def _args(request: dict) -> dict:
    return {c.tag: c.text or "" for c in ElementTree.fromstring(request["body"]).find("args")}


def _later(instance) -> None:
    """Let the retry back-off pass."""
    instance.wake_at = timezone.now() - dt.timedelta(seconds=1)
    instance.save(update_fields=["wake_at"])


def test_no_step_of_the_shipped_processes_only_records(db):
    for name in STEPS:
        assert not handler_for(name).stub, name
    import inspect

    from telcrm.orders import handlers

    assert "_billing_record" not in inspect.getsource(handlers)


def test_a_new_line_against_the_http_boss_retries_a_failed_step_with_its_key(shop, run, boss):
    order = actions.order_submit(actor=shop.clerk, order=ready_new_line(shop))
    instance = order.process
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    actions.work_order_claim(actor=shop.carrier["bo_handler"], work_order=wo)
    actions.work_order_complete(actor=shop.carrier["bo_handler"], work_order=wo)

    boss.script = ["500", "timeout_after_apply"]  # open_account: down, then applied but answered late
    run(instance)
    assert (instance.state, instance.attempts) == (InstanceState.RUNNING, 1) and instance.wake_at
    _later(instance)
    run(instance)
    assert instance.attempts == 2 and "no answer" in instance.error_message  # the read timeout
    _later(instance)
    run(instance)
    assert instance.state == InstanceState.COMPLETED, instance.error_message
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED

    paths = [r["path"] for r in boss.requests]
    assert paths == ["/billing/open_account"] * 3 + ["/network/activate_line", "/billing/order_entry"]
    keys = [r["key"] for r in boss.requests]
    assert len(set(keys[:3])) == 1 and len(set(keys)) == 3  # the retried step kept its key
    assert all(k.startswith(f"{instance.uuid}:") for k in keys)
    assert set(boss.applied.values()) == {1} and len(boss.applied) == 3  # each applied once
    entry = _args(boss.requests[-1])
    assert (entry["order_no"], entry["one_off"], entry["paid"], entry["deposit"]) == (
        order.order_no,
        "50.00",
        "50.00",
        "0.00",
    )


def test_suspend_and_resume_go_to_billing_and_the_network(shop, run):
    sub = line(shop.customer, "5G-128")
    for order_type in ("suspend", "resume"):
        order = actions.order_create(
            actor=shop.clerk, customer=shop.customer, order_type=order_type, subscription=sub
        )
        _drive(shop, run, actions.order_submit(actor=shop.clerk, order=order).process)
        order.refresh_from_db()
        assert order.state == OrderState.COMPLETED, order.process.error_message
    calls = {(c.adapter, c.operation): c for c in SimulatedCall.objects.all()}
    assert set(calls) == {
        ("network", "suspend_line"),
        ("billing", "suspend_line"),
        ("network", "resume_line"),
        ("billing", "resume_line"),
    }
    assert calls[("billing", "suspend_line")].request == {
        "account_no": sub.account.account_no,
        "msisdn": sub.msisdn,
        "reason": "停机",
    }
    account = SimulatedResource.objects.get(adapter="billing", kind="account", ref=sub.account.account_no)
    assert account.state["lines"] == {sub.msisdn: "active"}


def test_a_transfer_moves_the_line_in_billing_to_the_new_owners_account(shop, run):
    sub = line(shop.customer, "5G-128")
    heir = verified_customer(shop.carrier, name="王五", id_number="330106199202021234")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="transfer", subscription=sub
    )
    actions.order_details_set(actor=shop.clerk, order=order, new_customer=heir.customer_no)
    order = actions.order_submit(actor=shop.clerk, order=order)
    _drive(shop, run, order.process)
    call = SimulatedCall.objects.get(adapter="billing", operation="transfer_owner")
    assert call.request == {
        "account_no": sub.account.account_no,
        "msisdn": sub.msisdn,
        "new_account_no": heir.accounts.get().account_no,
        "new_customer_no": heir.customer_no,
    }
    assert call.applied and call.key.startswith(f"{order.process.uuid}:")


def test_a_plan_change_changes_the_network_profile(shop, run):
    sub = line(shop.customer, "5G-128")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="plan_change", subscription=sub
    )
    actions.order_item_add(actor=shop.clerk, order=order, offering="5G-198")
    _drive(shop, run, actions.order_submit(actor=shop.clerk, order=order).process)
    operations = set(SimulatedCall.objects.values_list("adapter", "operation"))
    assert {("network", "change_plan"), ("billing", "change_plan"), ("billing", "order_entry")} <= operations
    state = SimulatedResource.objects.get(adapter="network", kind="line", ref=sub.msisdn).state
    assert state["plan"] == "5G-198"


def test_broadband_reserves_a_port_and_activates_that_port(shop):
    from types import SimpleNamespace

    from telcrm.orders import handlers

    offering(shop.carrier["admin"], "BB-300", kind="broadband", monthly=9900, one_off=0)
    order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="broadband")
    actions.order_item_add(actor=shop.clerk, order=order, offering="BB-300")
    actions.order_details_set(actor=shop.clerk, order=order, city="杭州市", street="文三路1号")
    order = actions.order_submit(actor=shop.clerk, order=order)

    def step(task, data=None):
        return SimpleNamespace(idempotency_key=f"{order.process.uuid}:{task}", data=data or {})

    reserved = handlers.network_reserve_port(step("t1"), order)
    assert reserved["port"] and reserved["result"]["status"] == "reserved"
    # the installation was returned and dispatched again: the order's port is reserved once
    assert handlers.network_reserve_port(step("t7"), order)["port"] == reserved["port"]
    done = handlers.network_activate_broadband(step("t2", {"port": reserved}), order)
    assert done["result"]["port"] == reserved["port"] and done["result"]["status"] == "active"
    reserve = SimulatedCall.objects.get(adapter="network", key=f"{order.process.uuid}:t1")
    assert reserve.request["reference"] == order.order_no and reserve.request["address"] == "杭州市文三路1号"
    activate = SimulatedCall.objects.get(adapter="network", operation="activate_port")
    assert activate.request["port"] == reserved["port"]
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
