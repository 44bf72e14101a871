"""Organisation tree (组织机构): HQ → province → city → branch (营业厅) / team (班组)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import BilingualNameMixin


class OrgKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    BRANCH = "branch", _("Branch")
    TEAM = "team", _("Team")


# Which kind of unit may sit under which.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrgKind.HQ: {OrgKind.PROVINCE},
    OrgKind.PROVINCE: {OrgKind.CITY, OrgKind.TEAM},
    OrgKind.CITY: {OrgKind.BRANCH, OrgKind.TEAM},
    OrgKind.BRANCH: {OrgKind.TEAM},
    OrgKind.TEAM: set(),
}


class OrgUnitQuerySet(models.QuerySet):
    def restrict(self, user) -> OrgUnitQuerySet:
        """Units a user may see: everything, their subtree, or their own unit."""
        from .users import DataScope

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.data_scope
        if scope == DataScope.ALL:
            return self.all()
        if scope == DataScope.SUBTREE:
            return self.filter(path__startswith=user.org_unit.path)
        return self.filter(pk=user.org_unit_id)

    def dangerously_unscoped(self) -> OrgUnitQuerySet:
        return self.all()


class OrgUnit(BilingualNameMixin, models.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path of zero-padded ids ("000001.000007.000042."), so a subtree is one
    indexed prefix scan; the tree is small (thousands of rows) while business tables are large, so
    scoped queries filter business rows by ``org_unit_id IN (subtree ids)``.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    region_code = models.CharField(
        _("region code"), max_length=12, blank=True, help_text=_("Area code, e.g. 0571")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def path_segment(pk: int) -> str:
        return f"{pk:06d}."

    def subtree_filter(self, field: str = "org_unit") -> models.Q:
        return models.Q(**{f"{field}__path__startswith": self.path})

    def is_ancestor_of(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)
