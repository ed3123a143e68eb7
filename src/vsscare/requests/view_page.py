"""The request page of the agent workspace: header, timeline, reply box, customer panel, action
dialogs, and its HTMX panels (Q&A suggestions). The action forms post to
:mod:`vsscare.requests.view_actions`, which renders this page again when an action is refused.

Each dialog is also a plain page (``/{code}/act/{action}``): the buttons that open a dialog are
links to it, so every action works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor

from vsscare.accounts import queries as accounts
from vsscare.accounts.auth import csrf_protect, deny, require
from vsscare.accounts.principal import Principal
from vsscare.answering.service import answerer
from vsscare.core import crypto
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import NOT_FOUND, AppError
from vsscare.core.web import read_session, render, write_session
from vsscare.knowledge import entry_queries
from vsscare.requests import contact, errors, queries, sla, timeline
from vsscare.requests.choices import agents, canned, presence_of, provinces, unit_choices
from vsscare.requests.masking import mask_email, mask_name
from vsscare.requests.models import Request as Ticket
from vsscare.requests.unit_actions import OPEN_TRANSFER, TRANSFER_DAYS
from vsscare.requests.view_forms import problems
from vsscare.requests.view_labels import Labels, deadlines, live_state, spaced_phone


class RequestCode(Convertor):
    """Only request codes reach these routes; other paths under /console/requests fall through."""

    regex = r"[Yy][Cc]-[0-9]{4}-[0-9]{6,9}"

    def convert(self, value: str) -> str:
        return value.upper()

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("reqcode", RequestCode())

router = APIRouter()
Viewer = Annotated[Principal, Depends(require("requests.view"))]
Worker = Annotated[Principal, Depends(require("requests.work"))]
Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
BASE = "/console/requests"
SUGGESTIONS = 3
PRESENCES = ("online", "away", "offline")
# dialog → the permission it needs (every one of them also needs the request to be visible)
ACTIONS = {
    "assign": "requests.work",
    "triage": "requests.work",
    "transfer": "requests.work",
    "escalate": "requests.work",
    "merge": "requests.work",
    "link": "requests.work",
    "resolve": "requests.work",
    "reopen": "requests.work",
    "wait": "requests.work",
    "provide_info": "requests.work",
    "accept_complaint": "requests.supervise",
}


def allowed(principal: Principal, action: str) -> bool:
    return action in ACTIONS and principal.has(ACTIONS[action])


def require_action(request: Request, principal: Principal, action: str) -> None:
    if action not in ACTIONS:
        raise AppError(NOT_FOUND)
    if not principal.has(ACTIONS[action]):
        raise deny(request, principal, ACTIONS[action])


def addressee(ticket: Ticket) -> str:
    """What ``{name}`` becomes in a reply: the customer's name, else the polite form of address."""
    return ticket.contact_name or ("Sir or Madam" if ticket.lang == "en" else "Quý khách")


def _last_inbound(detail: queries.Detail) -> str:
    found = [m.body for m in detail.messages if m.kind == "inbound"]
    return found[-1] if found else ""


def _customer(ticket: Ticket, ring: Keyring | None) -> dict[str, str]:
    """Masked, or in clear when given the data keys (the caller audits the showing)."""
    if ring is not None:
        phone = contact.phone(ring, ticket)
        return {
            "name": ticket.contact_name or "",
            "phone": spaced_phone(phone),
            "phone_link": phone or "",
            "email": ticket.contact_email or "",
        }
    return {
        "name": mask_name(ticket.contact_name),
        "phone": ticket.contact_phone_masked or "",
        "phone_link": "",
        "email": mask_email(ticket.contact_email),
    }


def available(ticket: Ticket, transfer: Any, principal: Principal) -> dict[str, bool]:
    """Which actions make sense for the request now (and the user may take)."""
    live = ticket.merged_into_id is None and ticket.status != "closed"
    done = ticket.status in ("resolved", "closed")
    level = ticket.escalation_level
    state = {
        "message": ticket.merged_into_id is None,
        "assign": live,
        "triage": live,
        "transfer": live and not done and transfer is None,
        "escalate": live and level != "leadership",
        "merge": live,
        "link": ticket.merged_into_id is None,
        "resolve": live and not done,
        "reopen": done and ticket.merged_into_id is None,
        "wait": live and ticket.status in ("new", "open", "reopened"),
        "provide_info": transfer is not None and transfer.status == "info_requested",
        "accept_complaint": live and ticket.type == "complaint",
    }
    works = principal.has("requests.work")
    return {k: v and works and (k == "message" or allowed(principal, k)) for k, v in state.items()}


def context(
    session: Session,
    principal: Principal,
    code: str,
    *,
    unmasked_with: Keyring | None = None,
    submitted: dict[str, str] | None = None,
    forms: bool = False,
) -> dict[str, Any]:
    """What the request page shows; with ``forms``, also what its action forms need (the page
    loads a dialog's form when it opens, except the one that comes back after a refusal).
    ``unmasked_with``: the data keys, to show the contact in clear."""
    ticket = queries.get_visible(session, principal, code)
    detail = queries.detail(session, ticket)
    now = utcnow()
    refs = [r.actor for r in detail.history] + [m.author for m in detail.messages]
    refs += [t.handler for t in detail.transfers] + [e.created_by for e in detail.escalations]
    names = accounts.names(session, refs)
    transfer = detail.open_transfer
    others = [
        r
        for r in queries.history_of(
            session, principal, customer_id=ticket.customer_id, phone_bi=ticket.contact_phone_bi, limit=20
        )
        if r.id != ticket.id
    ]
    can_work = principal.has("requests.work")
    greeting = (
        addressee(ticket) if unmasked_with is not None else None
    )  # the name is shown only when unmasked (audited)
    replies = canned(session, ticket, greeting) if can_work else []
    data = {
        "ticket": ticket,
        "detail": detail,
        "timeline": timeline.build(detail, names),
        "assignee": detail.names.get(ticket.assignee_id or 0, ""),
        "deadlines": deadlines(ticket, now),
        "sla_state": live_state(ticket, now),
        "now": now,
        "transfer": transfer,
        "transfer_unit": detail.units.get(transfer.unit_id, "") if transfer else "",
        "open_transfer_states": OPEN_TRANSFER,
        "customer": _customer(ticket, unmasked_with),
        "unmasked": unmasked_with is not None,
        "others": others,
        "canned": replies,
        "canned_named": any("{name}" in c.body for c in replies),
        "can": available(ticket, transfer, principal),
        "presence": presence_of(session, principal.user_id) if can_work else None,
        "presences": PRESENCES,
        "may_unmask": principal.has("personal_data.unmask"),
        "may_lead": principal.has("requests.supervise"),
        "submitted": submitted or {},
        "forms": forms,
    }
    if forms:
        data |= form_context(session, principal, ticket, detail)
    return data


def form_context(
    session: Session, principal: Principal, ticket: Ticket, detail: queries.Detail
) -> dict[str, Any]:
    """The choices and defaults of the action forms."""
    if not principal.has("requests.work"):
        return {"agents": [], "units": [], "provinces": [], "summary": "", "default_due": None}
    cal = sla.calendar(session, ticket.team_unit_id)
    return {
        "agents": agents(session, ticket.team_unit_id, anyone=principal.has("requests.assign")),
        "units": unit_choices(session),
        "provinces": provinces(session),
        "summary": f"{ticket.subject}\n\n{_last_inbound(detail)}".strip(),
        "default_due": sla.end_of_working_day(cal, utcnow(), TRANSFER_DAYS),
    }


def detail_page(
    request: Request,
    principal: Principal,
    session: Session,
    code: str,
    *,
    error: AppError | None = None,
    submitted: dict[str, str] | None = None,
    done: str | None = None,
    unmasked: bool = False,
) -> HTMLResponse:
    open_dialog = (submitted or {}).get("action") if error is not None else None
    ring = crypto.keyring(request.app.state.settings) if unmasked else None
    data = context(session, principal, code, unmasked_with=ring, submitted=submitted, forms=bool(open_dialog))
    data |= {
        "principal": principal,
        "rq": Labels,
        "error": error,
        "problems": problems(error),
        "conflict": error is not None and error.code == errors.VERSION_CONFLICT.code,
        "done": done,
        "open_dialog": open_dialog,
    }
    return render(request, "requests/detail.html", data, status_code=error.status if error else 200)


# -- routes ---------------------------------------------------------------------------------------------


@router.get("/{code:reqcode}", response_class=HTMLResponse)
def request_page(
    request: Request, code: str, principal: Viewer, session: ReadSession, done: str = ""
) -> HTMLResponse:
    return detail_page(request, principal, session, code, done=done[:30] or None)


@router.get("/{code:reqcode}/act/{action}", response_class=HTMLResponse)
def action_page(
    request: Request, code: str, action: str, principal: Viewer, session: ReadSession
) -> HTMLResponse:
    """One action's form: on a page of its own for browsers without JS, or (asked by the page's
    script) just the form, to fill the dialog being opened."""
    require_action(request, principal, action)
    data = context(session, principal, code, forms=True)
    data |= {"principal": principal, "rq": Labels, "action": action, "error": None, "problems": {}}
    if request.headers.get("hx-request"):
        return render(request, "requests/_action_form.html", data, headers={"cache-control": "no-store"})
    return render(request, "requests/action.html", data)


@dataclass(frozen=True)
class Suggestion:
    code: str
    question: str
    short_answer: str
    bases: list[entry_queries.Basis]
    score: float


def suggestions_for(request: Request, session: Session, question: str) -> list[Suggestion]:
    if not question.strip():
        return []
    result, _log = answerer(request.app.state.db).ask(question[:2000], channel="console", record=False)
    out = []
    for candidate in result.candidates[:SUGGESTIONS]:
        try:
            entry = entry_queries.get_entry(session, candidate.entry_id)
        except AppError:
            continue  # withdrawn since the index was built
        live = entry_queries.live_content(session, entry)
        if live is None:
            continue
        bases = entry_queries.bases(session, list(candidate.sources))
        out.append(Suggestion(entry.code, live["question"], live["short_answer"], bases, candidate.score))
    return out


@router.get("/{code:reqcode}/suggestions", response_class=HTMLResponse)
def suggestions(request: Request, code: str, principal: Viewer, session: ReadSession) -> HTMLResponse:
    """HTMX panel: the Q&A bank's best entries for the customer's last message."""
    ticket = queries.get_visible(session, principal, code)
    detail = queries.detail(session, ticket)
    question = _last_inbound(detail)
    found = suggestions_for(request, session, question)
    data = {"ticket": ticket, "found": found, "question": question, "principal": principal}
    if request.headers.get("hx-request"):
        return render(request, "requests/_suggestions.html", data)
    return render(request, "requests/suggestions.html", data)
