"""Ticket categories (报事分类) and their SLA targets per priority — what an administrator edits.

A category is a node of a tree (投诉 → 网络质量 → 信号弱). Its ``default_team`` (an org unit) and
``queue_role`` route new tickets to a team queue; a category without them inherits its parent's, and
without any the ticket goes to the customer's branch (see ``actions.routing``). SLA targets (first
response and resolution, in working minutes on ``calendar``) are set per category × priority; a
category without a target for a priority uses its parent's, then the ``service.*`` parameters.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import BilingualNameMixin


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 critical")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 normal")
    P4 = 4, _("P4 low")


class TicketCategory(BilingualNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_team = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    queue_role = models.ForeignKey(
        "platform.Role",
        verbose_name=_("queue role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    calendar = models.CharField(_("work calendar"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.display_name


class SlaTarget(models.Model):
    """Working minutes to the first response and to resolution, for tickets of a category × priority."""

    category = models.ForeignKey(
        TicketCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="sla_targets"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("first response (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"))

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["category", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["category", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code} P{self.priority}"
