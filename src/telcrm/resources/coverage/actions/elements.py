"""Writes of network elements and their ports.

Ports. ``port_take`` / ``port_release`` move ``ports_used`` with one compare-and-set UPDATE
(``… WHERE ports_used < ports_total``): two installations racing for the last port cannot both get
it — on PostgreSQL the second UPDATE waits for the first and re-checks the condition on the row the
first one committed — and the CHECK constraint ``ports_used <= ports_total`` stands behind it. They
are called by the order module for an installation it has already authorised, so they check no
permission of their own; the actor (None for a system task) is audited with the reference.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from telcrm.customers.actions._common import Errors
from telcrm.customers.validation import validate_text
from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error
from telcrm.platform.models import OrgUnit

from ..i18n import _
from ..models import (
    KIND_TECHNOLOGY,
    MAX_BANDWIDTH_MBPS,
    MAX_PORTS,
    ElementKind,
    ElementStatus,
    NetworkElement,
    Technology,
)
from ._common import MANAGE, _whole_number

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")
EDITABLE_STATUSES = (ElementStatus.PLANNED, ElementStatus.IN_SERVICE, ElementStatus.MAINTENANCE)
ELEMENT_FIELDS = (
    "name",
    "kind",
    "technology",
    "org_unit",
    "location",
    "ports_total",
    "max_bandwidth_mbps",
    "status",
)


# --- checks of elements ----------------------------------------------------------------------------
def _org_unit(errs: Errors, actor, org_unit) -> OrgUnit | None:
    if org_unit in (None, ""):
        errs.add("org_unit", _("Choose the unit that runs the element."), "required")
        return None
    pk = getattr(org_unit, "pk", org_unit)
    try:
        unit = OrgUnit.objects.restrict(actor).filter(pk=pk).first()
    except (TypeError, ValueError, ValidationError):
        unit = None
    if unit is None:
        errs.add("org_unit", _("This unit is outside your data scope."), "out_of_scope")
    elif not unit.is_active:
        errs.add("org_unit", _("This unit is inactive."), "inactive")
        return None
    return unit


def _choice(errs: Errors, field: str, value, choices, message) -> str | None:
    if value not in choices:
        errs.add(field, message, "invalid_choice")
        return None
    return value


def _technology_for(errs: Errors, kind: str | None, technology) -> str | None:
    """The technology of an element of ``kind``; a given one must be the kind's."""
    if kind is None:
        return None
    provided = KIND_TECHNOLOGY[kind]
    if technology in (None, ""):
        return provided
    if technology not in Technology.values:
        errs.add("technology", _("Choose fibre, copper or 5G FWA."), "invalid_choice")
        return None
    if technology != provided:
        errs.add(
            "technology",
            _("A %(kind)s provides %(provided)s, not %(given)s."),
            "mismatch",
            kind=ElementKind(kind).label,
            provided=Technology(provided).label,
            given=Technology(technology).label,
        )
        return None
    return technology


def _lock_element(actor, element, *, perm: str = MANAGE) -> NetworkElement:
    require_perm(actor, perm)
    return access(NetworkElement.objects, actor, getattr(element, "pk", element), for_update=True)


def _element_state(e: NetworkElement) -> dict:
    return snapshot(e)


# --- network elements ---------------------------------------------------------------------------------
@transaction.atomic
def element_create(
    *,
    actor,
    code: str,
    kind: str,
    org_unit,
    ports_total,
    max_bandwidth_mbps,
    technology: str | None = None,
    status: str = ElementStatus.PLANNED,
    name: str = "",
    location: str = "",
) -> NetworkElement:
    """Register a network element (网元). The technology follows from the kind (OLT: fibre, DSLAM /
    MSAN: copper, 5G cell: 5G FWA); a new element is planned, in service or under maintenance."""
    require_perm(actor, MANAGE)
    errs = Errors()
    code = (code or "").strip()
    if not CODE_RE.match(code):
        errs.add("code", _("Use 2–40 letters, digits, dots, dashes or underscores."), "invalid")
    elif NetworkElement.objects.dangerously_unscoped().filter(code__iexact=code).exists():
        errs.add("code", _("Another element already has this code."), "duplicate")
    kind = _choice(errs, "kind", kind, ElementKind.values, _("Choose a valid kind of element."))
    technology = _technology_for(errs, kind, technology)
    status = _choice(
        errs,
        "status",
        status,
        EDITABLE_STATUSES,
        _("Choose planned, in service or under maintenance."),
    )
    unit = _org_unit(errs, actor, org_unit)
    total = _whole_number(errs, "ports_total", ports_total, low=0, high=MAX_PORTS)
    bandwidth = _whole_number(errs, "max_bandwidth_mbps", max_bandwidth_mbps, low=1, high=MAX_BANDWIDTH_MBPS)
    name = errs.run(validate_text, name, "name", max_length=100) or ""
    location = errs.run(validate_text, location, "location", max_length=200) or ""
    errs.raise_if_any()
    element = NetworkElement.objects.create(
        code=code,
        name=name,
        kind=kind,
        technology=technology,
        org_unit=unit,
        location=location,
        ports_total=total,
        ports_used=0,
        max_bandwidth_mbps=bandwidth,
        status=status,
    )
    audit_write(
        action="coverage.element_create", actor=actor, obj=element, before={}, after=_element_state(element)
    )
    return element


@transaction.atomic
def element_update(*, actor, element, **changes) -> NetworkElement:
    """Change an element's name, kind/technology, unit, location, ports, bandwidth or status.

    The total cannot drop below the ports in use; kind and technology cannot change while the element
    serves addresses; a lower bandwidth caps the addresses' bandwidth; a new unit moves its addresses
    (which carry the element's unit for the data scope) with it."""
    element = _lock_element(actor, element)
    errs = Errors()
    for key in sorted(set(changes) - set(ELEMENT_FIELDS)):
        errs.add(key, _("This field cannot be changed."), "read_only")
    if element.status == ElementStatus.RETIRED:
        errs.add("status", _("This element is retired and cannot be changed."), "retired")
        errs.raise_if_any()
    before = _element_state(element)
    new = {}
    if "kind" in changes or "technology" in changes:
        kind = _choice(
            errs,
            "kind",
            changes.get("kind", element.kind),
            ElementKind.values,
            _("Choose a valid kind of element."),
        )
        technology = _technology_for(
            errs, kind, changes.get("technology", None if "kind" in changes else element.technology)
        )
        if kind and technology and (kind, technology) != (element.kind, element.technology):
            serving = element.addresses.filter(is_active=True).count()
            if serving and technology != element.technology:
                errs.add(
                    "technology",
                    _("The element serves %(n)d addresses; its technology cannot change."),
                    "in_use",
                    n=serving,
                )
            new.update(kind=kind, technology=technology)
    if "status" in changes:
        new["status"] = _choice(
            errs,
            "status",
            changes["status"],
            EDITABLE_STATUSES,
            _("Choose planned, in service or under maintenance."),
        )
    if "org_unit" in changes:
        new["org_unit"] = _org_unit(errs, actor, changes["org_unit"])
    if "ports_total" in changes:
        total = _whole_number(errs, "ports_total", changes["ports_total"], low=0, high=MAX_PORTS)
        if total is not None and total < element.ports_used:
            errs.add(
                "ports_total",
                _("%(used)d ports are in use; the total cannot be lower."),
                "below_used",
                used=element.ports_used,
            )
        new["ports_total"] = total
    if "max_bandwidth_mbps" in changes:
        new["max_bandwidth_mbps"] = _whole_number(
            errs, "max_bandwidth_mbps", changes["max_bandwidth_mbps"], low=1, high=MAX_BANDWIDTH_MBPS
        )
    if "name" in changes:
        new["name"] = errs.run(validate_text, changes["name"], "name", max_length=100) or ""
    if "location" in changes:
        new["location"] = errs.run(validate_text, changes["location"], "location", max_length=200) or ""
    errs.raise_if_any()
    for key, value in new.items():
        setattr(element, key, value)
    element.save()
    capped = moved = 0
    if "max_bandwidth_mbps" in new:
        capped = element.addresses.filter(max_bandwidth_mbps__gt=element.max_bandwidth_mbps).update(
            max_bandwidth_mbps=element.max_bandwidth_mbps, updated_at=timezone.now()
        )
    if "org_unit" in new and before["org_unit_id"] != element.org_unit_id:
        moved = element.addresses.update(org_unit=element.org_unit, updated_at=timezone.now())
    after = _element_state(element)
    if capped:
        after["addresses_capped"] = capped
    if moved:
        after["addresses_moved"] = moved
    audit_write(action="coverage.element_update", actor=actor, obj=element, before=before, after=after)
    return element


@transaction.atomic
def element_retire(*, actor, element) -> NetworkElement:
    """Take an element out of the network for good: it no longer serves its addresses (they are
    retired with it). Refused while customers still hold ports on it."""
    element = _lock_element(actor, element)
    if element.status == ElementStatus.RETIRED:
        raise field_error("status", _("This element is retired already."), "retired")
    if element.ports_used:
        raise field_error(
            "ports_used",
            _("%(n)d ports are still in use; release them before retiring the element."),
            "in_use",
            n=element.ports_used,
        )
    before = _element_state(element)
    now = timezone.now()
    element.status = ElementStatus.RETIRED
    element.retired_at = now
    element.save(update_fields=["status", "retired_at", "updated_at"])
    retired = element.addresses.filter(is_active=True).update(is_active=False, updated_at=now)
    after = {**_element_state(element), "addresses_retired": retired}
    audit_write(action="coverage.element_retire", actor=actor, obj=element, before=before, after=after)
    return element


# --- ports --------------------------------------------------------------------------------------------
def _element_for_ports(element) -> NetworkElement:
    qs = NetworkElement.objects.dangerously_unscoped()  # the network serves whoever the order is for
    if isinstance(element, NetworkElement):
        found = qs.filter(pk=element.pk).first()
    elif isinstance(element, int) and not isinstance(element, bool):
        found = qs.filter(pk=element).first()
    else:
        found = qs.filter(code__iexact=str(element or "").strip()).first()
    if found is None:
        raise field_error(
            "element", _("Unknown network element “%(element)s”."), "unknown", element=str(element)
        )
    return found


@transaction.atomic
def port_take(*, element, actor=None, reference: str = "") -> NetworkElement:
    """Take one subscriber port of ``element`` (a row, its id or its code) for an installation.

    One compare-and-set UPDATE: it succeeds only while the element is in service and has a free port,
    so ``ports_used`` never exceeds ``ports_total``, whatever the number of clerks racing. Raises a
    ValidationError naming ``element`` when no port can be taken (full, under maintenance, not in
    service). Returns the element with its new count."""
    target = _element_for_ports(element)
    taken = (
        NetworkElement.objects.dangerously_unscoped()
        .filter(pk=target.pk, status=ElementStatus.IN_SERVICE, ports_used__lt=F("ports_total"))
        .update(ports_used=F("ports_used") + 1, updated_at=timezone.now())
    )
    target.refresh_from_db()
    if not taken:
        if target.status == ElementStatus.MAINTENANCE:
            raise field_error(
                "element",
                _("%(element)s is under maintenance; no port can be taken."),
                "maintenance",
                element=target.code,
            )
        if target.status != ElementStatus.IN_SERVICE:
            raise field_error(
                "element", _("%(element)s is not in service."), "not_in_service", element=target.code
            )
        raise field_error("element", _("%(element)s has no free port."), "no_free_ports", element=target.code)
    audit_write(
        action="coverage.port_take",
        actor=actor,
        obj=target,
        before={"ports_used": target.ports_used - 1},
        after={"ports_used": target.ports_used, "reference": str(reference)[:100]},
    )
    return target


@transaction.atomic
def port_release(*, element, actor=None, reference: str = "") -> NetworkElement:
    """Give back one port of ``element`` (a cancelled or removed installation)."""
    target = _element_for_ports(element)
    released = (
        NetworkElement.objects.dangerously_unscoped()
        .filter(pk=target.pk, ports_used__gt=0)
        .update(ports_used=F("ports_used") - 1, updated_at=timezone.now())
    )
    target.refresh_from_db()
    if not released:
        raise field_error("element", _("%(element)s has no port in use."), "none_in_use", element=target.code)
    audit_write(
        action="coverage.port_release",
        actor=actor,
        obj=target,
        before={"ports_used": target.ports_used + 1},
        after={"ports_used": target.ports_used, "reference": str(reference)[:100]},
    )
    return target
