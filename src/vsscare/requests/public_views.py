"""The customer's status lookup on the portal: ``/tra-cuu-yeu-cau``, by request code and phone.

A POST form, so the phone number stays out of addresses and access logs. The rules (same answer
for a wrong code or phone, audit, lock after repeated failures) are in :mod:`vsscare.requests.lookup`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.core import crypto
from vsscare.core.web import render, write_session
from vsscare.requests.labels import PUBLIC_STATUS_LABELS, label
from vsscare.requests.lookup import lookup as customer_lookup

router = APIRouter(include_in_schema=False)
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
PATH = "/tra-cuu-yeu-cau"


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
    attempt = customer_lookup(
        session, crypto.keyring(request.app.state.settings), form["code"], form["phone"]
    )
    if attempt.error is not None:
        error = attempt.error
        return render(
            request, "public/request_status.html", {"form": form, "error": error}, status_code=error.status
        )
    found, messages = attempt.request, attempt.messages
    assert found is not None
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
