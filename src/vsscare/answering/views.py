"""Staff pages of the answering engine: the gaps queue (the learning loop) and the try-out box.

* ``/console/knowledge/gaps`` — questions the bank answers badly (not answered, rated unhelpful,
  marked wrong), with what editors do about them: judge the answer, add the question as a
  phrasing of an entry, write a new entry, resolve or ignore.
* ``/console/knowledge/try`` — ask the engine as a citizen would, without logging the question.

Writes follow the Q&A pages' pattern: CSRF, one savepoint per action, a redirect back to the same
filtered queue when done (``?done=…``), the page again with the error (its status) otherwise.
This router is mounted before the Q&A entry pages, whose ``/console/knowledge/{code}`` would
otherwise take ``gaps`` and ``try`` for entry codes.
"""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.answering import actions, queries
from vsscare.answering.schemas import clean_question
from vsscare.answering.service import answerer
from vsscare.core.errors import AppError
from vsscare.core.i18n import _
from vsscare.core.web import read_session, render, write_session
from vsscare.knowledge import markdown
from vsscare.knowledge.content import TOPIC_LABELS, TOPICS, label

router = APIRouter(prefix="/console/knowledge", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("knowledge.view"))]
Editor = Annotated[Principal, Depends(require("knowledge.edit"))]
Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
LogId = Annotated[int, Path(ge=1, le=2**63 - 1)]
GAPS = "/console/knowledge/gaps"
PAGE_SIZE = 50
FILTERS = ("status", "decision", "reason", "channel", "topic")
LONG_QUERY = 8000  # abuse guard; clean_question gives the message for too long a question


class Labels:
    """Names of the engine's codes in the current language, handed to the templates as ``ans``."""

    statuses = queries.GAP_STATUSES
    decisions = queries.DECISIONS
    reasons = queries.REASONS
    topics = TOPICS
    markdown = staticmethod(markdown.render)

    @staticmethod
    def decision(code: str) -> str:
        return {
            "answer": _("Đã trả lời"),
            "clarify": _("Hỏi lại cho rõ"),
            "handover": _("Chuyển cho người trả lời"),
            "out_of_scope": _("Ngoài phạm vi"),
        }.get(code, code)

    @staticmethod
    def reason(code: str | None) -> str:
        return {
            "personal_record": _("hỏi về hồ sơ cá nhân"),
            "complaint": _("khiếu nại"),
            "low_confidence": _("không đủ chắc chắn"),
        }.get(code or "", code or "")

    @staticmethod
    def verdict(code: str | None) -> str:
        return {
            "helpful": _("Người hỏi thấy hữu ích"),
            "unhelpful": _("Người hỏi thấy không hữu ích"),
            "right": _("Nhân viên xác nhận đúng"),
            "wrong": _("Nhân viên đánh dấu sai"),
        }.get(code or "", code or "")

    @staticmethod
    def status(code: str | None) -> str:
        return {
            "open": _("Chờ xử lý"),
            "resolved": _("Đã xử lý"),
            "ignored": _("Bỏ qua"),
            "all": _("Tất cả"),
        }.get(code or "", code or "")

    @staticmethod
    def topic(code: str | None) -> str:
        return label(TOPIC_LABELS, code) if code else "—"


# -- the gaps queue -------------------------------------------------------------------------------


def _filters(values: dict[str, str]) -> dict[str, str]:
    """Filters as the page understands them; values that make no sense are dropped (a search page)."""
    status = values.get("status", "")
    channel = values.get("channel", "").strip()
    return {
        "status": status if status in (*queries.GAP_STATUSES, "all") else "open",
        "decision": values.get("decision", "") if values.get("decision") in queries.DECISIONS else "",
        "reason": values.get("reason", "") if values.get("reason") in queries.REASONS else "",
        "channel": channel if channel.isascii() and channel.isalnum() and len(channel) <= 20 else "",
        "topic": values.get("topic", "") if values.get("topic") in TOPICS else "",
    }


def _kept(filters: dict[str, str]) -> dict[str, str]:
    """The filters worth putting in a URL (the default status is left out)."""
    return {k: v for k, v in filters.items() if v and not (k == "status" and v == "open")}


def _url(params: dict[str, Any]) -> str:
    return GAPS + ("?" + urlencode(params) if params else "")


def _back(next_url: str) -> tuple[dict[str, str], int]:
    """Filters and page of the queue a form was sent from (only the queue's own address counts)."""
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or parts.path != GAPS:
        return _filters({}), 1
    values = dict(parse_qsl(parts.query))
    page = values.get("page", "1")
    return _filters(values), int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1


def _gaps_page(
    request: Request,
    principal: Principal,
    session: Session,
    filters: dict[str, str],
    page: int,
    *,
    done: dict[str, str] | None = None,
    error: AppError | None = None,
    failed: int | None = None,
    submitted: dict[str, str] | None = None,
) -> HTMLResponse:
    result = queries.gaps(
        session,
        status=None if filters["status"] == "all" else filters["status"],
        decision=filters["decision"] or None,
        reason=filters["reason"] or None,
        channel=filters["channel"] or None,
        topic=filters["topic"] or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    codes = [c for row in result.items for c in [*(row.candidates or []), row.entry_code, row.correct_entry]]
    kept = _kept(filters)
    here = _url(kept | ({"page": page} if page > 1 else {}))
    return render(
        request,
        "answering/gaps.html",
        {
            "principal": principal,
            "ans": Labels,
            "result": result,
            "filters": filters,
            "filtered": bool(_kept(filters | {"status": "open"})),
            "counts": queries.gap_counts(session),
            "channels": sorted(
                {*queries.channels(session), *([filters["channel"]] if filters["channel"] else [])}
            ),
            "questions": queries.entry_questions(session, codes),
            "page": page,
            "pages": max(1, ceil(result.total / PAGE_SIZE)),
            "page_url": lambda n: _url(kept | {"page": n}),
            "status_url": lambda s: _url(_kept(filters | {"status": s})),
            "here": here,
            "done": done or {},
            "error": error,
            "failed": failed,
            "submitted": submitted or {},
        },
        status_code=error.status if error else 200,
    )


@router.get("/gaps", response_class=HTMLResponse)
def gaps(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    status: Annotated[str, Query(max_length=20)] = "open",
    decision: Annotated[str, Query(max_length=20)] = "",
    reason: Annotated[str, Query(max_length=40)] = "",
    channel: Annotated[str, Query(max_length=40)] = "",
    topic: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str, Query(max_length=20)] = "",
    entry: Annotated[str, Query(max_length=64)] = "",
    version: Annotated[str, Query(max_length=12)] = "",
) -> HTMLResponse:
    filters = _filters(
        {"status": status, "decision": decision, "reason": reason, "channel": channel, "topic": topic}
    )
    notice = {"kind": done, "entry": entry, "version": version} if done else None
    return _gaps_page(request, principal, session, filters, page, done=notice)


def _act(
    request: Request,
    principal: Principal,
    session: Session,
    log_id: int,
    next_url: str,
    submitted: dict[str, str],
    run: Any,
) -> Response:
    """Run one action in a savepoint: back to the queue when done, the queue with the error if not."""
    filters, page = _back(next_url)
    try:
        with session.begin_nested():
            done = run()
    except AppError as exc:
        return _gaps_page(
            request, principal, session, filters, page, error=exc, failed=log_id, submitted=submitted
        )
    back = _kept(filters) | ({"page": page} if page > 1 else {})
    return RedirectResponse(_url(back | done), status_code=303)


@router.post("/gaps/{log_id}/mark", response_class=HTMLResponse)
def mark(
    request: Request,
    log_id: LogId,
    _csrf: Csrf,
    principal: Editor,
    session: WriteSession,
    verdict: Annotated[str, Form(max_length=20)] = "",
    correct_entry: Annotated[str, Form(max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = GAPS,
) -> Response:
    def run() -> dict[str, str]:
        row = actions.mark_entry(session, principal.actor, log_id, verdict, correct_entry or None)
        return {"done": verdict} | ({"entry": row.correct_entry} if row.correct_entry else {})

    submitted = {"action": "mark", "verdict": verdict, "correct_entry": correct_entry}
    return _act(request, principal, session, log_id, next_url, submitted, run)


@router.post("/gaps/{log_id}/phrasing", response_class=HTMLResponse)
def phrasing(
    request: Request,
    log_id: LogId,
    _csrf: Csrf,
    principal: Editor,
    session: WriteSession,
    entry_code: Annotated[str, Form(max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = GAPS,
) -> Response:
    def run() -> dict[str, str]:
        actions.add_phrasing(session, principal.actor, log_id, entry_code)
        code = entry_code.strip().lower()
        version = queries.entry_version(session, code)
        return {"done": "phrasing", "entry": code, "version": str(version)}

    submitted = {"action": "phrasing", "entry_code": entry_code}
    return _act(request, principal, session, log_id, next_url, submitted, run)


@router.post("/gaps/{log_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    log_id: LogId,
    _csrf: Csrf,
    principal: Editor,
    session: WriteSession,
    status: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = GAPS,
) -> Response:
    def run() -> dict[str, str]:
        actions.close_gap(session, principal.actor, log_id, status, note)
        return {"done": status}

    submitted = {"action": "close", "status": status, "note": note}
    return _act(request, principal, session, log_id, next_url, submitted, run)


# -- try the engine -------------------------------------------------------------------------------


@router.get("/try", response_class=HTMLResponse)
def try_engine(
    request: Request,
    principal: Viewer,
    q: Annotated[str, Query(max_length=LONG_QUERY)] = "",
    lang: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    """Ask as a citizen would (channel ``api``); nothing is logged, so trying leaves no gaps."""
    lang = lang if lang in ("vi", "en") else ""
    result = None
    error = None
    if q.strip():
        try:
            question = clean_question(q)
            result, _logged = answerer(request.app.state.db).ask(
                question, channel="api", lang=lang or None, record=False
            )
        except AppError as exc:
            error = exc
    context = {"principal": principal, "ans": Labels, "q": q, "lang": lang, "result": result, "error": error}
    return render(request, "answering/try.html", context, status_code=error.status if error else 200)
