"""API bearer tokens: issued for username + password, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import context
from ..auditing import audit_event
from ..errors import field_error
from ..models import ApiToken, AuditKind


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, request, username: str, password: str) -> tuple[str, ApiToken]:
    # authenticate() runs outside the transaction: the failed-attempt rows django-axes writes (lockout
    # counting) and the failed sign-in audit must survive the error this function raises.
    if not username:
        raise field_error("username", _("Enter your username."), "required")
    if not password:
        raise field_error("password", _("Enter your password."), "required")
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        raise field_error("password", _("The username or password is not correct."), "invalid_credentials")
    raw = "tc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=digest(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + settings.API_TOKEN_TTL,
            ip=context.current().ip,
        )
        audit_event(kind=AuditKind.AUTH, action="auth.token_issued", actor=user, obj=user)
        # A token is a sign-in: django-axes resets the failure count, last_login is updated, audited.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return raw, token


def api_token_user(raw: str):
    """The active user a raw token belongs to, or None. Refreshes last_used at most once a minute."""
    token = (
        ApiToken.objects.select_related("user", "user__role", "user__org_unit")
        .filter(digest=digest(raw), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, actor, raw: str) -> bool:
    deleted, _ = ApiToken.objects.filter(user=actor, digest=digest(raw)).delete()
    if deleted:
        audit_event(kind=AuditKind.AUTH, action="auth.token_revoked", actor=actor, obj=actor)
    return bool(deleted)
