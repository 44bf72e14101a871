"""Parameters (系统参数), dictionaries (码表) and the working-time calendar (节假日/工作时间)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import BilingualNameMixin, english_ui


class ParamType(models.TextChoices):
    INT = "int", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    BOOL = "bool", _("Yes/no")
    STR = "str", _("Text")
    CHOICE = "choice", _("Choice")
    DURATION = "duration", _("Duration (minutes)")
    JSON = "json", _("JSON")


class Parameter(BilingualNameMixin, models.Model):
    """One typed system parameter. Definitions live in platform/parameters.py; values here."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    group = models.CharField(_("group"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("English description"), max_length=255, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=ParamType.choices)
    value = models.JSONField(_("value"))
    default = models.JSONField(_("default"))
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ["group", "key"]

    def __str__(self) -> str:
        return self.key

    @property
    def display_description(self) -> str:
        return self.description_en if self.description_en and english_ui() else self.description


class DictType(BilingualNameMixin, models.Model):
    """A code table (码表), e.g. ID-document types, customer tiers, complaint categories."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_system = models.BooleanField(
        _("built-in"),
        default=False,
        help_text=_("Built-in tables are used by code; items may change, the table may not be removed"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dictionary")
        verbose_name_plural = _("dictionaries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DictItem(models.Model):
    dict_type = models.ForeignKey(
        DictType, verbose_name=_("dictionary"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    extra = models.JSONField(_("extra attributes"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dictionary item")
        verbose_name_plural = _("dictionary items")
        ordering = ["dict_type", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["dict_type", "code"], name="dictitem_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def display_label(self) -> str:
        return self.label_en if self.label_en and english_ui() else self.label


class WorkCalendar(BilingualNameMixin, models.Model):
    """Working hours used to compute SLA deadlines (e.g. branch hours, 7×24 call center)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    # {"0": [["09:00", "12:00"], ["13:30", "18:00"]], ...}; keys are ISO weekdays 1..7 as strings.
    weekly_hours = models.JSONField(_("weekly hours"), default=dict)
    observe_holidays = models.BooleanField(_("observe public holidays"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up working day (调休上班)")


class Holiday(models.Model):
    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=HolidayKind.choices, default=HolidayKind.HOLIDAY
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
