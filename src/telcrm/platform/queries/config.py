"""Reading dictionaries (cached), parameters and calendars."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import get_language

from ..models import DictItem, DictType, Holiday, Parameter, WorkCalendar

DICT_VERSION_KEY = "telcrm:dicts:version"


def invalidate_dictionaries() -> None:
    try:
        cache.incr(DICT_VERSION_KEY)
    except ValueError:
        cache.set(DICT_VERSION_KEY, 2, None)


def dictionary(code: str, *, active_only: bool = True) -> list[dict]:
    """Items of dictionary ``code`` as dicts (code, label, label_en, parent), cached across processes."""
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


def dict_type_list():
    from django.db.models import Count

    return DictType.objects.annotate(item_count=Count("items"))


def holiday_list(*, year: int | None = None):
    qs = Holiday.objects.all()
    return qs.filter(date__year=year) if year else qs


def calendar_list():
    return WorkCalendar.objects.all()
