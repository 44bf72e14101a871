"""The built-in simulators' own tables: what "billing" and "the network" received and applied.

The simulators stand in for other systems, so these rows are theirs, not telcrm's: each call is kept
once per idempotency key (:class:`SimulatedCall`, with how often that key arrived), and the state the
calls built up (accounts, lines, broadband ports) in :class:`SimulatedResource`. Tests and the demo
read them to see exactly what was applied, and how often.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from ..i18n import _


class SimulatedCall(models.Model):
    adapter = models.CharField(_("adapter"), max_length=16)
    operation = models.CharField(_("operation"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=100)
    request = models.JSONField(_("request"), default=dict, encoder=DjangoJSONEncoder)
    response = models.JSONField(_("response"), null=True, blank=True, encoder=DjangoJSONEncoder)
    applied = models.BooleanField(_("applied"), default=False)
    received = models.PositiveIntegerField(_("times received"), default=0)
    failures = models.PositiveIntegerField(_("injected failures"), default=0)
    error = models.CharField(_("refusal"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulated call")
        verbose_name_plural = _("simulated calls")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["adapter", "key"], name="integ_simcall_key_unique")]

    def __str__(self) -> str:
        return f"{self.adapter}.{self.operation} [{self.key}]"


class SimulatedResource(models.Model):
    """An account (billing), a line or a broadband port (network) as the simulator holds it."""

    adapter = models.CharField(_("adapter"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16)
    ref = models.CharField(_("reference"), max_length=64)
    state = models.JSONField(_("state"), default=dict, encoder=DjangoJSONEncoder)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("simulated resource")
        verbose_name_plural = _("simulated resources")
        ordering = ["adapter", "kind", "ref"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["adapter", "kind", "ref"], name="integ_simresource_unique")
        ]

    def __str__(self) -> str:
        return f"{self.adapter}.{self.kind} {self.ref}"
