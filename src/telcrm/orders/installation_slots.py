"""Appointment slots of installer teams (上门预约时段): reads only.

A slot is a day and a time window (码表 ``install_window``, each item's extra ``{"start": "09:00",
"end": "11:00"}``) of one installer team. Slots are offered from today for ``orders.install_booking_days``
days, on the days the work calendar ``orders.install_calendar`` has working hours (platform.calendar:
weekdays, public holidays, make-up days), and only while they have not started.

A team's capacity in a slot is the most specific :class:`~telcrm.orders.models.InstallCapacity` row —
(day, window), (day, every window), (every day, window), (every day, every window) — else the parameter
``orders.install_slot_capacity``. A slot's places are taken by the appointments that are booked, kept
or missed (a visit that happened used its place, whatever came of it); rebooked and cancelled ones give
theirs back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from telcrm.platform import calendar
from telcrm.platform.models import DictItem, OrgUnit, User, WorkCalendar
from telcrm.platform.models.base import english_ui
from telcrm.platform.parameters import param

from .installation_config import WINDOW_DICT
from .models import COUNTED_APPOINTMENTS, InstallAppointment, InstallCapacity

INSTALLER_ROLE = "installer"


@dataclass(frozen=True)
class Window:
    code: str
    label: str
    label_en: str
    start: dt.time
    end: dt.time

    @property
    def display(self) -> str:
        return (self.label_en or self.label) if english_ui() else (self.label or self.label_en)


@dataclass(frozen=True)
class Slot:
    day: dt.date
    window: Window
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int
    started: bool

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def bookable(self) -> bool:
        return self.free > 0 and not self.started

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}|{self.window.code}"


def _time(text) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(text).strip())
    except (TypeError, ValueError):
        return None


def windows() -> list[Window]:
    """The active windows of the dictionary whose hours are valid, in the dictionary's order."""
    out = []
    rows = (
        DictItem.objects.filter(dict_type__code=WINDOW_DICT, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "label", "label_en", "extra")
    )
    for code, label, label_en, extra in rows:
        extra = extra if isinstance(extra, dict) else {}
        start, end = _time(extra.get("start")), _time(extra.get("end"))
        if start is not None and end is not None and start < end:
            out.append(Window(code, label, label_en, start, end))
    return out


def window(code: str) -> Window | None:
    return next((w for w in windows() if w.code == code), None)


def moments(day: dt.date, w: Window) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, w.start, tzinfo=tz), dt.datetime.combine(day, w.end, tzinfo=tz)


def today(now=None) -> dt.date:
    return timezone.localtime(now or timezone.now()).date()


def open_days(*, now=None, days: int | None = None) -> list[dt.date]:
    """The days slots are offered on: from today, ``orders.install_booking_days`` of them, working days
    of the installation calendar only (a calendar that does not exist closes no day)."""
    first = today(now)
    count = int(days or param("orders.install_booking_days"))
    try:
        cal = calendar.load(param("orders.install_calendar") or None)
    except WorkCalendar.DoesNotExist:
        cal = None
    span = [first + dt.timedelta(days=i) for i in range(count)]
    return [d for d in span if cal is None or cal.intervals(d)]


def capacities(team, days: list[dt.date], wins: list[Window]) -> dict[tuple[dt.date, str], int]:
    """Capacity of ``team`` in each (day, window code) of ``days``."""
    default = int(param("orders.install_slot_capacity"))
    rows = InstallCapacity.objects.filter(team=team).filter(Q(day__isnull=True) | Q(day__in=days))
    table = {(r.day, r.window): r.capacity for r in rows}
    out = {}
    for day in days:
        for w in wins:
            for key in ((day, w.code), (day, ""), (None, w.code), (None, "")):
                if key in table:
                    out[(day, w.code)] = table[key]
                    break
            else:
                out[(day, w.code)] = default
    return out


def taken(team, days: list[dt.date]) -> dict[tuple[dt.date, str], int]:
    if not days:
        return {}
    rows = (
        InstallAppointment.objects.filter(
            team=team, day__gte=min(days), day__lte=max(days), state__in=COUNTED_APPOINTMENTS
        )
        .order_by()
        .values_list("day", "window")
        .annotate(n=Count("id"))
    )
    return {(day, code): n for day, code, n in rows}


def team_slots(team, *, now=None, days: list[dt.date] | None = None) -> list[tuple[dt.date, list[Slot]]]:
    """The slot grid of ``team``: each open day with its windows, capacity and places taken."""
    now = now or timezone.now()
    days = open_days(now=now) if days is None else days
    wins = windows()
    caps, used = capacities(team, days, wins), taken(team, days)
    grid = []
    for day in days:
        row = []
        for w in wins:
            start, end = moments(day, w)
            row.append(
                Slot(
                    day, w, start, end, caps[(day, w.code)], used.get((day, w.code), 0), started=start <= now
                )
            )
        grid.append((day, row))
    return grid


def slot(team, day: dt.date, code: str, *, now=None) -> Slot | None:
    """The slot (day, window) of ``team`` if it is offered at all (open day, known window), else None."""
    now = now or timezone.now()
    if day not in open_days(now=now):
        return None
    for grid_day, row in team_slots(team, now=now, days=[day]):
        for s in row:
            if grid_day == day and s.window.code == code:
                return s
    return None


# --- teams and installers -----------------------------------------------------------------------------------
def installer_teams(near: OrgUnit | None = None) -> QuerySet:
    """Active units where active installers work — under the city of ``near`` (the unit the order came
    from) when it has one, else all of them."""
    qs = OrgUnit.objects.filter(
        is_active=True,
        pk__in=User.objects.filter(is_active=True, role__code=INSTALLER_ROLE).values("org_unit_id"),
    )
    if near is not None:
        from .actions.dispatch import resolve_unit

        city = resolve_unit("@city", near, {})
        qs = qs.filter(path__startswith=city.path)
    return qs.order_by("path")


def installers(team, *, role_id: int | None = None) -> QuerySet:
    """Active installers (the role ``role_id``, default installer) at ``team`` or below."""
    qs = User.objects.filter(is_active=True, org_unit__path__startswith=team.path)
    qs = qs.filter(role_id=role_id) if role_id else qs.filter(role__code=INSTALLER_ROLE)
    return qs.select_related("org_unit").order_by("full_name", "username")
