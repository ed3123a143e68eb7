"""Writes of the legal corpus: importing ``articles.jsonl`` (read and checked by :mod:`legal_file`).

The whole file is checked first (a bad file changes nothing); then documents are upserted by
number and articles by key, in bulk. Articles missing from the file are kept: Q&A entries cite
them, and a smaller file (the bundled sample) must not erase a larger corpus.

What the import reports, and the events it appends, are what later Q&A currency checks hook into:

* a document already known that is now superseded → ``legal.document_superseded``;
* an article whose wording changed (``text_hash``) → ``legal.article_changed``.

New documents and articles get ``legal.document_added`` / ``legal.articles_added``; metadata-only
changes ``legal.document_changed`` / ``legal.article_relabelled``. The import gets one audit row.
Published Q&A entries citing a changed article, or an article of a newly superseded document, are
flagged ``needs_review`` (:func:`vsscare.knowledge.entries.flag_entries_for_articles`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from vsscare.core import audit, events
from vsscare.core.db import utcnow
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.i18n import _
from vsscare.core.text import fold
from vsscare.knowledge import entries
from vsscare.knowledge.events import (
    ArticleChanged,
    ArticleRelabelled,
    ArticlesAdded,
    DocumentAdded,
    DocumentChanged,
    DocumentSuperseded,
)
from vsscare.knowledge.legal_file import Progress, read_corpus
from vsscare.knowledge.models import LegalArticle, LegalDocument
from vsscare.knowledge.schemas import ArticleRecord

BATCH = 500  # rows per bulk INSERT / UPDATE


@dataclass
class ImportReport:
    file: str
    documents_new: list[str] = field(default_factory=list)
    documents_changed: list[str] = field(default_factory=list)
    documents_unchanged: int = 0
    # Documents already in the corpus that are now superseded: number → replacing number.
    documents_superseded: dict[str, str] = field(default_factory=dict)
    articles_new: int = 0
    articles_changed: list[str] = field(default_factory=list)  # any column
    articles_unchanged: int = 0
    text_changed: list[str] = field(default_factory=list)  # keys whose wording changed
    articles_not_in_file: int = 0  # kept as they are
    # Published Q&A entries citing a changed article or one of a newly superseded document.
    entries_flagged: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.documents_new or self.documents_changed or self.articles_new or self.articles_changed
        )

    def summary(self) -> str:
        documents = _(
            "văn bản: {new} mới, {changed} thay đổi, {superseded} mới hết hiệu lực, {unchanged} không đổi"
        ).format(
            new=len(self.documents_new),
            changed=len(self.documents_changed),
            superseded=len(self.documents_superseded),
            unchanged=self.documents_unchanged,
        )
        articles = _(
            "điều: {new} mới, {changed} thay đổi ({text} sửa nội dung), {unchanged} không đổi"
        ).format(
            new=self.articles_new,
            changed=len(self.articles_changed),
            text=len(self.text_changed),
            unchanged=self.articles_unchanged,
        )
        if not self.entries_flagged:
            return f"{documents}; {articles}"
        flagged = _("{count} hỏi đáp cần rà soát").format(count=len(self.entries_flagged))
        return f"{documents}; {articles}; {flagged}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def search_text(title: str | None, text: str) -> str:
    return fold(f"{title or ''}\n{text}")


def import_corpus(
    session: Session, path: str | Path, actor: Actor = SYSTEM, progress: Progress | None = None
) -> ImportReport:
    """Import a corpus file (see the module docstring). Idempotent: a second run changes nothing."""
    records, digest = read_corpus(path, progress)
    report = ImportReport(file=str(path))
    documents = _upsert_documents(session, records, actor, report)
    _upsert_articles(session, records, documents, actor, report, progress)
    _flag_entries(session, report, actor)
    audit.record(
        session,
        "legal.import",
        actor,
        object_type="legal_corpus",
        object_id=Path(path).name[:64],
        details={
            "file": str(path),
            "sha256": digest,
            "documents_new": report.documents_new,
            "documents_changed": report.documents_changed,
            "documents_superseded": report.documents_superseded,
            "articles_new": report.articles_new,
            "articles_changed": len(report.articles_changed),
            "articles_unchanged": report.articles_unchanged,
            "text_changed": report.text_changed,
            "entries_flagged": report.entries_flagged,
        },
    )
    session.flush()
    return report


def _flag_entries(session: Session, report: ImportReport, actor: Actor) -> None:
    """Published Q&A entries citing changed wording or a newly superseded document need review."""
    session.flush()
    flagged = set(
        entries.flag_entries_for_articles(
            session, report.text_changed, "Điều luật đã sửa nội dung: {articles}", actor
        )
    )
    for number, by in report.documents_superseded.items():
        keys = session.scalars(
            select(LegalArticle.key).join(LegalArticle.document).where(LegalDocument.number == number)
        ).all()
        reason = f"Văn bản {number} hết hiệu lực, thay thế bởi {by}: {{articles}}"
        flagged.update(entries.flag_entries_for_articles(session, keys, reason, actor))
    report.entries_flagged = sorted(flagged)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _upsert_documents(
    session: Session, records: list[ArticleRecord], actor: Actor, report: ImportReport
) -> dict[str, LegalDocument]:
    existing = {d.number: d for d in session.scalars(select(LegalDocument))}
    counts: dict[str, int] = {}
    wanted: dict[str, dict[str, Any]] = {}
    for r in records:
        counts[r.doc_number] = counts.get(r.doc_number, 0) + 1
        wanted.setdefault(
            r.doc_number,
            {
                "doc_type": r.doc_type,
                "title": r.doc_title,
                "issued": r.issued,
                "effective": r.effective,
                "superseded_by": r.superseded_by,
            },
        )
    created: list[LegalDocument] = []
    for number, values in wanted.items():
        document = existing.get(number)
        if document is None:
            document = LegalDocument(number=number, **values)
            session.add(document)
            existing[number] = document
            created.append(document)
            continue
        changes = {f: [getattr(document, f), v] for f, v in values.items() if getattr(document, f) != v}
        if not changes:
            report.documents_unchanged += 1
            continue
        for name, (_old, new) in changes.items():
            setattr(document, name, new)
        report.documents_changed.append(number)
        data = {name: [_json(old), _json(new)] for name, (old, new) in changes.items()}
        events.append(session, DocumentChanged(number=number, changes=data), number, actor)
        old_by, new_by = changes.get("superseded_by", [None, None])
        if new_by:
            report.documents_superseded[number] = new_by
            event = DocumentSuperseded(number=number, superseded_by=new_by, previous=old_by)
            events.append(session, event, number, actor)
    session.flush()  # ids for the articles
    for document in created:
        report.documents_new.append(document.number)
        data = DocumentAdded(
            number=document.number,
            doc_type=document.doc_type,
            title=document.title,
            articles=counts[document.number],
        )
        events.append(session, data, document.number, actor)
    return existing


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _upsert_articles(
    session: Session,
    records: list[ArticleRecord],
    documents: dict[str, LegalDocument],
    actor: Actor,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    # Columns only, never the texts: a re-import compares hashes.
    columns = (LegalArticle.id, LegalArticle.key, LegalArticle.title, LegalArticle.chapter,
               LegalArticle.text_hash)  # fmt: skip
    existing = {row.key: row for row in session.execute(select(*columns))}
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    added: dict[str, list[str]] = {}
    for r in records:
        digest = text_hash(r.text)
        row = existing.get(r.key)
        if row is None:
            inserts.append(
                {
                    "key": r.key,
                    "document_id": documents[r.doc_number].id,
                    "article": r.article,
                    "title": r.article_title,
                    "chapter": r.chapter,
                    "text": r.text,
                    "text_hash": digest,
                    "search_text": search_text(r.article_title, r.text),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            added.setdefault(r.doc_number, []).append(r.key)
            continue
        relabel = {
            name: [old, new]
            for name, old, new in (("title", row.title, r.article_title), ("chapter", row.chapter, r.chapter))
            if old != new
        }
        if not relabel and row.text_hash == digest:
            report.articles_unchanged += 1
            continue
        values: dict[str, Any] = {
            "id": row.id,
            "title": r.article_title,
            "chapter": r.chapter,
            "updated_at": now,
        }
        if row.text_hash != digest:
            values |= {"text": r.text, "text_hash": digest}
        values["search_text"] = search_text(r.article_title, r.text)
        updates.append(values)
        report.articles_changed.append(r.key)
        if row.text_hash != digest:
            report.text_changed.append(r.key)
            fields = ["text", *relabel]
            event = ArticleChanged(
                key=r.key, document=r.doc_number, old_hash=row.text_hash, new_hash=digest, fields=fields
            )
            events.append(session, event, r.key, actor)
        else:
            events.append(session, ArticleRelabelled(key=r.key, changes=relabel), r.key, actor)
    total, done = len(inserts) + len(updates), 0
    for batch in _batches(inserts):
        session.execute(insert(LegalArticle), batch)
        done += len(batch)
        if progress:
            progress("write", done, total)
    # Bulk UPDATE by primary key groups rows by their set of columns.
    for batch in _batches(updates):
        session.execute(update(LegalArticle), batch)
        done += len(batch)
        if progress:
            progress("write", done, total)
    for number, keys in added.items():
        events.append(session, ArticlesAdded(number=number, keys=keys), number, actor)
    report.articles_new = len(inserts)
    in_file = {r.key for r in records}
    report.articles_not_in_file = sum(1 for key in existing if key not in in_file)
