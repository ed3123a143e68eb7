"""Public pages of the Q&A bank: what citizens read, without signing in.

``/hoi-dap/{code}`` shows the *live* version of a published entry (``published_version``), never
a draft being reviewed: editing a published entry changes this page only once the new version is
approved and published. Entries never published, or retired, answer 404.

The language is the visitor's (``vsscare_lang`` cookie, set by ``/lang/en``) or ``?lang=en`` for
a link that carries it; English content is shown when the entry has it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.core import i18n
from vsscare.core.config import SUPPORTED_LOCALES
from vsscare.core.errors import AppError
from vsscare.core.web import read_session, render
from vsscare.knowledge import entry_queries as queries
from vsscare.knowledge import errors, markdown
from vsscare.knowledge.content import CODE_PATTERN, TOPIC_LABELS, label

router = APIRouter(include_in_schema=False)
ReadSession = Annotated[Session, Depends(read_session)]
_CODE = re.compile(CODE_PATTERN)


def _day(value: Any) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    return date.fromisoformat(value) if value else None


def _live(session: Session, code: str) -> dict[str, Any] | None:
    if len(code) > 64 or not _CODE.match(code):
        return None  # cannot be a code: not worth a query
    try:
        entry = queries.get_entry(session, code)
    except AppError as exc:
        if exc.code == errors.ENTRY_NOT_FOUND.code:
            return None
        raise
    return queries.live_content(session, entry)


def _page(session: Session, code: str, live: dict[str, Any]) -> dict[str, Any]:
    has_english = bool(live.get("question_en") and live.get("full_answer_en"))
    english = i18n.current_locale() == "en" and has_english
    suffix = "_en" if english else ""
    bases = queries.bases(session, live.get("legal_bases") or [])
    return {
        "code": code,
        "question": live[f"question{suffix}"],
        "short_answer": live.get(f"short_answer{suffix}") or "",
        "full_answer": markdown.render(live[f"full_answer{suffix}"]),
        "content_lang": "en" if english else "vi",
        "vietnamese_only": i18n.current_locale() == "en" and not has_english,
        "has_english": has_english,
        "topic": label(TOPIC_LABELS, live["topic"]),
        "effective_from": _day(live.get("effective_from")),
        "effective_to": _day(live.get("effective_to")),
        "bases": [
            {
                "key": b.key,
                "article": b.key.partition("#")[2],
                "document": b.key.partition("#")[0],
                "title": b.title,
                "document_title": b.document_title,
                "status": b.status,
            }
            for b in bases
        ],
    }


@router.get("/hoi-dap/{code}", response_class=HTMLResponse)
def entry_page(
    request: Request,
    code: str,
    session: ReadSession,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    locale = lang if lang in SUPPORTED_LOCALES else i18n.current_locale()
    # Templates render when the response is built, so the whole page is in this language.
    with i18n.using(locale):
        live = _live(session, code)
        if live is None:
            return render(
                request,
                "public/entry.html",
                {"entry": None},
                status_code=404,
                headers={"cache-control": "no-store"},
            )
        return render(request, "public/entry.html", {"entry": _page(session, code, live)})
