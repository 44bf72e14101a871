"""Party (TM Forum SID): the person or organisation behind a customer, with real-name data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from telcrm.platform.models import EncryptedField, ScopedModel


class PartyKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organisation")


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")
    UNKNOWN = "u", _("Unknown")


class Party(ScopedModel):
    """An individual or an organisation. Names stay searchable; ID numbers are encrypted."""

    kind = models.CharField(_("party type"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    # Individual (TMF632 Individual)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, blank=True, default="CHN")
    # Organisation (TMF632 Organization)
    trading_name = models.CharField(_("trading name"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    # Real-name registration (实名制)
    id_doc_type = models.CharField(_("ID document type"), max_length=32, blank=True)  # dictionary id_doc_type
    id_number = EncryptedField(_("ID number"), blank=True, index_field="id_number_bidx", mask="id_number")
    id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_verified_at = models.DateTimeField(_("real-name verified at"), null=True, blank=True)
    id_verified_by = models.ForeignKey(
        "platform.User",
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name
