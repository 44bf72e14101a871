from .outbox import (
    DUE_STATES,
    ERROR_MAX,
    FINISHED_STATES,
    KEY_MAX,
    OPEN_STATES,
    Adapter,
    Command,
    Delivery,
    Event,
    State,
    Subscription,
    SubscriptionKind,
)
from .simulator import SimulatedCall, SimulatedResource

__all__ = [
    "DUE_STATES",
    "ERROR_MAX",
    "FINISHED_STATES",
    "KEY_MAX",
    "OPEN_STATES",
    "Adapter",
    "Command",
    "Delivery",
    "Event",
    "SimulatedCall",
    "SimulatedResource",
    "State",
    "Subscription",
    "SubscriptionKind",
]
