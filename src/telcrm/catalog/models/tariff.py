"""Personalised tariffs and discounts for group customers (个性化资费和优惠)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import ScopedModel, ScopedQuerySet

from .common import TariffCharge, TariffKind, TariffStatus


class GroupTariff(ScopedModel):
    """A discount or special price bound to one enterprise/group customer and its members.

    It targets one offering (by code, so every version) or a category. ``org_unit`` is the customer's
    branch and ``owner`` the requester, so the data scope shows a tariff to whoever sees the customer's
    branch. ``effective_percent`` is the discount as a percentage of the list price (for amounts and
    special prices, of the highest list price it applies to); above the approval threshold parameter a
    manager other than the requester must approve it.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="group_tariffs",
    )
    name = models.CharField(_("name"), max_length=100)
    offering_code = models.CharField(_("offering code"), max_length=40, blank=True, db_index=True)
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_tariffs",
    )
    kind = models.CharField(_("discount kind"), max_length=20, choices=TariffKind.choices)
    charge = models.CharField(
        _("applies to charge"), max_length=16, choices=TariffCharge.choices, default=TariffCharge.RECURRING
    )
    value = models.PositiveIntegerField(
        _("value"), help_text=_("Percent for a percentage, fen for an amount or a special price")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TariffStatus.choices, default=TariffStatus.DRAFT, db_index=True
    )
    effective_percent = models.DecimalField(
        _("effective discount %"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group tariff")
        verbose_name_plural = _("group tariffs")
        ordering = ["-id"]
        permissions = [
            ("request_discount", _("Can request group tariffs and discounts")),
            ("approve_discount", _("Can approve group tariffs and discounts")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(offering_code="") & Q(category__isnull=False))
                | (~Q(offering_code="") & Q(category__isnull=True)),
                name="catalog_tariff_one_target",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="catalog_tariff_valid_period",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status"], name="catalog_tariff_customer_idx"),
            models.Index(fields=["org_unit", "status", "-id"], name="catalog_tariff_org_idx"),
            models.Index(fields=["owner", "-id"], name="catalog_tariff_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def target_label(self) -> str:
        return self.offering_code or (self.category.name if self.category_id else "")

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)
