"""Reads of the legal corpus: documents, articles, search, and the Q&A entries citing an article.

Search matches every query word (folded: lower case, no diacritics, đ→d) against each article's
``search_text``, so "tro cap that nghiep" and "trợ cấp thất nghiệp" find the same articles. The
corpus is small (about 1,400 articles, 2 MB of text): a LIKE scan takes milliseconds on both
backends; a trigram or FTS index is worth adding only if it grows tenfold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from vsscare.core.errors import AppError
from vsscare.core.text import fold, nfc
from vsscare.knowledge import errors
from vsscare.knowledge.legal_status import LegalStatus, document_status, today_vn
from vsscare.knowledge.legal_text import (
    Candidate,
    alternatives,
    natural_key,
    phrase,
    query_terms,
    score,
    snippet,
)
from vsscare.knowledge.models import KbEntry, KbEntryBasis, LegalArticle, LegalDocument

MAX_LIMIT = 200
_TYPE_ORDER = {"Luật": 0, "Nghị định": 1, "Thông tư": 2, "Quyết định": 3, "Văn bản hợp nhất": 4}


def in_force_clause(today: date) -> ColumnElement[bool]:
    """WHERE clause: the document is in force on ``today`` (see :mod:`legal_status`)."""
    return and_(
        LegalDocument.superseded_by.is_(None),
        or_(LegalDocument.effective.is_(None), LegalDocument.effective <= today),
    )


# -- documents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    document: LegalDocument
    article_count: int
    status: LegalStatus


def list_documents(session: Session, today: date | None = None) -> list[DocumentRow]:
    """Every document with its article count: in force first, then laws before decrees and
    circulars, newest first."""
    today = today or today_vn()
    counts = dict(
        session.execute(
            select(LegalArticle.document_id, func.count()).group_by(LegalArticle.document_id)
        ).all()
    )
    rows = [
        DocumentRow(d, counts.get(d.id, 0), document_status(d, today))
        for d in session.scalars(select(LegalDocument))
    ]
    rows.sort(key=lambda r: (r.document.number,))
    rows.sort(key=lambda r: r.document.issued, reverse=True)
    rows.sort(key=lambda r: (not r.status.in_force, _TYPE_ORDER.get(r.document.doc_type, 9)))
    return rows


def find_document(session: Session, number: str) -> LegalDocument | None:
    """By number; also as people type it: any case, without diacritics (158/2025/nd-cp)."""
    number = nfc(number).strip()
    found = session.scalar(select(LegalDocument).where(LegalDocument.number == number))
    if found is not None or not number:
        return found
    wanted = fold(number)
    numbers = session.scalars(select(LegalDocument.number)).all()
    match = next((n for n in numbers if fold(n) == wanted), None)
    return session.scalar(select(LegalDocument).where(LegalDocument.number == match)) if match else None


def get_document(session: Session, number: str) -> LegalDocument:
    document = find_document(session, number)
    if document is None:
        raise AppError(errors.DOCUMENT_NOT_FOUND, number=number)
    return document


def document_articles(session: Session, document: LegalDocument) -> list[LegalArticle]:
    """The document's articles in the statute's order (2 < 10 < 33 < 33a)."""
    articles = session.scalars(select(LegalArticle).where(LegalArticle.document_id == document.id)).all()
    return sorted(articles, key=lambda a: natural_key(a.article))


# -- articles -------------------------------------------------------------------------------------


def find_article(session: Session, key: str) -> LegalArticle | None:
    """By key ``DOC_NUMBER#ARTICLE``; the document part as :func:`find_document` accepts it, and
    ``DOC_NUMBER/ARTICLE`` for clients that cannot send '#'."""
    key = nfc(key).strip()
    stmt = select(LegalArticle).options(joinedload(LegalArticle.document))
    found = session.scalar(stmt.where(LegalArticle.key == key))
    if found is not None:
        return found
    number, sep, article = key.rpartition("#") if "#" in key else key.rpartition("/")
    if not sep or not number or not article:
        return None
    document = find_document(session, number)
    if document is None:
        return None
    return session.scalar(stmt.where(LegalArticle.key == f"{document.number}#{article.strip().lower()}"))


def get_article(session: Session, key: str) -> LegalArticle:
    article = find_article(session, key)
    if article is None:
        raise AppError(errors.ARTICLE_NOT_FOUND, key=key)
    return article


@dataclass(frozen=True)
class Hit:
    article: LegalArticle  # with its document loaded
    status: LegalStatus
    snippet: str
    score: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    terms: list[str]


def _word_matches(term: str) -> ColumnElement[bool]:
    return or_(*(LegalArticle.search_text.contains(a, autoescape=True) for a in alternatives(term)))


def search_articles(
    session: Session,
    q: str = "",
    *,
    document: str | None = None,
    in_force: bool = False,
    limit: int = 20,
    offset: int = 0,
    today: date | None = None,
) -> SearchResult:
    """Articles containing every word of ``q`` (with or without diacritics), best first: title
    matches, then the whole phrase in the text, current law before repealed law. Without words:
    the articles of the filter in statute order. ``document`` is a document number."""
    today = today or today_vn()
    terms = query_terms(q)
    whole = phrase(terms)
    conditions: list[ColumnElement[bool]] = [_word_matches(t) for t in terms]
    if document:
        found = find_document(session, document)
        if found is None:
            raise AppError(errors.DOCUMENT_NOT_FOUND, number=document)
        conditions.append(LegalArticle.document_id == found.id)
    if in_force:
        conditions.append(in_force_clause(today))
    in_text = LegalArticle.search_text.contains(whole, autoescape=True) if terms else None
    stmt = select(
        LegalArticle.id,
        LegalArticle.title,
        LegalArticle.article,
        LegalDocument.number,
        LegalDocument.issued,
        LegalDocument.effective,
        LegalDocument.superseded_by,
        case((in_text, 1), else_=0) if in_text is not None else literal(0),
    ).join(LegalArticle.document)
    if conditions:
        stmt = stmt.where(*conditions)
    ranked = []
    for row in session.execute(stmt):
        status = document_status(row, today)
        points = score(Candidate(row.title, bool(row[-1]), status.in_force), terms)
        ranked.append((-points, -row.issued.toordinal(), row.number, natural_key(row.article), row.id))
    ranked.sort()
    limit = max(1, min(limit, MAX_LIMIT))
    page = ranked[offset : offset + limit]
    ids = [item[-1] for item in page]
    articles = {
        a.id: a
        for a in session.scalars(
            select(LegalArticle).options(joinedload(LegalArticle.document)).where(LegalArticle.id.in_(ids))
        )
    }
    hits = [
        Hit(
            articles[i], document_status(articles[i].document, today), snippet(articles[i].text, terms), -p[0]
        )
        for p, i in zip(page, ids, strict=True)
    ]
    return SearchResult(len(ranked), hits, terms)


# -- the Q&A bank's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class CitingEntry:
    """A Q&A entry that gives an article as a legal basis."""

    id: str
    question: str
    status: str
    url: str | None = None


def citing_entries(session: Session, keys: Iterable[str]) -> dict[str, list[CitingEntry]]:
    """The Q&A entries citing each of ``keys`` (article keys), for the "Hỏi đáp trích dẫn" column.

    Keys nobody cites are left out of the mapping: callers treat a missing key as "not cited".
    Retired entries are left out; the others come in code order.
    """
    wanted = sorted(set(keys))
    found: dict[str, list[CitingEntry]] = {}
    for start in range(0, len(wanted), 500):
        stmt = (
            select(KbEntryBasis.article_key, KbEntry.code, KbEntry.question, KbEntry.status)
            .join(KbEntry, KbEntry.id == KbEntryBasis.entry_id)
            .where(KbEntryBasis.article_key.in_(wanted[start : start + 500]), KbEntry.status != "retired")
            .order_by(KbEntry.code)
        )
        for key, code, question, status in session.execute(stmt):
            found.setdefault(key, []).append(
                CitingEntry(code, question, status, f"/console/knowledge/{code}")
            )
    return found
