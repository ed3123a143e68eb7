"""Business hours: how much working time lies between two moments, and when N working hours end.

A :class:`BusinessCalendar` combines a weekly schedule (local wall-clock intervals per weekday),
Vietnam's public holidays from the ``holidays`` library (Tết and the other lunar holidays
included, with the government's announced swaps) and our own overrides: extra days ``off`` and
make-up ``work`` days, nationwide or for one province. Inputs are aware datetimes (any zone);
computation happens in Asia/Ho_Chi_Minh; results come back in UTC.

Working intervals are half-open ``[start, end)``. ``add(t, h)`` is the *earliest* moment by which
``h`` of working time has elapsed, so a due time can fall exactly on 11:30 or 16:30. The walk is
one day at a time (each day's intervals cached), never minute by minute.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_KINDS = ("off", "work")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_DAY = timedelta(days=1)
# Give up when this many consecutive days have no working time (a schedule closed for good).
_MAX_IDLE_DAYS = 400

# Government office hours: mornings 07:30–11:30, afternoons 13:00–16:30, Monday to Friday.
DEFAULT_HOURS: dict[str, list[list[str]]] = {
    day: [["07:30", "11:30"], ["13:00", "16:30"]] for day in DAYS[:5]
}

Span = tuple[timedelta, timedelta]  # offsets from local midnight, [start, end)


def parse_hhmm(value: str) -> timedelta:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"giờ không hợp lệ / invalid time {value!r} (HH:MM)")
    hours, minutes = value.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def parse_day(intervals: Sequence[Sequence[str]]) -> tuple[Span, ...]:
    """``[["07:30", "11:30"], ["13:00", "16:30"]]`` → sorted, non-overlapping spans."""
    spans = []
    for pair in intervals:
        if len(pair) != 2:
            raise ValueError(f"khoảng giờ cần [bắt đầu, kết thúc] / an interval needs [start, end]: {pair!r}")
        start, end = parse_hhmm(pair[0]), parse_hhmm(pair[1])
        if start >= end:
            raise ValueError(
                f"giờ bắt đầu phải trước giờ kết thúc / start must be before end: {pair[0]}-{pair[1]}"
            )
        spans.append((start, end))
    spans.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        if s2 < e1:
            raise ValueError("các khoảng giờ chồng lên nhau / intervals overlap")
    return tuple(spans)


def merge_hours(*layers: Mapping[str, Any] | None) -> dict[str, list[list[str]]]:
    """Later layers replace whole days of earlier ones (a day set to ``[]`` is closed)."""
    merged: dict[str, list[list[str]]] = {}
    for layer in layers:
        for day, intervals in (layer or {}).items():
            merged[day] = [list(p) for p in intervals]
    return {day: merged[day] for day in DAYS if day in merged}


@dataclass(frozen=True)
class DayOverride:
    """A day that differs from the usual: ``off`` (extra holiday) or ``work`` (make-up day)."""

    day: date
    kind: str
    name: str = ""
    name_en: str | None = None
    province_code: str | None = None


@dataclass(frozen=True)
class SpecialDay:
    day: date
    kind: str  # off | work
    name: str
    name_en: str | None
    source: str  # "law" (holidays library) | "nationwide" | "province"
    province_code: str | None = None


@cache
def _public(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """Public holidays (Vietnamese names) and weekend make-up days of one year."""
    days = holidays.country_holidays("VN", years=year, language="vi")
    workdays = frozenset(d for d in getattr(days, "weekend_workdays", ()) if d.year == year)
    return dict(days.items()), workdays


@cache
def _public_en(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("VN", years=year, language="en_US").items())


def _to_delta(amount: timedelta | float | int) -> timedelta:
    delta = amount if isinstance(amount, timedelta) else timedelta(hours=amount)
    if delta < timedelta(0):
        raise ValueError("thời lượng phải không âm / the duration must not be negative")
    return delta


class BusinessCalendar:
    def __init__(
        self,
        weekly: Mapping[str, Sequence[Sequence[str]]] | None = None,
        overrides: Iterable[DayOverride] = (),
        *,
        public_holidays: bool = True,
        tz: ZoneInfo = VN_TZ,
    ) -> None:
        weekly = DEFAULT_HOURS if weekly is None else weekly
        unknown = set(weekly) - set(DAYS)
        if unknown:
            raise ValueError(f"ngày không hợp lệ / unknown weekday {sorted(unknown)}")
        self.weekly = tuple(parse_day(weekly.get(day, ())) for day in DAYS)
        if not any(self.weekly):
            raise ValueError("lịch tuần không có giờ làm việc / the weekly schedule has no working time")
        # A make-up weekend day works a full weekday: the first open day of Mon–Fri.
        self.makeup = next((s for s in self.weekly[:5] if s), next(s for s in self.weekly if s))
        self.tz = tz
        self.public_holidays = public_holidays
        # Later overrides win: pass nationwide ones first, then the province's.
        self.overrides: dict[date, DayOverride] = {}
        for override in overrides:
            if override.kind not in DAY_KINDS:
                raise ValueError(f"loại ngày không hợp lệ / unknown day kind {override.kind!r}")
            self.overrides[override.day] = override
        self._spans: dict[date, tuple[Span, ...]] = {}

    # -- days -------------------------------------------------------------------------------------

    def day_kind(self, day: date) -> str | None:
        """``off``/``work`` when the day departs from the weekly schedule, else None."""
        override = self.overrides.get(day)
        if override is not None:
            return override.kind
        if self.public_holidays:
            off, work = _public(day.year)
            if day in off:
                return "off"
            if day in work:
                return "work"
        return None

    def spans(self, day: date) -> tuple[Span, ...]:
        """Working intervals of a local date."""
        cached = self._spans.get(day)
        if cached is None:
            kind = self.day_kind(day)
            weekday = day.weekday()
            if kind == "off":
                cached = ()
            elif kind == "work":
                cached = self.weekly[weekday] if weekday < 5 and self.weekly[weekday] else self.makeup
            else:
                cached = self.weekly[weekday]
            self._spans[day] = cached
        return cached

    def is_working_day(self, day: date) -> bool:
        return bool(self.spans(day))

    def special_days(self, year: int) -> list[SpecialDay]:
        """Days off and make-up days of a year (law and overrides), by date."""
        found: dict[date, SpecialDay] = {}
        if self.public_holidays:
            off, work = _public(year)
            names_en = _public_en(year)
            for day, name in off.items():
                found[day] = SpecialDay(day, "off", name, names_en.get(day), "law")
            for day in work:
                found[day] = SpecialDay(day, "work", "Ngày làm bù", "Make-up working day", "law")
        for day, o in self.overrides.items():
            if day.year == year:
                source = "province" if o.province_code else "nationwide"
                found[day] = SpecialDay(day, o.kind, o.name, o.name_en, source, o.province_code)
        return [found[d] for d in sorted(found)]

    # -- moments ----------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> tuple[date, timedelta]:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("cần thời điểm có múi giờ / an aware datetime is required")
        local = moment.astimezone(self.tz)
        day = local.date()
        midnight = datetime.combine(day, time(), self.tz)
        return day, local - midnight

    def _moment(self, day: date, offset: timedelta) -> datetime:
        return (datetime.combine(day, time(), self.tz) + offset).astimezone(UTC)

    def _days_from(self, day: date) -> Iterator[tuple[date, tuple[Span, ...]]]:
        idle = 0
        while True:
            spans = self.spans(day)
            idle = 0 if spans else idle + 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError("không còn giờ làm việc / no working time ahead")
            yield day, spans
            day += _DAY

    def is_open(self, moment: datetime) -> bool:
        day, offset = self._local(moment)
        return any(start <= offset < end for start, end in self.spans(day))

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself when open, else the start of the next working interval."""
        day0, offset = self._local(moment)
        for day, spans in self._days_from(day0):
            for start, end in spans:
                if day == day0 and end <= offset:
                    continue
                if day == day0 and start <= offset:
                    return moment.astimezone(UTC)
                return self._moment(day, start)
        raise AssertionError("unreachable")

    def closing_time(self, day: date) -> datetime | None:
        """When the last working interval of a local date ends (UTC); None on a day off."""
        spans = self.spans(day)
        return self._moment(day, spans[-1][1]) if spans else None

    def add(self, start: datetime, amount: timedelta | float | int) -> datetime:
        """The earliest moment by which ``amount`` (a timedelta or hours) of working time has passed."""
        remaining = _to_delta(amount)
        if not remaining:
            return start.astimezone(UTC)
        day0, offset = self._local(start)
        for day, spans in self._days_from(day0):
            for span_start, span_end in spans:
                begin = max(span_start, offset) if day == day0 else span_start
                if begin >= span_end:
                    continue
                available = span_end - begin
                if remaining <= available:
                    return self._moment(day, begin + remaining)
                remaining -= available
        raise AssertionError("unreachable")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; negative when ``b`` is before ``a``."""
        if b < a:
            return -self.between(b, a)
        day_a, off_a = self._local(a)
        day_b, off_b = self._local(b)
        total = timedelta(0)
        day = day_a
        while day <= day_b:
            low = off_a if day == day_a else timedelta(0)
            high = off_b if day == day_b else _DAY
            for start, end in self.spans(day):
                overlap = min(end, high) - max(start, low)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total

    def weekly_hours(self) -> timedelta:
        return sum((end - start for spans in self.weekly for start, end in spans), timedelta(0))


def format_spans(spans: Iterable[Span]) -> str:
    def hhmm(offset: timedelta) -> str:
        minutes = int(offset.total_seconds()) // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return ", ".join(f"{hhmm(s)}–{hhmm(e)}" for s, e in spans)
