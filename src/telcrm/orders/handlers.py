"""The real service-task handlers of the order processes (replacing the recording stand-ins of
processes/handlers.py): they move the order (accepted, completed, returned) and call billing and the
network through the configured adapters (integration/adapters), with the step's idempotency key so a
step that runs again is applied once. An adapter that is down or times out (RetryableError) makes the
step retry later (TransientError); a refusal (PermanentError) fails the step for an operator to see.

A process started without an order (a test, the demo) has no order subject: the handlers then only
record the call, as the stand-ins did.
"""

from __future__ import annotations

from django.utils import timezone

from .processes.handlers import STANDARD
from .processes.registry import StepContext, TransientError, service_task


def _order(step: StepContext):
    from .models import Order

    subject = step.instance.subject if step.instance.subject_id else None
    return subject if isinstance(subject, Order) else None


def _record(step: StepContext, **extra) -> dict:
    return {
        "handler": step.operation,
        "params": step.params,
        "idempotency_key": step.idempotency_key,
        "attempt": step.attempt,
        "at": timezone.now().isoformat(),
        **extra,
    }


def _call(step: StepContext, system: str, operation: str, payload: dict) -> dict:
    from telcrm.integration.adapters import RetryableError, get_adapter

    try:
        return get_adapter(system).call(operation, payload, key=step.idempotency_key)
    except RetryableError as exc:
        raise TransientError(f"{system}.{operation}: {exc}") from exc


def _line(order) -> dict:
    """msisdn, iccid, plan and account of the order's line."""
    items = list(order.items.select_related("offering"))
    line = next((i for i in items if i.msisdn or i.iccid), None)
    plan = next((i for i in items if i.offering_id), None)
    account = order.customer.accounts.order_by("id").first()
    msisdn = (line.msisdn if line else "") or (order.subscription.msisdn if order.subscription_id else "")
    return {
        "msisdn": msisdn,
        "iccid": (line.iccid if line else "") or order.data.get("iccid", ""),
        "plan": plan.offering_code if plan else "",
        "account_no": account.account_no if account else "",
    }


def _label(name: str) -> dict:
    label, label_en = STANDARD.get(name, ("", ""))
    return {"label": label, "label_en": label_en}


def handler(name: str):
    """Register ``fn(step, order) -> dict`` for ``name``; without an order the call is only recorded."""

    def register(fn):
        def run(step: StepContext) -> dict:
            order = _order(step)
            if order is None:
                return _record(step, simulated=True)
            return _record(step, **(fn(step, order) or {}))

        run.__name__ = fn.__name__
        service_task(name, **_label(name))(run)
        return fn

    return register


# --- the order itself ---------------------------------------------------------------------------
@handler("order.accept")
def accept(step, order):
    from .actions.fulfilment import order_progress

    order_progress(order)


@handler("order.archive")
def archive(step, order):
    from .actions.fulfilment import order_complete

    done = order_complete(order)
    return {"order_no": done.order_no, "state": done.state}


@handler("order.return_to_counter")
def return_to_counter(step, order):
    from .actions.fulfilment import order_fail

    order_fail(order, reason=str(step.data.get("reason") or step.data.get("return_reason") or "退单"))


def _started(order) -> None:
    from .actions.fulfilment import order_progress

    order_progress(order)


# --- billing ------------------------------------------------------------------------------------
@handler("billing.open_account")
def billing_open_account(step, order):
    _started(order)
    line = _line(order)
    result = _call(
        step,
        "billing",
        "open_account",
        {
            "account_no": line["account_no"],
            "customer_no": order.customer.customer_no,
            "name": order.customer.name,
            "plan": line["plan"],
            "org_unit": order.org_unit.code,
        },
    )
    return {"result": result}


@handler("billing.change_plan")
def billing_change_plan(step, order):
    _started(order)
    line = _line(order)
    payload = {"account_no": line["account_no"], "msisdn": line["msisdn"], "plan": line["plan"]}
    return {"result": _call(step, "billing", "change_plan", payload)}


@handler("billing.add_on")
def billing_add_on(step, order):
    _started(order)
    line = _line(order)
    results = []
    for item in order.items.exclude(offering_code=""):
        payload = {"account_no": line["account_no"], "msisdn": line["msisdn"], "addon": item.offering_code}
        results.append(_call(step, "billing", "add_addon", payload))
    return {"result": results}


@handler("billing.close_account")
def billing_close_account(step, order):
    _started(order)
    line = _line(order)
    return {
        "result": _call(
            step, "billing", "close_account", {"account_no": line["account_no"], "reason": "销户"}
        )
    }


def _billing_record(name: str):
    """Billing steps without an operation of their own in the billing interface (计费入帐, 过户, 停复机
    are applied by BOSS from the order events): the order moves on, the call is recorded."""

    @handler(name)
    def record(step, order):
        _started(order)
        return {"order_no": order.order_no, "one_off_fen": order.one_off_fen}

    return record


for _name in ("billing.entry", "billing.transfer_owner", "billing.suspend", "billing.resume"):
    _billing_record(_name)


# --- network ------------------------------------------------------------------------------------
@handler("network.activate_line")
def network_activate_line(step, order):
    _started(order)
    line = _line(order)
    payload = {"msisdn": line["msisdn"], "iccid": line["iccid"], "plan": line["plan"]}
    return {"result": _call(step, "network", "activate_line", payload)}


@handler("network.port_in")
def network_port_in(step, order):
    _started(order)
    line = _line(order)
    payload = {"msisdn": line["msisdn"], "iccid": line["iccid"], "plan": line["plan"]}
    return {"result": _call(step, "network", "activate_line", payload)}


@handler("network.swap_sim")
def network_swap_sim(step, order):
    _started(order)
    line = _line(order)
    return {"result": _call(step, "network", "swap_sim", {"msisdn": line["msisdn"], "iccid": line["iccid"]})}


@handler("network.suspend_line")
def network_suspend_line(step, order):
    _started(order)
    return {"result": _call(step, "network", "suspend_line", {"msisdn": _line(order)["msisdn"]})}


@handler("network.resume_line")
def network_resume_line(step, order):
    _started(order)
    return {"result": _call(step, "network", "resume_line", {"msisdn": _line(order)["msisdn"]})}


@handler("network.terminate_line")
def network_terminate_line(step, order):
    _started(order)
    return {"result": _call(step, "network", "deactivate_line", {"msisdn": _line(order)["msisdn"]})}


@handler("network.activate_broadband")
def network_activate_broadband(step, order):
    _started(order)
    payload = {
        "element": str(order.data.get("element") or step.data.get("element") or "OLT-1"),
        "address": str(order.data.get("address", "")),
        "bandwidth_mbps": int(order.data.get("bandwidth_mbps") or 300),
        "account_no": _line(order)["account_no"],
    }
    return {"result": _call(step, "network", "activate_port", payload)}


def _network_record(name: str):
    @handler(name)
    def record(step, order):
        _started(order)
        return {"order_no": order.order_no}

    return record


for _name in ("network.change_plan", "network.add_on", "network.reserve_port"):
    _network_record(_name)
