from ..states import TicketMove, TicketState
from .category import Priority, SlaTarget, TicketCategory
from .ticket import INTERACTION_CHANNEL, Ticket, TicketChannel, TicketEvent, TicketType

__all__ = [
    "INTERACTION_CHANNEL",
    "Priority",
    "SlaTarget",
    "Ticket",
    "TicketCategory",
    "TicketChannel",
    "TicketEvent",
    "TicketMove",
    "TicketState",
    "TicketType",
]
