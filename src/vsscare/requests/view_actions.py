"""What the request page's forms do: reply or note (with files), assign, triage, transfer,
escalate, merge, link, resolve, reopen, wait for the customer, answer a unit, accept a complaint,
and show the customer's contact unmasked.

Every write goes through :mod:`vsscare.requests.actions` / :mod:`~vsscare.requests.unit_actions`
in a savepoint of the request's transaction: when an action is refused (a stale version, a bad
value, a status that does not allow it) nothing of it stays, and the page comes back with the
error, the current state of the request and everything the agent typed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from vsscare.accounts.auth import deny
from vsscare.accounts.principal import Principal
from vsscare.core import audit, crypto
from vsscare.core.errors import NOT_FOUND, PERMISSION_DENIED, AppError
from vsscare.core.events import Actor
from vsscare.core.web import render
from vsscare.requests import actions, queries, schemas, unit_actions
from vsscare.requests.attachments import AttachmentStore
from vsscare.requests.canned import fill
from vsscare.requests.choices import agents
from vsscare.requests.models import Request as Ticket
from vsscare.requests.view_forms import (
    checked,
    deadline,
    tag_list,
    text,
    typed,
    uploads,
    validate,
    version,
)
from vsscare.requests.view_labels import Labels
from vsscare.requests.view_page import (
    ACTIONS,
    BASE,
    Csrf,
    Viewer,
    WriteSession,
    addressee,
    context,
    detail_page,
)

router = APIRouter()
PERMISSIONS = ACTIONS | {"message": "requests.work"}


async def posted(request: Request) -> AsyncIterator[FormData]:
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


Posted = Annotated[FormData, Depends(posted)]


@dataclass
class Act:
    session: Session
    principal: Principal
    ticket: Ticket
    form: FormData
    store: AttachmentStore

    @property
    def actor(self) -> Actor:
        return self.principal.actor

    @property
    def code(self) -> str:
        return self.ticket.code

    def field(self, name: str) -> str:
        return text(self.form, name)

    def at_version(self) -> None:
        """For actions that take no version: refuse when the request changed since the page."""
        actions.check_version(actions.get(self.session, self.code, lock=True), version(self.form))


def _message(a: Act) -> str:
    files = uploads(a.form)
    if a.field("kind") == "note":
        data = validate(schemas.Body, {"body": a.field("body"), "version": version(a.form)})
        actions.note(
            a.session, a.actor, a.code, data.body, version=data.version, uploads=files, store=a.store
        )
        return "noted"
    then = a.field("then") or None
    data = validate(schemas.ReplyIn, {"body": a.field("body"), "version": version(a.form), "then": then})
    body = fill(data.body, {"name": addressee(a.ticket)})  # left by a canned response on a masked page
    actions.reply(
        a.session, a.actor, a.code, body, version=data.version, then=data.then, uploads=files,
        store=a.store,
    )  # fmt: skip
    return "replied"


def _assign(a: Act) -> str:
    value = a.field("assignee").strip().lower()
    username = a.principal.username if value == "me" else value or None
    data = validate(schemas.AssignIn, {"assignee": username, "version": version(a.form)})
    if not a.principal.has("requests.assign") and data.assignee != a.principal.username:
        # Agents take requests, hand them to a teammate or give back their own; supervisors assign anyone.
        ticket = actions.get(a.session, a.code)
        team = {u for u, _n in agents(a.session, ticket.team_unit_id, anyone=False)}
        own = ticket.assignee_id == a.principal.user_id
        if not (data.assignee in team or (data.assignee is None and own)):
            raise AppError(PERMISSION_DENIED, details={"permission": "requests.assign"})
    actions.assign(a.session, a.actor, a.code, data.assignee, version=data.version)
    return "assigned"


def _triage(a: Act) -> str:
    raw = {
        "topic": a.field("topic") or None,
        "type": a.field("type") or None,
        "priority": a.field("priority") or None,
        "subject": a.field("subject") or None,
        "province": a.field("province").strip() if "province" in a.form else None,
        "tags": tag_list(a.field("tags")) if "tags" in a.form else None,
        "version": version(a.form),
    }
    data = validate(schemas.TriageIn, raw)
    changes = data.model_dump(exclude={"version"})
    actions.triage(a.session, a.actor, a.code, changes, version=data.version)
    return "triaged"


def _transfer(a: Act) -> str:
    unit = (a.field("unit").strip().split() or [""])[0].upper()
    raw = {
        "unit": unit,
        "summary": a.field("summary"),
        "due_at": deadline(a.field("due_at")),
        "version": version(a.form),
    }
    data = validate(schemas.TransferIn, raw)
    unit_actions.transfer(
        a.session, a.actor, a.code, data.unit, data.summary, due_at=data.due_at, version=data.version
    )
    return "transferred"


def _escalate(a: Act) -> str:
    raw = {
        "level": a.field("level") or "supervisor",
        "reason": a.field("reason"),
        "summary": a.field("summary") or None,
        "proposal": a.field("proposal") or None,
    }
    data = validate(schemas.EscalateIn, raw)
    a.at_version()
    unit_actions.escalate(
        a.session, a.actor, a.code, data.level, data.reason, summary=data.summary, proposal=data.proposal
    )
    return "escalated"


def _merge(a: Act) -> tuple[str, str]:
    data = validate(schemas.CodeIn, {"other": a.field("other").strip().upper()})
    target = actions.merge(a.session, a.actor, a.code, data.other, version=version(a.form))
    return "merged", target.code


def _link(a: Act) -> str:
    data = validate(
        schemas.LinkIn, {"other": a.field("other").strip().upper(), "kind": a.field("kind") or "related"}
    )
    a.at_version()
    actions.link(a.session, a.actor, a.code, data.other, data.kind)
    return "linked"


def _resolve(a: Act) -> str:
    actions.resolve(a.session, a.actor, a.code, version=version(a.form))
    return "resolved"


def _reopen(a: Act) -> str:
    actions.reopen(a.session, a.actor, a.code, version=version(a.form))
    return "reopened"


def _wait(a: Act) -> str:
    raw = {"status": "pending_customer", "reason": a.field("reason") or None, "version": version(a.form)}
    data = validate(schemas.StatusIn, raw)
    actions.set_status(a.session, a.actor, a.code, data.status, reason=data.reason, version=data.version)
    return "waiting"


def _provide_info(a: Act) -> str:
    data = validate(schemas.ReasonIn, {"text": a.field("answer")})
    a.at_version()
    unit_actions.provide_info(a.session, a.actor, a.code, data.text)
    return "info_provided"


def _accept_complaint(a: Act) -> str:
    data = validate(
        schemas.ComplaintIn, {"complex": checked(a.form, "complex"), "remote": checked(a.form, "remote")}
    )
    a.at_version()
    unit_actions.accept_complaint(a.session, a.actor, a.code, complex=data.complex, remote=data.remote)
    return "complaint_accepted"


HANDLERS: dict[str, Callable[[Act], str | tuple[str, str]]] = {
    "message": _message,
    "assign": _assign,
    "triage": _triage,
    "transfer": _transfer,
    "escalate": _escalate,
    "merge": _merge,
    "link": _link,
    "resolve": _resolve,
    "reopen": _reopen,
    "wait": _wait,
    "provide_info": _provide_info,
    "accept_complaint": _accept_complaint,
}


@router.post("/{code:reqcode}/act/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    code: str,
    action: str,
    _csrf: Csrf,
    principal: Viewer,
    session: WriteSession,
    form: Posted,
) -> Response:
    # Permissions first: a refusal is audited in its own transaction, before this one holds a lock.
    if action not in HANDLERS:
        raise AppError(NOT_FOUND)
    if not principal.has(PERMISSIONS[action]):
        raise deny(request, principal, PERMISSIONS[action])
    if (
        action == "escalate"
        and text(form, "level") == "leadership"
        and not principal.has("requests.supervise")
    ):
        raise deny(request, principal, "requests.supervise")
    ticket = queries.get_visible(session, principal, code)
    store = AttachmentStore(request.app.state.settings.data_dir / "attachments")
    work = Act(session, principal, ticket, form, store)
    try:
        with session.begin_nested():
            outcome = HANDLERS[action](work)
    except AppError as exc:
        if exc.code == PERMISSION_DENIED.code:
            audit.record(
                session, "permission.denied", principal.actor, outcome="denied",
                details={**exc.details, "method": request.method, "path": request.url.path},
            )  # fmt: skip
        submitted = typed(form) | {"action": action}
        return detail_page(request, principal, session, ticket.code, error=exc, submitted=submitted)
    done, goto = outcome if isinstance(outcome, tuple) else (outcome, ticket.code)
    return RedirectResponse(f"{BASE}/{goto}?done={done}", status_code=303)


@router.post("/{code:reqcode}/unmask", response_class=HTMLResponse)
def unmask(request: Request, code: str, _csrf: Csrf, principal: Viewer, session: WriteSession) -> Response:
    """The customer's contact in full, for staff allowed to see personal data; every showing is audited."""
    if not principal.has("personal_data.unmask"):
        raise deny(request, principal, "personal_data.unmask")
    ticket = queries.get_visible(session, principal, code)
    shown = [f for f in ("contact_name", "contact_phone_enc", "contact_email") if getattr(ticket, f)]
    shown = [f.removesuffix("_enc") for f in shown]
    audit.record(
        session, "requests.unmask", principal.actor, object_type="request", object_id=ticket.code,
        details={"fields": shown},
    )  # fmt: skip
    headers = {"cache-control": "no-store"}
    if request.headers.get("hx-request"):
        data = context(
            session, principal, ticket.code, unmasked_with=crypto.keyring(request.app.state.settings)
        )
        data |= {"principal": principal, "rq": Labels}
        return render(request, "requests/_customer.html", data, headers=headers)
    response = detail_page(request, principal, session, ticket.code, unmasked=True)
    response.headers.update(headers)
    return response
