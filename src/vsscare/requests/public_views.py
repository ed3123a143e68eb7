"""The customer's status lookup on the portal: ``/tra-cuu-yeu-cau``, by request code and phone.

A POST form, so the phone number stays out of addresses and access logs. A wrong code and a
wrong phone get the same answer; every attempt is in the audit log (without the phone).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.core import audit
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.web import render, write_session
from vsscare.requests import queries
from vsscare.requests.labels import PUBLIC_STATUS_LABELS, label

router = APIRouter(include_in_schema=False)
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
PATH = "/tra-cuu-yeu-cau"
CUSTOMER = Actor("customer", None, "portal")


@router.get(PATH, response_class=HTMLResponse)
def lookup_form(request: Request) -> HTMLResponse:
    return render(request, "public/request_status.html", {"form": {"code": "", "phone": ""}})


@router.post(PATH, response_class=HTMLResponse)
def lookup(
    request: Request,
    session: WriteSession,
    code: Annotated[str, Form(max_length=30)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> HTMLResponse:
    form = {"code": code.strip(), "phone": phone.strip()}
    try:
        with session.begin_nested():
            found, messages = queries.lookup(session, form["code"], form["phone"])
    except AppError as exc:
        audit.record(
            session, "requests.lookup", CUSTOMER, outcome="denied", object_type="request",
            object_id=form["code"][:30], details={"reason": exc.code},
        )  # fmt: skip
        return render(
            request, "public/request_status.html", {"form": form, "error": exc}, status_code=exc.status
        )
    audit.record(session, "requests.lookup", CUSTOMER, object_type="request", object_id=found.code)
    result = {
        "code": found.code,
        "subject": found.subject,
        "status": found.status,
        "status_label": label(PUBLIC_STATUS_LABELS, found.status),
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "messages": messages,
    }
    return render(request, "public/request_status.html", {"form": form, "found": result})
