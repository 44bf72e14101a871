"""Parameters, dictionaries and calendars: administrator edits, each validated and audited."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import parameters
from ..auditing import audit_write, snapshot
from ..calendar import parse_weekly
from ..errors import field_error
from ..models import DictItem, DictType, Holiday, Parameter, WorkCalendar
from ._base import require_perm, validate

PERM = "platform.manage_parameters"


@transaction.atomic
def parameter_update(*, actor, parameter: Parameter, value, reason: str = "") -> Parameter:
    require_perm(actor, PERM)
    p = Parameter.objects.select_for_update().get(pk=parameter.pk)
    before = snapshot(p, ["value"])
    p.value = parameters.coerce(
        p.type, value, min_value=p.min_value, max_value=p.max_value, choices=p.choices
    )
    p.updated_by = actor
    p._change_reason = reason[:100] if reason else ""
    p._history_user = actor  # "who" on the history page, also when called from a task or command
    p.save()
    transaction.on_commit(parameters.invalidate)
    audit_write(action="parameter.update", actor=actor, obj=p, before=before, after=snapshot(p, ["value"]))
    return p


@transaction.atomic
def dict_type_create(*, actor, code: str, name: str, name_en: str = "", description: str = "") -> DictType:
    require_perm(actor, PERM)
    d = DictType(
        code=code.strip(), name=name.strip(), name_en=name_en.strip(), description=description.strip()
    )
    validate(d)
    d.save()
    audit_write(action="dict_type.create", actor=actor, obj=d, after=snapshot(d))
    return d


@transaction.atomic
def dict_item_save(
    *,
    actor,
    dict_type: DictType,
    item: DictItem | None = None,
    code: str,
    label: str,
    label_en: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    parent: DictItem | None = None,
) -> DictItem:
    """Create (item=None) or update a dictionary item."""
    require_perm(actor, PERM)
    if item is None:
        item = DictItem(dict_type=dict_type)
        before = None
    else:
        item = DictItem.objects.select_for_update().get(pk=item.pk, dict_type=dict_type)
        before = snapshot(item)
        if item.code != code.strip():
            raise field_error(
                "code", _("The code of an item cannot change; add a new item instead."), "read_only"
            )
    if parent is not None and parent.dict_type_id != dict_type.pk:
        raise field_error("parent", _("The parent item must belong to the same dictionary."), "invalid")
    if parent is not None and item.pk is not None and _is_descendant(parent, item):
        raise field_error(
            "parent", _("An item cannot be placed under itself or one of its sub-items."), "cycle"
        )
    if DictItem.objects.filter(dict_type=dict_type, code=code.strip()).exclude(pk=item.pk).exists():
        raise field_error(
            "code",
            _("This dictionary already has an item with code %(value)s."),
            "unique",
            value=code.strip(),
        )
    item.code, item.label, item.label_en = code.strip(), label.strip(), label_en.strip()
    item.sort_order, item.is_active, item.parent = sort_order, is_active, parent
    validate(item)
    item.save()
    transaction.on_commit(lambda: _invalidate_dicts())
    audit_write(
        action="dict_item.create" if before is None else "dict_item.update",
        actor=actor,
        obj=item,
        before=before,
        after=snapshot(item),
    )
    return item


def _is_descendant(candidate: DictItem, item: DictItem) -> bool:
    """Whether ``candidate`` is ``item`` or lies below it (walks up from the candidate; trees are shallow)."""
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.pk == item.pk:
            return True
        seen.add(node.pk)
        node = DictItem.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    return False


def _invalidate_dicts() -> None:
    from ..queries.config import invalidate_dictionaries

    invalidate_dictionaries()


@transaction.atomic
def holiday_save(*, actor, date: dt.date, name: str, kind: str) -> Holiday:
    require_perm(actor, PERM)
    h = Holiday.objects.select_for_update().filter(date=date).first()
    before = snapshot(h) if h else None
    h = h or Holiday(date=date)
    h.name, h.kind = name.strip(), kind
    validate(h)
    h.save()
    audit_write(action="holiday.save", actor=actor, obj=h, before=before, after=snapshot(h))
    return h


@transaction.atomic
def holiday_delete(*, actor, holiday: Holiday) -> None:
    require_perm(actor, PERM)
    before = snapshot(holiday)
    audit_write(action="holiday.delete", actor=actor, obj=holiday, before=before, after=None)
    holiday.delete()


@transaction.atomic
def work_calendar_update(
    *,
    actor,
    calendar: WorkCalendar,
    weekly_hours: dict,
    name: str | None = None,
    observe_holidays: bool | None = None,
    name_en: str | None = None,
) -> WorkCalendar:
    require_perm(actor, PERM)
    cal = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)
    before = snapshot(cal)
    try:
        weekly = parse_weekly(weekly_hours)
    except (ValueError, TypeError) as exc:
        raise field_error(
            "weekly_hours", _("Enter hours as HH:MM-HH:MM, for example 09:00-12:00."), "invalid"
        ) from exc
    for day, spans in weekly.items():
        if not 1 <= day <= 7:
            raise field_error("weekly_hours", _("Weekdays are numbered 1 (Monday) to 7 (Sunday)."), "invalid")
        for (_a1, b1), (a2, _b2) in itertools.pairwise(spans):
            if a2 < b1:
                raise field_error(
                    "weekly_hours", _("Working intervals of one day must not overlap."), "overlap"
                )
    cal.weekly_hours = weekly_hours
    if name is not None:
        cal.name = name.strip()
    if name_en is not None:
        cal.name_en = name_en.strip()
    if observe_holidays is not None:
        cal.observe_holidays = observe_holidays
    validate(cal)
    cal.save()
    audit_write(action="work_calendar.update", actor=actor, obj=cal, before=before, after=snapshot(cal))
    return cal
