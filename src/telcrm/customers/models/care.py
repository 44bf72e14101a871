"""Credit history, blacklist, interactions (timeline), self-service update requests, merges."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import ScopedModel


class CreditChange(models.Model):
    """One change of a customer's credit level (信誉度), newest last."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="credit_changes",
    )
    level_before = models.PositiveSmallIntegerField(_("level before"))
    level_after = models.PositiveSmallIntegerField(_("level after"))
    reason = models.CharField(_("reason"), max_length=200)
    changed_by = models.ForeignKey(
        "platform.User",
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit change")
        verbose_name_plural = _("credit changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.level_before}→{self.level_after}"


class BlacklistEffect(models.TextChoices):
    BLOCK_ALL = "block_all", _("Refuse every order")
    BLOCK_NEW = "block_new", _("Refuse new lines and services")
    WARN = "warn", _("Warn the clerk only")


class BlacklistEntry(ScopedModel):
    """A blacklist entry (黑名单) for a customer, and through the ID blind index for the person."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )
    id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reason_code = models.CharField(_("reason"), max_length=32)  # dictionary blacklist_reason
    note = models.CharField(_("note"), max_length=500, blank=True)
    effect = models.CharField(
        _("effect"), max_length=16, choices=BlacklistEffect.choices, default=BlacklistEffect.BLOCK_NEW
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        "platform.User",
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.reason_code} {self.valid_from}"


class Interaction(ScopedModel):
    """Every contact with the customer on any channel, for the 360 timeline. Modules add theirs."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    channel = models.CharField(_("channel"), max_length=16)  # dictionary contact_channel
    direction = models.CharField(
        _("direction"), max_length=8, choices=[("in", _("Inbound")), ("out", _("Outbound"))], default="in"
    )
    kind = models.CharField(_("kind"), max_length=40)  # e.g. "visit", "call", "order", "ticket", "sms"
    summary = models.CharField(_("summary"), max_length=300)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    ref_type = models.CharField(_("related object type"), max_length=64, blank=True)
    ref_id = models.CharField(_("related object id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="interaction_timeline_idx")]

    def __str__(self) -> str:
        return self.summary


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class UpdateRequest(ScopedModel):
    """A customer's self-service request to change their data, reviewed by staff."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="update_requests",
    )
    changes = models.JSONField(_("requested changes"))
    source = models.CharField(_("source"), max_length=16, default="web")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.PENDING,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        "platform.User",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("update request")
        verbose_name_plural = _("update requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.status}"


class Merge(models.Model):
    """A merge of a duplicate into a survivor, with what was moved, so an admin can reverse it."""

    survivor = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("kept customer"),
        on_delete=models.PROTECT,
        related_name="merges_kept",
    )
    duplicate = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("merged customer"),
        on_delete=models.PROTECT,
        related_name="merges_absorbed",
    )
    moved = models.JSONField(_("moved rows"), default=dict)  # {"app.model": [ids]}
    merged_by = models.ForeignKey(
        "platform.User", verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    reverted_by = models.ForeignKey(
        "platform.User",
        verbose_name=_("reverted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.duplicate_id}→{self.survivor_id}"
