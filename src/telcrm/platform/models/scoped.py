"""The one data-scope mechanism (PLT-1): every business row carries an org unit and an owner.

``Model.objects.restrict(user)`` narrows a queryset to what the user's role lets them see:
own records, their org subtree, or everything. queries.py of every module starts from it; the API
base viewset (platform/api/viewsets.py) makes it impossible to skip; writes fetch their target
through the same restriction before changing it (``access_*`` helpers), so a row outside the scope
can be neither read nor written. A deliberate bypass is spelled ``dangerously_unscoped()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def subtree_ids(org_unit) -> models.QuerySet:
    from .org import OrgUnit

    return OrgUnit.objects.filter(path__startswith=org_unit.path).values("id")


def scope_q(user, *, org_field: str = "org_unit", owner_field: str | None = "owner") -> models.Q:
    """Q object selecting the rows ``user`` may access; empty Q for everything, a false Q for nothing."""
    from .users import DataScope

    if user is None or not user.is_authenticated or not user.is_active:
        return models.Q(pk__in=[])
    scope = user.data_scope
    if scope == DataScope.ALL:
        return models.Q()
    if scope == DataScope.SUBTREE:
        return models.Q(**{f"{org_field}_id__in": subtree_ids(user.org_unit)})
    if owner_field == "pk":
        return models.Q(pk=user.pk)  # the row is the user themselves
    if owner_field is None:
        # Rows without an owner (e.g. org units) are visible at own scope only within one's own unit.
        return models.Q(**{f"{org_field}_id": user.org_unit_id})
    return models.Q(**{f"{owner_field}_id": user.pk})


class ScopedQuerySet(models.QuerySet):
    scope_org_field = "org_unit"
    scope_owner_field: str | None = "owner"

    def restrict(self, user) -> ScopedQuerySet:
        qs = self.filter(scope_q(user, org_field=self.scope_org_field, owner_field=self.scope_owner_field))
        qs._scoped_for = user
        return qs

    def dangerously_unscoped(self) -> ScopedQuerySet:
        """The explicit bypass, for system work (tasks acting for no user, migrations, health checks)."""
        return self.all()

    def _clone(self):
        c = super()._clone()
        c._scoped_for = getattr(self, "_scoped_for", None)
        return c


class ScopedModel(models.Model):
    """Abstract base of every business row: org unit, owner, and timestamps."""

    org_unit = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("organisation unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
