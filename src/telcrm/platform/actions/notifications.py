"""Notifications to users (the bell in the top bar)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Notification


def notify(*, recipient, title: str, body: str = "", link: str = "", level: str = "info") -> Notification:
    """System-generated; not audited (the change that caused it is)."""
    return Notification.objects.create(recipient=recipient, title=title[:200], body=body, link=link[:255], level=level)


@transaction.atomic
def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark some (or, with None, all) of the actor's own notifications read."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
