"""Supervisor pages of the customer-care centre: agents (presence, skills, load) and canned
responses. SLA policies and the working-time calculator are in
:mod:`~vsscare.requests.unit_views_sla`."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core import audit
from vsscare.core.db import utcnow
from vsscare.core.errors import NOT_FOUND, AppError
from vsscare.knowledge.content import TOPICS
from vsscare.requests import actions, canned
from vsscare.requests import unit_queries as uq
from vsscare.requests.schemas import SkillsIn
from vsscare.requests.unit_views_common import (
    Csrf,
    ReadSession,
    WriteSession,
    field_problems,
    form_error,
    page,
    require_any,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Assigner = Annotated[Principal, Depends(require("requests.assign"))]
Worker = Annotated[Principal, Depends(require("requests.work"))]
Supervisor = Annotated[Principal, Depends(require("requests.supervise"))]
Reader = Annotated[Principal, Depends(require_any("requests.work", "requests.supervise"))]
MAX_OPEN_REASON = "cần một số nguyên từ 1 đến 500 / a whole number from 1 to 500"
_CANNED_CODE = re.compile(canned.CODE_PATTERN)


# -- agents ----------------------------------------------------------------------------------------


def _skills(skills: list[str], max_open: str) -> SkillsIn:
    try:
        return SkillsIn.model_validate({"skills": skills, "max_open": max_open.strip() or "0"})
    except ValidationError as exc:
        raise form_error(exc, {"max_open": MAX_OPEN_REASON}) from exc


def _agents_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    done: str = "",
    error: AppError | None = None,
    failed: str = "",
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    agents = uq.team_agents(session, principal, utcnow())
    return page(
        request,
        "requests/agents.html",
        principal,
        error.status if error else 200,
        agents=agents,
        topics=TOPICS,
        all_units=principal.provinces is None,
        done=done if any(a.user.username == done for a in agents) else "",
        error=error,
        problems=field_problems(error),
        failed=failed,
        typed=typed or {},
    )


@router.get("/agents", response_class=HTMLResponse)
def agents(
    request: Request,
    principal: Assigner,
    session: ReadSession,
    done: Annotated[str, Query(max_length=60)] = "",
) -> HTMLResponse:
    return _agents_page(request, principal, session, done=done)


def _own_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    saved: bool = False,
    error: AppError | None = None,
    typed: list[str] | None = None,
) -> HTMLResponse:
    profile = uq.own_profile(session, principal.user_id)
    skills = typed if typed is not None else (list(profile.skills) if profile else [])
    return page(
        request,
        "requests/agents_me.html",
        principal,
        error.status if error else 200,
        profile=profile,
        skills=skills,
        max_open=profile.max_open if profile else uq.DEFAULT_MAX_OPEN,
        topics=TOPICS,
        saved=saved,
        error=error,
        problems=field_problems(error),
    )


@router.get("/agents/me", response_class=HTMLResponse)
def my_skills(
    request: Request,
    principal: Worker,
    session: ReadSession,
    done: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    return _own_page(request, principal, session, saved=done == "saved")


@router.post("/agents/me", response_class=HTMLResponse)
def save_my_skills(
    request: Request,
    _csrf: Csrf,
    principal: Worker,
    session: WriteSession,
    skills: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Agents choose their topics; how many requests they hold stays the supervisor's call."""
    profile = uq.own_profile(session, principal.user_id)
    max_open = str(profile.max_open if profile else uq.DEFAULT_MAX_OPEN)
    try:
        with session.begin_nested():
            data = _skills(skills, max_open)
            actions.set_skills(session, principal.user_id, data.skills, data.max_open)
    except AppError as exc:
        return _own_page(request, principal, session, error=exc, typed=skills)
    return RedirectResponse("/console/agents/me?done=saved", status_code=303)


@router.post("/agents/{username}", response_class=HTMLResponse)
def save_skills(
    request: Request,
    username: str,
    _csrf: Csrf,
    principal: Assigner,
    session: WriteSession,
    skills: Annotated[list[str], Form()] = [],  # noqa: B006
    max_open: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    agent = uq.team_agent(session, principal, username, utcnow())  # another team's agent: 404 page
    try:
        with session.begin_nested():
            data = _skills(skills, max_open)
            actions.set_skills(session, agent.user.id, data.skills, data.max_open)
            details = {"skills": data.skills, "max_open": data.max_open}
            audit.record(
                session, "requests.agent_skills", principal.actor, object_type="user",
                object_id=agent.user.username, details=details,
            )  # fmt: skip
    except AppError as exc:
        typed = {"skills": skills, "max_open": max_open}
        return _agents_page(request, principal, session, error=exc, failed=agent.user.username, typed=typed)
    return RedirectResponse("/console/agents?" + urlencode({"done": agent.user.username}), status_code=303)


# -- canned responses ------------------------------------------------------------------------------------


def _canned_form(
    request: Request,
    principal: Principal,
    form: dict[str, str],
    *,
    row: canned.CannedResponse | None = None,
    error: AppError | None = None,
) -> HTMLResponse:
    return page(
        request,
        "requests/canned_form.html",
        principal,
        error.status if error else 200,
        form=form,
        row=row,
        topics=TOPICS,
        placeholders=canned.PLACEHOLDERS,
        error=error,
        problems=field_problems(error),
        action=f"/console/canned/{row.code}/edit" if row else "/console/canned/new",
    )


def _canned_done(done: str, code: str) -> RedirectResponse:
    return RedirectResponse("/console/canned?" + urlencode({"done": done, "code": code}), status_code=303)


@router.get("/canned", response_class=HTMLResponse)
def canned_list(
    request: Request,
    principal: Reader,
    session: ReadSession,
    q: Annotated[str, Query(max_length=200)] = "",
    topic: Annotated[str, Query(max_length=40)] = "",
    show: Annotated[str, Query(max_length=10)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
    code: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    can_edit = principal.has("requests.supervise")
    topic = topic if topic in TOPICS else ""
    every = can_edit and show == "all"
    rows = canned.list_canned(session, include_inactive=every, topic=topic or None, q=q)
    return page(
        request,
        "requests/canned_list.html",
        principal,
        rows=rows,
        topics=TOPICS,
        filters={"q": q.strip(), "topic": topic, "show": "all" if every else ""},
        filtered=bool(q.strip() or topic or every),
        can_edit=can_edit,
        placeholders=canned.PLACEHOLDERS,
        done=done if done in ("created", "saved", "deactivated", "activated") else "",
        done_code=code if _CANNED_CODE.match(code) else "",
    )


@router.get("/canned/new", response_class=HTMLResponse)
def canned_new(request: Request, principal: Supervisor) -> HTMLResponse:
    return _canned_form(request, principal, {f: "" for f in canned.FIELDS})


def _submitted(code: str, title: str, body: str, body_en: str, topic: str) -> dict[str, str]:
    return {"code": code, "title": title, "body": body, "body_en": body_en, "topic": topic}


CannedField = Annotated[str, Form(max_length=6000)]


@router.post("/canned/new", response_class=HTMLResponse)
def canned_create(
    request: Request,
    _csrf: Csrf,
    principal: Supervisor,
    session: WriteSession,
    code: CannedField = "",
    title: CannedField = "",
    body: CannedField = "",
    body_en: CannedField = "",
    topic: CannedField = "",
) -> Response:
    form = _submitted(code, title, body, body_en, topic)
    try:
        with session.begin_nested():
            row = canned.create(session, principal.actor, canned.parse(form))
    except AppError as exc:
        return _canned_form(request, principal, form, error=exc)
    return _canned_done("created", row.code)


@router.get("/canned/{code}/edit", response_class=HTMLResponse)
def canned_edit(request: Request, code: str, principal: Supervisor, session: ReadSession) -> HTMLResponse:
    row = canned.get(session, code)
    form = {f: getattr(row, f) or "" for f in canned.FIELDS}
    return _canned_form(request, principal, form, row=row)


@router.post("/canned/{code}/edit", response_class=HTMLResponse)
def canned_save(
    request: Request,
    code: str,
    _csrf: Csrf,
    principal: Supervisor,
    session: WriteSession,
    new_code: Annotated[str, Form(alias="code", max_length=60)] = "",
    title: CannedField = "",
    body: CannedField = "",
    body_en: CannedField = "",
    topic: CannedField = "",
) -> Response:
    row = canned.get(session, code)
    form = _submitted(new_code, title, body, body_en, topic)
    try:
        with session.begin_nested():
            row = canned.update(session, principal.actor, code, canned.parse(form))
    except AppError as exc:
        return _canned_form(request, principal, form, row=canned.get(session, code), error=exc)
    return _canned_done("saved", row.code)


@router.post("/canned/{code}/{change}", response_class=HTMLResponse)
def canned_activate(
    request: Request, code: str, change: str, _csrf: Csrf, principal: Supervisor, session: WriteSession
) -> Response:
    if change not in ("deactivate", "activate"):
        raise AppError(NOT_FOUND)
    row = canned.set_active(session, principal.actor, code, change == "activate")
    return _canned_done(change + "d", row.code)
