"""Network coverage (网络覆盖, RES-4): the access network's elements and the addresses they reach.

A :class:`NetworkElement` (网元: an OLT for fibre, a DSLAM/MSAN for copper, a 5G cell for fixed
wireless) belongs to the city (or district) unit that runs it and has a real number of subscriber
ports; installing broadband takes one (``actions.port_take``), so ``ports_used`` never exceeds
``ports_total`` — a compare-and-set UPDATE in the action and a CHECK constraint in the database.

A :class:`CoveredAddress` is an address the network reaches, with the element serving it, the
technology and the best bandwidth available there. Its ``*_key`` columns hold the normalised address
(normalize.py) that ``queries.installability`` looks up; one row per normalised address and element.

Data scope. Coverage is reference data of a region, not records someone owns: a member of staff
sees the network of the region they work in — the nearest city (or province, or HQ) above or at
their unit — whatever their role's own/subtree scope; "all" sees everything
(:meth:`CoverageQuerySet.restrict`). Whether an address can be installed does not depend on who asks:
``installability`` reads the whole network.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, Subquery

from telcrm.platform.models import DataScope, OrgKind, OrgUnit, ScopedModel, ScopedQuerySet

from .i18n import _

REGION_KINDS = (OrgKind.CITY, OrgKind.PROVINCE, OrgKind.HQ)
MAX_PORTS = 1_000_000
MAX_BANDWIDTH_MBPS = 100_000


class Technology(models.TextChoices):
    FIBRE = "fibre", _("Fibre (FTTH)")
    COPPER = "copper", _("Copper (ADSL/VDSL)")
    FWA_5G = "fwa_5g", _("5G FWA")


class ElementKind(models.TextChoices):
    OLT = "olt", _("OLT")
    DSLAM = "dslam", _("DSLAM")
    MSAN = "msan", _("MSAN")
    CELL_5G = "cell_5g", _("5G cell")


# Which technology each kind of element provides.
KIND_TECHNOLOGY: dict[str, str] = {
    ElementKind.OLT: Technology.FIBRE,
    ElementKind.DSLAM: Technology.COPPER,
    ElementKind.MSAN: Technology.COPPER,
    ElementKind.CELL_5G: Technology.FWA_5G,
}


class ElementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_SERVICE = "in_service", _("In service")
    MAINTENANCE = "maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


def region_path(user) -> Subquery:
    """The materialised path of the user's region: the nearest unit at or above theirs that is a
    city, a province or HQ, as a subquery (the ancestors' paths come from the unit's own path)."""
    parts = [p for p in user.org_unit.path.split(".") if p]
    ancestors = [".".join(parts[: i + 1]) + "." for i in range(len(parts))]
    return Subquery(
        OrgUnit.objects.filter(path__in=ancestors, kind__in=REGION_KINDS)
        .order_by("-depth")
        .values("path")[:1]
    )


def coverage_scope_q(user, field: str = "org_unit") -> Q:
    """Rows of the network the user may see (the module's docstring: the region they work in)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.data_scope == DataScope.ALL:
        return Q()
    if not user.org_unit_id:
        return Q(pk__in=[])
    units = OrgUnit.objects.filter(path__startswith=region_path(user)).values("id")
    return Q(**{f"{field}_id__in": units})


class CoverageQuerySet(ScopedQuerySet):
    def restrict(self, user) -> CoverageQuerySet:
        qs = self.filter(coverage_scope_q(user))
        qs._scoped_for = user
        return qs


class NetworkElement(ScopedModel):
    """An access-network element (网元) with its subscriber ports; ``org_unit`` runs it."""

    code = models.CharField(_("element code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ElementKind.choices)
    technology = models.CharField(_("technology"), max_length=16, choices=Technology.choices, db_index=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    ports_total = models.PositiveIntegerField(_("ports in total"))
    ports_used = models.PositiveIntegerField(_("ports in use"), default=0)
    max_bandwidth_mbps = models.PositiveIntegerField(_("maximum bandwidth (Mbps)"))
    status = models.CharField(
        _("status"), max_length=16, choices=ElementStatus.choices, default=ElementStatus.PLANNED
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = CoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("network element")
        verbose_name_plural = _("network elements")
        ordering = ["code"]
        default_permissions = ()
        permissions = [
            ("view_coverage", _("Can view network coverage and check installability")),
            ("manage_coverage", _("Can manage network elements, coverage and imports")),
        ]
        indexes = [
            models.Index(fields=["org_unit", "status", "code"], name="coverage_element_org_idx"),
            models.Index(fields=["status", "technology"], name="coverage_element_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ports_used__lte=F("ports_total")), name="coverage_element_ports_within_total"
            ),
            models.CheckConstraint(
                condition=Q(max_bandwidth_mbps__gt=0), name="coverage_element_bandwidth_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def free_ports(self) -> int:
        return max(self.ports_total - self.ports_used, 0)

    @property
    def used_percent(self) -> int:
        if not self.ports_total:
            return 100 if self.ports_used else 0
        return min(100, round(self.ports_used * 100 / self.ports_total))


class CoveredAddress(ScopedModel):
    """An address the network reaches (覆盖地址); ``org_unit`` is the serving element's unit."""

    province = models.CharField(_("province"), max_length=40)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    building = models.CharField(_("building / community"), max_length=100, blank=True)
    element = models.ForeignKey(
        NetworkElement, verbose_name=_("network element"), on_delete=models.PROTECT, related_name="addresses"
    )
    technology = models.CharField(_("technology"), max_length=16, choices=Technology.choices)
    max_bandwidth_mbps = models.PositiveIntegerField(_("maximum bandwidth (Mbps)"))
    is_active = models.BooleanField(_("active"), default=True)
    # the normalised address (normalize.normalize_address): what installability looks up
    province_key = models.CharField(max_length=40, blank=True, editable=False)
    city_key = models.CharField(max_length=40, editable=False)
    district_key = models.CharField(max_length=40, blank=True, editable=False)
    street_key = models.CharField(max_length=200, editable=False)
    building_key = models.CharField(max_length=320, blank=True, editable=False)
    search_key = models.CharField(_("normalised address"), max_length=700, editable=False)
    sort_key = models.CharField(max_length=220, editable=False)  # street_key, number zero-padded

    objects = CoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("covered address")
        verbose_name_plural = _("covered addresses")
        ordering = ["city_key", "district_key", "sort_key", "building_key", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["search_key", "element"], name="coverage_address_unique_key"),
            models.CheckConstraint(
                condition=Q(max_bandwidth_mbps__gt=0), name="coverage_address_bandwidth_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["city_key", "street_key"], name="coverage_address_lookup_idx"),
            models.Index(
                fields=["city_key", "district_key", "sort_key", "building_key", "id"],
                name="coverage_address_order_idx",
            ),
            models.Index(fields=["org_unit", "city_key", "district_key"], name="coverage_address_org_idx"),
            models.Index(fields=["technology", "id"], name="coverage_address_tech_idx"),
        ]

    def __str__(self) -> str:
        building = f" {self.building}" if self.building else ""
        return f"{self.province}{self.city}{self.district}{self.street}{building}"

    @property
    def full_address(self) -> str:
        return str(self)


__all__ = [
    "KIND_TECHNOLOGY",
    "MAX_BANDWIDTH_MBPS",
    "MAX_PORTS",
    "REGION_KINDS",
    "CoverageQuerySet",
    "CoveredAddress",
    "ElementKind",
    "ElementStatus",
    "NetworkElement",
    "Technology",
    "coverage_scope_q",
]
