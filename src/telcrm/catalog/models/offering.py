"""Product offerings (one row per version), bundle members and prices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import BilingualNameMixin

from .common import LifecycleStatus, OfferingKind, PriceType, RecurringPeriod, UsageUnit


def _period_ok() -> Q:
    return Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from"))


class OfferingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifecycle_status=LifecycleStatus.ACTIVE)

    def valid_at(self, at):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=at)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=at)
        )


class ProductOffering(BilingualNameMixin, models.Model):
    """What is sold (套餐, 流量包, 宽带, 终端, 融合套餐), one row per version.

    ``code`` names the offering across versions; at most one version of a code is active. Editing an
    active version makes a new draft (version + 1, prices and links copied); activating it retires the
    previous one. Orders point at the version row, so an old order shows the plan exactly as sold.
    """

    code = models.CharField(_("code"), max_length=40, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OfferingKind.choices, db_index=True)
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="offerings"
    )
    specification = models.ForeignKey(
        "catalog.ProductSpecification",
        verbose_name=_("product specification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offerings",
    )
    lifecycle_status = models.CharField(
        _("lifecycle status"),
        max_length=16,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.DRAFT,
        db_index=True,
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    is_bundle = models.BooleanField(_("bundle"), default=False)
    # Add-on applicability: an add-on may be added to a plan whose code or kind is listed here.
    applies_to_codes = models.JSONField(_("applies to offerings"), default=list, blank=True)
    applies_to_kinds = models.JSONField(_("applies to kinds"), default=list, blank=True)
    channels = models.JSONField(
        _("sales channels"), default=list, blank=True, help_text=_("Empty: sold in every channel")
    )
    # What the offering includes, for display and orders: {"data_gb": 30, "voice_min": 500, …}.
    features = models.JSONField(_("included allowances"), default=dict, blank=True)
    commitment_months = models.PositiveSmallIntegerField(_("commitment (months)"), default=0)
    sort = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    last_update = models.DateTimeField(_("last update"), auto_now=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        verbose_name = _("product offering")
        verbose_name_plural = _("product offerings")
        ordering = ["sort", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="catalog_offering_code_version_uniq"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(lifecycle_status="active"),
                name="catalog_offering_one_active_version",
            ),
            models.CheckConstraint(condition=_period_ok(), name="catalog_offering_valid_period"),
            models.CheckConstraint(condition=Q(version__gte=1), name="catalog_offering_version_positive"),
        ]
        indexes = [
            models.Index(fields=["lifecycle_status", "kind", "sort"], name="catalog_offering_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_active(self) -> bool:
        return self.lifecycle_status == LifecycleStatus.ACTIVE

    def valid_at(self, at) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_to is None or self.valid_to > at
        )


class BundledOffering(models.Model):
    """A member of a bundle (融合套餐 → 5G line, broadband, 副卡 …)."""

    bundle = models.ForeignKey(
        ProductOffering, verbose_name=_("bundle"), on_delete=models.CASCADE, related_name="bundle_members"
    )
    member = models.ForeignKey(
        ProductOffering, verbose_name=_("member offering"), on_delete=models.PROTECT, related_name="member_of"
    )
    min_qty = models.PositiveSmallIntegerField(_("minimum quantity"), default=1)
    max_qty = models.PositiveSmallIntegerField(_("maximum quantity"), default=1)
    optional = models.BooleanField(_("optional"), default=False)
    sort = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("bundle member")
        verbose_name_plural = _("bundle members")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "member"], name="catalog_bundle_member_uniq"),
            models.CheckConstraint(condition=Q(max_qty__gte=F("min_qty")), name="catalog_bundle_qty_range"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle.code} → {self.member.code}"


class ProductOfferingPrice(BilingualNameMixin, models.Model):
    """A price of an offering: one-off, recurring (per month) or usage (per unit), in integer fen.

    For one offering and price type the validity periods must neither overlap nor leave a gap between
    the first start and the last end (checked by the catalog actions).
    """

    offering = models.ForeignKey(
        ProductOffering,
        verbose_name=_("product offering"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prices",
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    price_type = models.CharField(_("price type"), max_length=16, choices=PriceType.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    recurring_period = models.CharField(
        _("recurring period"), max_length=16, choices=RecurringPeriod.choices, blank=True
    )
    usage_unit = models.CharField(_("usage unit"), max_length=16, choices=UsageUnit.choices, blank=True)
    unit_amount = models.PositiveIntegerField(
        _("units per amount"), default=1, help_text=_("The amount is charged per this many units")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.DRAFT
    )
    version = models.CharField(_("version"), max_length=20, default="1")
    sort = models.PositiveSmallIntegerField(_("sort order"), default=0)
    last_update = models.DateTimeField(_("last update"), auto_now=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("product offering price")
        verbose_name_plural = _("product offering prices")
        ordering = ["sort", "price_type", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="catalog_price_amount_non_negative"),
            models.CheckConstraint(condition=_period_ok(), name="catalog_price_valid_period"),
        ]
        indexes = [models.Index(fields=["offering", "price_type"], name="catalog_price_offering_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount_fen / 100:.2f}"

    def valid_at(self, at) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_to is None or self.valid_to > at
        )
