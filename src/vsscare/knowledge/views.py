"""Staff pages of the legal corpus: documents and search, one document, one article."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core.web import read_session, render
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.legal_status import article_status, document_status, today_vn

router = APIRouter(prefix="/console/legal", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("knowledge.view"))]
ReadSession = Annotated[Session, Depends(read_session)]
PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
def legal_page(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    q: Annotated[str, Query(max_length=200)] = "",
    document: Annotated[str, Query(max_length=40)] = "",
    in_force: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    # Form values that make no sense are ignored rather than refused: this is a search page.
    documents = queries.list_documents(session)
    numbers = {row.document.number for row in documents}
    document = document if document in numbers else ""
    current = in_force in ("1", "on", "true")
    result = None
    if q.strip() or document:
        result = queries.search_articles(
            session, q, document=document or None, in_force=current, limit=PAGE_SIZE
        )
    return render(
        request,
        "knowledge/legal_list.html",
        {
            "principal": principal,
            "documents": documents,
            "result": result,
            "filters": {"q": q, "document": document, "in_force": current},
            "page_size": PAGE_SIZE,
        },
    )


@router.get("/documents/{number:path}", response_class=HTMLResponse)
def document_page(request: Request, number: str, principal: Viewer, session: ReadSession) -> HTMLResponse:
    document = queries.get_document(session, number)
    articles = queries.document_articles(session, document)
    replacement = queries.find_document(session, document.superseded_by) if document.superseded_by else None
    return render(
        request,
        "knowledge/legal_document.html",
        {
            "principal": principal,
            "document": document,
            "status": document_status(document, today_vn()),
            "replacement": replacement,
            "articles": articles,
            "citing": queries.citing_entries(session, [a.key for a in articles]),
        },
    )


@router.get("/articles/{key:path}", response_class=HTMLResponse)
def article_page(request: Request, key: str, principal: Viewer, session: ReadSession) -> HTMLResponse:
    article = queries.get_article(session, key)
    siblings = queries.document_articles(session, article.document)
    index = next(i for i, a in enumerate(siblings) if a.id == article.id)
    lines = article.text.splitlines()
    # The first line repeats the heading shown as the page title ("Điều 60. …").
    body = lines[1:] if len(lines) > 1 and lines[0].startswith(f"Điều {article.article}") else lines
    return render(
        request,
        "knowledge/legal_article.html",
        {
            "principal": principal,
            "article": article,
            "document": article.document,
            "status": article_status(article, today_vn()),
            "lines": body,
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
            "citing": queries.citing_entries(session, [article.key]).get(article.key, []),
        },
    )
