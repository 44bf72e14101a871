"""Every write of the integration module (ARCHITECTURE §4): the error queue's replay and discard,
webhook and TMF hub subscriptions, and the purge of finished outbox rows. Writing events and
commands themselves is not here: other modules' actions do it in their own transactions through
``telcrm.integration.events.emit`` and ``telcrm.integration.commands.request``."""

from .outbox import (
    command_discard,
    command_replay,
    delivery_discard,
    delivery_replay,
    outbox_purge,
    replay_many,
)
from .subscriptions import (
    hub_subscribe,
    hub_topics,
    hub_unsubscribe,
    new_secret,
    subscription_create,
    subscription_delete,
    subscription_update,
)

__all__ = [
    "command_discard",
    "command_replay",
    "delivery_discard",
    "delivery_replay",
    "hub_subscribe",
    "hub_topics",
    "hub_unsubscribe",
    "new_secret",
    "outbox_purge",
    "replay_many",
    "subscription_create",
    "subscription_delete",
    "subscription_update",
]
