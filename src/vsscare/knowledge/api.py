"""JSON API of the legal corpus: documents, articles, search.

Article keys contain '/' and '#' (``41/2024/QH15#60``). Send them in the path as they are, with
'#' percent-encoded as ``%23`` (a raw '#' starts the URL fragment and never reaches the server):
``GET /api/v1/legal/articles/41/2024/QH15%2360``. Non-ASCII letters are percent-encoded as UTF-8
(``158/2025/N%C4%90-CP``). ``DOC_NUMBER/ARTICLE`` (``41/2024/QH15/60``) is accepted too, and
document numbers match without diacritics and in any case (``158/2025/nd-cp``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core.web import read_session
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.legal_status import LegalStatus, article_status, document_status, today_vn
from vsscare.knowledge.models import LegalArticle, LegalDocument
from vsscare.knowledge.schemas import (
    ArticleHit,
    ArticleOut,
    ArticleRef,
    ArticleSearch,
    DocumentDetail,
    DocumentList,
    DocumentOut,
    StatusOut,
)

router = APIRouter(prefix="/api/v1", tags=["legal"])
Viewer = Annotated[Principal, Depends(require("knowledge.view"))]
ReadSession = Annotated[Session, Depends(read_session)]


def document_out(document: LegalDocument, count: int, status: LegalStatus) -> DocumentOut:
    return DocumentOut(
        number=document.number,
        doc_type=document.doc_type,
        title=document.title,
        issued=document.issued,
        effective=document.effective,
        superseded_by=document.superseded_by,
        status=StatusOut.of(status),
        article_count=count,
    )


def article_ref(article: LegalArticle) -> ArticleRef:
    return ArticleRef(key=article.key, article=article.article, title=article.title, chapter=article.chapter)


@router.get("/legal/documents", response_model=DocumentList, summary="Legal documents with their status")
def list_documents(_principal: Viewer, session: ReadSession) -> DocumentList:
    rows = queries.list_documents(session)
    return DocumentList(
        total=len(rows), items=[document_out(r.document, r.article_count, r.status) for r in rows]
    )


@router.get(
    "/legal/documents/{number:path}", response_model=DocumentDetail, summary="One document with its articles"
)
def get_document(number: str, _principal: Viewer, session: ReadSession) -> DocumentDetail:
    document = queries.get_document(session, number)
    articles = queries.document_articles(session, document)
    base = document_out(document, len(articles), document_status(document, today_vn()))
    return DocumentDetail(**base.model_dump(), articles=[article_ref(a) for a in articles])


@router.get("/legal/articles", response_model=ArticleSearch, summary="Search articles")
def search_articles(
    _principal: Viewer,
    session: ReadSession,
    q: Annotated[str, Query(max_length=200, description="Words, with or without diacritics")] = "",
    document: Annotated[str | None, Query(max_length=40, description="Only this document's articles")] = None,
    in_force: Annotated[bool, Query(description="Only articles of documents in force today")] = False,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ArticleSearch:
    result = queries.search_articles(
        session, q, document=document or None, in_force=in_force, limit=limit, offset=offset
    )
    items = [
        ArticleHit(
            **article_ref(hit.article).model_dump(),
            document=hit.article.document.number,
            status=StatusOut.of(hit.status),
            snippet=hit.snippet,
        )
        for hit in result.hits
    ]
    return ArticleSearch(total=result.total, items=items)


@router.get(
    "/legal/articles/{key:path}",
    response_model=ArticleOut,
    summary="One article by key (send '#' as %23: 41/2024/QH15%2360)",
)
def get_article(key: str, _principal: Viewer, session: ReadSession) -> ArticleOut:
    """The key is ``DOC_NUMBER#ARTICLE``. A raw '#' starts the URL fragment and never reaches the
    server, so send it as ``%23`` (``41/2024/QH15%2360``), or use ``41/2024/QH15/60``."""
    article = queries.get_article(session, key)
    return ArticleOut(
        **article_ref(article).model_dump(),
        document=article.document.number,
        document_title=article.document.title,
        doc_type=article.document.doc_type,
        text=article.text,
        text_hash=article.text_hash,
        status=StatusOut.of(article_status(article)),
        updated_at=article.updated_at,
    )
