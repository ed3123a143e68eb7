"""Accounts API: the caller, and the staff they may see. Session cookie or ``Bearer vss_…`` token."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from vsscare.accounts import auth, queries
from vsscare.accounts.principal import Principal
from vsscare.accounts.schemas import MeOut, UserOut
from vsscare.core.errors import ErrorBody
from vsscare.core.web import read_session

router = APIRouter(
    prefix="/api/v1",
    tags=["accounts"],
    responses={401: {"model": ErrorBody, "description": "Not signed in, or the token is revoked or expired"}},
)


@router.get("/me", response_model=MeOut)
def me(principal: Principal = Depends(auth.current_principal)) -> MeOut:
    """Who the caller is: roles, permissions and the provinces they may see."""
    return MeOut.of(principal)


@router.get(
    "/users",
    response_model=list[UserOut],
    responses={403: {"model": ErrorBody, "description": "Missing the users.view permission"}},
)
def list_users(
    principal: Principal = Depends(auth.require("users.view")),
    session: Session = Depends(read_session),
) -> list[UserOut]:
    """Staff accounts in the caller's provinces (every account for national roles)."""
    units = queries.unit_codes(session)
    return [UserOut.of(user, units) for user in queries.list_users(session, principal)]
