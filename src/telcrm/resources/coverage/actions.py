"""Every write of network coverage (ARCHITECTURE §4): keyword-only functions, each one transaction
that checks the permission, fetches its target through the data scope, validates (ValidationError
naming the field), changes and audits. The UI, the API, the import job and the demo's callers all use
these; nothing else writes coverage rows.

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
from django.db.models.functions import Lower
from django.utils import timezone

from telcrm.customers.actions._common import Errors
from telcrm.customers.validation import validate_text
from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, audit_write_many, snapshot
from telcrm.platform.bulk import insert_many
from telcrm.platform.errors import field_error
from telcrm.platform.models import OrgUnit

from .i18n import _
from .models import (
    KIND_TECHNOLOGY,
    MAX_BANDWIDTH_MBPS,
    MAX_PORTS,
    CoveredAddress,
    ElementKind,
    ElementStatus,
    NetworkElement,
    Technology,
)
from .normalize import normalize_address

MANAGE = "coverage.manage_coverage"
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
ADDRESS_FIELDS = ("province", "city", "district", "street", "building", "technology", "max_bandwidth_mbps")
UPSERT_FIELDS = (
    *ADDRESS_FIELDS,
    "element",
    "org_unit",
    "is_active",
    "province_key",
    "city_key",
    "district_key",
    "street_key",
    "building_key",
    "search_key",
    "sort_key",
)


# --- shared checks ------------------------------------------------------------------------------------
def _whole_number(errs: Errors, field: str, value, *, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errs.add(field, _("Enter a whole number from %(low)d to %(high)d."), "invalid", low=low, high=high)
        return None
    return number


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


# --- covered addresses --------------------------------------------------------------------------------
def _element_key(element):
    if isinstance(element, NetworkElement):
        return element.pk
    if isinstance(element, int) and not isinstance(element, bool):
        return element
    if isinstance(element, str) and element.strip():
        return element.strip().lower()
    return None


def _preload_elements(actor, refs) -> dict:
    """{id or lower-case code: element} of the elements in the actor's scope that ``refs`` name (rows,
    ids or codes), in at most two queries."""
    keys = {_element_key(r) for r in refs} - {None}
    codes = {k for k in keys if isinstance(k, str)}
    ids = keys - codes
    qs = NetworkElement.objects.restrict(actor).order_by()
    found = {}
    if codes:
        for e in qs.annotate(_code=Lower("code")).filter(_code__in=codes):
            found[e.code.lower()] = e
    if ids:
        for e in qs.filter(pk__in=ids):
            found[e.pk] = e
    return found


def _resolve_element(errs: Errors, actor, element, *, known: dict | None = None) -> NetworkElement | None:
    """An element in the actor's scope given as a row, an id or a code; not retired. ``known`` holds
    the elements already fetched through the scope (_preload_elements)."""
    key = _element_key(element)
    if known is None:
        known = _preload_elements(actor, [element]) if key is not None else {}
    found = known.get(key) if key is not None else None
    if found is None:
        shown = getattr(element, "code", element)
        if shown in (None, ""):
            errs.add("element", _("Choose the network element serving the address."), "required")
        else:
            errs.add("element", _("Unknown network element “%(element)s”."), "unknown", element=str(shown))
        return None
    if found.status == ElementStatus.RETIRED:
        errs.add("element", _("%(element)s is retired."), "retired", element=found.code)
        return None
    return found


def _clean_address(
    errs: Errors, actor, data: dict, *, current: CoveredAddress | None = None, known: dict | None = None
) -> dict:
    out = {}
    for key, limit, required in (
        ("province", 40, True),
        ("city", 40, True),
        ("district", 40, False),
        ("street", 200, True),
        ("building", 100, False),
    ):
        out[key] = errs.run(validate_text, data.get(key), key, max_length=limit, required=required)
    element = current.element if current is not None and "element" not in data else None
    if element is None:
        element = _resolve_element(errs, actor, data.get("element"), known=known)
    out["element"] = element
    tech = data.get("technology") or None
    if element is not None:
        if tech is None:
            tech = (
                current.technology
                if current is not None and current.element_id == element.pk
                else element.technology
            )
        if tech not in Technology.values:
            errs.add("technology", _("Choose fibre, copper or 5G FWA."), "invalid_choice")
        elif tech != element.technology:
            errs.add(
                "technology",
                _("%(element)s provides %(technology)s only."),
                "mismatch",
                element=element.code,
                technology=Technology(element.technology).label,
            )
        bandwidth = data.get("max_bandwidth_mbps")
        if bandwidth in (None, ""):
            if current is not None and current.element_id == element.pk:
                bandwidth = min(current.max_bandwidth_mbps, element.max_bandwidth_mbps)
            else:
                bandwidth = element.max_bandwidth_mbps
        bandwidth = _whole_number(errs, "max_bandwidth_mbps", bandwidth, low=1, high=MAX_BANDWIDTH_MBPS)
        if bandwidth is not None and bandwidth > element.max_bandwidth_mbps:
            errs.add(
                "max_bandwidth_mbps",
                _("%(element)s offers at most %(max)d Mbps."),
                "above_element",
                element=element.code,
                max=element.max_bandwidth_mbps,
            )
        out["technology"] = tech
        out["max_bandwidth_mbps"] = bandwidth
    if all(out.get(k) is not None for k in ("province", "city", "district", "street", "building")):
        key = normalize_address(out["province"], out["city"], out["district"], out["street"], out["building"])
        if out["street"] and not key.has_number:
            errs.add(
                "street",
                _("Enter the street with its house number (门牌号), e.g. 文三路88号."),
                "no_number",
            )
        out["key"] = key
    return out


def _apply(row: CoveredAddress, data: dict) -> None:
    key = data["key"]
    for name in ("province", "city", "district", "street", "building", "technology", "max_bandwidth_mbps"):
        setattr(row, name, data[name])
    row.element = data["element"]
    row.org_unit_id = data["element"].org_unit_id
    row.province_key, row.city_key, row.district_key = key.province, key.city, key.district
    row.street_key, row.building_key, row.search_key = key.street, key.rest, key.key
    row.sort_key = key.sort_key


def _duplicate(data: dict, exclude_pk=None) -> CoveredAddress | None:
    qs = CoveredAddress.objects.dangerously_unscoped().filter(
        search_key=data["key"].key, element=data["element"]
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_for_update().first()


def _address_state(row: CoveredAddress) -> dict:
    return snapshot(
        row,
        [
            "province",
            "city",
            "district",
            "street",
            "building",
            "element",
            "technology",
            "max_bandwidth_mbps",
            "is_active",
        ],
    )


@transaction.atomic
def covered_address_create(
    *,
    actor,
    element,
    province: str,
    city: str,
    street: str,
    district: str = "",
    building: str = "",
    technology: str | None = None,
    max_bandwidth_mbps=None,
) -> CoveredAddress:
    """Record that ``element`` reaches an address. The technology is the element's; the bandwidth is
    at most the element's (its default). One row per normalised address and element."""
    require_perm(actor, MANAGE)
    errs = Errors()
    data = _clean_address(
        errs,
        actor,
        {
            "element": element,
            "province": province,
            "city": city,
            "district": district,
            "street": street,
            "building": building,
            "technology": technology,
            "max_bandwidth_mbps": max_bandwidth_mbps,
        },
    )
    if "street" not in errs and data.get("key") is not None and data.get("element") is not None:
        other = _duplicate(data)
        if other is not None:
            errs.add(
                "street",
                _("This address is already covered by %(element)s."),
                "duplicate",
                element=data["element"].code,
            )
    errs.raise_if_any()
    row = CoveredAddress()
    _apply(row, data)
    row.save()
    audit_write(action="coverage.address_create", actor=actor, obj=row, before={}, after=_address_state(row))
    return row


@transaction.atomic
def covered_address_update(*, actor, address, **changes) -> CoveredAddress:
    """Change a covered address (its spelling, building, element, technology or bandwidth)."""
    require_perm(actor, MANAGE)
    row = access(
        CoveredAddress.objects.select_related("element"),
        actor,
        getattr(address, "pk", address),
        for_update=True,
    )
    errs = Errors()
    for key in sorted(set(changes) - {*ADDRESS_FIELDS, "element"}):
        errs.add(key, _("This field cannot be changed."), "read_only")
    if not row.is_active:
        errs.add("is_active", _("This covered address is retired and cannot be changed."), "retired")
        errs.raise_if_any()
    data = {k: getattr(row, k) for k in ("province", "city", "district", "street", "building")}
    data.update({k: v for k, v in changes.items() if k in (*ADDRESS_FIELDS, "element")})
    if "element" not in changes and "max_bandwidth_mbps" not in changes:
        data["max_bandwidth_mbps"] = row.max_bandwidth_mbps
    cleaned = _clean_address(errs, actor, data, current=row)
    if not errs.errors and _duplicate(cleaned, exclude_pk=row.pk) is not None:
        errs.add(
            "street",
            _("This address is already covered by %(element)s."),
            "duplicate",
            element=cleaned["element"].code,
        )
    errs.raise_if_any()
    before = _address_state(row)
    _apply(row, cleaned)
    row.save()
    audit_write(
        action="coverage.address_update", actor=actor, obj=row, before=before, after=_address_state(row)
    )
    return row


@transaction.atomic
def covered_address_retire(*, actor, address) -> CoveredAddress:
    """The network no longer reaches the address through this element (the row stays for the record)."""
    require_perm(actor, MANAGE)
    row = access(CoveredAddress.objects, actor, getattr(address, "pk", address), for_update=True)
    if not row.is_active:
        raise field_error("is_active", _("This covered address is retired already."), "retired")
    before = _address_state(row)
    row.is_active = False
    row.save(update_fields=["is_active", "updated_at"])
    audit_write(
        action="coverage.address_retire", actor=actor, obj=row, before=before, after=_address_state(row)
    )
    return row


@transaction.atomic
def covered_address_save(
    *,
    actor,
    element,
    province: str,
    city: str,
    street: str,
    district: str = "",
    building: str = "",
    technology: str | None = None,
    max_bandwidth_mbps=None,
) -> tuple[CoveredAddress, bool]:
    """Create the covered address, or update the row the element has for the same normalised address
    (restoring it if it was retired). Returns (row, created); a ValidationError naming the fields."""
    data = {
        "element": element,
        "province": province,
        "city": city,
        "district": district,
        "street": street,
        "building": building,
        "technology": technology,
        "max_bandwidth_mbps": max_bandwidth_mbps,
    }
    ((row, created, error),) = covered_addresses_save_many(actor=actor, rows=[data])
    if error is not None:
        raise error
    return row, created


@transaction.atomic
def covered_addresses_save_many(*, actor, rows: list[dict]) -> list[tuple]:
    """:func:`covered_address_save` for many rows at once (what the import calls per batch): each row
    validated like a single one, then the new rows inserted in one statement, the changed ones
    updated, an audit record per row written or changed. Returns ``(row, created, None)`` or
    ``(None, False, ValidationError)`` per input row; a row with errors writes nothing. Rows of the
    same batch naming the same address and element: the later one updates the earlier."""
    require_perm(actor, MANAGE)
    known = _preload_elements(actor, [r.get("element") for r in rows])
    cleaned = []
    for data in rows:
        errs = Errors()
        c = _clean_address(errs, actor, {k: data.get(k) for k in (*ADDRESS_FIELDS, "element")}, known=known)
        cleaned.append((c, ValidationError(errs.errors) if errs.errors else None))
    pairs = {(c["key"].key, c["element"].pk) for c, err in cleaned if err is None}
    existing: dict[tuple[str, int], CoveredAddress] = {}
    if pairs:
        found = (
            CoveredAddress.objects.dangerously_unscoped()
            .filter(search_key__in={k for k, _e in pairs}, element_id__in={e for _k, e in pairs})
            .select_related("element")
            .select_for_update()
            .order_by()
        )
        existing = {(r.search_key, r.element_id): r for r in found if (r.search_key, r.element_id) in pairs}
    before = {pk: _address_state(r) for pk, r in ((r.pk, r) for r in existing.values())}
    new: list[CoveredAddress] = []
    out = []
    for c, err in cleaned:
        if err is not None:
            out.append((None, False, err))
            continue
        pair = (c["key"].key, c["element"].pk)
        row = existing.get(pair)
        created = row is None
        if created:
            row = existing[pair] = CoveredAddress()
            new.append(row)
        _apply(row, c)
        row.is_active = True
        out.append((row, created, None))
    insert_many(new, actor=actor, history=False)
    now = timezone.now()
    changed = [
        r
        for pk, r in ((r.pk, r) for r in existing.values())
        if pk in before and _address_state(r) != before[pk]
    ]
    for r in changed:
        r.updated_at = now
    if changed:
        CoveredAddress.objects.bulk_update(changed, [*UPSERT_FIELDS, "updated_at"])
    audit_write_many(
        [
            {
                "action": "coverage.address_create",
                "actor": actor,
                "obj": r,
                "before": {},
                "after": _address_state(r),
            }
            for r in new
        ]
        + [
            {
                "action": "coverage.address_update",
                "actor": actor,
                "obj": r,
                "before": before[r.pk],
                "after": _address_state(r),
            }
            for r in changed
        ]
    )
    return out
