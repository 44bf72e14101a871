"""The item state machine of SIM cards and terminals (RES-2), as data.

``TRANSITIONS[item_type][move] = (states it may start from, state it ends in)``. The actions change
an item's state only through :func:`target`, and the database UPDATE that does it carries the state
read before (compare-and-set), so two counters can never move the same item out of one state twice.

::

    in_stock ──allocate──▶ allocated ──activate (SIM)──▶ activated
       ▲  │                   │  └──────sell (terminal)──▶ sold
       │  │◀────release───────┘
       │  ├──ship──▶ in_transit ──transfer_in / unship──▶ in_stock (at the destination / back home)
       │  ├──lose (count, short delivery)──▶ missing ──find──▶ in_stock
       │  ├──fault──▶ faulty ──return──▶ returned (to the supplier)
       │  └──return──▶ returned
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    SIM = "sim", _("SIM card")
    TERMINAL = "terminal", _("Terminal")


class ItemState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    IN_TRANSIT = "in_transit", _("In transit")
    ALLOCATED = "allocated", _("Allocated")
    ACTIVATED = "activated", _("Activated")
    SOLD = "sold", _("Sold")
    FAULTY = "faulty", _("Faulty")
    RETURNED = "returned", _("Returned")
    MISSING = "missing", _("Missing")


class Move(models.TextChoices):
    """What happened to an item (one row of its movement history)."""

    RECEIVE = "receive", _("Received into stock")
    ALLOCATE = "allocate", _("Allocated to an order")
    RELEASE = "release", _("Released back to stock")
    ACTIVATE = "activate", _("Activated")
    SELL = "sell", _("Sold")
    FAULT = "fault", _("Marked faulty")
    RETURN = "return", _("Returned to the supplier")
    SHIP = "ship", _("Shipped in a transfer")
    TRANSFER_IN = "transfer_in", _("Received from a transfer")
    UNSHIP = "unship", _("Transfer cancelled, back in stock")
    LOSE = "lose", _("Marked missing")
    FIND = "find", _("Found again")


S = ItemState
_COMMON = {
    Move.ALLOCATE: ({S.IN_STOCK}, S.ALLOCATED),
    Move.RELEASE: ({S.ALLOCATED}, S.IN_STOCK),
    Move.RETURN: ({S.IN_STOCK, S.FAULTY}, S.RETURNED),
    Move.SHIP: ({S.IN_STOCK}, S.IN_TRANSIT),
    Move.TRANSFER_IN: ({S.IN_TRANSIT}, S.IN_STOCK),
    Move.UNSHIP: ({S.IN_TRANSIT}, S.IN_STOCK),
    Move.LOSE: ({S.IN_STOCK, S.IN_TRANSIT}, S.MISSING),
    Move.FIND: ({S.MISSING}, S.IN_STOCK),
}
TRANSITIONS: dict[str, dict[str, tuple[frozenset[str], str]]] = {
    ItemType.SIM: {
        **{m: (frozenset(a), b) for m, (a, b) in _COMMON.items()},
        Move.ACTIVATE: (frozenset({S.ALLOCATED}), S.ACTIVATED),
        # a broken card: found at the counter, or a customer's card replaced by a SIM swap
        Move.FAULT: (frozenset({S.IN_STOCK, S.ALLOCATED, S.ACTIVATED}), S.FAULTY),
    },
    ItemType.TERMINAL: {
        **{m: (frozenset(a), b) for m, (a, b) in _COMMON.items()},
        # sold through an order (allocated first) or straight off the shelf
        Move.SELL: (frozenset({S.IN_STOCK, S.ALLOCATED}), S.SOLD),
        # dead on arrival / warranty return of a sold device
        Move.FAULT: (frozenset({S.IN_STOCK, S.ALLOCATED, S.SOLD}), S.FAULTY),
    },
}
RECEIVED_STATE = S.IN_STOCK  # where a delivery puts an item
AVAILABLE = S.IN_STOCK  # the only state an order may take an item from


class TransitionRefused(Exception):
    def __init__(self, item_type: str, state: str, move: str):
        self.item_type, self.state, self.move = item_type, state, move
        super().__init__(f"{item_type}: {move} is not possible from {state}")


def allowed(item_type: str, move: str) -> frozenset[str]:
    """States from which ``move`` may start (empty when the move does not apply to the type)."""
    entry = TRANSITIONS[item_type].get(move)
    return entry[0] if entry else frozenset()


def target(item_type: str, state: str, move: str) -> str:
    """The state ``move`` leads to from ``state``; TransitionRefused when it may not start there."""
    entry = TRANSITIONS[item_type].get(move)
    if entry is None or state not in entry[0]:
        raise TransitionRefused(item_type, state, move)
    return entry[1]


def moves_from(item_type: str, state: str) -> list[str]:
    """The moves possible from ``state`` (for the buttons an item page offers)."""
    return [m for m, (starts, _end) in TRANSITIONS[item_type].items() if state in starts]
