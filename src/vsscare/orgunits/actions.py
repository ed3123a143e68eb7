"""All writes of the orgunits domain: loading the unit tree and calendar from ``orgunits.yaml``.

The file is the source of truth. Loading validates the whole file first (a bad file changes
nothing), then upserts units by ``code`` and calendar days by ``(day, province)``:

* units in the file are created, updated or left unchanged;
* with ``prune=True`` (the default) active units missing from the file are *deactivated*, never
  deleted, because users and requests refer to them; a unit that comes back is reactivated;
* with ``prune=True`` calendar days missing from the file are removed (nothing refers to them).

Each created or changed unit and calendar day gets a typed event; the load gets one audit row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.core import audit, events
from vsscare.core.errors import AppError
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.i18n import _
from vsscare.core.text import fold
from vsscare.orgunits import errors, queries
from vsscare.orgunits.events import (
    CalendarDayRemoved,
    CalendarDaySet,
    UnitChanged,
    UnitCreated,
    UnitDeactivated,
)
from vsscare.orgunits.models import CalendarDay, OrgUnit
from vsscare.orgunits.schemas import OrgUnitsFile, Problem, Source, UnitSpec, parse


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    days_added: int = 0
    days_changed: int = 0
    days_removed: int = 0
    created_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)
    deactivated_codes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deactivated
            or self.days_added
            or self.days_changed
            or self.days_removed
        )

    def summary(self) -> str:
        text = _("{created} mới, {updated} thay đổi, {unchanged} không đổi, {deactivated} ngừng hoạt động")
        text = text.format(
            created=self.created, updated=self.updated, unchanged=self.unchanged, deactivated=self.deactivated
        )
        days = _("lịch: {added} ngày thêm, {changed} sửa, {removed} bỏ").format(
            added=self.days_added, changed=self.days_changed, removed=self.days_removed
        )
        return f"{text}; {days}"


@dataclass
class _Known:
    parent: str | None
    kind: str
    province_code: str | None


def _check_tree(spec: OrgUnitsFile, source: Source, known: dict[str, _Known]) -> None:
    """Duplicate codes, unknown parents, cycles."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, unit in enumerate(spec.units):
        if unit.code in seen:
            msg = f"mã trùng / duplicate code (also units[{seen[unit.code]}])"
            problems.append(source.problem(("units", i, "code"), msg))
        seen.setdefault(unit.code, i)
        if unit.parent and unit.parent not in known:
            msg = f"không có đơn vị cha {unit.parent} / unknown parent {unit.parent}"
            problems.append(source.problem(("units", i, "parent"), msg))
    if problems:
        raise source.fail(problems)
    for i, unit in enumerate(spec.units):
        chain = [unit.code]
        current = known[unit.code].parent
        while current is not None:
            if current in chain:
                loop = " → ".join([*chain[chain.index(current) :], current])
                msg = f"vòng lặp đơn vị cha / parent cycle: {loop}"
                problems.append(source.problem(("units", i, "parent"), msg))
                break
            chain.append(current)
            current = known[current].parent
    if problems:
        raise source.fail(problems)


def _check_places(spec: OrgUnitsFile, source: Source, known: dict[str, _Known]) -> dict[str, str | None]:
    """Where units sit and which province they serve. Returns each file unit's province code."""
    problems: list[Problem] = []
    provinces: dict[str, str | None] = {}

    def province_of(code: str | None) -> str | None:
        if code is None:
            return None
        if code not in provinces:
            info = known[code]
            provinces[code] = info.province_code or province_of(info.parent)
        return provinces[code]

    for i, unit in enumerate(spec.units):
        parent = known[unit.parent] if unit.parent else None
        parent_pc = province_of(unit.parent)
        if unit.kind == "province" and parent and parent.kind != "root":
            msg = "BHXH tỉnh trực thuộc đơn vị gốc / a provincial office belongs to the root unit"
            problems.append(source.problem(("units", i, "parent"), msg))
        if unit.kind == "grassroots":
            if not parent or parent.kind != "province":
                msg = "BHXH cơ sở trực thuộc BHXH tỉnh / a grassroots office belongs to a provincial office"
                problems.append(source.problem(("units", i, "parent"), msg))
            elif not unit.code.startswith(f"BHXH-{province_of(unit.code)}-"):
                pc = province_of(unit.code)
                msg = (
                    f"mã BHXH cơ sở phải bắt đầu bằng BHXH-{pc}- / a grassroots code must start with "
                    f"BHXH-{pc}-"
                )
                problems.append(source.problem(("units", i, "code"), msg))
        if unit.province_code and parent_pc and unit.province_code != parent_pc:
            msg = f"khác tỉnh của đơn vị cha ({parent_pc}) / differs from the parent's province ({parent_pc})"
            problems.append(source.problem(("units", i, "province_code"), msg))

    province_codes = {province_of(code) for code, info in known.items() if info.kind == "province"}
    days: dict[tuple, int] = {}
    for i, day in enumerate(spec.calendar):
        key = (day.day, day.province)
        if key in days:
            msg = f"ngày trùng / duplicate day (also calendar[{days[key]}])"
            problems.append(source.problem(("calendar", i, "day"), msg))
        days.setdefault(key, i)
        if day.province and day.province not in province_codes:
            msg = f"không có BHXH tỉnh mã {day.province} / no provincial office {day.province}"
            problems.append(source.problem(("calendar", i, "province"), msg))
    if problems:
        raise source.fail(problems)
    return {unit.code: province_of(unit.code) for unit in spec.units}


# -- writing --------------------------------------------------------------------------------------


def load_file(session: Session, path: str | Path, actor: Actor = SYSTEM, *, prune: bool = True) -> LoadReport:
    """Load ``orgunits.yaml`` into the database (see the module docstring for the rules)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        details = {"file": str(path), "reason": str(exc)}
        raise AppError(errors.FILE_NOT_FOUND, details=details, file=str(path)) from exc
    return load_text(session, text, actor, source_name=str(path), prune=prune)


def load_text(
    session: Session, text: str, actor: Actor = SYSTEM, *, source_name: str = "<text>", prune: bool = True
) -> LoadReport:
    """Load a document given as text; ``source_name`` names it in errors and the audit row."""
    spec, source = parse(text, source_name)
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    by_id = {u.id: u for u in units.values()}
    known: dict[str, _Known] = {}
    if not prune:  # parents may then be units already in the database
        for u in units.values():
            parent = by_id.get(u.parent_id) if u.parent_id else None
            known[u.code] = _Known(parent.code if parent else None, u.kind, u.province_code)
    known.update({u.code: _Known(u.parent, u.kind, u.province_code) for u in spec.units})
    _check_tree(spec, source, known)
    provinces = _check_places(spec, source, known)

    report = LoadReport()
    _upsert_units(session, spec, provinces, units, by_id, actor, report)
    if prune:
        in_file = {u.code for u in spec.units}
        for code, unit in sorted(units.items()):
            if code not in in_file and unit.is_active:
                unit.is_active = False
                events.append(session, UnitDeactivated(code=code), unit.id, actor)
                report.deactivated += 1
                report.deactivated_codes.append(code)
    _upsert_days(session, spec, actor, report, prune)
    queries.forget_tree()
    audit.record(
        session,
        "orgunits.load",
        actor,
        object_type="org_units",
        object_id=Path(source_name).name[:64],
        details={
            "file": source_name,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "created": report.created_codes,
            "updated": report.updated_codes,
            "deactivated": report.deactivated_codes,
            "unchanged": report.unchanged,
            "days": [report.days_added, report.days_changed, report.days_removed],
        },
    )
    session.flush()
    return report


def _values(spec: UnitSpec, province_code: str | None, default_hours: dict | None) -> dict[str, Any]:
    hours = spec.hours if spec.hours is not None else (default_hours if spec.parent is None else None)
    return {
        "kind": spec.kind,
        "name": spec.name,
        "name_en": spec.name_en,
        "short_name": spec.short_name,
        "province_code": province_code,
        "address": spec.address,
        "commune": spec.commune,
        "phone": spec.phone,
        "email": spec.email,
        "hours": hours,
        "is_active": spec.active,
        "sort_order": spec.sort_order,
        "name_search": fold(spec.name),
    }


def _upsert_units(
    session: Session,
    spec: OrgUnitsFile,
    provinces: dict[str, str | None],
    units: dict[str, OrgUnit],
    by_id: dict[int, OrgUnit],
    actor: Actor,
    report: LoadReport,
) -> None:
    created: list[OrgUnit] = []
    changed: list[tuple[OrgUnit, dict[str, list[Any]]]] = []
    for item in spec.units:
        values = _values(item, provinces[item.code], spec.default_hours)
        unit = units.get(item.code)
        if unit is None:
            unit = OrgUnit(code=item.code, **values)
            session.add(unit)
            units[item.code] = unit
            created.append(unit)
            continue
        old_parent = by_id[unit.parent_id].code if unit.parent_id in by_id else None
        changes = {f: [getattr(unit, f), v] for f, v in values.items() if getattr(unit, f) != v}
        if old_parent != item.parent:
            changes["parent"] = [old_parent, item.parent]
        for name, (_old, new) in changes.items():
            if name != "parent":
                setattr(unit, name, new)
        if changes:
            changed.append((unit, changes))
        else:
            report.unchanged += 1
    # Parents last: new parents get their ids in the same flush (SQLAlchemy orders the inserts).
    for item in spec.units:
        unit = units[item.code]
        parent = units[item.parent] if item.parent else None
        if unit.parent is not parent:
            unit.parent = parent
    session.flush()
    for unit in created:
        parent = unit.parent.code if unit.parent else None
        data = UnitCreated(
            code=unit.code, kind=unit.kind, name=unit.name, parent=parent, province_code=unit.province_code
        )
        events.append(session, data, unit.id, actor)
        report.created += 1
        report.created_codes.append(unit.code)
    for unit, changes in changed:
        shown = {k: v for k, v in changes.items() if k != "name_search"} or changes
        events.append(session, UnitChanged(code=unit.code, changes=shown), unit.id, actor)
        report.updated += 1
        report.updated_codes.append(unit.code)


def _upsert_days(session: Session, spec: OrgUnitsFile, actor: Actor, report: LoadReport, prune: bool) -> None:
    existing = {(d.day, d.province_code): d for d in session.scalars(select(CalendarDay))}
    wanted = set()
    for item in spec.calendar:
        key = (item.day, item.province)
        wanted.add(key)
        row = existing.get(key)
        previous = None
        if row is None:
            row = CalendarDay(
                day=item.day,
                kind=item.kind,
                name=item.name,
                name_en=item.name_en,
                province_code=item.province,
            )
            session.add(row)
            report.days_added += 1
        elif (row.kind, row.name, row.name_en) != (item.kind, item.name, item.name_en):
            previous = row.kind
            row.kind, row.name, row.name_en = item.kind, item.name, item.name_en
            report.days_changed += 1
        else:
            continue
        data = CalendarDaySet(
            day=item.day, kind=item.kind, name=item.name, province_code=item.province, previous_kind=previous
        )
        events.append(session, data, _day_subject(item.day, item.province), actor)
    if not prune:
        return
    for key, row in sorted(existing.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if key not in wanted:
            data = CalendarDayRemoved(day=row.day, kind=row.kind, province_code=row.province_code)
            events.append(session, data, _day_subject(row.day, row.province_code), actor)
            session.delete(row)
            report.days_removed += 1


def _day_subject(day: Any, province_code: str | None) -> str:
    return f"{day.isoformat()}/{province_code or '*'}"
