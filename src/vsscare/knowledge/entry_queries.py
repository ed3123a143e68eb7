"""Reads of the Q&A bank for editors: search and filters, the review queue, versions and diffs.

Search folds the query like :mod:`legal_queries` does (no diacritics, đ→d) and needs every word in
the entry's question, phrasings or short answer, so "tro cap that nghiep", "trợ cấp thất nghiệp"
and "tro cap TN" style queries find the same entries. The bank holds thousands of entries, not
millions: a LIKE scan is milliseconds.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.knowledge import errors
from vsscare.knowledge.content import STATUSES
from vsscare.knowledge.entries import entry_dict
from vsscare.knowledge.legal_status import LegalStatus, document_status, today_vn
from vsscare.knowledge.legal_text import alternatives, query_terms
from vsscare.knowledge.models import (
    KbEntry,
    KbEntryComment,
    KbEntryVersion,
    LegalArticle,
    LegalDocument,
)

MAX_LIMIT = 200
FLAGS = ("needs_review", "due", "scheduled", "live")


def _flag_clause(flag: str, today: date) -> ColumnElement[bool]:
    if flag == "needs_review":
        return KbEntry.needs_review.is_(True)
    if flag == "due":
        return and_(
            KbEntry.next_review_at.is_not(None), KbEntry.next_review_at <= today, KbEntry.status != "retired"
        )
    if flag == "scheduled":
        return KbEntry.publish_on.is_not(None)
    return KbEntry.published_version.is_not(None)  # live


@dataclass(frozen=True)
class EntryPage:
    total: int
    items: list[KbEntry]


def search_entries(
    session: Session,
    q: str = "",
    *,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    flag: str | None = None,
    limit: int = 50,
    offset: int = 0,
    today: date | None = None,
) -> EntryPage:
    """Entries matching every word of ``q`` and the filters, by code (the bank's reading order)."""
    today = today or today_vn()
    conditions: list[ColumnElement[bool]] = []
    for term in query_terms(q):
        words = alternatives(term)
        matches = [KbEntry.search_text.contains(w, autoescape=True) for w in words]
        matches.append(KbEntry.code.contains(term, autoescape=True))
        conditions.append(or_(*matches))
    if status in STATUSES:
        conditions.append(KbEntry.status == status)
    if topic:
        conditions.append(KbEntry.topic == topic)
    if flag in FLAGS:
        conditions.append(_flag_clause(flag, today))
    stmt = select(KbEntry).where(*conditions)
    if audience:
        # JSON lists differ by backend; the bank is small enough to filter the matches in Python.
        matched = [e for e in session.scalars(stmt.order_by(KbEntry.code)) if audience in (e.audiences or [])]
        limit = max(1, min(limit, MAX_LIMIT))
        return EntryPage(len(matched), matched[offset : offset + limit])
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    limit = max(1, min(limit, MAX_LIMIT))
    items = session.scalars(stmt.order_by(KbEntry.code).offset(offset).limit(limit)).all()
    return EntryPage(total, list(items))


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(KbEntry.status, func.count()).group_by(KbEntry.status))
    found = dict(rows.all())
    return {s: found.get(s, 0) for s in STATUSES}


@dataclass
class ReviewQueue:
    """What waits for an approver, each list by code."""

    in_review: list[KbEntry] = field(default_factory=list)  # to approve
    approved: list[KbEntry] = field(default_factory=list)  # to publish (or scheduled)
    needs_review: list[KbEntry] = field(default_factory=list)  # a legal basis changed
    due: list[KbEntry] = field(default_factory=list)  # periodic review date passed

    @property
    def total(self) -> int:
        return len(self.in_review) + len(self.approved) + len(self.needs_review) + len(self.due)


def review_queue(session: Session, today: date | None = None) -> ReviewQueue:
    today = today or today_vn()
    queue = ReviewQueue()
    stmt = select(KbEntry).where(
        or_(
            KbEntry.status.in_(("in_review", "approved")),
            _flag_clause("needs_review", today),
            _flag_clause("due", today),
        )
    )
    for entry in session.scalars(stmt.order_by(KbEntry.code)):
        if entry.status == "in_review":
            queue.in_review.append(entry)
        elif entry.status == "approved":
            queue.approved.append(entry)
        if entry.needs_review:
            queue.needs_review.append(entry)
        elif entry.status != "retired" and entry.next_review_at is not None and entry.next_review_at <= today:
            queue.due.append(entry)
    return queue


# -- one entry ------------------------------------------------------------------------------------


def get_entry(session: Session, code: str, *, lock: bool = False) -> KbEntry:
    """By code; ``lock`` (writers) holds the row until the transaction ends."""
    stmt = select(KbEntry).where(KbEntry.code == code).options(selectinload(KbEntry.bases))
    entry = session.scalar(stmt.with_for_update() if lock else stmt)
    if entry is None:
        raise AppError(errors.ENTRY_NOT_FOUND, code=code)
    return entry


def versions(session: Session, entry: KbEntry) -> list[KbEntryVersion]:
    """Newest first."""
    stmt = select(KbEntryVersion).where(KbEntryVersion.entry_id == entry.id)
    return list(session.scalars(stmt.order_by(KbEntryVersion.version.desc())))


def get_version(session: Session, entry: KbEntry, version: int) -> KbEntryVersion:
    found = session.scalar(
        select(KbEntryVersion).where(KbEntryVersion.entry_id == entry.id, KbEntryVersion.version == version)
    )
    if found is None:
        raise AppError(errors.VERSION_NOT_FOUND, code=entry.code, version=version)
    return found


def live_content(session: Session, entry: KbEntry) -> dict[str, Any] | None:
    """What citizens get for this entry (the bank file's shape), or None when nothing is live."""
    if entry.published_version is None:
        return None
    if entry.published_version == entry.version:
        return entry_dict(entry)
    return dict(get_version(session, entry, entry.published_version).snapshot)


def comments(session: Session, entry: KbEntry) -> list[KbEntryComment]:
    stmt = select(KbEntryComment).where(KbEntryComment.entry_id == entry.id)
    return list(session.scalars(stmt.order_by(KbEntryComment.id)))


def history(session: Session, entry: KbEntry, limit: int = 200) -> list[EventRecord]:
    """The entry's events, newest first."""
    stmt = (
        select(EventRecord)
        .where(EventRecord.subject_type == "kb_entry", EventRecord.subject_id == entry.code)
        .order_by(EventRecord.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Basis:
    key: str
    title: str | None
    document_title: str
    status: LegalStatus


def bases(session: Session, keys: list[str], today: date | None = None) -> list[Basis]:
    """The articles of ``keys`` with their in-force status, in the order given."""
    if not keys:
        return []
    today = today or today_vn()
    stmt = (
        select(LegalArticle.key, LegalArticle.title, LegalDocument)
        .join(LegalDocument, LegalDocument.id == LegalArticle.document_id)
        .where(LegalArticle.key.in_(keys))
    )
    found = {key: (title, doc) for key, title, doc in session.execute(stmt)}
    return [
        Basis(k, found[k][0], found[k][1].title, document_status(found[k][1], today))
        for k in keys
        if k in found
    ]


# -- diffs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: str
    new: str
    inline: Markup  # the new text with <del>/<ins> marks, escaped


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _inline(old: str, new: str) -> Markup:
    """Word-level marks: what was removed in <del>, what was added in <ins>."""
    a, b = old.split(" "), new.split(" ")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return Markup(" ".join(out))


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two snapshots (bank file shape), in the file's field order."""
    found = []
    for name in new:
        # Workflow, not content: publishing and reviewing move the review date on their own.
        if name in ("id", "version", "status", "next_review_at"):
            continue
        before, after = _as_text(old.get(name)), _as_text(new.get(name))
        if before != after:
            found.append(FieldDiff(name, before, after, _inline(before, after)))
    return found
