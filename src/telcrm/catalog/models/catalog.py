"""Catalog (产品目录), categories and product specifications (TM Forum SID names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import BilingualNameMixin

from .common import LifecycleStatus, SpecKind


class Catalog(BilingualNameMixin, models.Model):
    """A catalog: a named set of categories published to a channel or a market."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    catalog_type = models.CharField(_("catalog type"), max_length=40, blank=True)
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.ACTIVE
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="catalogs"
    )
    last_update = models.DateTimeField(_("last update"), auto_now=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catalog")
        verbose_name_plural = _("catalogs")
        ordering = ["id"]
        # view_catalog (a default permission of this model) lets every role browse the catalog.
        permissions = [("manage_catalog", _("Can manage the product catalog"))]

    def __str__(self) -> str:
        return self.name


class Category(BilingualNameMixin, models.Model):
    """A node of the category tree (5G套餐, 流量包, 宽带 …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort = models.PositiveIntegerField(_("sort order"), default=0)
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.ACTIVE
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    last_update = models.DateTimeField(_("last update"), auto_now=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


class ProductSpecification(BilingualNameMixin, models.Model):
    """What is technically provided (a 5G line, a fibre access, a handset model).

    ``characteristics`` is a list of ``{"name", "valueType", "values": [...], "unit"}`` describing the
    configurable attributes (TMF620 productSpecCharacteristic).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SpecKind.choices)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    characteristics = models.JSONField(_("characteristics"), default=list, blank=True)
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.ACTIVE
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    last_update = models.DateTimeField(_("last update"), auto_now=True)
    extra = models.JSONField(_("other attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("product specification")
        verbose_name_plural = _("product specifications")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
