"""The agent workspace: the queue (filters, full-text search, keyset pages, quick views, saved
views, presence), the phone intake form, and — from :mod:`~vsscare.requests.view_page` and
:mod:`~vsscare.requests.view_actions` — the request page and its actions.

Views stay thin: filters and forms are read by :mod:`~vsscare.requests.view_forms`, reads go
through :mod:`~vsscare.requests.queries`, writes through :mod:`~vsscare.requests.actions` in a
savepoint, so a refused write renders the page again with the error and what was typed.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.web import render
from vsscare.orgunits import queries as orgunits
from vsscare.requests import actions, queries, schemas, view_actions, view_page
from vsscare.requests.choices import presence_of
from vsscare.requests.models import ACTIVE, SavedView
from vsscare.requests.view_forms import IntakeForm, cursor_of, filters_from, problems, request_code, validate
from vsscare.requests.view_labels import Labels, age, live_state, next_due
from vsscare.requests.view_page import (
    BASE,
    PRESENCES,
    Csrf,
    ReadSession,
    Viewer,
    Worker,
    WriteSession,
)

router = APIRouter(prefix=BASE, include_in_schema=False)
PAGE_SIZE = 50
RESULTS = "queue-results"  # the element HTMX swaps when a filter changes
# quick view → its filters (active requests only, as the side bar counts them)
QUICK = {
    "mine": {"assignee": "me"},
    "unassigned": {"assignee": "none"},
    "breached": {"sla": "breached"},
    "escalated": {"escalated": "1"},
}


def _url(query: dict[str, str]) -> str:
    return f"{BASE}?{urlencode(query)}" if query else BASE


# These read tables the domain's queries.py has no function for yet (see the report).


def saved_views(session: Session, user_id: int) -> list[SavedView]:
    return list(
        session.scalars(select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name))
    )


# -- the queue -------------------------------------------------------------------------------------


def _queue(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    error: AppError | None = None,
    params: QueryParams | None = None,
    view_name: str = "",
    status: int = 200,
) -> Response:
    params = params if params is not None else request.query_params
    filters = filters_from(params)
    cursor = cursor_of(params.get("cursor"))
    htmx = request.headers.get("hx-request") and request.headers.get("hx-target") == RESULTS
    code = request_code(filters.q) if request.method == "GET" else None
    if code:
        try:
            found = queries.get_visible(session, principal, code)
        except AppError as exc:
            error, status = exc, exc.status
        else:
            target = f"{BASE}/{found.code}"
            if htmx:
                return Response(status_code=200, headers={"hx-redirect": target})
            return RedirectResponse(target, status_code=303)
    page = queries.list_requests(session, principal, filters, limit=PAGE_SIZE, cursor=cursor)
    query = filters.as_query()
    active = ",".join(ACTIVE)
    now = utcnow()
    data = {
        "principal": principal,
        "rq": Labels,
        "filters": filters,
        "query": query,
        "query_string": urlencode(query),
        "page": page,
        "cursor": cursor,
        "next_url": _url(query | {"cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": _url(query) if cursor else None,
        "now": now,
        "age": lambda r: age(r.created_at, now),
        "sla_of": lambda r: live_state(r, now),
        "due_of": next_due,
        "error": error,
        "problems": problems(error),
        "view_name": view_name,
    }
    if htmx:  # 200 even for "no such code": HTMX swaps in only successful responses
        return render(request, "requests/_queue_results.html", data)
    data |= {
        "counts": queries.counts(session, principal),
        "quick": {name: _url({"status": active} | q) for name, q in QUICK.items()},
        "active_url": _url({"status": active}),
        "views": saved_views(session, principal.user_id),
        "provinces": orgunits.provinces(session),
        "presence": presence_of(session, principal.user_id),
        "presences": PRESENCES,
    }
    return render(request, "requests/queue.html", data, status_code=status)


@router.get("", response_class=HTMLResponse)
def queue(request: Request, principal: Viewer, session: ReadSession) -> Response:
    """Filters are query parameters; values that make no sense are ignored (this is a search page)."""
    return _queue(request, principal, session)


@router.post("/views", response_class=HTMLResponse)
def save_view(
    request: Request,
    _csrf: Csrf,
    principal: Viewer,
    session: WriteSession,
    name: Annotated[str, Form(max_length=1000)] = "",
    query: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Save the queue's current filters under a name of the user's choosing."""
    wanted = filters_from(QueryParams(query)).as_query()
    try:
        with session.begin_nested():
            data = validate(schemas.ViewIn, {"name": name, "filters": wanted})
            actions.save_view(session, principal.user_id, data.name, data.filters)
    except AppError as exc:
        again = QueryParams(urlencode(wanted))
        return _queue(request, principal, session, error=exc, params=again, view_name=name, status=exc.status)
    return RedirectResponse(_url(wanted), status_code=303)


@router.post("/views/{view_id}/delete", response_class=HTMLResponse)
def delete_view(view_id: int, _csrf: Csrf, principal: Viewer, session: WriteSession) -> Response:
    actions.delete_view(session, principal.user_id, view_id)
    return RedirectResponse(BASE, status_code=303)


@router.post("/presence", response_class=HTMLResponse)
def presence(
    request: Request,
    _csrf: Csrf,
    principal: Worker,
    session: WriteSession,
    value: Annotated[str, Form(alias="presence", max_length=20)] = "",
) -> Response:
    """Set online / away / offline; the queue's HTMX poll posts it again every minute, which keeps
    ``seen_at`` fresh so automatic assignment knows the agent is still there."""
    chosen = value if value in PRESENCES else presence_of(session, principal.user_id)
    actions.set_presence(session, principal.user_id, chosen)
    if request.headers.get("hx-request"):
        data = {"presence": chosen, "presences": PRESENCES, "principal": principal}
        return render(request, "requests/_presence.html", data)
    return RedirectResponse(BASE, status_code=303)


# -- a request typed in during a phone call ----------------------------------------------------------


def _new_page(
    request: Request, principal: Principal, session: Session, form: IntakeForm, error: AppError | None = None
) -> HTMLResponse:
    data = {
        "principal": principal,
        "rq": Labels,
        "form": form,
        "error": error,
        "problems": problems(error),
        "provinces": orgunits.provinces(session),
    }
    return render(request, "requests/new.html", data, status_code=error.status if error else 200)


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, principal: Worker, session: ReadSession) -> HTMLResponse:
    return _new_page(request, principal, session, IntakeForm(assign_to_me=True))


@router.post("/new", response_class=HTMLResponse)
def new_submit(
    request: Request,
    _csrf: Csrf,
    principal: Worker,
    session: WriteSession,
    form: Annotated[IntakeForm, Form()],
) -> Response:
    try:
        with session.begin_nested():
            data = form.validated(principal.username)
            ticket = actions.create(
                session, principal.actor, data, ring=crypto.keyring(request.app.state.settings)
            )
    except AppError as exc:
        return _new_page(request, principal, session, form, exc)
    return RedirectResponse(f"{BASE}/{ticket.code}?done=created", status_code=303)


router.include_router(view_page.router)
router.include_router(view_actions.router)
