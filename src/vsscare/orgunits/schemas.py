"""Pydantic shapes: the ``orgunits.yaml`` file (in, read with line numbers for errors) and the API
responses (out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import phonenumbers
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from vsscare.core.errors import AppError
from vsscare.orgunits import errors
from vsscare.orgunits.calendar import DAYS, parse_day
from vsscare.orgunits.models import UNIT_KINDS

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
PROVINCE_RE = re.compile(r"^\d{2}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")

UnitKind = Literal["root", "department", "centre", "province", "grassroots"]
assert set(UnitKind.__args__) == set(UNIT_KINDS)  # type: ignore[attr-defined]


def _province(value: Any) -> Any:
    # Unquoted 01 in YAML arrives as the int 1.
    return f"{value:02d}" if isinstance(value, int) and not isinstance(value, bool) else value


def _expand_days(key: str) -> list[str]:
    """``mon`` or a range ``mon-fri``."""
    key = key.strip().lower()
    if key in DAYS:
        return [key]
    first, sep, last = key.partition("-")
    if sep and first in DAYS and last in DAYS and DAYS.index(first) <= DAYS.index(last):
        return list(DAYS[DAYS.index(first) : DAYS.index(last) + 1])
    raise ValueError(f"ngày không hợp lệ / unknown weekday {key!r} (mon…sun, or a range like mon-fri)")


def _interval(item: Any) -> list[str]:
    if isinstance(item, str):
        m = _INTERVAL_RE.match(item)
        if not m:
            raise ValueError(f'khoảng giờ không hợp lệ / invalid interval {item!r} ("HH:MM-HH:MM", quoted)')
        return [m.group(1).zfill(5), m.group(2).zfill(5)]
    if isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return [str(item[0]), str(item[1])]
    raise ValueError(f'khoảng giờ không hợp lệ / invalid interval {item!r} ("HH:MM-HH:MM", quoted)')


def canonical_hours(raw: Any) -> dict[str, list[list[str]]] | None:
    """YAML hours (``mon-fri: ["07:30-11:30", "13:00-16:30"]``, ``sat: []``) → the stored form."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("giờ làm việc phải là bảng ngày → khoảng giờ / hours must map weekdays to intervals")
    out: dict[str, list[list[str]]] = {}
    for key, intervals in raw.items():
        if intervals is None:
            intervals = []
        if isinstance(intervals, str):
            intervals = [intervals]
        if not isinstance(intervals, list):
            raise ValueError(f"{key}: cần danh sách khoảng giờ / expected a list of intervals")
        pairs = [_interval(i) for i in intervals]
        parse_day(pairs)  # validates format, order and overlap
        for day in _expand_days(str(key)):
            if day in out:
                raise ValueError(f"ngày {day} khai báo hai lần / weekday {day} given twice")
            out[day] = sorted(pairs)
    return {day: out[day] for day in DAYS if day in out}


class UnitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str
    kind: UnitKind
    name: str = Field(min_length=2, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    short_name: str | None = Field(None, max_length=80)
    parent: str | None = None
    province_code: str | None = None
    address: str | None = Field(None, max_length=300)
    commune: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=120)
    hours: dict[str, list[list[str]]] | None = None
    active: bool = True
    sort_order: int = 0

    @field_validator("code", "parent")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not CODE_RE.match(value):
            raise ValueError(
                f"mã đơn vị {value!r} chỉ gồm chữ in hoa, số, '-', '_' / a unit code has upper-case letters, "
                "digits, '-' and '_'"
            )
        return value

    @field_validator("province_code", mode="before")
    @classmethod
    def _province_in(cls, value: Any) -> Any:
        return _province(value)

    @field_validator("province_code")
    @classmethod
    def _province_code(cls, value: str | None) -> str | None:
        if value is not None and not PROVINCE_RE.match(value):
            raise ValueError(f"mã tỉnh gồm 2 chữ số / a province code has 2 digits: {value!r}")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            number = phonenumbers.parse(value, "VN")
        except phonenumbers.NumberParseException as exc:
            raise ValueError(f"số điện thoại không hợp lệ / invalid phone number {value!r}") from exc
        if not phonenumbers.is_valid_number(number):
            raise ValueError(f"số điện thoại không hợp lệ / invalid phone number {value!r}")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL_RE.match(value):
            raise ValueError(f"thư điện tử không hợp lệ / invalid e-mail {value!r}")
        return value or None

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        return canonical_hours(value)

    @model_validator(mode="after")
    def _shape(self) -> UnitSpec:
        if self.kind == "root" and self.parent:
            raise ValueError("đơn vị gốc không có đơn vị cha / the root unit has no parent")
        if self.kind != "root" and not self.parent:
            raise ValueError("cần mã đơn vị cha (parent) / a parent code is required")
        if self.kind == "province":
            if not self.province_code:
                raise ValueError("BHXH tỉnh cần province_code / a provincial office needs province_code")
            if self.code != f"BHXH-{self.province_code}":
                raise ValueError(
                    f"mã BHXH tỉnh phải là BHXH-{self.province_code} / a provincial office's code must be "
                    f"BHXH-{self.province_code}"
                )
        if self.kind in ("root", "department", "centre") and self.province_code:
            raise ValueError("đơn vị trung ương không có province_code / central units have no province_code")
        return self


class CalendarDaySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    day: date
    kind: Literal["off", "work"]
    name: str = Field(min_length=2, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    province: str | None = None  # 2-digit code; None: nationwide

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted ``off`` as false.
        return "off" if value is False else value

    @field_validator("province", mode="before")
    @classmethod
    def _province_in(cls, value: Any) -> Any:
        return _province(value)

    @field_validator("province")
    @classmethod
    def _province_code(cls, value: str | None) -> str | None:
        if value is not None and not PROVINCE_RE.match(value):
            raise ValueError(f"mã tỉnh gồm 2 chữ số / a province code has 2 digits: {value!r}")
        return value


class OrgUnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    default_hours: dict[str, list[list[str]]] | None = None
    units: list[UnitSpec] = Field(min_length=1)
    calendar: list[CalendarDaySpec] = []

    @field_validator("default_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        return canonical_hours(value)


# -- reading the file with line numbers ----------------------------------------------------------


@dataclass
class Problem:
    where: str
    message: str
    line: int | None = None
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        place = (
            f"{self.where}"
            + (f" ({self.unit})" if self.unit else "")
            + (f", dòng/line {self.line}" if self.line else "")
        )
        return f"{place}: {self.message}"


def _line_map(node: yaml.Node | None, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map each path in the YAML document to its 1-based line, for error messages."""
    out = {} if out is None else out
    if node is None:
        return out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            out[sub] = key.start_mark.line + 1
            _line_map(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), out)
    return out


def _where(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


class Source:
    """The parsed document with line numbers and unit codes, for naming problems."""

    def __init__(self, name: str, raw: Any, lines: dict[tuple, int]) -> None:
        self.name = name
        self.raw = raw
        self.lines = lines

    def line(self, loc: tuple) -> int | None:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None

    def unit(self, loc: tuple) -> str | None:
        if len(loc) >= 2 and loc[0] == "units" and isinstance(loc[1], int):
            try:
                code = self.raw["units"][loc[1]].get("code")
            except (KeyError, IndexError, TypeError, AttributeError):
                return None
            return None if code is None else str(code)
        return None

    def problem(self, loc: tuple, message: str) -> Problem:
        return Problem(_where(loc), message, self.line(loc), self.unit(loc))

    def fail(self, problems: list[Problem]) -> AppError:
        return AppError(
            errors.FILE_INVALID,
            details={"file": self.name, "errors": [p.as_dict() for p in problems]},
            file=self.name,
            count=len(problems),
            first=str(problems[0]),
        )


def parse(text: str, source_name: str = "<text>") -> tuple[OrgUnitsFile, Source]:
    """Parse and validate a document on its own. Raises :class:`AppError` naming what is wrong."""
    try:
        raw = yaml.safe_load(text)
        lines = _line_map(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise AppError(
            errors.FILE_MALFORMED,
            details={"file": source_name, "line": line, "problem": problem},
            file=source_name,
            line=line,
            problem=problem,
        ) from exc
    source = Source(source_name, raw, lines)
    if not isinstance(raw, dict):
        msg = "tệp phải là một bảng có khóa units / the file must be a mapping with a 'units' key"
        raise source.fail([source.problem((), msg)])
    try:
        spec = OrgUnitsFile.model_validate(raw)
    except ValidationError as exc:
        raise source.fail(
            [source.problem(tuple(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        ) from exc
    return spec, source


# -- API ------------------------------------------------------------------------------------------


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str
    name: str
    name_en: str | None
    short_name: str | None
    parent_code: str | None
    province_code: str | None
    address: str | None
    commune: str | None
    phone: str | None
    email: str | None
    is_active: bool


class UnitList(BaseModel):
    total: int
    items: list[UnitOut]


class DayHours(BaseModel):
    day: str  # mon … sun
    intervals: list[list[str]]  # [["07:30", "11:30"], …]; empty: closed


class UnitDetail(UnitOut):
    path: list[UnitOut]  # ancestors, root first
    children: list[UnitOut]
    hours: list[DayHours]  # effective weekly schedule (inherited where the unit sets none)
    own_hours: dict[str, list[list[str]]] | None


class WorkingTime(BaseModel):
    start: datetime
    hours: float
    unit: str | None
    province_code: str | None
    due: datetime  # UTC
    due_local: datetime  # Asia/Ho_Chi_Minh
