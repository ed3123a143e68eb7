"""JSON API of customers (``/api/v1/customers``). Reading needs ``customers.view`` and shows only
customers of the caller's provinces (others are ``customer_not_found``), with the SI code, CCCD,
phone and e-mail masked; every read and lookup is audited. Creating customers and linking
identities needs ``requests.work`` (agents record callers); the clear value of a protected field
needs ``personal_data.unmask`` and a reason, and is audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.core import audit, crypto
from vsscare.core.errors import ErrorBody
from vsscare.core.web import write_session
from vsscare.customers import actions, queries
from vsscare.customers.models import Customer
from vsscare.customers.schemas import EmployerIn, IdentityIn, PersonIn

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

Viewer = Annotated[Principal, Depends(require("customers.view"))]
Worker = Annotated[Principal, Depends(require("requests.work"))]
Unmasker = Annotated[Principal, Depends(require("personal_data.unmask"))]
Csrf = Annotated[None, Depends(csrf_protect)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
CustomerId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _ring(request: Request) -> crypto.Keyring:
    return crypto.keyring(request.app.state.settings)


Ring = Annotated[crypto.Keyring, Depends(_ring)]
ERRORS = {
    401: {"model": ErrorBody, "description": "Not signed in"},
    403: {"model": ErrorBody, "description": "Missing the permission, or CSRF token missing on a write"},
    404: {"model": ErrorBody, "description": "No such customer in your provinces (`customer_not_found`)"},
}
WRITE_ERRORS = ERRORS | {
    409: {"model": ErrorBody, "description": "Same SI code, CCCD, unit code or identity already on record"},
    422: {"model": ErrorBody, "description": "Invalid body, or an SI code, CCCD or phone that is not valid "
          "(the message says why: digit count, province code, birth year)"},
}  # fmt: skip


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Literal["person", "employer"]
    status: str
    name: str
    birth_date: date | None
    gender: str | None
    si_code: str | None = Field(description="Masked, e.g. 0123****89")
    cccd: str | None = Field(description="Masked, e.g. 0010******45")
    phone: str | None = Field(description="Masked, e.g. +8491*****78")
    email: str | None = Field(description="Masked")
    province_code: str | None
    commune: str | None
    address: str | None
    unit_code: str | None
    tax_code: str | None
    contact_person: str | None
    merged_into_id: int | None
    identities: list[tuple[str, str]] = Field(description="(kind, masked value) pairs")


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: Literal["si_code", "cccd", "phone"]
    reason: str = Field(min_length=5, max_length=300, description="Why you need the clear value (audited)")


class RevealOut(BaseModel):
    field: str
    value: str | None


def _out(session: Session, customer: Customer) -> CustomerOut:
    return CustomerOut.model_validate(queries.view(customer, queries.identities_of(session, customer.id)))


@router.post(
    "/people", status_code=201, response_model=CustomerOut, summary="Record a citizen", responses=WRITE_ERRORS
)
def create_person(
    principal: Worker, _: Csrf, session: WriteSession, ring: Ring, data: PersonIn
) -> CustomerOut:
    return _out(session, actions.create_person(session, principal.actor, data, ring))


@router.post(
    "/employers",
    status_code=201,
    response_model=CustomerOut,
    summary="Record an employer",
    responses=WRITE_ERRORS,
)
def create_employer(
    principal: Worker, _: Csrf, session: WriteSession, ring: Ring, data: EmployerIn
) -> CustomerOut:
    return _out(session, actions.create_employer(session, principal.actor, data, ring))


@router.get(
    "/lookup",
    response_model=list[CustomerOut],
    summary="Find by SI code, CCCD or phone",
    responses=WRITE_ERRORS,
)
def lookup(
    principal: Viewer,
    session: WriteSession,
    ring: Ring,
    si_code: Annotated[str | None, Query(max_length=40)] = None,
    cccd: Annotated[str | None, Query(max_length=40)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
) -> list[CustomerOut]:
    """Exactly one of the three; matches are exact (blind index), so give the whole number."""
    found = queries.find(session, principal, ring, si_code=si_code, cccd=cccd, phone=phone)
    return [_out(session, c) for c in found]


@router.get("", response_model=list[CustomerOut], summary="Search by name or employer code", responses=ERRORS)
def search(
    principal: Viewer,
    session: WriteSession,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[CustomerOut]:
    """The start of a full name (with or without diacritics), or an employer's unit or tax code."""
    found = queries.search(session, principal, q, province=province, limit=limit)
    audit.record(
        session, "customer.search", principal.actor, object_type="customer", details={"found": len(found)}
    )
    return [_out(session, c) for c in found]


@router.get("/{customer_id}", response_model=CustomerOut, summary="One customer (masked)", responses=ERRORS)
def read(principal: Viewer, session: WriteSession, customer_id: CustomerId) -> CustomerOut:
    customer = queries.get_visible(session, principal, customer_id)
    audit.record(session, "customer.view", principal.actor, object_type="customer", object_id=customer.id)
    return _out(session, customer)


@router.post(
    "/{customer_id}/identities",
    status_code=201,
    response_model=CustomerOut,
    summary="Link a channel identity",
    responses=WRITE_ERRORS,
)
def link(
    principal: Worker, _: Csrf, session: WriteSession, ring: Ring, customer_id: CustomerId, data: IdentityIn
) -> CustomerOut:
    customer = queries.get_visible(session, principal, customer_id)
    actions.link_identity(session, principal.actor, customer.id, data, ring)
    return _out(session, customer)


@router.post(
    "/{customer_id}/reveal",
    response_model=RevealOut,
    summary="The clear value of a protected field",
    responses=WRITE_ERRORS,
)
def reveal(
    principal: Unmasker, _: Csrf, session: WriteSession, ring: Ring, customer_id: CustomerId, data: RevealIn
) -> RevealOut:
    """Needs `personal_data.unmask`; the reason goes into the audit log with who and when."""
    customer = queries.get_visible(session, principal, customer_id)
    value = actions.reveal(session, principal.actor, customer.id, data.field, data.reason, ring)
    return RevealOut(field=data.field, value=value)
