"""Working-time arithmetic for SLA deadlines over a WorkCalendar and the holiday table (PLT-3).

A calendar gives working intervals per ISO weekday; public holidays remove a day, make-up working
days (调休) add one with Monday's hours. ``add_working_time(start, minutes)`` returns the deadline;
``working_minutes_between(a, b)`` measures elapsed working time. Both walk day by day, so a
deadline of weeks costs a few dozen iterations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

MAX_DAYS = 3660  # a calendar with no working time at all must not loop forever


@dataclass(frozen=True)
class CalendarSpec:
    weekly: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date]
    workdays: frozenset[date]
    observe_holidays: bool = True

    def intervals(self, day: date) -> list[tuple[time, time]]:
        if self.observe_holidays:
            if day in self.holidays:
                return []
            if day in self.workdays:
                return self.weekly.get(1, [])
        return self.weekly.get(day.isoweekday(), [])


def parse_weekly(raw: dict) -> dict[int, list[tuple[time, time]]]:
    weekly: dict[int, list[tuple[time, time]]] = {}
    for k, spans in (raw or {}).items():
        out = []
        for a, b in spans:
            ta, tb = time.fromisoformat(a), time.fromisoformat(b) if b != "24:00" else time.max
            if tb > ta:
                out.append((ta, tb))
        weekly[int(k)] = sorted(out)
    return weekly


def load(code: str | None = None) -> CalendarSpec:
    """The calendar ``code`` (default: parameter sla.default_calendar) with the holiday table."""
    from .models import Holiday, HolidayKind, WorkCalendar
    from .parameters import param

    cal = WorkCalendar.objects.get(code=code or param("sla.default_calendar"))
    rows = list(Holiday.objects.values_list("date", "kind"))
    return CalendarSpec(
        weekly=parse_weekly(cal.weekly_hours),
        holidays=frozenset(d for d, k in rows if k == HolidayKind.HOLIDAY),
        workdays=frozenset(d for d, k in rows if k == HolidayKind.WORKDAY),
        observe_holidays=cal.observe_holidays,
    )


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt) if timezone.is_aware(dt) else timezone.make_aware(dt)


def _combine(day: date, t: time, tz) -> datetime:
    if t == time.max:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return datetime.combine(day, t, tzinfo=tz)


def add_working_time(cal: CalendarSpec, start: datetime, minutes: float) -> datetime:
    """The moment when ``minutes`` of working time have elapsed after ``start``."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    cur = _local(start)
    tz = cur.tzinfo
    remaining = timedelta(minutes=minutes)
    day = cur.date()
    for _ in range(MAX_DAYS):
        for a, b in cal.intervals(day):
            begin, end = _combine(day, a, tz), _combine(day, b, tz)
            if end <= cur:
                continue
            begin = max(begin, cur)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
        cur = max(cur, datetime.combine(day, time.min, tzinfo=tz))
    raise ValueError("the calendar has no working time within ten years")


def working_minutes_between(cal: CalendarSpec, a: datetime, b: datetime) -> float:
    """Working minutes in [a, b); negative when b is before a."""
    a, b = _local(a), _local(b)
    if b < a:
        return -working_minutes_between(cal, b, a)
    tz = a.tzinfo
    total = timedelta()
    day = a.date()
    while day <= b.date():
        for s, e in cal.intervals(day):
            begin, end = max(_combine(day, s, tz), a), min(_combine(day, e, tz), b)
            if end > begin:
                total += end - begin
        day += timedelta(days=1)
    return total.total_seconds() / 60


def is_working_time(cal: CalendarSpec, moment: datetime) -> bool:
    m = _local(moment)
    return any(
        _combine(m.date(), s, m.tzinfo) <= m < _combine(m.date(), e, m.tzinfo)
        for s, e in cal.intervals(m.date())
    )
