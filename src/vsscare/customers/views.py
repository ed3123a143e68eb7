"""Console pages of customers: find one (name, employer code, or an exact SI code, CCCD or phone)
and the customer 360 page (masked profile, identities, every request across channels, the
industry database's record on demand, revealing a protected value with a reason). Every page
that shows personal data writes an audit row, so these pages use writing sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, deny, require
from vsscare.accounts.principal import Principal
from vsscare.core import audit, crypto
from vsscare.core.errors import VALIDATION, AppError
from vsscare.core.web import render, write_session
from vsscare.customers import actions, queries, services
from vsscare.customers.actions import context
from vsscare.customers.models import Customer
from vsscare.customers.schemas import IdentityIn
from vsscare.customers.selfservice import CLAIM_KINDS, CLAIM_STATUSES, EXPIRING_WITHIN, mask_card
from vsscare.orgunits.calendar import VN_TZ
from vsscare.requests import queries as requests
from vsscare.requests.view_labels import Labels

router = APIRouter(prefix="/console/customers", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("customers.view"))]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
Csrf = Annotated[None, Depends(csrf_protect)]
CustomerId = Annotated[int, Path(ge=1, le=2**63 - 1)]
LOOKUP_FIELDS = ("si_code", "cccd", "phone")
RECENT_MONTHS = 12


def _ring(request: Request) -> crypto.Keyring:
    return crypto.keyring(request.app.state.settings)


@router.get("", response_class=HTMLResponse)
def find_page(
    request: Request,
    principal: Viewer,
    session: WriteSession,
    q: Annotated[str, Query(max_length=200)] = "",
    by: Annotated[str, Query(max_length=10)] = "",
    value: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """Search by name or employer code, or look up by an identifier (exact, blind index)."""
    found: list[Customer] | None = None
    error: AppError | None = None
    q, value = q.strip(), value.strip()
    if by in LOOKUP_FIELDS and value:
        try:
            with session.begin_nested():
                found = queries.find(session, principal, _ring(request), **{by: value})
        except AppError as exc:  # an invalid number is explained beside the field
            error = exc
    elif q:
        found = queries.search(session, principal, q)
        audit.record(
            session, "customer.search", principal.actor, object_type="customer", details={"found": len(found)}
        )
    return render(
        request,
        "customers/find.html",
        {
            "principal": principal, "found": None if found is None else [queries.view(c) for c in found],
            "error": error, "form": {"q": q, "by": by if by in LOOKUP_FIELDS else "si_code", "value": value},
        },
    )  # fmt: skip


def _page(
    request: Request,
    principal: Principal,
    session: Session,
    customer: Customer,
    *,
    revealed: dict[str, str] | None = None,
    error: AppError | None = None,
    status: int = 200,
) -> HTMLResponse:
    merged_into = session.get(Customer, customer.merged_into_id) if customer.merged_into_id else None
    history = requests.history_of(
        session, principal, customer_id=customer.id, phone_bi=customer.phone_bi, limit=100
    )
    return render(
        request,
        "customers/detail.html",
        {
            "principal": principal,
            "customer": queries.view(customer, queries.identities_of(session, customer.id)),
            "merged_into": merged_into, "requests": history, "rq": Labels, "revealed": revealed or {},
            "may_unmask": principal.has("personal_data.unmask"), "may_link": principal.has("requests.work"),
            "has_si_code": customer.si_code_enc is not None, "error": error,
            "identity_kinds": ("phone", "email", "zalo", "facebook"),
        },
        status_code=status,
    )  # fmt: skip


@router.get("/{customer_id}", response_class=HTMLResponse)
def detail_page(
    request: Request, principal: Viewer, session: WriteSession, customer_id: CustomerId
) -> HTMLResponse:
    customer = queries.get_visible(session, principal, customer_id)
    audit.record(session, "customer.view", principal.actor, object_type="customer", object_id=customer.id)
    return _page(request, principal, session, customer)


@router.post("/{customer_id}/identities", response_class=HTMLResponse)
def link_identity(
    request: Request,
    principal: Viewer,
    _csrf: Csrf,
    session: WriteSession,
    customer_id: CustomerId,
    kind: Annotated[str, Form(max_length=10)],
    value: Annotated[str, Form(max_length=200)],
) -> Response:
    if not principal.has("requests.work"):
        raise deny(request, principal, "requests.work")
    customer = queries.get_visible(session, principal, customer_id)
    try:
        with session.begin_nested():
            data = IdentityIn.model_validate({"kind": kind, "value": value})
            actions.link_identity(session, principal.actor, customer.id, data, _ring(request))
    except AppError as exc:
        return _page(request, principal, session, customer, error=exc, status=exc.status)
    except ValidationError:  # an unknown kind or an empty value
        exc = AppError(VALIDATION)
        return _page(request, principal, session, customer, error=exc, status=exc.status)
    return RedirectResponse(f"/console/customers/{customer.id}?done=linked", status_code=303)


@router.post("/{customer_id}/reveal", response_class=HTMLResponse)
def reveal(
    request: Request,
    principal: Viewer,
    _csrf: Csrf,
    session: WriteSession,
    customer_id: CustomerId,
    field: Annotated[Literal["si_code", "cccd", "phone"], Form()],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """The clear value of one protected field, for staff with ``personal_data.unmask`` and a reason."""
    if not principal.has("personal_data.unmask"):
        raise deny(request, principal, "personal_data.unmask")
    customer = queries.get_visible(session, principal, customer_id)
    try:
        with session.begin_nested():
            value = actions.reveal(
                session, principal.actor, customer.id, field, reason.strip(), _ring(request)
            )
    except AppError as exc:
        if request.headers.get("hx-request"):
            shown = {"field": field, "error": exc, "customer": customer}
            return render(request, "customers/_reveal.html", shown, status_code=exc.status)
        return _page(request, principal, session, customer, error=exc, status=exc.status)
    headers = {"cache-control": "no-store"}
    if request.headers.get("hx-request"):
        shown = {"field": field, "value": value, "customer": customer}
        return render(request, "customers/_reveal.html", shown, headers=headers)
    response = _page(request, principal, session, customer, revealed={field: value or ""})
    response.headers.update(headers)
    return response


@router.get("/{customer_id}/registry", response_class=HTMLResponse)
def registry_snapshot(
    request: Request, principal: Viewer, session: WriteSession, customer_id: CustomerId
) -> HTMLResponse:
    """The person's record in the industry database, read now (audited, never cached)."""
    customer = queries.get_visible(session, principal, customer_id)
    data: dict[str, Any] = {
        "customer": customer, "snapshot": None, "error": None, "claim_kinds": CLAIM_KINDS,
        "claim_statuses": CLAIM_STATUSES,
    }  # fmt: skip
    if customer.si_code_enc is None:
        return render(request, "customers/_registry.html", data)
    si = _ring(request).decrypt(customer.si_code_enc, context=context("si_code"))
    registry = services.registry(request.app.state.settings, request.app.state.db)
    try:
        data["snapshot"] = _snapshot(registry, si)
        outcome = "ok"
    except AppError as exc:  # the registry does not answer: say so in the panel
        data["error"], outcome = exc, "failed"
    audit.record(
        session, "registry.lookup", principal.actor, outcome=outcome, object_type="customer",
        object_id=customer.id, details={"parts": ["si_book", "contributions", "health_card", "claims"]},
    )  # fmt: skip
    return render(request, "customers/_registry.html", data, headers={"cache-control": "no-store"})


def _snapshot(registry: Any, si: str) -> dict[str, Any]:
    today = datetime.now(VN_TZ).date()
    card = registry.health_card(si)
    card_state = None
    if card is not None:
        left = (card.valid_to - today).days
        card_state = "expired" if left < 0 else "expiring" if left <= EXPIRING_WITHIN.days else "valid"
    months = registry.contributions(si)
    return {
        "book": registry.si_book(si), "months": months[-RECENT_MONTHS:][::-1], "total_months": len(months),
        "card": card, "card_number": mask_card(card.number) if card else None, "card_state": card_state,
        "claims": registry.claims(si)[:10],
    }  # fmt: skip
