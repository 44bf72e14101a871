"""Organisation tree actions."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..auditing import audit_write, snapshot
from ..errors import field_error
from ..models import ALLOWED_CHILDREN, OrgKind, OrgUnit
from ._base import access, require_perm, validate

EDITABLE = ("name", "name_en", "region_code", "address", "is_active")


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    if parent is None:
        if kind != OrgKind.HQ:
            raise field_error("parent", _("Only the headquarters has no parent unit."), "required")
        if OrgUnit.objects.filter(parent__isnull=True).exists():
            raise field_error("parent", _("There is already a headquarters unit."), "unique")
        return
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise field_error(
            "kind",
            _("A %(kind)s cannot be placed under a %(parent)s."),
            "invalid_parent",
            kind=OrgKind(kind).label,
            parent=OrgKind(parent.kind).label,
        )


@transaction.atomic
def org_unit_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    name_en: str = "",
    region_code: str = "",
    address: str = "",
) -> OrgUnit:
    if actor is not None:
        require_perm(actor, "platform.manage_platform")
        if parent is not None:
            parent = access(OrgUnit.objects, actor, parent.pk)
    if kind not in OrgKind.values:
        raise field_error("kind", _("Choose a valid kind of unit."), "invalid_choice")
    _check_parent(kind, parent)
    unit = OrgUnit(
        code=code.strip(),
        name=name.strip(),
        name_en=name_en.strip(),
        kind=kind,
        parent=parent,
        region_code=region_code.strip(),
        address=address.strip(),
        path="pending",
        depth=(parent.depth + 1) if parent else 0,
    )
    validate(unit)
    unit.save()
    unit.path = (parent.path if parent else "") + OrgUnit.path_segment(unit.pk)
    unit.save(update_fields=["path"])
    audit_write(action="org_unit.create", actor=actor, obj=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(*, actor, unit: OrgUnit, **changes) -> OrgUnit:
    require_perm(actor, "platform.manage_platform")
    unit = access(OrgUnit.objects, actor, unit.pk, for_update=True)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(unit)
    if changes.get("is_active") is False and unit.users.filter(is_active=True).exists():
        raise field_error("is_active", _("Deactivate or move the unit's users first."), "has_users")
    for k, v in changes.items():
        setattr(unit, k, v.strip() if isinstance(v, str) else v)
    validate(unit)
    unit.save()
    audit_write(action="org_unit.update", actor=actor, obj=unit, before=before, after=snapshot(unit))
    return unit
