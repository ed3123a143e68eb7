"""Merging duplicate customers and data-subject requests over the API (``/api/v1/customers``):
merge (``requests.work``), export everything held about a person as JSON or a readable HTML
document, and anonymise on request (both ``personal_data.unmask``, with a reason, audited). Another
province's customer is ``customer_not_found``."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.errors import ErrorBody
from vsscare.core.web import write_session
from vsscare.customers import actions, privacy, queries
from vsscare.customers.api import ERRORS, CustomerOut

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

Worker = Annotated[Principal, Depends(require("requests.work"))]
Officer = Annotated[Principal, Depends(require("personal_data.unmask"))]
Csrf = Annotated[None, Depends(csrf_protect)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
CustomerId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Reason = Annotated[str, Field(min_length=5, max_length=300, description="Why (audited)")]
PRIVACY_ERRORS = ERRORS | {
    409: {"model": ErrorBody, "description": "Already merged or anonymised"},
    422: {"model": ErrorBody, "description": "Invalid body or no reason"},
}


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: int = Field(ge=1, le=2**63 - 1, description="The duplicate, merged away")
    target_id: int = Field(ge=1, le=2**63 - 1, description="The record kept")
    reason: Reason


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason
    format: Literal["json", "html"] = "json"


class AnonymiseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason
    confirm: Literal[True] = Field(description="Anonymising cannot be undone")


class AnonymisedOut(BaseModel):
    id: int
    requests: int
    messages: int
    identities: int


@router.post("/merge", response_model=CustomerOut, summary="Merge a duplicate", responses=PRIVACY_ERRORS)
def merge(principal: Worker, _: Csrf, session: WriteSession, body: MergeIn) -> CustomerOut:
    """The duplicate's identities and requests move to the record kept, which takes the fields it
    lacks; the duplicate stays, marked merged, and lookups lead from it to the record kept."""
    for customer_id in (body.source_id, body.target_id):
        queries.get_visible(session, principal, customer_id)
    kept = actions.merge(session, principal.actor, body.source_id, body.target_id, reason=body.reason)
    return CustomerOut.model_validate(queries.view(kept, queries.identities_of(session, kept.id)))


@router.post(
    "/{customer_id}/export",
    summary="Everything held about a person (data-subject request)",
    responses=PRIVACY_ERRORS | {200: {"content": {"application/json": {}, "text/html": {}}}},
)
def export(
    request: Request,
    principal: Officer,
    _: Csrf,
    session: WriteSession,
    customer_id: CustomerId,
    body: ExportIn,
) -> Response:
    """A download: JSON, or a readable HTML document to print or send to the person."""
    customer = queries.get_visible(session, principal, customer_id)
    ring = crypto.keyring(request.app.state.settings)
    document = privacy.export(session, principal.actor, customer.id, ring, reason=body.reason)
    headers = {
        "content-disposition": f'attachment; filename="customer-{customer.id}.{body.format}"',
        "cache-control": "no-store",
    }
    if body.format == "html":
        templates = request.app.state.templates
        page = templates.get_template("customers/privacy_export.html").render(request=request, doc=document)
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    content = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(content, media_type="application/json", headers=headers)


@router.post(
    "/{customer_id}/anonymise",
    response_model=AnonymisedOut,
    summary="Erase a person's identity (keeps statistics)",
    responses=PRIVACY_ERRORS,
)
def anonymise(
    principal: Officer, _: Csrf, session: WriteSession, customer_id: CustomerId, body: AnonymiseIn
) -> AnonymisedOut:
    """Irreversible. Identifiers, name, contact details, identities and the contact details of the
    person's requests are erased (identifiers in their messages masked); kind, province, gender,
    birth year and the requests' channel, topic, status and dates stay for reports."""
    customer = queries.get_visible(session, principal, customer_id)
    counts = privacy.anonymise(session, principal.actor, customer.id, reason=body.reason)
    return AnonymisedOut(id=customer.id, **counts)
