"""The operations the order processes needed beyond opening, closing and activating: billing entry
(计费入帐), ownership transfer (过户), suspend/resume in billing, and on the network a plan change, an
add-on and a reserved broadband port — in the simulator (its rules, each key once) and over HTTP+XML
against the local BOSS (the request's shape, a failure retried with the same key, applied once)."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.db import transaction

from telcrm.integration import commands
from telcrm.integration.adapters import INTERFACES, PermanentError, get_adapter
from telcrm.integration.adapters.http_xml import request_xml
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import SimulatedCall, SimulatedResource, State

pytestmark = pytest.mark.django_db

ENTRY = {
    "account_no": "A1",
    "order_no": "OD00000000001",
    "msisdn": "13805710000",
    "one_off": "1938.00",
    "deposit": "472.00",
    "monthly": "128.00",
    "min_spend": "188.80",
    "paid": "2410.00",
}

# (system, operation, arguments) of every new operation
CALLS = [
    ("billing", "order_entry", ENTRY),
    (
        "billing",
        "transfer_owner",
        {"account_no": "A1", "msisdn": "138", "new_account_no": "A2", "new_customer_no": "C2"},
    ),
    ("billing", "suspend_line", {"account_no": "A1", "msisdn": "138", "reason": "挂失"}),
    ("billing", "resume_line", {"account_no": "A1", "msisdn": "138"}),
    ("network", "change_plan", {"msisdn": "138", "plan": "5G-198"}),
    ("network", "add_addon", {"msisdn": "138", "addon": "FLOW-20G"}),
    (
        "network",
        "reserve_port",
        {
            "element": "OLT-1",
            "address": "文三路1号",
            "bandwidth_mbps": 300,
            "account_no": "A1",
            "reference": "OD1",
        },
    ),
]


def test_the_interfaces_name_the_new_operations():
    assert {"order_entry", "transfer_owner", "suspend_line", "resume_line"} <= set(
        INTERFACES["billing"].OPERATIONS
    )
    assert {"change_plan", "add_addon", "reserve_port"} <= set(INTERFACES["network"].OPERATIONS)
    with pytest.raises(ValueError, match="order_no"):
        INTERFACES["billing"].check_arguments("order_entry", {"account_no": "A1"}, key="k")


# --- the simulator ---------------------------------------------------------------------------------------
def test_billing_entry_enters_an_order_once():
    billing = get_adapter("billing")
    entry = billing.order_entry(key="e1", **ENTRY)
    assert entry["status"] == "entered" and entry["deposit"] == "472.00" and entry["min_spend"] == "188.80"
    assert billing.order_entry(key="e1", **ENTRY) == entry  # the same key
    assert billing.order_entry(key="e2", **{**ENTRY, "one_off": "1.00"}) == entry  # the same order
    account = SimulatedResource.objects.get(adapter="billing", kind="account", ref="A1")
    assert list(account.state["entries"]) == [ENTRY["order_no"]]
    with pytest.raises(PermanentError) as exc:
        billing.order_entry(key="e3", **{**ENTRY, "order_no": "OD2", "deposit": "-1"})
    assert exc.value.code == "bad_request"


def test_billing_transfer_moves_the_line_and_suspend_resume_follow_the_account():
    billing = get_adapter("billing")
    billing.change_plan(key="p", account_no="A1", msisdn="138", plan="5G-128")
    billing.add_addon(key="a", account_no="A1", msisdn="138", addon="VIDEO")
    assert billing.suspend_line(key="s", account_no="A1", msisdn="138")["status"] == "suspended"
    moved = billing.transfer_owner(key="t", account_no="A1", msisdn="138", new_account_no="A2")
    assert moved == {
        "msisdn": "138",
        "account_no": "A2",
        "previous_account_no": "A1",
        "status": "transferred",
    }
    old, new = (SimulatedResource.objects.get(adapter="billing", kind="account", ref=a) for a in ("A1", "A2"))
    assert "138" not in old.state["plans"] and "138" not in old.state["addons"]
    assert (new.state["plans"]["138"], new.state["addons"]["138"], new.state["lines"]["138"]) == (
        "5G-128",
        ["VIDEO"],
        "suspended",
    )
    assert billing.resume_line(key="r", account_no="A2", msisdn="138")["status"] == "active"
    with pytest.raises(PermanentError) as exc:
        billing.transfer_owner(key="t2", account_no="A2", msisdn="138", new_account_no="A2")
    assert exc.value.code == "same_account"
    billing.close_account(key="c", account_no="A2")
    with pytest.raises(PermanentError, match="closed"):
        billing.resume_line(key="r2", account_no="A2", msisdn="138")


def test_network_plan_and_add_ons_need_a_line_in_service():
    net = get_adapter("network")
    net.activate_line(key="a", msisdn="139", iccid="8986001", plan="5G-128")
    assert net.change_plan(key="c", msisdn="139", plan="5G-198") == {
        "msisdn": "139",
        "plan": "5G-198",
        "status": "active",
    }
    net.add_addon(key="x1", msisdn="139", addon="VIDEO")
    assert net.add_addon(key="x2", msisdn="139", addon="FLOW")["addons"] == ["FLOW", "VIDEO"]
    net.deactivate_line(key="d", msisdn="139")
    for call in (
        lambda: net.change_plan(key="c2", msisdn="139", plan="5G-88"),
        lambda: net.add_addon(key="x3", msisdn="139", addon="MUSIC"),
    ):
        with pytest.raises(PermanentError) as exc:
            call()
        assert exc.value.code == "line_deactivated"


def test_a_reserved_port_is_held_for_its_order_and_activated():
    net = get_adapter("network")
    args = {"element": "OLT-9", "address": "文三路1号", "bandwidth_mbps": 300, "account_no": "A1"}
    held = net.reserve_port(key="r1", reference="OD1", **args)
    assert held == {"port": "OLT-9/0/1", "element": "OLT-9", "bandwidth_mbps": "300", "status": "reserved"}
    assert net.reserve_port(key="r2", reference="OD1", **args)["port"] == "OLT-9/0/1"  # reserved again
    assert net.reserve_port(key="r3", reference="OD2", **args)["port"] == "OLT-9/0/2"  # another order
    with pytest.raises(PermanentError) as exc:
        net.activate_port(key="a0", port="OLT-9/0/7", **args)
    assert exc.value.code == "no_such_port"
    active = net.activate_port(key="a1", port="OLT-9/0/1", **args)
    assert (active["port"], active["status"]) == ("OLT-9/0/1", "active")
    with pytest.raises(PermanentError) as exc:
        net.activate_port(key="a2", port="OLT-9/0/1", **args)
    assert exc.value.code == "port_not_reserved"
    assert net.activate_port(key="a3", **args)["port"] == "OLT-9/0/3"  # no reservation: the next free
    assert SimulatedCall.objects.get(adapter="network", key="r2").received == 1


# --- HTTP+XML against the local BOSS -----------------------------------------------------------------------
@pytest.mark.parametrize(("system", "operation", "args"), CALLS, ids=[c[1] for c in CALLS])
def test_each_operation_is_one_xml_request(boss, system, operation, args):
    result = get_adapter(system).call(operation, args, key=f"k-{operation}")
    sent = boss.requests[0]
    assert sent["path"] == f"/{system}/{operation}"
    assert sent["headers"]["Idempotency-Key"] == f"k-{operation}"
    assert sent["body"] == request_xml(system, operation, f"k-{operation}", args)
    root = ElementTree.fromstring(sent["body"])
    assert (root.get("system"), root.get("operation"), root.findtext("key")) == (
        system,
        operation,
        f"k-{operation}",
    )
    assert {c.tag: c.text for c in root.find("args")} == {k: str(v) for k, v in args.items()}
    assert result == {"operation": operation, "applied": "1", **{k: str(v) for k, v in args.items()}}


def test_a_port_is_sent_only_when_one_was_reserved(boss):
    net = get_adapter("network")
    args = {"element": "OLT-1", "address": "文三路1号", "bandwidth_mbps": 300}
    net.activate_port(key="p1", **args)
    net.activate_port(key="p2", port="OLT-1/0/4", **args)
    first, second = (ElementTree.fromstring(r["body"]).find("args") for r in boss.requests)
    assert first.find("port") is None and second.findtext("port") == "OLT-1/0/4"


@pytest.mark.parametrize(
    ("system", "operation", "args"), CALLS[:1] + CALLS[-1:], ids=["entry", "reserve_port"]
)
def test_failures_are_retried_with_the_same_key_and_applied_once(
    boss, set_param, clock, system, operation, args
):
    set_param("integration.max_attempts", 5)
    boss.script = ["500", "timeout_after_apply", "busy"]
    with transaction.atomic():
        cmd = commands.request(system, operation, args, key=f"order:OD1:{operation}")
    codes = []
    for _ in range(4):
        dispatch_due(now=clock.advance(3600))
        cmd.refresh_from_db()
        codes.append(cmd.error_code)
    assert cmd.state == State.DONE and codes == ["http_500", "timeout", "code_9000", ""]
    assert boss.received == {cmd.key: 4} and boss.applied == {cmd.key: 1}
    assert cmd.result["operation"] == operation
