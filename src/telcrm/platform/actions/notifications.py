"""Notifications to users (the bell in the top bar)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Notification


def notify(*, recipient, title: str, body: str = "", link: str = "", level: str = "info") -> Notification:
    """System-generated; not audited (the change that caused it is). Pushed live after commit."""
    n = Notification.objects.create(
        recipient=recipient, title=title[:200], body=body, link=link[:255], level=level
    )
    transaction.on_commit(lambda: _push(n))
    return n


def _push(n: Notification) -> None:
    """Best effort: the bell of an open page updates at once; the row is the source of truth."""
    import logging

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            f"user.{n.recipient_id}", {"type": "notify", "title": n.title, "level": n.level, "link": n.link}
        )
    except Exception:  # the channel layer being down must never fail the work that notified
        logging.getLogger(__name__).warning("live notification push failed", exc_info=True)


@transaction.atomic
def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark some (or, with None, all) of the actor's own notifications read."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
