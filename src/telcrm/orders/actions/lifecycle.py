"""An order after the counter, when it goes wrong: its process failed, it is run again, it is cancelled.

The process engine tells the order what happened to its process (processes/signals.py), inside the
engine's transaction; the operators' and the clerk's actions here go through the engine, so an order
and its process never disagree::

    process failed (refused, or retries used up)  → order_process_failed: the order is failed, the
        reason kept (step, error); its number and SIM stay taken, so it can be run again
    order_retry(actor=…, order=…)                  → the process runs again from the failed step
        (also from the process page: the order follows through instance_retried)
    order_cancel(actor=…, order=…, reason=…)       → the process is cancelled with its open work
        orders; what a step already did in billing or on the network is undone by a compensating
        command through the outbox; the SIM goes back to stock, an assigned number into quarantine;
        the payments are recorded as to be refunded (``order.data["refund"]``, audited)
    order_refund_record(actor=…, order=…, reference=…)  → the refund paid out at the counter

A completed order cannot be cancelled (a termination or a new order undoes it), nor one whose
process has already removed something that cannot be put back (a line deactivated, an account
closed). Decision record: docs/decisions/0017-order-failure-and-cancellation.md.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import access
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, field_error
from telcrm.platform.events import emit

from ..acceptance_permissions import TAKE_ORDER
from ..models import (
    InstanceState,
    Order,
    OrderState,
    PaymentMethod,
    ProcessInstance,
    ProcessStep,
    StepKind,
)
from ..permissions import MANAGE_PROCESS
from ..processes import engine, signals
from .acceptance import AUDIT_FIELDS, _audit, _payload, _pk
from .fulfilment import _give_back_resources

MANAGE_OUTBOX = "integration.manage_outbox"  # the error queue's operators (integration/permissions.py)
# who may run a failed order again: process operators and the error queue's operators
RETRY_PERMS = (MANAGE_PROCESS, MANAGE_OUTBOX)
# who may cancel a submitted order: the counter (in its scope) and the same operators
CANCEL_PERMS = (TAKE_ORDER, MANAGE_PROCESS, MANAGE_OUTBOX)
REASON_MAX = 300
REFERENCE_MAX = 64

# Steps whose effect cannot be put back by a call: an order that got this far is not cancelled.
IRREVERSIBLE = {"billing.close_account", "network.terminate_line"}


def may_cancel(user) -> bool:
    return any(user.has_perm(p) for p in CANCEL_PERMS)


def may_retry(user) -> bool:
    return any(user.has_perm(p) for p in RETRY_PERMS)


def _require_any(actor, perms) -> None:
    if actor is None or not actor.is_authenticated or not any(actor.has_perm(p) for p in perms):
        raise AccessDenied()


def _step_name(instance: ProcessInstance, element_id: str) -> str:
    for element in instance.version.elements or []:
        if element.get("id") == element_id:
            return element.get("name") or element_id
    return element_id


def retryable(order: Order) -> bool:
    """A failed order whose process failed (not a returned one, 退单): it may run again."""
    return order.state == OrderState.FAILED and bool(order.data.get("failure"))


# --- the engine's news --------------------------------------------------------------------------------
def order_process_failed(instance: ProcessInstance) -> Order | None:
    """The order's process failed for good: the order fails with the step and the error as its reason.
    Its number stays assigned and its SIM allocated, so that an operator can run it again once the
    cause is fixed; cancelling the order gives them back."""
    row = Order.objects.select_for_update().filter(process=instance).first()
    if row is None or row.state not in (OrderState.SUBMITTED, OrderState.IN_PROGRESS):
        return row
    before = snapshot(row, AUDIT_FIELDS)
    step = _step_name(instance, instance.error_task)
    error = instance.error_message[:500]
    row.data["failure"] = {
        "state": row.state,
        "element": instance.error_task,
        "step": step,
        "error": error,
        "attempts": instance.attempts,
        "at": timezone.now().isoformat(),
    }
    row.state = OrderState.FAILED
    row.reason = f"{step}: {error}"[:REASON_MAX]
    row.save(update_fields=["state", "reason", "data", "updated_at"])
    _audit(None, row, "order.fail", before)
    emit(
        "order.failed",
        aggregate=row,
        payload={**_payload(row), "reason": row.reason, "step": instance.error_task, "retryable": True},
    )
    return row


def order_process_retried(instance: ProcessInstance, actor=None) -> Order | None:
    """The failed process runs again: the order is back where it was when it failed."""
    row = Order.objects.select_for_update().filter(process=instance).first()
    if row is None or not retryable(row):
        return row
    before = snapshot(row, AUDIT_FIELDS)
    failure = row.data.pop("failure")
    row.data["retries"] = [
        *row.data.get("retries", []),
        {**failure, "retried_at": timezone.now().isoformat()},
    ][-10:]
    row.state = failure.get("state") or OrderState.IN_PROGRESS
    row.reason = ""
    row.save(update_fields=["state", "reason", "data", "updated_at"])
    _audit(actor, row, "order.retry", before)
    emit("order.retried", aggregate=row, payload=_payload(row), actor=actor)
    return row


@receiver(signals.instance_failed, dispatch_uid="orders.order_process_failed")
def _on_failed(sender, instance, **kwargs):
    order_process_failed(instance)


@receiver(signals.instance_retried, dispatch_uid="orders.order_process_retried")
def _on_retried(sender, instance, actor=None, **kwargs):
    order_process_retried(instance, actor)


@receiver(signals.instance_cancelled, dispatch_uid="orders.order_process_cancelled")
def _on_cancelled(sender, instance, actor=None, reason="", **kwargs):
    row = Order.objects.select_for_update().filter(process=instance).first()
    if row is not None and _cancellable(row):
        _cancel(row, actor=actor, reason=reason or str(_("The process was cancelled.")), instance=instance)


# --- retry -----------------------------------------------------------------------------------------------
@transaction.atomic
def order_retry(*, actor, order) -> Order:
    """Run a failed order's process again from the step that failed (after the cause was fixed)."""
    _require_any(actor, RETRY_PERMS)
    row = access(Order.objects.select_related("process"), actor, _pk(order))
    if not retryable(row) or row.process is None or row.process.state != InstanceState.FAILED:
        raise field_error(
            "order",
            _("Order %(no)s is %(state)s; only an order whose process failed can be run again."),
            "not_failed",
            no=row.order_no,
            state=OrderState(row.state).label,  # lazy: rendered in each language
        )
    engine.retry(row.process, actor=actor)  # → instance_retried → order_process_retried
    row.refresh_from_db()
    return row


# --- cancel ----------------------------------------------------------------------------------------------
def _cancellable(row: Order) -> bool:
    return row.state in (OrderState.SUBMITTED, OrderState.IN_PROGRESS) or retryable(row)


def _refuse(row: Order):
    if row.state == OrderState.COMPLETED:
        return field_error(
            "order",
            _(
                "Order %(no)s is completed and cannot be cancelled; take a termination or another "
                "order to undo it."
            ),
            "completed",
            no=row.order_no,
        )
    if row.state == OrderState.CANCELLED:
        return field_error("order", _("Order %(no)s is cancelled already."), "cancelled", no=row.order_no)
    return field_error(
        "order",
        _("Order %(no)s was returned and has given back its number and SIM; there is nothing to cancel."),
        "returned",
        no=row.order_no,
    )


def _line_facts(row: Order) -> dict:
    """What compensating calls need: the line's number and SIM, the account, the line's plan before."""
    items = list(row.items.all())
    line = next((i for i in items if i.msisdn or i.iccid), None)
    sub = row.subscription
    account = (
        sub.account if sub is not None and sub.account_id else row.customer.accounts.order_by("id").first()
    )
    heir = None
    if row.data.get("new_customer"):
        from telcrm.customers.models import Account

        heir = Account.objects.filter(customer_id=row.data["new_customer"]).order_by("id").first()
    return {
        "msisdn": (line.msisdn if line else "") or (sub.msisdn if sub else ""),
        "account_no": account.account_no if account else "",
        "old_iccid": sub.iccid if sub else "",
        "old_plan": sub.offer_code if sub else "",
        "customer_no": row.customer.customer_no,
        "heir_account_no": heir.account_no if heir else "",
        "addons": [i.offering_code for i in items if i.offering_code],
        "reason": f"撤单 {row.order_no}",
    }


def _undo(handler: str, result: dict, facts: dict) -> list[tuple[str, str, dict]]:
    """The calls that undo what ``handler`` did (its recorded ``result``): (system, operation, args).
    Empty for a step that changed nothing elsewhere, or whose effect has no undo in the interfaces
    (计费入帐, an add-on opened on the network): those are listed for the back office."""
    answer = result.get("result") if isinstance(result.get("result"), dict) else {}
    msisdn, account, why = facts["msisdn"], facts["account_no"], facts["reason"]
    line = {"msisdn": msisdn}
    billed = {"account_no": account, "msisdn": msisdn}
    port = answer.get("port") or result.get("port") or ""
    old_plan, old_iccid, heir = facts["old_plan"], facts["old_iccid"], facts["heir_account_no"]
    undo = {
        "billing.open_account": [("billing", "close_account", {"account_no": account, "reason": why})],
        "network.activate_line": [("network", "deactivate_line", line)],
        "network.port_in": [("network", "deactivate_line", line)],
        "network.activate_broadband": [("network", "deactivate_port", {"port": port})] if port else [],
        "network.reserve_port": [("network", "deactivate_port", {"port": port})] if port else [],
        "network.suspend_line": [("network", "resume_line", line)],
        "network.resume_line": [("network", "suspend_line", {**line, "reason": why})],
        "billing.suspend": [("billing", "resume_line", billed)],
        "billing.resume": [("billing", "suspend_line", {**billed, "reason": why})],
        "network.swap_sim": [("network", "swap_sim", {**line, "iccid": old_iccid})] if old_iccid else [],
        "billing.change_plan": [("billing", "change_plan", {**billed, "plan": old_plan})] if old_plan else [],
        "network.change_plan": [("network", "change_plan", {**line, "plan": old_plan})] if old_plan else [],
        "billing.add_on": [
            ("billing", "remove_addon", {**billed, "addon": code}) for code in facts["addons"]
        ],
        "billing.transfer_owner": [
            (
                "billing",
                "transfer_owner",
                {
                    "account_no": heir,
                    "msisdn": msisdn,
                    "new_account_no": account,
                    "new_customer_no": facts["customer_no"],
                },
            )
        ]
        if heir
        else [],
    }
    return undo.get(handler, [])


def _compensate(row: Order, steps: list[ProcessStep], actor) -> dict:
    """Ask billing and the network, through the outbox, to undo each step that changed them (newest
    first); steps that called out but have no undo are listed for the back office to check."""
    from telcrm.integration import commands
    from telcrm.integration.adapters import INTERFACES

    facts = _line_facts(row)
    requested, manual = [], []
    for step in reversed(steps):
        result = step.result if isinstance(step.result, dict) else {}
        if result.get("simulated"):
            continue  # a recording stand-in: nothing was sent anywhere
        calls = _undo(step.handler, result, facts)
        if not calls and result.get("result") is not None:
            manual.append({"element": step.element_id, "step": step.name, "handler": step.handler})
        for i, (system, operation, args) in enumerate(calls):
            if operation not in INTERFACES[system].OPERATIONS:
                manual.append({"element": step.element_id, "step": step.name, "handler": step.handler})
                continue
            key = f"cancel:{step.idempotency_key}" + (f":{i}" if len(calls) > 1 else "")
            command = commands.request(system, operation, args, key=key, aggregate=row, actor=actor)
            requested.append(
                {"step": step.name, "system": system, "operation": operation, "command": command.pk}
            )
    return {"commands": requested, "manual": manual}


def _refund_due(row: Order, actor, now) -> dict | None:
    """The payments taken for the order, to be paid back (charges to the account are not taken)."""
    paid = [p for p in row.payments.all() if p.method != PaymentMethod.ACCOUNT]
    amount = sum(p.amount_fen for p in paid)
    if not amount:
        return None
    return {
        "state": "due",
        "amount_fen": amount,
        "payments": [
            {"id": p.pk, "method": p.method, "amount_fen": p.amount_fen, "reference": p.reference}
            for p in paid
        ],
        "due_at": now.isoformat(),
        "due_by": getattr(actor, "pk", None),
    }


def _cancel(row: Order, *, actor, reason: str, instance: ProcessInstance | None) -> Order:
    """Cancel a submitted (or failed) order whose process is being cancelled in this transaction."""
    actor = actor if getattr(actor, "pk", None) else None
    steps = (
        list(
            ProcessStep.objects.filter(instance_id=row.process_id, kind=StepKind.SERVICE).order_by("at", "id")
        )
        if row.process_id
        else []
    )
    done = [s for s in steps if s.handler in IRREVERSIBLE]
    if done:
        raise field_error(
            "order",
            _(
                "Order %(no)s cannot be cancelled: %(step)s has been done already and cannot be "
                "undone; let the order complete."
            ),
            "applied",
            no=row.order_no,
            step=done[0].name or done[0].element_id,
        )
    now = timezone.now()
    before = snapshot(row, AUDIT_FIELDS)
    undone = _compensate(row, steps, actor)
    if instance is not None and instance.attempts and instance.error_task:
        # the step that failed last may or may not have reached the other system: to be checked
        undone["manual"].append(
            {
                "element": instance.error_task,
                "step": _step_name(instance, instance.error_task),
                "unsure": True,
            }
        )
    _give_back_resources(row)
    row.items.filter(holds_number=True).update(holds_number=False)
    refund = _refund_due(row, actor, now)
    row.data["cancellation"] = {
        "state": row.state,
        "at": now.isoformat(),
        "by": getattr(actor, "pk", None),
        **undone,
    }
    row.data.pop("failure", None)
    if refund:
        row.data["refund"] = refund
    row.state = OrderState.CANCELLED
    row.cancelled_at = now
    row.reason = reason[:REASON_MAX]
    row.save(update_fields=["state", "cancelled_at", "reason", "data", "updated_at"])
    _audit(actor, row, "order.cancel", before)
    emit(
        "order.cancelled",
        aggregate=row,
        payload={**_payload(row), "reason": row.reason, "compensations": len(undone["commands"])},
        actor=actor,
    )
    if refund:
        audit_write(action="order.refund_due", actor=actor, obj=row, after=refund)
        emit(
            "order.refund_due",
            aggregate=row,
            payload={**_payload(row), "amountFen": refund["amount_fen"]},
            actor=actor,
        )
    return row


@transaction.atomic
def order_cancel(*, actor, order, reason: str = "") -> Order:
    """Cancel an order that has not completed. A draft is abandoned (:func:`order_abandon`); a
    submitted, running or failed one needs a reason: its process and open work orders are cancelled,
    what its steps did elsewhere is undone, its SIM and number given back, its payments to be refunded."""
    from .acceptance import order_abandon

    _require_any(actor, CANCEL_PERMS)
    row = access(Order.objects.all(), actor, _pk(order))
    if row.state == OrderState.DRAFT:
        return order_abandon(actor=actor, order=row, reason=reason)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise field_error("reason", _("Give the reason for cancelling the order."), "required")
    if len(reason) > REASON_MAX:
        raise field_error(
            "reason", _("Keep the reason to %(max)s characters or fewer."), "max_length", max=REASON_MAX
        )
    # the process first, then the order: the engine's steps lock them in this order too
    instance = (
        ProcessInstance.objects.select_related("version")
        .select_for_update(of=("self",))
        .filter(pk=row.process_id)
        .first()
        if row.process_id
        else None
    )
    row = (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer", "subscription")
        .get(pk=row.pk)
    )
    if not _cancellable(row):
        raise _refuse(row)
    if instance is not None and instance.state in (
        InstanceState.RUNNING,
        InstanceState.WAITING,
        InstanceState.FAILED,
    ):
        engine.cancel(instance, actor=actor, reason=reason)  # → instance_cancelled → _cancel
    else:
        _cancel(row, actor=actor, reason=reason, instance=instance)
    row.refresh_from_db()
    return row


@transaction.atomic
def order_refund_record(*, actor, order, reference: str = "") -> Order:
    """The refund of a cancelled order was paid out (at the counter, to the card…): recorded, audited."""
    _require_any(actor, CANCEL_PERMS)
    row = access(Order.objects.all(), actor, _pk(order), for_update=True)
    refund = row.data.get("refund")
    if not refund or refund.get("state") != "due":
        raise field_error("order", _("No refund is due for order %(no)s."), "no_refund", no=row.order_no)
    reference = str(reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise field_error(
            "reference",
            _("The reference is at most %(limit)d characters long."),
            "max_length",
            limit=REFERENCE_MAX,
        )
    before = dict(refund)
    refund.update(
        state="refunded", refunded_at=timezone.now().isoformat(), refunded_by=actor.pk, reference=reference
    )
    row.save(update_fields=["data", "updated_at"])
    audit_write(action="order.refund", actor=actor, obj=row, before=before, after=refund)
    emit(
        "order.refunded",
        aggregate=row,
        payload={**_payload(row), "amountFen": refund["amount_fen"]},
        actor=actor,
    )
    return row
