"""Reads of the orgunits domain: units, the tree, provinces and the business calendar of a unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from vsscare.core.cache import PerDatabase
from vsscare.core.errors import AppError
from vsscare.core.text import fold
from vsscare.orgunits import errors
from vsscare.orgunits.calendar import DEFAULT_HOURS, BusinessCalendar, DayOverride, merge_hours
from vsscare.orgunits.models import CalendarDay, OrgUnit

# Short forms people type for unit names, expanded before matching the folded name.
_ABBREVIATIONS = {
    "bhxh": "bao hiem xa hoi",
    "tp": "thanh pho",
    "tphcm": "ho chi minh",
    "hcm": "ho chi minh",
    "sg": "sai gon",
    "hn": "ha noi",
    "cskh": "cham soc khach hang",
    "cntt": "cong nghe thong tin",
}


def search_terms(q: str) -> list[str]:
    """Folded words of a query, abbreviations expanded: "BHXH Đà Nẵng" → ["bao hiem xa hoi", "da nang"]."""
    words = fold(q).replace(".", " ").replace(",", " ").split()
    return [_ABBREVIATIONS.get(w, w) for w in words]


def _matches(term: str) -> ColumnElement[bool]:
    return or_(
        OrgUnit.name_search.contains(term, autoescape=True),
        func.lower(OrgUnit.code).contains(term, autoescape=True),
    )


def list_units(
    session: Session,
    *,
    kind: str | None = None,
    province: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[OrgUnit]]:
    """Units matching the filters, by sort order and code, and how many match in all."""
    conditions: list[ColumnElement[bool]] = []
    if kind:
        conditions.append(OrgUnit.kind == kind)
    if province:
        conditions.append(OrgUnit.province_code == province)
    if parent:
        parent_unit = aliased(OrgUnit)
        parent_ids = select(parent_unit.id).where(parent_unit.code == parent.upper()).scalar_subquery()
        conditions.append(OrgUnit.parent_id == parent_ids)
    if not include_inactive:
        conditions.append(OrgUnit.is_active.is_(True))
    for term in search_terms(q or ""):
        conditions.append(_matches(term))
    where = and_(*conditions) if conditions else None
    count = select(func.count(OrgUnit.id))
    stmt = select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.code).offset(offset)
    if where is not None:
        count, stmt = count.where(where), stmt.where(where)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.scalar(count) or 0, list(session.scalars(stmt))


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip().upper()))


def get_unit(session: Session, code: str) -> OrgUnit:
    unit = unit_by_code(session, code)
    if unit is None:
        raise AppError(errors.UNIT_NOT_FOUND, code=code)
    return unit


def children(session: Session, unit: OrgUnit, include_inactive: bool = False) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.sort_order, OrgUnit.code)
    if not include_inactive:
        stmt = stmt.where(OrgUnit.is_active.is_(True))
    return list(session.scalars(stmt))


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """Parents of a unit, root first."""
    chain: list[OrgUnit] = []
    current = unit.parent
    while current is not None and current not in chain:
        chain.append(current)
        current = current.parent
    return chain[::-1]


def parent_codes(session: Session) -> dict[int, str]:
    """id → code of every unit (to show parents without one query per row)."""
    return {row.id: row.code for row in session.execute(select(OrgUnit.id, OrgUnit.code))}


def provinces(session: Session, include_inactive: bool = False) -> list[OrgUnit]:
    """The provincial offices, by province code."""
    stmt = select(OrgUnit).where(OrgUnit.kind == "province").order_by(OrgUnit.province_code)
    if not include_inactive:
        stmt = stmt.where(OrgUnit.is_active.is_(True))
    return list(session.scalars(stmt))


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)

    def walk(self, depth: int = 0):
        yield depth, self.unit
        for child in self.children:
            yield from child.walk(depth + 1)


def tree(session: Session, include_inactive: bool = False) -> list[TreeNode]:
    """The whole unit tree in one query; roots first, children by sort order and code."""
    stmt = select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.code)
    if not include_inactive:
        stmt = stmt.where(OrgUnit.is_active.is_(True))
    nodes = {u.id: TreeNode(u) for u in session.scalars(stmt)}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


# -- business hours -------------------------------------------------------------------------------


def effective_hours(session: Session, unit: OrgUnit | None) -> dict[str, list[list[str]]]:
    """The unit's weekly schedule: its own days, then its parents', then the built-in default."""
    layers: list[dict[str, Any] | None] = [DEFAULT_HOURS]
    if unit is not None:
        layers += [u.hours for u in [*ancestors(session, unit), unit]]
    return merge_hours(*layers)


def resolve(session: Session, unit_or_province: str | None) -> OrgUnit | None:
    """A unit by code, or the provincial office of a 2-digit province code; None for None."""
    if not unit_or_province:
        return None
    key = unit_or_province.strip()
    if key.isdigit() and len(key) <= 2:
        unit = session.scalar(
            select(OrgUnit).where(OrgUnit.kind == "province", OrgUnit.province_code == key.zfill(2))
        )
    else:
        unit = unit_by_code(session, key)
    if unit is None:
        raise AppError(errors.UNIT_NOT_FOUND, code=unit_or_province)
    return unit


def calendar_days(session: Session, province_code: str | None) -> list[CalendarDay]:
    """Nationwide days, then the province's (so a province's entry wins on the same date)."""
    clause = CalendarDay.province_code.is_(None)
    if province_code:
        clause = or_(clause, CalendarDay.province_code == province_code)
    rows = list(session.scalars(select(CalendarDay).where(clause).order_by(CalendarDay.day)))
    return sorted(rows, key=lambda d: d.province_code is not None)


def calendar_for(session: Session, unit_or_province: str | None = None) -> BusinessCalendar:
    """The business calendar of a unit (by code) or a province (2-digit code); national when None."""
    unit = resolve(session, unit_or_province)
    province = unit.province_code if unit else None
    overrides = [
        DayOverride(d.day, d.kind, d.name, d.name_en, d.province_code)
        for d in calendar_days(session, province)
    ]
    if unit is None:
        root = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.kind == "root"))
        hours = effective_hours(session, root)
    else:
        hours = effective_hours(session, unit)
    return BusinessCalendar(hours, overrides)


class UnitRef(NamedTuple):
    id: int
    province_code: str | None


@dataclass(frozen=True)
class _Tree:
    children: dict[int | None, list[int]]
    codes: dict[int, str]
    by_code: dict[str, UnitRef]


def _read_tree(session: Session) -> _Tree:
    children: dict[int | None, list[int]] = {}
    codes: dict[int, str] = {}
    by_code: dict[str, UnitRef] = {}
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.code, OrgUnit.province_code))
    for uid, parent, code, province in rows:
        children.setdefault(parent, []).append(uid)
        codes[uid] = code
        by_code[code] = UnitRef(uid, province)
    return _Tree(children, codes, by_code)


# Scoped staff and every list of requests need the tree: read once a minute per process (and
# again after this process loads units).
_trees = PerDatabase(_read_tree)


def unit_and_below(session: Session, unit_id: int | None) -> frozenset[int]:
    """A unit and every unit under it (a provincial office handles its grassroots offices' work)."""
    if unit_id is None:
        return frozenset()
    children = _trees.get(session).children
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += children.get(current, [])
    return frozenset(found)


def codes_of(session: Session, unit_ids: Iterable[int | None]) -> dict[int, str]:
    """Unit id → code for the given ids (unknown ids left out)."""
    codes = _trees.get(session).codes
    return {i: codes[i] for i in unit_ids if i is not None and i in codes}


def unit_ref(session: Session, code: str) -> UnitRef | None:
    """(id, province_code) of the unit with this code, active or not."""
    return _trees.get(session).by_code.get(code)


def forget_tree() -> None:
    """Drop the cached tree (after a load changed it)."""
    _trees.clear()
