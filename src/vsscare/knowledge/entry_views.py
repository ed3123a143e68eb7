"""Staff pages of the Q&A bank: list and search, review queue, the editor form, one entry with its
workflow buttons, version diffs, the legal-basis picker, Markdown preview and export.

Views stay thin: validate → action (``knowledge.actions``) or query → render. Every write runs in a
savepoint of the request's transaction, so an :class:`AppError` leaves nothing behind and the page
is rendered again with the error (its own status: 403 four eyes, 409 conflicts, 422 bad input).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from vsscare.accounts import queries as accounts
from vsscare.accounts.auth import csrf_protect, current_principal, deny, require
from vsscare.accounts.principal import Principal
from vsscare.core import audit
from vsscare.core.errors import NOT_FOUND, VALIDATION, AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.core.web import read_session, render, write_session
from vsscare.knowledge import actions, errors, legal_queries, markdown
from vsscare.knowledge import entry_queries as queries
from vsscare.knowledge.content import AUDIENCES, STATUSES, TOPICS, parse_content
from vsscare.knowledge.entries import export_bank
from vsscare.knowledge.entry_file import dump_line
from vsscare.knowledge.entry_form import LONG, EntryForm, Labels, field_errors, parse_day, reason
from vsscare.knowledge.legal_status import today_vn
from vsscare.knowledge.models import KbEntry

router = APIRouter(prefix="/console/knowledge", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("knowledge.view"))]
Editor = Annotated[Principal, Depends(require("knowledge.edit"))]
Anyone = Annotated[Principal, Depends(current_principal)]
Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
PAGE_SIZE = 50
PICKER_SIZE = 15
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# action → the notice shown once it is done (?done=…)
DONE = {
    "submit": "submitted",
    "approve": "approved",
    "request_changes": "changes_requested",
    "retire": "retired",
    "reopen": "reopened",
    "review": "reviewed",
    "comment": "commented",
    "rollback": "restored",
}
# action → the permission it needs
WORKFLOW = {
    "submit": "knowledge.edit",
    "comment": "knowledge.view",  # agents flag wrong or outdated answers
    "rollback": "knowledge.edit",
    "approve": "knowledge.approve",
    "request_changes": "knowledge.approve",
    "publish": "knowledge.approve",
    "retire": "knowledge.approve",
    "reopen": "knowledge.approve",
    "review": "knowledge.approve",
}


def _page(
    request: Request, name: str, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    return render(request, name, {"principal": principal, "kb": Labels, **context}, status_code=status)


def _redirect(code: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/knowledge/{code}?done={done}", status_code=303)


def _form_page(
    request: Request,
    principal: Principal,
    form: EntryForm,
    *,
    entry: KbEntry | None = None,
    error: AppError | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "knowledge/entry_form.html",
        principal,
        error.status if error else 200,
        form=form,
        entry=entry,
        error=error,
        problems=field_errors(error),
        action=f"/console/knowledge/{entry.code}/edit" if entry else "/console/knowledge/new",
    )


# -- list, review queue, export, picker, preview (fixed paths before /{code}) ---------------------


@router.get("", response_class=HTMLResponse)
def entry_list(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    topic: Annotated[str, Query(max_length=40)] = "",
    audience: Annotated[str, Query(max_length=40)] = "",
    flag: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    # Values that make no sense are ignored rather than refused: this is a search page.
    filters = {
        "q": q.strip(),
        "status": status if status in STATUSES else "",
        "topic": topic if topic in TOPICS else "",
        "audience": audience if audience in AUDIENCES else "",
        "flag": flag if flag in queries.FLAGS else "",
    }
    result = queries.search_entries(
        session,
        filters["q"],
        status=filters["status"] or None,
        topic=filters["topic"] or None,
        audience=filters["audience"] or None,
        flag=filters["flag"] or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    kept = {k: v for k, v in filters.items() if v}
    return _page(
        request,
        "knowledge/entry_list.html",
        principal,
        result=result,
        filters=filters,
        filtered=bool(kept),
        counts=queries.status_counts(session),
        page=page,
        pages=max(1, ceil(result.total / PAGE_SIZE)),
        page_url=lambda n: "/console/knowledge?" + urlencode(kept | {"page": n}),
        export_query=urlencode({"status": filters["status"]} if filters["status"] else {}),
        today=today_vn(),
    )


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, principal: Viewer, session: ReadSession) -> HTMLResponse:
    return _page(
        request,
        "knowledge/review_queue.html",
        principal,
        queue=queries.review_queue(session),
        today=today_vn(),
    )


@router.get("/export")
def export(
    principal: Viewer,
    session: WriteSession,
    kind: Annotated[str, Query(alias="format", max_length=10)] = "jsonl",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if kind not in ("jsonl", "xlsx"):
        raise AppError(errors.EXPORT_FORMAT, format=kind)
    if status and status not in STATUSES:
        reason = f"chọn một trong / must be one of: {', '.join(STATUSES)}"
        raise AppError(VALIDATION, details={"errors": [{"field": "status", "reason": reason}]})
    rows = export_bank(session, status or None)
    if kind == "jsonl":
        body = "".join(dump_line(row) + "\n" for row in rows).encode()
        media = "application/x-ndjson; charset=utf-8"
    else:
        from vsscare.knowledge.entry_xlsx import write_xlsx  # openpyxl is slow to import

        buffer = io.BytesIO()
        write_xlsx(rows, buffer)
        body, media = buffer.getvalue(), XLSX
    name = f"vsscare-kb-{today_vn():%Y%m%d}{'-' + status if status else ''}.{kind}"
    details = {"format": kind, "status": status or None, "entries": len(rows)}
    audit.record(session, "kb.export", principal.actor, object_type="kb_bank", details=details)
    headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
    return Response(body, media_type=media, headers=headers)


@router.get("/picker", response_class=HTMLResponse)
def picker(
    request: Request, principal: Editor, session: ReadSession, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """HTMX fragment: articles matching ``q``, in force first, each with an "add" button."""
    hits = legal_queries.search_articles(session, q, limit=PICKER_SIZE).hits if q.strip() else []
    hits = sorted(hits, key=lambda h: not h.status.in_force)  # stable: keeps the ranking within
    return render(request, "knowledge/_picker.html", {"hits": hits, "q": q.strip()})


@router.post("/preview", response_class=HTMLResponse)
def preview(
    _csrf: Csrf,
    principal: Editor,
    field: Annotated[str, Query(max_length=20)] = "full_answer",
    full_answer: Annotated[str, Form(max_length=LONG)] = "",
    full_answer_en: Annotated[str, Form(max_length=LONG)] = "",
) -> HTMLResponse:
    """HTMX fragment: the full answer as citizens will see it, and what the sanitiser would drop."""
    text = full_answer_en if field == "full_answer_en" else full_answer
    if not text.strip():
        return HTMLResponse(Markup('<p class="muted">{}</p>').format(_("Chưa có nội dung.")))
    found = markdown.problems(text)
    warning = Markup("")
    if found:
        items = Markup("").join(Markup("<li>{}</li>").format(reason(p)) for p in found)
        warning = Markup('<ul class="field-errors" role="alert">{}</ul>').format(items)
    return HTMLResponse(warning + Markup('<div class="answer">{}</div>').format(markdown.render(text)))


# -- create and edit ------------------------------------------------------------------------------


@router.get("/new", response_class=HTMLResponse)
def new_form(
    request: Request, principal: Editor, question: Annotated[str, Query(max_length=4000)] = ""
) -> HTMLResponse:
    """``?question=…`` prefills the question (from the gaps queue: a question the bank lacks)."""
    return _form_page(request, principal, EntryForm(audiences=["all"], question=question.strip()))


@router.post("/new", response_class=HTMLResponse)
def new_submit(
    request: Request,
    _csrf: Csrf,
    principal: Editor,
    session: WriteSession,
    form: Annotated[EntryForm, Form()],
) -> Response:
    try:
        with session.begin_nested():
            content = parse_content(form.content())
            entry = actions.create_entry(session, principal.actor, content, note=form.note.strip() or None)
    except AppError as exc:
        return _form_page(request, principal, form, error=exc)
    return _redirect(entry.code, "created")


@router.get("/{code}/edit", response_class=HTMLResponse)
def edit_form(request: Request, code: str, principal: Editor, session: ReadSession) -> HTMLResponse:
    entry = queries.get_entry(session, code)
    if entry.status == "retired":
        raise AppError(errors.ENTRY_RETIRED, code=code)
    return _form_page(request, principal, EntryForm.of(entry), entry=entry)


@router.post("/{code}/edit", response_class=HTMLResponse)
def edit_submit(
    request: Request,
    code: str,
    _csrf: Csrf,
    principal: Editor,
    session: WriteSession,
    form: Annotated[EntryForm, Form()],
) -> Response:
    entry = queries.get_entry(session, code)
    before = entry.version
    try:
        with session.begin_nested():
            if form.expected_version is None:
                reason = "thiếu phiên bản đang sửa / the version being edited is missing"
                raise AppError(VALIDATION, details={"errors": [{"field": "version", "reason": reason}]})
            content = parse_content(form.content())
            entry = actions.update_entry(
                session,
                principal.actor,
                code,
                content,
                expected_version=form.expected_version,
                note=form.note.strip() or None,
            )
    except AppError as exc:
        return _form_page(request, principal, form, entry=queries.get_entry(session, code), error=exc)
    return _redirect(code, "saved" if entry.version != before else "unchanged")


# -- one entry ------------------------------------------------------------------------------------


def _names(session: Session, *groups: Iterable[str | None]) -> dict[str, str]:
    """Actor refs (``user:12``) → staff names, for versions, approvals and history."""
    return accounts.names(session, itertools.chain(*groups))


def _detail(
    request: Request,
    principal: Principal,
    session: Session,
    code: str,
    *,
    done: str | None = None,
    error: AppError | None = None,
    submitted: dict[str, str] | None = None,
) -> HTMLResponse:
    entry = queries.get_entry(session, code)
    comments = queries.comments(session, entry)
    versions = queries.versions(session, entry)
    history = queries.history(session, entry)
    refs = [entry.approved_by, entry.updated_by]
    return _page(
        request,
        "knowledge/entry_detail.html",
        principal,
        error.status if error else 200,
        entry=entry,
        bases=queries.bases(session, entry.legal_bases),
        comments=comments,
        versions=versions,
        history=history,
        names=_names(
            session,
            refs,
            [c.author for c in comments],
            [v.author for v in versions],
            [e.actor for e in history],
        ),
        done=done,
        error=error,
        problems=field_errors(error),
        submitted=submitted or {},
        today=today_vn(),
    )


@router.get("/{code}", response_class=HTMLResponse)
def entry_detail(
    request: Request,
    code: str,
    principal: Viewer,
    session: ReadSession,
    done: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return _detail(request, principal, session, code, done=done or None)


@router.get("/{code}/versions/{number}", response_class=HTMLResponse)
def version_diff(
    request: Request,
    code: str,
    number: int,
    principal: Viewer,
    session: ReadSession,
    against: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
) -> HTMLResponse:
    entry = queries.get_entry(session, code)
    new = queries.get_version(session, entry, number)
    base = number - 1 if against is None else against
    old = queries.get_version(session, entry, base) if base >= 1 else None
    return _page(
        request,
        "knowledge/entry_diff.html",
        principal,
        entry=entry,
        new=new,
        old=old,
        changes=queries.diff(old.snapshot if old else {}, new.snapshot),
        names=_names(session, [new.author, old.author if old else None]),
    )


def _run(session: Session, actor: Actor, code: str, action: str, form: dict[str, str]) -> str:
    """Call the workflow action; the notice to show once done."""
    text = form["comment"]
    if action == "submit":
        actions.submit(session, actor, code, comment=text)
    elif action == "approve":
        actions.approve(session, actor, code, comment=text)
    elif action == "request_changes":
        actions.request_changes(session, actor, code, text)
    elif action == "publish":
        entry = actions.publish(session, actor, code, on=parse_day(form["on"], "on"))
        return "scheduled" if entry.publish_on else "published"
    elif action == "retire":
        actions.retire(session, actor, code, text)
    elif action == "reopen":
        actions.reopen(session, actor, code)
    elif action == "review":
        next_review = parse_day(form["next_review_at"], "next_review_at")
        actions.mark_reviewed(session, actor, code, next_review_at=next_review, comment=text)
    elif action == "comment":
        actions.comment(session, actor, code, text)
    elif action == "rollback":
        version = form["version"].strip()
        if not version.isdigit():
            raise AppError(errors.VERSION_NOT_FOUND, code=code, version=version)
        actions.rollback(session, actor, code, int(version), note=text.strip() or None)
    return DONE[action]


@router.post("/{code}/{action}", response_class=HTMLResponse)
def workflow(
    request: Request,
    code: str,
    action: str,
    _csrf: Csrf,
    principal: Anyone,
    session: WriteSession,
    comment: Annotated[str, Form(max_length=LONG)] = "",
    on: Annotated[str, Form(max_length=20)] = "",
    next_review_at: Annotated[str, Form(max_length=20)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    if action not in WORKFLOW:
        raise AppError(NOT_FOUND)
    if not principal.has(WORKFLOW[action]):
        raise deny(request, principal, WORKFLOW[action])
    form = {"comment": comment, "on": on, "next_review_at": next_review_at, "version": version}
    try:
        with session.begin_nested():
            done = _run(session, principal.actor, code, action, form)
    except AppError as exc:
        if exc.code == errors.ENTRY_NOT_FOUND.code:
            raise
        submitted = form | {"action": action}
        return _detail(request, principal, session, code, error=exc, submitted=submitted)
    return _redirect(code, done)
