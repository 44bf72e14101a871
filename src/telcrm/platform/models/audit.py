"""Audit log (PLT-2): every write through an action and every reveal of PII. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    WRITE = "write", _("Change")
    REVEAL = "reveal", _("PII reveal")
    AUTH = "auth", _("Sign-in")
    EXPORT = "export", _("Export")


# Human names of audit actions; modules add theirs with ACTION_LABELS.update({...}).
ACTION_LABELS: dict[str, str] = {
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.locked_out": _("Account locked"),
    "auth.token_issued": _("API token issued"),
    "auth.token_revoked": _("API token revoked"),
    "pii.reveal": _("Revealed personal data"),
    "org_unit.create": _("Created org unit"),
    "org_unit.update": _("Changed org unit"),
    "user.create": _("Created user"),
    "user.update": _("Changed user"),
    "user.set_password": _("Changed password"),
    "user.set_language": _("Changed language"),
    "user.unlock": _("Unlocked account"),
    "role.update": _("Changed role"),
    "parameter.update": _("Changed parameter"),
    "dict_type.create": _("Created dictionary"),
    "dict_item.create": _("Added dictionary item"),
    "dict_item.update": _("Changed dictionary item"),
    "holiday.save": _("Saved holiday"),
    "holiday.delete": _("Deleted holiday"),
    "work_calendar.update": _("Changed work calendar"),
    "job.start": _("Started job"),
    "job.retry": _("Retried job"),
    "job.cancel": _("Cancelled job"),
}


class AuditLog(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AuditKind.choices, default=AuditKind.WRITE)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_username = models.CharField(_("actor"), max_length=64, blank=True, db_index=True)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    request_id = models.CharField(_("request id"), max_length=36, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True, help_text=_("ui, api, task, command"))

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit records are append-only")

    @property
    def action_label(self) -> str:
        label = ACTION_LABELS.get(self.action)
        if label is None and self.action.startswith("export."):
            return str(_("Exported list"))
        return str(label) if label is not None else self.action

    @property
    def actor_display(self) -> str:
        return self.actor_username or str(_("System (automatic)"))
