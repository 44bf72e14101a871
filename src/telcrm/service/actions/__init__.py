"""Every write of the service module (views, API, tasks and commands call these)."""

from .config import sla_targets_set, ticket_category_save
from .escalation import ticket_sla_check
from .relations import ticket_link_parent, ticket_merge, ticket_parent_update
from .tickets import (
    ticket_assign,
    ticket_claim,
    ticket_close,
    ticket_create,
    ticket_pending_customer,
    ticket_reopen,
    ticket_resolve,
    ticket_respond,
    ticket_resume,
    ticket_start,
)
from .workorders import ticket_start_work_order

__all__ = [
    "sla_targets_set",
    "ticket_assign",
    "ticket_category_save",
    "ticket_claim",
    "ticket_close",
    "ticket_create",
    "ticket_link_parent",
    "ticket_merge",
    "ticket_parent_update",
    "ticket_pending_customer",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_respond",
    "ticket_resume",
    "ticket_sla_check",
    "ticket_start",
    "ticket_start_work_order",
]
