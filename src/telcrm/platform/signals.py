"""Signal wiring: seeding after migrate, and audit of sign-in events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .models import AuditKind


@receiver(post_migrate)
def seed_after_migrate(sender, app_config=None, using="default", **kwargs):
    if app_config is None or app_config.label != "platform":
        return
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    from .parameters import sync_parameters
    from .roles import sync_roles
    from .seeds import sync_seeds

    sync_parameters()
    sync_roles()
    sync_seeds()


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    from .auditing import audit_event

    audit_event(kind=AuditKind.AUTH, action="auth.login", actor=user, obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    from .auditing import audit_event

    audit_event(
        kind=AuditKind.AUTH,
        action="auth.login_failed",
        actor=None,
        object_type="platform.user",
        object_id="",
        object_repr=str(credentials.get("username", ""))[:64],
    )


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    from .auditing import audit_event

    audit_event(
        kind=AuditKind.AUTH,
        action="auth.locked_out",
        actor=None,
        object_type="platform.user",
        object_repr=str(username or "")[:64],
    )
