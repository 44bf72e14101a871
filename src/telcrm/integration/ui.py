"""What the integration module plugs into the shared UI at start-up (imported by apps.ready()):
audit action names and the error-queue panel on the home page of those who work it."""

from __future__ import annotations

from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels

from .i18n import _
from .permissions import VIEW

ACTION_LABELS.update(
    {
        "delivery.replay": _("Replayed event delivery"),
        "delivery.discard": _("Discarded event delivery"),
        "command.replay": _("Replayed command"),
        "command.discard": _("Discarded command"),
        "subscription.create": _("Registered subscription"),
        "subscription.update": _("Changed subscription"),
        "subscription.delete": _("Deleted subscription"),
        "outbox.purge": _("Purged finished outbox rows"),
    }
)


def _error_queue(user) -> dict | None:
    from . import queries

    counts = queries.state_counts(user)
    dead = counts["deliveries"]["dead"] + counts["commands"]["dead"]
    retrying = counts["deliveries"]["failed"] + counts["commands"]["failed"]
    return {"dead": dead, "retrying": retrying, "counts": counts}


home_panels.register(
    home_panels.HomePanel(
        code="integration.error_queue",
        template="integration/home/error_queue.html",
        loader=_error_queue,
        roles=("admin", "backoffice"),
        perm=VIEW,
        order=90,
    )
)
