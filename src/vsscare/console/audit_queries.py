"""Searching the audit log: who did what to which object, when, in which HTTP request, for which
reason. Newest first, by pages of ids (keyset), on the log's indexes; province-scoped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, String, and_, cast, or_, select
from sqlalchemy.orm import Session

from vsscare.accounts import queries as accounts
from vsscare.accounts.principal import Principal
from vsscare.core.audit import AuditEntry
from vsscare.orgunits.calendar import VN_TZ

PAGE = 100
EXPORT_MAX = 100_000
OUTCOMES = ("ok", "denied", "failed")


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # prefix: "customer." matches every customer action
    actor: str = ""  # part of the actor's name, or an exact ref such as "user:12"
    outcome: str = ""  # "", ok, denied, failed
    object_type: str = ""
    object_id: str = ""  # also found inside a lookup's list of ids ("12,15,40")
    correlation_id: str = ""
    details: str = ""  # text inside the details, e.g. a reason given
    since: date | None = None  # Vietnam dates, inclusive
    until: date | None = None

    @classmethod
    def clean(cls, **raw: str | None) -> tuple[AuditFilter, list[str]]:
        """The filter, and what was wrong with the input (bad dates are dropped, not fatal)."""
        problems: list[str] = []

        def day(name: str) -> date | None:
            value = (raw.get(name) or "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                problems.append(name)
                return None

        def text(name: str, size: int = 80) -> str:
            return (raw.get(name) or "").strip()[:size]

        outcome = text("outcome")
        found = cls(
            action=text("action"), actor=text("actor"), outcome=outcome if outcome in OUTCOMES else "",
            object_type=text("object_type", 40), object_id=text("object_id", 64),
            correlation_id=text("correlation_id", 64), details=text("details", 100),
            since=day("since"), until=day("until"),
        )  # fmt: skip
        if found.since and found.until and found.since > found.until:
            problems.append("until")
        return found, problems

    def query_params(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v}


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


def _statement(session: Session, principal: Principal, f: AuditFilter) -> Select:
    stmt = select(AuditEntry)
    if principal.provinces is not None:
        # Staff limited to provinces see what their provinces' staff did and what was done to them.
        ids = [str(user.id) for user in accounts.list_users(session, principal)]
        stmt = stmt.where(
            or_(
                AuditEntry.actor.in_([f"user:{i}" for i in ids]),
                and_(AuditEntry.object_type == "user", AuditEntry.object_id.in_(ids)),
            )
        )
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.actor:
        stmt = stmt.where(
            or_(AuditEntry.actor == f.actor, AuditEntry.actor_name.icontains(f.actor, autoescape=True))
        )
    if f.outcome:
        stmt = stmt.where(AuditEntry.outcome == f.outcome)
    if f.object_type:
        stmt = stmt.where(AuditEntry.object_type == f.object_type)
    if f.object_id:
        listed = or_(
            AuditEntry.object_id == f.object_id,
            AuditEntry.object_id.startswith(f"{f.object_id},", autoescape=True),
            AuditEntry.object_id.endswith(f",{f.object_id}", autoescape=True),
            AuditEntry.object_id.contains(f",{f.object_id},", autoescape=True),
        )
        stmt = stmt.where(listed)
    if f.correlation_id:
        stmt = stmt.where(AuditEntry.correlation_id == f.correlation_id)
    if f.details:
        as_text = cast(AuditEntry.details, String)
        # SQLite keeps the JSON with non-ASCII letters escaped (\u1ed1); PostgreSQL as they are.
        escaped = json.dumps(f.details)[1:-1]
        stmt = stmt.where(
            or_(as_text.icontains(f.details, autoescape=True), as_text.icontains(escaped, autoescape=True))
        )
    if f.since:
        stmt = stmt.where(AuditEntry.at >= _moment(f.since))
    if f.until:
        stmt = stmt.where(AuditEntry.at < _moment(f.until + timedelta(days=1)))
    return stmt


def page(
    session: Session,
    principal: Principal,
    f: AuditFilter,
    *,
    before: int | None = None,
    size: int | None = None,
) -> tuple[list[AuditEntry], int | None]:
    """One page, newest first, and the id to ask ``before`` for the next (None at the end)."""
    size = size or PAGE
    stmt = _statement(session, principal, f)
    if before:
        stmt = stmt.where(AuditEntry.id < before)
    rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def everything(
    session: Session, principal: Principal, f: AuditFilter, limit: int = EXPORT_MAX
) -> Iterator[AuditEntry]:
    """Up to ``limit`` entries, newest first, read a page at a time."""
    before, given = None, 0
    while given < limit:
        rows, before = page(session, principal, f, before=before, size=min(2000, limit - given))
        yield from rows
        given += len(rows)
        if before is None:
            return
