"""Models of the orders app: processes (process.py) and work orders (workorder.py); the order models
join them later."""

from ..workorder_states import WorkOrderMove, WorkOrderState
from .order import (
    LIVE_ORDER_STATES,
    ItemAction,
    Order,
    OrderItem,
    OrderState,
    OrderType,
    Payment,
    PaymentMethod,
    ReceiptPrint,
)
from .process import (
    OPEN_INSTANCE_STATES,
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessVersion,
    StepKind,
    VersionState,
)
from .workorder import Priority, WorkOrder, WorkOrderEvent

__all__ = [
    "LIVE_ORDER_STATES",
    "OPEN_INSTANCE_STATES",
    "InstanceState",
    "ItemAction",
    "Order",
    "OrderItem",
    "OrderState",
    "OrderType",
    "Payment",
    "PaymentMethod",
    "Priority",
    "ProcessDefinition",
    "ProcessInstance",
    "ProcessStep",
    "ProcessVersion",
    "ReceiptPrint",
    "StepKind",
    "VersionState",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderMove",
    "WorkOrderState",
]
