"""Choices shared by the catalog's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LifecycleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("catalog lifecycle", "Draft")
    ACTIVE = "active", pgettext_lazy("catalog lifecycle", "Active")
    RETIRED = "retired", pgettext_lazy("catalog lifecycle", "Retired")


class SpecKind(models.TextChoices):
    MOBILE = "mobile", pgettext_lazy("catalog spec", "Mobile")
    BROADBAND = "broadband", _("Broadband")
    DEVICE = "device", _("Device")
    SERVICE = "service", _("Service")


class OfferingKind(models.TextChoices):
    PLAN = "plan", _("Plan (套餐)")
    ADD_ON = "add_on", _("Add-on (流量包等)")
    BROADBAND = "broadband", _("Broadband")
    DEVICE = "device", _("Device")
    BUNDLE = "bundle", _("Bundle (融合套餐)")


class SalesChannel(models.TextChoices):
    COUNTER = "counter", _("Counter (营业厅)")
    SELF_SERVICE = "self_service", _("Self-service (网上/掌上营业厅)")
    AGENT = "agent", _("Agent (代理商)")
    TELESALES = "telesales", _("Telesales (电话营销)")


class PriceType(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    RECURRING = "recurring", _("Recurring")
    USAGE = "usage", _("Usage")


class RecurringPeriod(models.TextChoices):
    MONTH = "month", _("Month")


class UsageUnit(models.TextChoices):
    MB = "MB", _("MB")
    MINUTE = "minute", _("Minute")
    SMS = "SMS", _("SMS")


class TariffKind(models.TextChoices):
    PERCENT_OFF = "percent_off", _("Percentage off")
    AMOUNT_OFF = "amount_off_fen", _("Amount off")
    SPECIAL_PRICE = "special_price_fen", _("Special price")


class TariffStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class TariffCharge(models.TextChoices):
    RECURRING = "recurring", _("Monthly fee")
    ONE_OFF = "one_off", _("One-off charge")
