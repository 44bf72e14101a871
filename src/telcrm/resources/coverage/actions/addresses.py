"""Writes of covered addresses: one at a time (the UI, the API) or many at once (the import)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from telcrm.customers.actions._common import Errors
from telcrm.customers.validation import validate_text
from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, audit_write_many, snapshot
from telcrm.platform.bulk import insert_many
from telcrm.platform.errors import field_error

from ..i18n import _
from ..models import MAX_BANDWIDTH_MBPS, CoveredAddress, ElementStatus, NetworkElement, Technology
from ..normalize import normalize_address
from ._common import MANAGE, _whole_number

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
            .select_for_update(of=("self",))  # the rows, not their elements (port_take updates those)
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
