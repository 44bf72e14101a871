"""Reading dictionaries (cached), parameters and calendars."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import get_language

from ..models import DictItem, DictType, Holiday, Parameter, WorkCalendar

DICT_VERSION_KEY = "telcrm:dicts:version"


# Each process keeps what it read for LOCAL_TTL seconds: validating an import reads the same
# dictionaries for every row, and the shared cache is a round trip (Redis) or a file read each time.
# An edit reaches the process that made it at once, every other one within LOCAL_TTL.
LOCAL_TTL = 1.0
_local: dict = {"checked": 0.0, "items": {}}


def reset_local() -> None:
    _local.update(checked=0.0, items={})


def invalidate_dictionaries() -> None:
    reset_local()
    try:
        cache.incr(DICT_VERSION_KEY)
    except ValueError:
        cache.set(DICT_VERSION_KEY, 2, None)


def dictionary(code: str, *, active_only: bool = True) -> list[dict]:
    """Items of dictionary ``code`` as dicts (code, label, label_en, parent), cached across processes."""
    now = time.monotonic()
    if now - _local["checked"] >= LOCAL_TTL:
        _local.update(checked=now, items={})
    local = _local["items"]
    hit = local.get((code, active_only))
    if hit is None:
        hit = local[(code, active_only)] = _shared_dictionary(code, active_only)
    return hit


def _shared_dictionary(code: str, active_only: bool) -> list[dict]:
    version = cache.get_or_set(DICT_VERSION_KEY, 1, None)
    key = f"telcrm:dict:{version}:{code}:{int(active_only)}"
    items = cache.get(key)
    if items is None:
        qs = DictItem.objects.filter(dict_type__code=code)
        if active_only:
            qs = qs.filter(is_active=True)
        items = list(qs.order_by("sort_order", "code").values("code", "label", "label_en", "parent__code"))
        cache.set(key, items, 600)
    return items


def dictionary_choices(code: str) -> list[tuple[str, str]]:
    en = (get_language() or "").startswith("en")
    return [(i["code"], (i["label_en"] or i["label"]) if en else i["label"]) for i in dictionary(code)]


def dictionary_label(code: str, item_code: str) -> str:
    return dict(dictionary_choices(code)).get(item_code, item_code)


def parameter_list(*, group: str | None = None, q: str = ""):
    qs = Parameter.objects.all()
    if group:
        qs = qs.filter(group=group)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(key__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    return qs.select_related("updated_by")


def dict_type_list(*, q: str = ""):
    from django.db.models import Count, Q

    qs = DictType.objects.annotate(
        item_count=Count("items"), active_count=Count("items", filter=Q(items__is_active=True))
    )
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    return qs.order_by("code")


def holiday_list(*, year: int | None = None):
    qs = Holiday.objects.all()
    return qs.filter(date__year=year) if year else qs


def calendar_list():
    return WorkCalendar.objects.all()


# --- single rows and details for the administration pages -------------------------------------
def _get(qs, pk):
    from ..errors import NotFoundInScope

    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def parameter_get(pk) -> Parameter:
    return _get(Parameter.objects.select_related("updated_by"), pk)


def parameter_groups() -> list[str]:
    return list(Parameter.objects.order_by("group").values_list("group", flat=True).distinct())


def parameter_history(parameter: Parameter):
    """History rows of one parameter, newest first (django-simple-history)."""
    return (
        Parameter.history.filter(id=parameter.pk)
        .select_related("history_user", "updated_by")
        .order_by("-history_id")
    )


def dict_type_get(pk) -> DictType:
    return _get(DictType.objects.all(), pk)


def dict_item_list(dict_type: DictType, *, q: str = ""):
    from django.db.models import Q

    qs = DictItem.objects.filter(dict_type=dict_type).select_related("parent")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(label__icontains=q) | Q(label_en__icontains=q))
    return qs.order_by("sort_order", "code", "pk")


def dict_item_get(dict_type: DictType, pk) -> DictItem:
    return _get(DictItem.objects.filter(dict_type=dict_type).select_related("parent"), pk)


def dict_item_by_code(dict_type: DictType, code: str) -> DictItem | None:
    return DictItem.objects.filter(dict_type=dict_type, code=code).first()


def calendar_get(pk) -> WorkCalendar:
    return _get(WorkCalendar.objects.all(), pk)


def holiday_get(pk) -> Holiday:
    return _get(Holiday.objects.all(), pk)
