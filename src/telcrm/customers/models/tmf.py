"""What the TM Forum Open APIs (TMF629, TMF632, TMF666) carry and the core model has no place for.

- :class:`CustomerTmfData`: the references a TMF client gave a customer (``engagedParty`` it named,
  ``relatedParty``) and its free ``characteristic`` list, kept as given: a reference we cannot
  resolve (another system's party id) is stored, not refused.
- :class:`PartyAccount`: TMF666 party, settlement and financial accounts, and billing accounts whose
  owner is not one of our customers (a billing account of a customer is a :class:`Account`).
- :class:`BillFormat`, :class:`BillingCycleSpecification`, :class:`BillPresentationMedia`: the bill
  structure reference data of TMF666 (carrier-wide, not scoped).

Writes go through ``customers.tmf.actions`` (validated, audited, one transaction each).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import ScopedModel


class CustomerTmfData(models.Model):
    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tmf"
    )
    # {"id", "@referredType", "name"?, "href"?} as the client sent it; null: the customer's own party.
    engaged_party = models.JSONField(_("engaged party (as given)"), null=True, blank=True)
    related_party = models.JSONField(_("related parties (as given)"), default=list, blank=True)
    characteristic = models.JSONField(_("characteristics"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer TMF data")
        verbose_name_plural = _("customer TMF data")

    def __str__(self) -> str:
        return f"TMF data of customer {self.customer_id}"


class PartyAccountKind(models.TextChoices):
    PARTY = "party", _("Party account")
    BILLING = "billing", _("Billing account")
    SETTLEMENT = "settlement", _("Settlement account")
    FINANCIAL = "financial", _("Financial account")


class PartyAccount(ScopedModel):
    """A TMF666 account kept as the client described it (账户, TMF 接口登记)."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartyAccountKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    account_type = models.CharField(_("account type"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=30, blank=True, default="active")
    payment_status = models.CharField(_("payment status"), max_length=30, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="CNY")
    related_party = models.JSONField(_("related parties (as given)"), default=list, blank=True)

    class Meta:
        verbose_name = _("TMF account")
        verbose_name_plural = _("TMF accounts")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["kind", "org_unit", "-id"], name="tmf_account_kind_idx"),
            models.Index(fields=["kind", "name"], name="tmf_account_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class BillFormat(models.Model):
    """How a bill is laid out (账单格式): detailed, summary…"""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bill format")
        verbose_name_plural = _("bill formats")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BillingCycleSpecification(models.Model):
    """When bills are cut and due (账期): frequency and the day offsets of one billing cycle."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    frequency = models.CharField(_("frequency"), max_length=30, blank=True)
    billing_period = models.CharField(_("billing period"), max_length=30, blank=True)
    billing_date_shift = models.IntegerField(_("billing date shift"), null=True, blank=True)
    charge_date_offset = models.IntegerField(_("charge date offset"), null=True, blank=True)
    credit_date_offset = models.IntegerField(_("credit date offset"), null=True, blank=True)
    mailing_date_offset = models.IntegerField(_("mailing date offset"), null=True, blank=True)
    payment_due_date_offset = models.IntegerField(_("payment due date offset"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("billing cycle specification")
        verbose_name_plural = _("billing cycle specifications")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BillPresentationMedia(models.Model):
    """How a bill reaches the customer (账单投递方式): paper, e-mail, SMS, app."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bill presentation media")
        verbose_name_plural = _("bill presentation media")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
