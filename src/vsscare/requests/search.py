"""Full-text search over requests, with or without diacritics.

Each request has one folded document (``request_search.body``: subject, contact name, e-mail
and the customer's messages, lower case without diacritics). SQLite searches it with an FTS5
table kept in step by triggers; PostgreSQL with a GIN index over a generated column
``body_tsv = to_tsvector('simple', body)``.
Both are created by the migration. Every word must match; the last one may be a prefix
("bao hiem that ngh" finds "bảo hiểm thất nghiệp").
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, column, func, literal_column, table, text
from sqlalchemy.orm import Session

from vsscare.core.text import fold
from vsscare.requests.models import Request, RequestSearch

MAX_BODY = 8000  # characters kept per request: the start of a long conversation says what it is about
MAX_WORDS = 8
_WORD = re.compile(r"[0-9a-z]+")


_FTS = table("request_fts", column("rowid"))  # SQLite's FTS5 index (made by the migration)


def words(q: str) -> list[str]:
    return _WORD.findall(fold(q))[:MAX_WORDS]


def folded(*parts: str | None) -> str:
    return " ".join(fold(p) for p in parts if p)


def index(session: Session, request_id: int, text_: str, *, append: bool = False, new: bool = False) -> None:
    """Set (or extend) the searchable text of a request (``new``: it has none yet)."""
    row = None if new else session.get(RequestSearch, request_id)
    if row is None:
        session.add(RequestSearch(request_id=request_id, body=text_[:MAX_BODY]))
    elif append:
        if len(row.body) < MAX_BODY:
            row.body = (row.body + " " + text_)[:MAX_BODY]
    else:
        row.body = text_[:MAX_BODY]


def _fts5_query(terms: list[str]) -> str:
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(terms: list[str]) -> str:
    return " & ".join([*terms[:-1], terms[-1] + ":*"])


def matching(stmt: Select, session: Session, q: str) -> tuple[Select, ColumnElement[int]]:
    """``stmt`` (a select over :class:`Request`) limited to requests matching every word of ``q``,
    and the id column to order and page by. That is the search index's own request id, so
    SQLite reads its index newest first and stops once a page is full, however many requests
    match (PostgreSQL's index has no order: ``queries`` searches the newest ids first there)."""
    terms = words(q)
    if not terms:
        return stmt, Request.id
    if session.get_bind().dialect.name == "sqlite":
        rowid = _FTS.c.rowid
        joined = stmt.join(_FTS, rowid == Request.id).where(
            text("request_fts MATCH :fts_query").bindparams(fts_query=_fts5_query(terms))
        )
        return joined, rowid
    vector = literal_column("request_search.body_tsv")  # generated to_tsvector('simple', body)
    query = func.to_tsquery(literal_column("'simple'"), _tsquery(terms))
    joined = stmt.join(RequestSearch, RequestSearch.request_id == Request.id).where(vector.op("@@")(query))
    return joined, RequestSearch.request_id
