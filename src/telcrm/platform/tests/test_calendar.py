"""Working-time arithmetic for SLA deadlines (platform/calendar.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from telcrm.platform.calendar import (
    CalendarSpec,
    add_working_time,
    is_working_time,
    load,
    parse_weekly,
    working_minutes_between,
)
from telcrm.platform.models import Holiday, HolidayKind, WorkCalendar
from telcrm.platform.seeds import CALENDARS

TZ = ZoneInfo("Asia/Shanghai")
# October 2025 in China: 1–8 off, Saturday 11 worked instead (调休).
NATIONAL_DAY = frozenset(date(2025, 10, d) for d in range(1, 9))
MAKE_UP = frozenset({date(2025, 10, 11)})


def at(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


def spec(
    code: str, *, holidays=frozenset(), workdays=frozenset(), observe: bool | None = None
) -> CalendarSpec:
    _name, _en, hours, observe_default = CALENDARS[code]
    return CalendarSpec(
        weekly=parse_weekly(hours),
        holidays=holidays,
        workdays=workdays,
        observe_holidays=observe_default if observe is None else observe,
    )


OFFICE = spec("office", holidays=NATIONAL_DAY, workdays=MAKE_UP)  # Mon–Fri 09:00–12:00, 13:30–18:00
H24 = spec("7x24", holidays=NATIONAL_DAY, workdays=MAKE_UP)


# 2025-01-06 is a Monday.
@pytest.mark.parametrize(
    ("start", "minutes", "deadline"),
    [
        (at(2025, 1, 6, 9), 60, at(2025, 1, 6, 10)),  # inside one interval
        (at(2025, 1, 6, 9), 180, at(2025, 1, 6, 12)),  # ends exactly at lunch: not after it
        (at(2025, 1, 6, 11, 30), 60, at(2025, 1, 6, 14)),  # across lunch
        (at(2025, 1, 6, 12, 15), 30, at(2025, 1, 6, 14)),  # started during lunch
        (at(2025, 1, 6, 17, 30), 60, at(2025, 1, 7, 9, 30)),  # across the night
        (at(2025, 1, 6, 20), 30, at(2025, 1, 7, 9, 30)),  # started at night
        (at(2025, 1, 6, 6), 30, at(2025, 1, 6, 9, 30)),  # started before opening
        (at(2025, 1, 10, 17), 120, at(2025, 1, 13, 10)),  # Friday → Monday over the weekend
        (at(2025, 1, 11, 10), 30, at(2025, 1, 13, 9, 30)),  # started on Saturday
        (at(2025, 1, 6, 9), 450 * 5, at(2025, 1, 10, 18)),  # a whole working week
        (at(2025, 1, 6, 20), 0, at(2025, 1, 7, 9)),  # zero minutes: the clock's next start
        (at(2025, 1, 6, 10), 0, at(2025, 1, 6, 10)),
        (at(2025, 1, 6, 9), 0.5, at(2025, 1, 6, 9) + timedelta(seconds=30)),
    ],
)
def test_office_hours(start, minutes, deadline):
    assert add_working_time(OFFICE, start, minutes) == deadline


def test_holidays_are_skipped():
    # Tuesday 30 Sep 17:00 + 2 h: one hour that day, then the holiday week, then Thursday 9 Oct.
    assert add_working_time(OFFICE, at(2025, 9, 30, 17), 120) == at(2025, 10, 9, 10)
    assert working_minutes_between(OFFICE, at(2025, 9, 30, 9), at(2025, 10, 9, 9)) == 450


def test_make_up_working_day_uses_mondays_hours():
    # Friday 10 Oct 17:30 + 1 h: half an hour on Friday, half an hour on the make-up Saturday.
    assert add_working_time(OFFICE, at(2025, 10, 10, 17, 30), 60) == at(2025, 10, 11, 9, 30)
    assert is_working_time(OFFICE, at(2025, 10, 11, 14))
    # Without the make-up day the same deadline falls on Monday.
    plain = spec("office", holidays=NATIONAL_DAY)
    assert add_working_time(plain, at(2025, 10, 10, 17, 30), 60) == at(2025, 10, 13, 9, 30)


def test_calendar_that_ignores_holidays():
    office_ignoring = spec("office", holidays=NATIONAL_DAY, workdays=MAKE_UP, observe=False)
    assert add_working_time(office_ignoring, at(2025, 10, 1, 9), 60) == at(2025, 10, 1, 10)
    assert not is_working_time(office_ignoring, at(2025, 10, 11, 10))  # a Saturday stays a Saturday


@pytest.mark.parametrize(
    ("start", "minutes", "deadline"),
    [
        (at(2025, 1, 6, 9), 60, at(2025, 1, 6, 10)),
        (at(2025, 1, 6, 23, 30), 60, at(2025, 1, 7, 0, 30)),  # across midnight
        (at(2025, 1, 11, 3), 1500, at(2025, 1, 12, 4)),  # across the weekend, 25 h
        (at(2025, 9, 30, 12), 24 * 60 * 3, at(2025, 10, 3, 12)),  # through the holidays
        (at(2025, 1, 6, 0), 24 * 60, at(2025, 1, 7, 0)),
    ],
)
def test_round_the_clock(start, minutes, deadline):
    assert add_working_time(H24, start, minutes) == deadline
    assert working_minutes_between(H24, start, deadline) == minutes


def test_working_minutes_between():
    assert working_minutes_between(OFFICE, at(2025, 1, 6, 8), at(2025, 1, 6, 19)) == 450
    assert working_minutes_between(OFFICE, at(2025, 1, 6, 11), at(2025, 1, 6, 14)) == 90
    assert working_minutes_between(OFFICE, at(2025, 1, 10, 17), at(2025, 1, 13, 10)) == 120
    assert working_minutes_between(OFFICE, at(2025, 1, 11, 0), at(2025, 1, 12, 23)) == 0
    assert working_minutes_between(OFFICE, at(2025, 1, 13, 10), at(2025, 1, 10, 17)) == -120
    assert working_minutes_between(OFFICE, at(2025, 1, 6, 10), at(2025, 1, 6, 10)) == 0


def test_naive_datetimes_are_local_time():
    assert add_working_time(OFFICE, datetime(2025, 1, 6, 11, 30), 60) == at(2025, 1, 6, 14)
    # An instant given in UTC is converted: 03:30 UTC is 11:30 in Shanghai.
    utc = datetime(2025, 1, 6, 3, 30, tzinfo=ZoneInfo("UTC"))
    assert add_working_time(OFFICE, utc, 60) == at(2025, 1, 6, 14)


def test_is_working_time():
    assert is_working_time(OFFICE, at(2025, 1, 6, 9))
    assert not is_working_time(OFFICE, at(2025, 1, 6, 12))  # interval ends are exclusive
    assert not is_working_time(OFFICE, at(2025, 1, 6, 12, 30))
    assert not is_working_time(OFFICE, at(2025, 1, 11, 10))  # Saturday
    assert not is_working_time(OFFICE, at(2025, 10, 2, 10))  # holiday
    assert is_working_time(H24, at(2025, 1, 11, 23, 59))


def test_bad_input():
    with pytest.raises(ValueError):
        add_working_time(OFFICE, at(2025, 1, 6, 9), -1)
    empty = CalendarSpec(weekly={}, holidays=frozenset(), workdays=frozenset())
    with pytest.raises(ValueError):
        add_working_time(empty, at(2025, 1, 6, 9), 1)


def test_parse_weekly():
    weekly = parse_weekly({"1": [["13:30", "18:00"], ["09:00", "12:00"]], "7": [["00:00", "24:00"]]})
    assert weekly[1] == [(time(9), time(12)), (time(13, 30), time(18))]  # sorted
    assert weekly[7] == [(time(0), time.max)]
    with pytest.raises(ValueError):
        parse_weekly({"1": [["9h", "12:00"]]})


@pytest.mark.django_db
def test_load_reads_calendar_and_holiday_table():
    Holiday.objects.create(date=date(2025, 10, 1), name="国庆节", kind=HolidayKind.HOLIDAY)
    Holiday.objects.create(date=date(2025, 10, 11), name="国庆调休", kind=HolidayKind.WORKDAY)
    office = load("office")
    assert office.holidays == frozenset({date(2025, 10, 1)})
    assert office.workdays == frozenset({date(2025, 10, 11)})
    assert office.observe_holidays
    assert load().weekly == office.weekly  # parameter sla.default_calendar is "office"
    with pytest.raises(WorkCalendar.DoesNotExist):
        load("nope")


# --- properties -----------------------------------------------------------------------------
def _clock(minute: int) -> time:
    return time.max if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def calendars(draw) -> CalendarSpec:
    """Random weekly hours (0–3 non-overlapping intervals a day), holidays and make-up days."""
    weekly = {}
    for day in range(1, 8):
        points = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
        points = points[: len(points) // 2 * 2]
        weekly[day] = [(_clock(points[i]), _clock(points[i + 1])) for i in range(0, len(points), 2)]
    minutes_a_week = sum(
        (24 * 60 if b == time.max else b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)
        for spans in weekly.values()
        for a, b in spans
    )
    assume(minutes_a_week >= 120)
    days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
    holidays = draw(st.frozensets(days, max_size=20))
    workdays = draw(st.frozensets(days, max_size=8)) - holidays
    return CalendarSpec(
        weekly=weekly, holidays=holidays, workdays=workdays, observe_holidays=draw(st.booleans())
    )


starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(TZ))
minutes = st.floats(min_value=0, max_value=6000, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=starts, m=minutes)
def test_elapsed_working_time_equals_the_minutes_added(cal, start, m):
    deadline = add_working_time(cal, start, m)
    assert deadline >= start
    assert working_minutes_between(cal, start, deadline) == pytest.approx(m, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=starts, m1=minutes, m2=minutes)
def test_deadline_is_monotonic_in_minutes(cal, start, m1, m2):
    lo, hi = sorted((m1, m2))
    assert add_working_time(cal, start, lo) <= add_working_time(cal, start, hi)


@settings(max_examples=150, deadline=None)
@given(start=starts, m=st.integers(min_value=0, max_value=20000))
def test_office_calendar_round_trip(start, m):
    deadline = add_working_time(OFFICE, start, m)
    assert working_minutes_between(OFFICE, start, deadline) == pytest.approx(m, abs=1e-6)
    if m > 0:
        # A deadline falls inside working time or at the very end of an interval.
        assert is_working_time(OFFICE, deadline - timedelta(microseconds=1))
