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


def _call_each(step: StepContext, system: str, operation: str, payloads: list[tuple[str, dict]]) -> list:
    """One call per ``(part, payload)`` (an add-on each), each with a key of its own derived from the
    step's: the other system applies every part once, and a re-run step sends the same keys."""
    from telcrm.integration.adapters import RetryableError, get_adapter

    adapter = get_adapter(system)
    results = []
    for part, payload in payloads:
        try:
            results.append(adapter.call(operation, payload, key=f"{step.idempotency_key}:{part}"))
        except RetryableError as exc:
            raise TransientError(f"{system}.{operation} {part}: {exc}") from exc
    return results


def _yuan(fen: int) -> str:
    """An amount as the other systems take it: yuan with two decimals, as text."""
    fen = int(fen or 0)
    return f"{fen // 100}.{fen % 100:02d}"


def _line(order) -> dict:
    """msisdn, iccid, plan and account of the order's line (the account the line is billed to, or
    the customer's first for a new line)."""
    items = list(order.items.select_related("offering"))
    line = next((i for i in items if i.msisdn or i.iccid), None)
    plan = next((i for i in items if i.offering_id), None)
    if order.subscription_id:
        account = order.subscription.account
    else:
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
    payloads = [
        (code, {"account_no": line["account_no"], "msisdn": line["msisdn"], "addon": code})
        for code in _addon_codes(order)
    ]
    return {"result": _call_each(step, "billing", "add_addon", payloads)}


def _addon_codes(order) -> list[str]:
    return list(order.items.exclude(offering_code="").values_list("offering_code", flat=True))


@handler("billing.close_account")
def billing_close_account(step, order):
    _started(order)
    line = _line(order)
    return {
        "result": _call(
            step, "billing", "close_account", {"account_no": line["account_no"], "reason": "销户"}
        )
    }


@handler("billing.entry")
def billing_entry(step, order):
    """计费入帐: the order's charges on the account — the one-off fees, the deposit of a premium number
    (靓号押金), the monthly fee and the number's monthly minimum spend."""
    _started(order)
    line = _line(order)
    level = order.data.get("number_level") or {}
    deposit = int(level.get("deposit_fen") or 0)
    payload = {
        "account_no": line["account_no"],
        "order_no": order.order_no,
        "msisdn": line["msisdn"],
        "one_off": _yuan(max(0, order.one_off_fen - deposit)),
        "deposit": _yuan(deposit),
        "monthly": _yuan(order.recurring_fen),
        "min_spend": _yuan(level.get("min_spend_fen") or 0),
        "paid": _yuan(order.paid_fen),
    }
    return {"result": _call(step, "billing", "order_entry", payload)}


@handler("billing.transfer_owner")
def billing_transfer_owner(step, order):
    from telcrm.customers.models import Account

    _started(order)
    line = _line(order)
    heir = order.data.get("new_customer") or 0
    account = Account.objects.filter(customer_id=heir).select_related("customer").order_by("id").first()
    if account is None:  # submission checks this; the new owner's account was closed meanwhile
        raise ValueError(f"the new owner of {order.order_no} has no billing account")
    payload = {
        "account_no": line["account_no"],
        "msisdn": line["msisdn"],
        "new_account_no": account.account_no,
        "new_customer_no": account.customer.customer_no,
    }
    return {"result": _call(step, "billing", "transfer_owner", payload)}


@handler("billing.suspend")
def billing_suspend(step, order):
    _started(order)
    line = _line(order)
    payload = {
        "account_no": line["account_no"],
        "msisdn": line["msisdn"],
        "reason": str(order.data.get("reason") or "停机"),
    }
    return {"result": _call(step, "billing", "suspend_line", payload)}


@handler("billing.resume")
def billing_resume(step, order):
    _started(order)
    line = _line(order)
    payload = {"account_no": line["account_no"], "msisdn": line["msisdn"]}
    return {"result": _call(step, "billing", "resume_line", payload)}


# --- network ------------------------------------------------------------------------------------
@handler("network.activate_line")
@handler("network.port_in")  # a ported-in number is activated on our network like a new one
def network_activate_line(step, order):
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


def _port_request(step, order) -> dict:
    return {
        "element": str(order.data.get("element") or step.data.get("element") or "OLT-1"),
        "address": str(order.data.get("address", "")),
        "bandwidth_mbps": int(order.data.get("bandwidth_mbps") or 300),
        "account_no": _line(order)["account_no"],
    }


@handler("network.reserve_port")
def network_reserve_port(step, order):
    """预占端口: a port held for this order; reserving again (a returned installation) gives the same."""
    _started(order)
    result = _call(
        step, "network", "reserve_port", {**_port_request(step, order), "reference": order.order_no}
    )
    return {"result": result, "port": result.get("port", "")}


@handler("network.activate_broadband")
def network_activate_broadband(step, order):
    _started(order)
    reserved = step.data.get("port")
    port = str(reserved.get("port") or "") if isinstance(reserved, dict) else ""
    payload = _port_request(step, order)
    if port:
        payload["port"] = port
    return {"result": _call(step, "network", "activate_port", payload)}


@handler("network.change_plan")
def network_change_plan(step, order):
    _started(order)
    line = _line(order)
    return {"result": _call(step, "network", "change_plan", {"msisdn": line["msisdn"], "plan": line["plan"]})}


@handler("network.add_on")
def network_add_on(step, order):
    _started(order)
    msisdn = _line(order)["msisdn"]
    payloads = [(code, {"msisdn": msisdn, "addon": code}) for code in _addon_codes(order)]
    return {"result": _call_each(step, "network", "add_addon", payloads)}
