"""Knowledge articles (知识条目): a category tree, articles and their versions, helpfulness votes.

An :class:`Article` is the stable identity (its number, counts, the live copy that search reads);
every edit is a new :class:`ArticleVersion`. Publishing a version copies its content onto the
article (title, body, keywords, validity and the search tokens of ``text.search_tokens``), so the
search page reads one table; earlier versions stay, archived, and can be opened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ("sort", "code")
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a newer edit")
    ARCHIVED = "archived", _("Archived (replaced by a newer version)")


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.PENDING, VersionStatus.REJECTED)


class Article(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation unit"),
    )
    # the live (published) copy; empty until the first version is published
    published_version = models.ForeignKey(
        "ArticleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    search_title = models.TextField(_("title search tokens"), blank=True, default="")
    search_text = models.TextField(_("body search tokens"), blank=True, default="")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ("-id",)
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        permissions = [
            ("write_article", _("Write knowledge articles and submit them for review")),
            ("review_article", _("Review and publish knowledge articles")),
        ]
        indexes = [models.Index(fields=["published_at", "valid_until"], name="kb_article_live_idx")]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    @property
    def helpful_total(self) -> int:
        return self.helpful_yes + self.helpful_no


class ArticleVersion(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ("article", "-number")
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="kb_version_status_idx")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArticleFeedback(models.Model):
    """One user's answer to "was this helpful?" for an article (changeable; counted on the article)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    helpful = models.BooleanField(_("helpful"))
    at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="kb_feedback_one_per_user")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"
