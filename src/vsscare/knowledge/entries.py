"""Writes of the Q&A bank: import from bank files, export to them, currency check and flags.

* :func:`import_bank` upserts entries by code (the file's ``id``). A new entry keeps the file's
  version; an entry whose content differs gets ``version + 1`` and a ``kb_entry_versions`` row with
  a snapshot of every field; an unchanged entry is not touched. The file's ``version`` is ignored
  for entries already known (the database counts versions), so export → import is a no-op.
  ``needs_review`` is left as it is: clearing it is a reviewer's decision, not a file's.
* :func:`export_bank` gives back the file shape, so import → export → import loses nothing.
* :func:`check` lists published entries citing law not in force (broken), entries past their
  review date (due) and entries flagged for review (stale).
* :func:`flag_entries_for_articles` is called by the legal import for articles whose wording
  changed and articles of documents newly superseded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vsscare.core import audit, events
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.i18n import _
from vsscare.core.text import fold
from vsscare.knowledge.content import EntryContent
from vsscare.knowledge.entry_file import ENGLISH, FIELDS, BankLine, EntryRecord, read_bank
from vsscare.knowledge.events import EntryChanged, EntryImported, EntryNeedsReview
from vsscare.knowledge.legal_status import SUPERSEDED, document_status, today_vn
from vsscare.knowledge.models import KbEntry, KbEntryBasis, KbEntryVersion, LegalArticle, LegalDocument

# Columns copied as they are between the file and the table (the rest: id/code, legal_bases).
_COLUMNS = tuple(f for f in FIELDS if f not in ("id", "legal_bases", "version"))
CONTENT_FIELDS = tuple(EntryContent.model_fields)
_DATES = ("effective_from", "effective_to", "next_review_at")


@dataclass
class BankImportReport:
    files: list[str]
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return _("hỏi đáp: {new} mới, {changed} thay đổi, {unchanged} không đổi").format(
            new=len(self.new), changed=len(self.changed), unchanged=self.unchanged
        )


def search_text(content: EntryContent) -> str:
    return fold("\n".join([content.question, *content.phrasings, content.short_answer]))


def entry_dict(entry: KbEntry) -> dict[str, Any]:
    """The entry in the bank file's shape (dates as ISO strings)."""
    data: dict[str, Any] = {"id": entry.code}
    for name in _COLUMNS:
        value = getattr(entry, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    data |= {f: data[f] or "" for f in ENGLISH}
    data["legal_bases"] = entry.legal_bases
    data["version"] = entry.version
    return {f: data[f] for f in FIELDS}


def content_dict(entry: KbEntry) -> dict[str, Any]:
    """What an editor wrote on the entry's current version, in the bank file's shape."""
    data = entry_dict(entry)
    return {name: data[name] for name in CONTENT_FIELDS}


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "version"}


def apply_content(entry: KbEntry, content: EntryContent) -> None:
    """Copy what an editor writes onto the entry (not its code, status or version)."""
    for name in CONTENT_FIELDS:
        if name != "legal_bases":
            setattr(entry, name, getattr(content, name))
    entry.search_text = search_text(content)
    wanted = content.legal_bases
    if entry.legal_bases != wanted:
        entry.bases.clear()
        for position, key in enumerate(wanted):
            entry.bases.append(KbEntryBasis(article_key=key, position=position))


def _apply(entry: KbEntry, record: EntryRecord, actor: Actor) -> None:
    apply_content(entry, record)
    entry.status = record.status
    entry.updated_by = actor.ref
    # A file's status is authoritative: published goes live at this version, retired goes offline,
    # other states leave the live version (if any) as it is.
    if record.status == "published":
        entry.published_version = entry.version
        entry.publish_on = None
    elif record.status == "retired":
        entry.published_version = None
        entry.publish_on = None


def snapshot(session: Session, entry: KbEntry, actor: Actor, note: str | None) -> None:
    """Keep every field of the entry's current version, with who made it."""
    session.add(
        KbEntryVersion(
            entry_id=entry.id, version=entry.version, snapshot=entry_dict(entry), author=actor.ref, note=note
        )
    )


def _load_entries(session: Session) -> dict[str, KbEntry]:
    stmt = select(KbEntry).options(selectinload(KbEntry.bases))
    return {e.code: e for e in session.scalars(stmt)}


def import_bank(
    session: Session, paths: str | Path | Iterable[str | Path], actor: Actor = SYSTEM
) -> BankImportReport:
    """Import bank files (a directory: its ``*.jsonl``); a bad bank changes nothing."""
    lines = read_bank(session, paths)
    report = BankImportReport(files=sorted({item.file for item in lines}))
    existing = _load_entries(session)
    created: list[tuple[KbEntry, BankLine]] = []
    for item in lines:
        record = item.record
        entry = existing.get(record.id)
        if entry is None:
            entry = KbEntry(code=record.id, version=record.version, needs_review=False)
            _apply(entry, record, actor)
            session.add(entry)
            created.append((entry, item))
            continue
        old = entry_dict(entry)
        new = record.as_file_dict()
        if _content(old) == _content(new):
            report.unchanged += 1
            continue
        fields = [f for f in FIELDS if f not in ("id", "version") and old[f] != new[f]]
        entry.version += 1
        _apply(entry, record, actor)
        session.flush()
        snapshot(session, entry, actor, f"import {Path(item.file).name}:{item.line}")
        report.changed.append(entry.code)
        event = EntryChanged(code=entry.code, version=entry.version, fields=fields, file=item.file)
        events.append(session, event, entry.code, actor)
    session.flush()  # ids of the new entries
    for entry, item in created:
        snapshot(session, entry, actor, f"import {Path(item.file).name}:{item.line}")
        report.new.append(entry.code)
        event = EntryImported(code=entry.code, version=entry.version, status=entry.status, file=item.file)
        events.append(session, event, entry.code, actor)
    audit.record(
        session,
        "kb.import",
        actor,
        object_type="kb_bank",
        object_id=Path(report.files[0]).parent.name[:64] if report.files else None,
        details={
            "files": report.files,
            "new": report.new,
            "changed": report.changed,
            "unchanged": report.unchanged,
        },
    )
    session.flush()
    return report


def export_bank(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    """Every entry (or those with ``status``) in the bank file's shape, in import order."""
    stmt = select(KbEntry).options(selectinload(KbEntry.bases)).order_by(KbEntry.id)
    if status:
        stmt = stmt.where(KbEntry.status == status)
    return [entry_dict(e) for e in session.scalars(stmt)]


# -- currency -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    code: str
    article: str
    status: str  # superseded | not_yet_effective
    label: str  # "Hết hiệu lực — thay thế bởi …"


@dataclass(frozen=True)
class Flagged:
    code: str
    question: str
    detail: str  # the review date or the reason


@dataclass
class CheckReport:
    today: date
    broken: list[Broken] = field(default_factory=list)
    due: list[Flagged] = field(default_factory=list)
    stale: list[Flagged] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No published entry cites a superseded article. (A missing one cannot happen: bases are
        foreign keys.) Citing law not yet in effect is listed but allowed: answers about a coming
        law are published ahead of its date."""
        return not any(b.status == SUPERSEDED for b in self.broken)


def check(session: Session, today: date | None = None) -> CheckReport:
    """Published entries citing law not in force on ``today``; entries (not retired) whose review
    date has come; entries flagged as needing review."""
    today = today or today_vn()
    report = CheckReport(today)
    stmt = (
        select(KbEntry.code, LegalArticle.key, LegalDocument.effective, LegalDocument.superseded_by)
        .join(KbEntryBasis, KbEntryBasis.entry_id == KbEntry.id)
        .join(LegalArticle, LegalArticle.key == KbEntryBasis.article_key)
        .join(LegalDocument, LegalDocument.id == LegalArticle.document_id)
        .where(KbEntry.published_version.is_not(None))
        .order_by(KbEntry.code, KbEntryBasis.position)
    )
    for row in session.execute(stmt):
        status = document_status(row, today)
        if not status.in_force:
            report.broken.append(Broken(row.code, row.key, status.code, status.label))
    live = select(KbEntry).where(KbEntry.status != "retired").order_by(KbEntry.code)
    for entry in session.scalars(live):
        if entry.next_review_at is not None and entry.next_review_at <= today:
            report.due.append(Flagged(entry.code, entry.question, entry.next_review_at.isoformat()))
        if entry.needs_review:
            report.stale.append(Flagged(entry.code, entry.question, entry.review_reason or ""))
    return report


def flag_entries_for_articles(
    session: Session, keys: Iterable[str], reason: str, actor: Actor = SYSTEM
) -> list[str]:
    """Mark every published entry citing one of ``keys`` as needing review; returns their codes.

    ``reason`` may hold ``{articles}``: the entry's own affected keys. A reason already recorded
    on the entry is kept and the new one added on its own line. One ``kb.entry_needs_review``
    event per entry flagged."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    cited: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = (
            select(KbEntryBasis.entry_id, KbEntryBasis.article_key)
            .join(KbEntry, KbEntry.id == KbEntryBasis.entry_id)
            .where(KbEntry.published_version.is_not(None), KbEntryBasis.article_key.in_(chunk))
            .order_by(KbEntryBasis.entry_id, KbEntryBasis.position)
        )
        for entry_id, key in session.execute(stmt):
            cited.setdefault(entry_id, []).append(key)
    flagged: list[str] = []
    for entry in session.scalars(select(KbEntry).where(KbEntry.id.in_(cited)).order_by(KbEntry.code)):
        articles = cited[entry.id]
        text = reason.format(articles=", ".join(articles)) if "{articles}" in reason else reason
        reasons = (entry.review_reason or "").splitlines() if entry.needs_review else []
        if text not in reasons:
            reasons.append(text)
        entry.needs_review = True
        entry.review_reason = "\n".join(reasons)
        flagged.append(entry.code)
        events.append(
            session, EntryNeedsReview(code=entry.code, reason=text, articles=articles), entry.code, actor
        )
    session.flush()
    return flagged
