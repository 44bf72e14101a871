"""Decision tables (资格与兼容规则) and their versions.

A table holds its rules as versions of one DMN 1.3 document. At most one version is a draft (the one
an administrator edits) and exactly one is published once the table has been published: the one the
engine evaluates. Publishing a draft archives the version it replaces; archived versions stay, read
only, so every rule that was ever in force can be looked at and restored. Both "at most one" rules
are unique constraints in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import BilingualNameMixin

CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_-]{0,49}$",
    _("Use letters, digits, - and _, starting with a letter."),
    "invalid",
)


class RuleKind(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Eligibility")
    COMPATIBILITY = "compatibility", _("Compatibility")


class HitPolicy(models.TextChoices):
    COLLECT = "COLLECT", _("Collect (every matching row)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class DecisionTable(BilingualNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices, db_index=True)
    hit_policy = models.CharField(
        _("hit policy"), max_length=16, choices=HitPolicy.choices, default=HitPolicy.COLLECT
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active tables are evaluated for orders")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_number = models.PositiveIntegerField(_("last version number"), default=0, editable=False)
    changed_at = models.DateTimeField(_("last change"), null=True, blank=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("decision table")
        verbose_name_plural = _("decision tables")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.code


class DecisionTableVersion(models.Model):
    table = models.ForeignKey(
        DecisionTable, verbose_name=_("decision table"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    dmn_xml = models.TextField(_("DMN XML"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, db_index=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision table version")
        verbose_name_plural = _("decision table versions")
        ordering = ["table", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="catalog_rules_version_number_unique"),
            models.UniqueConstraint(
                fields=["table"],
                condition=Q(status="published"),
                name="catalog_rules_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["table"], condition=Q(status="draft"), name="catalog_rules_one_draft_version"
            ),
        ]
        indexes = [models.Index(fields=["status", "table"], name="catalog_rules_status_table")]

    def __str__(self) -> str:
        table = self._state.fields_cache.get("table")
        return f"{table.code if table else self.table_id} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT
