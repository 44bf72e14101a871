"""The service-task handlers the shipped processes name, as recording stand-ins.

The order module and the billing/network integration register the real handlers under the same
names (``@service_task("billing.open_account")``), which replaces these. Until then each stand-in
records the call — handler, parameters, idempotency key, attempt — in the process data (the task's
result variable) and changes nothing else, so a process runs end to end and its steps can be checked.
"""

from __future__ import annotations

from django.utils import timezone

from .registry import StepContext, service_task

# name: (Chinese label, English label)
STANDARD: dict[str, tuple[str, str]] = {
    "order.accept": ("受理登记", "Register the order"),
    "order.archive": ("销单入库", "Close and archive the order"),
    "order.return_to_counter": ("退单回营业厅", "Return the order to the counter"),
    "order.notify_customer": ("通知客户", "Notify the customer"),
    "billing.open_account": ("计费开户", "Open the billing account"),
    "billing.entry": ("计费入帐", "Billing entry"),
    "billing.change_plan": ("计费变更套餐", "Change the plan in billing"),
    "billing.add_on": ("计费订购附加包", "Add the add-on in billing"),
    "billing.transfer_owner": ("计费过户", "Transfer the account in billing"),
    "billing.close_account": ("计费销户", "Close the billing account"),
    "billing.suspend": ("计费停机", "Suspend in billing"),
    "billing.resume": ("计费复机", "Resume in billing"),
    "network.activate_line": ("网络开通", "Activate the line"),
    "network.change_plan": ("网络变更套餐", "Change the plan on the network"),
    "network.add_on": ("网络开通附加业务", "Activate the add-on on the network"),
    "network.swap_sim": ("换卡", "Swap the SIM on the network"),
    "network.suspend_line": ("网络停机", "Suspend the line"),
    "network.resume_line": ("网络复机", "Resume the line"),
    "network.terminate_line": ("网络拆机", "Terminate the line"),
    "network.port_in": ("携号转入", "Port the number in"),
    "network.reserve_port": ("预占宽带端口", "Reserve a broadband port"),
    "network.activate_broadband": ("宽带开通", "Activate the broadband line"),
}


def _recorder(name: str):
    def record(step: StepContext) -> dict:
        return {
            "handler": name,
            "simulated": True,
            "params": step.params,
            "idempotency_key": step.idempotency_key,
            "attempt": step.attempt,
            "at": timezone.now().isoformat(),
        }

    record.__name__ = f"record_{name.replace('.', '_')}"
    return record


for _name, (_label, _label_en) in STANDARD.items():
    service_task(_name, label=_label, label_en=_label_en, stub=True)(_recorder(_name))
