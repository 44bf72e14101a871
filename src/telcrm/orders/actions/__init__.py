"""Every write of processes and work orders (ARCHITECTURE §4). Views, the API, tasks and the order
module call these.

The order module calls, inside its own transaction::

    process_start(*, key, actor, subject=None, data=None, org_unit=None, business_key="", schedule=True)
    process_cancel(*, actor, instance, reason="", check_permission=True) -> ProcessInstance

and registers the real service-task handlers with ``telcrm.orders.processes.registry.service_task``.
"""

from .acceptance import (
    order_abandon,
    order_create,
    order_details_set,
    order_item_add,
    order_item_remove,
    order_number_choose,
    order_sim_choose,
    order_submit,
    payment_record,
)
from .fulfilment import order_complete, order_fail, order_progress
from .intake import order_take
from .lifecycle import order_cancel, order_refund_record, order_retry
from .process import (
    draft_token,
    process_cancel,
    process_definition_create,
    process_definition_update,
    process_draft_discard,
    process_draft_save,
    process_retry,
    process_start,
    process_version_publish,
    process_version_restore,
    process_version_retire,
)
from .receipts import receipt_print
from .sla import work_order_sla_check
from .workorders import (
    clean_form,
    work_order_claim,
    work_order_complete,
    work_order_escalate,
    work_order_reassign,
    work_order_release,
    work_order_return,
)

__all__ = [
    "clean_form",
    "draft_token",
    "order_abandon",
    "order_cancel",
    "order_complete",
    "order_create",
    "order_details_set",
    "order_fail",
    "order_item_add",
    "order_item_remove",
    "order_number_choose",
    "order_progress",
    "order_refund_record",
    "order_retry",
    "order_sim_choose",
    "order_submit",
    "order_take",
    "payment_record",
    "process_cancel",
    "process_definition_create",
    "process_definition_update",
    "process_draft_discard",
    "process_draft_save",
    "process_retry",
    "process_start",
    "process_version_publish",
    "process_version_restore",
    "process_version_retire",
    "receipt_print",
    "work_order_claim",
    "work_order_complete",
    "work_order_escalate",
    "work_order_reassign",
    "work_order_release",
    "work_order_return",
    "work_order_sla_check",
]
