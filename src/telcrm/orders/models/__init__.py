"""Models of the orders app: processes (process.py) and work orders (workorder.py); the order models
join them later."""

from ..workorder_states import WorkOrderMove, WorkOrderState
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
    "OPEN_INSTANCE_STATES",
    "InstanceState",
    "Priority",
    "ProcessDefinition",
    "ProcessInstance",
    "ProcessStep",
    "ProcessVersion",
    "StepKind",
    "VersionState",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderMove",
    "WorkOrderState",
]
