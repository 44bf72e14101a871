"""Granting Django-admin superuser rights: only from a command (actor None) or by a superuser.

Kept apart from actions/users.py because no screen offers it: the demo carrier's ``admin`` and
operators' break-glass accounts get it from ``manage.py`` (demo_data, createsuperuser).
"""

from __future__ import annotations

from django.db import transaction

from ..auditing import audit_write, snapshot
from ..errors import AccessDenied
from ..models import User

FIELDS = ["is_superuser", "is_staff"]


@transaction.atomic
def user_grant_superuser(*, actor, user: User) -> User:
    if actor is not None and not actor.is_superuser:
        raise AccessDenied()
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, FIELDS)
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=[*FIELDS, "updated_at"])
    audit_write(
        action="user.grant_superuser", actor=actor, obj=user, before=before, after=snapshot(user, FIELDS)
    )
    return user
