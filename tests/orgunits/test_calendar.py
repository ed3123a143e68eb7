"""The business-hours calculator: worked examples and properties (no database)."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsscare.orgunits.calendar import DAYS, VN_TZ, BusinessCalendar, DayOverride, merge_hours

H = timedelta(hours=1)
GOV = BusinessCalendar()  # Mon–Fri 07:30–11:30, 13:00–16:30 with Vietnam's public holidays
# A busier office: Saturday mornings, province days on top of the nationwide ones.
SAT = BusinessCalendar(
    merge_hours(
        {day: [["07:30", "11:30"], ["13:00", "17:00"]] for day in DAYS[:5]},
        {"sat": [["07:30", "11:30"]]},
    ),
    [
        DayOverride(date(2026, 3, 28), "work", "Làm bù"),
        DayOverride(date(2026, 3, 30), "off", "Nghỉ thêm"),
        DayOverride(date(2026, 2, 20), "work", "Trực Tết"),  # cancels a public holiday
    ],
)


def vn(*args: int) -> datetime:
    """A Vietnam wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=VN_TZ)


# -- worked examples ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (vn(2026, 3, 13, 16, 0), 2, vn(2026, 3, 16, 9, 0)),  # Friday 16:00 + 2h = Monday 09:00
        (vn(2026, 3, 16, 11, 0), 1, vn(2026, 3, 16, 13, 30)),  # over the lunch break
        (vn(2026, 3, 16, 10, 30), 1, vn(2026, 3, 16, 11, 30)),  # ends exactly at the break
        (vn(2026, 3, 16, 12, 0), 0.5, vn(2026, 3, 16, 13, 30)),  # starts inside the break
        (vn(2026, 3, 15, 9, 0), 1, vn(2026, 3, 16, 8, 30)),  # starts on a Sunday
        (vn(2026, 3, 16, 7, 30), 7.5, vn(2026, 3, 16, 16, 30)),  # one full day
        (vn(2026, 3, 16, 7, 30), 37.5, vn(2026, 3, 20, 16, 30)),  # one full week
        (vn(2026, 2, 13, 16, 0), 2, vn(2026, 2, 23, 9, 0)),  # Tết Bính Ngọ: 14–22/02 off
        (vn(2025, 12, 31, 16, 0), 1, vn(2026, 1, 2, 8, 0)),  # New Year's Day
        (vn(2026, 8, 21, 16, 0), 1, vn(2026, 8, 22, 8, 0)),  # make-up Saturday 22/08/2026
        (vn(2026, 8, 28, 16, 0), 1, vn(2026, 9, 3, 8, 0)),  # 31/08 swapped, 01–02/09 National Day
        (vn(2026, 4, 24, 16, 0), 1, vn(2026, 4, 28, 8, 0)),  # Hùng Kings observed on Monday 27/04
    ],
)
def test_add_worked_examples(start: datetime, hours: float, due: datetime) -> None:
    result = GOV.add(start, hours)
    assert result == due
    assert result.tzinfo is UTC
    assert GOV.between(start, result) == timedelta(hours=hours)


def test_utc_in_utc_out() -> None:
    start = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # 16:00 in Hà Nội
    assert GOV.add(start, 2) == datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    assert GOV.add(start, timedelta(minutes=90)) == GOV.add(start, 1.5)


def test_zero_hours_and_closed_start() -> None:
    sunday = vn(2026, 3, 15, 9, 0)
    assert GOV.add(sunday, 0) == sunday
    assert GOV.add(sunday, timedelta(microseconds=1)) == vn(2026, 3, 16, 7, 30) + timedelta(microseconds=1)


def test_tet_week_has_no_working_time() -> None:
    assert GOV.between(vn(2026, 2, 14), vn(2026, 2, 23)) == timedelta(0)
    assert GOV.between(vn(2026, 2, 9), vn(2026, 2, 23)) == 5 * 7.5 * H  # only the week before
    assert [GOV.is_working_day(date(2026, 2, d)) for d in range(13, 24)] == [True] + [False] * 9 + [True]


def test_is_open_and_next_open() -> None:
    assert GOV.is_open(vn(2026, 3, 16, 7, 30))
    assert not GOV.is_open(vn(2026, 3, 16, 11, 30))  # intervals are half-open
    assert not GOV.is_open(vn(2026, 3, 16, 16, 30))
    assert GOV.next_open(vn(2026, 3, 16, 12, 0)) == vn(2026, 3, 16, 13, 0)
    assert GOV.next_open(vn(2026, 3, 16, 16, 30)) == vn(2026, 3, 17, 7, 30)
    assert GOV.next_open(vn(2026, 3, 14, 10, 0)) == vn(2026, 3, 16, 7, 30)
    assert GOV.next_open(vn(2026, 2, 13, 17, 0)) == vn(2026, 2, 23, 7, 30)
    inside = vn(2026, 3, 16, 9, 15)
    assert GOV.next_open(inside) == inside


def test_overrides_saturday_hours_and_province_days() -> None:
    # A regular Saturday: the morning only.
    assert SAT.add(vn(2026, 3, 20, 16, 30), 1.5) == vn(2026, 3, 21, 8, 30)  # Friday ends at 17:00
    assert SAT.between(vn(2026, 3, 21), vn(2026, 3, 22)) == 4 * H
    # A make-up Saturday works a full weekday; the extra day off on Monday is skipped.
    assert SAT.between(vn(2026, 3, 28), vn(2026, 3, 29)) == 8 * H
    assert SAT.add(vn(2026, 3, 28, 16, 0), 2) == vn(2026, 3, 31, 8, 30)
    # An override beats the law: 20/02/2026 becomes a working day.
    assert SAT.is_working_day(date(2026, 2, 20)) and not GOV.is_working_day(date(2026, 2, 20))


def test_special_days_lists_law_and_overrides() -> None:
    days = {d.day: d for d in SAT.special_days(2026)}
    assert days[date(2026, 2, 17)].kind == "off" and days[date(2026, 2, 17)].source == "law"
    assert days[date(2026, 8, 22)].kind == "work"
    assert days[date(2026, 3, 28)].source == "nationwide" and days[date(2026, 3, 28)].kind == "work"
    assert days[date(2026, 2, 20)].kind == "work"


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        GOV.add(datetime(2026, 3, 16, 9, 0), 1)  # naive
    with pytest.raises(ValueError):
        GOV.add(vn(2026, 3, 16, 9, 0), -1)
    with pytest.raises(ValueError):
        BusinessCalendar({"sat": [], "sun": [], "mon": []})
    with pytest.raises(ValueError):
        BusinessCalendar({"mon": [["11:30", "07:30"]]})
    with pytest.raises(ValueError):
        BusinessCalendar({"mon": [["07:30", "12:00"], ["11:00", "16:00"]]})
    with pytest.raises(ValueError):
        BusinessCalendar({"mon": [["7h30", "11:30"]]})


def test_large_amounts_are_fast() -> None:
    started = clock.perf_counter()
    due = GOV.add(vn(2026, 1, 5, 7, 30), 1000)
    span = GOV.between(vn(2020, 1, 1), vn(2030, 1, 1))
    assert clock.perf_counter() - started < 0.5
    assert GOV.between(vn(2026, 1, 5, 7, 30), due) == 1000 * H
    assert 2300 * 7.5 * H < span < 2600 * 7.5 * H  # about 250 working days a year


# -- properties -----------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=400))
calendars = st.sampled_from([GOV, SAT])
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(calendars, moments, durations)
def test_between_inverts_add(cal: BusinessCalendar, t: datetime, h: timedelta) -> None:
    assert cal.between(t, cal.add(t, h)) == h


@PROPS
@given(calendars, moments, durations, durations)
def test_add_is_monotonic(cal: BusinessCalendar, t: datetime, a: timedelta, b: timedelta) -> None:
    a, b = min(a, b), max(a, b)
    assert cal.add(t, a) <= cal.add(t, b)
    if a < b:
        assert cal.add(t, a) < cal.add(t, b)


@PROPS
@given(calendars, moments, durations, durations)
def test_add_composes(cal: BusinessCalendar, t: datetime, a: timedelta, b: timedelta) -> None:
    assert cal.add(t, a + b) == cal.add(cal.add(t, a), b)


@PROPS
@given(calendars, moments, moments, moments)
def test_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    assert cal.between(a, b) == -cal.between(b, a)


@PROPS
@given(calendars, moments, durations.filter(bool))
def test_add_ends_inside_working_time(cal: BusinessCalendar, t: datetime, h: timedelta) -> None:
    due = cal.add(t, h)
    # The last instant before the due time was working time (due may be the end of an interval).
    assert cal.is_open(due - timedelta(microseconds=1))
    assert cal.add(cal.next_open(t), h) == due
