"""API shapes of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from vsscare.accounts.models import User
from vsscare.accounts.principal import Principal


class MeOut(BaseModel):
    """The caller: who they are and what they may do."""

    username: str
    full_name: str
    locale: str
    roles: list[str]
    permissions: list[str]
    provinces: list[str] | None = Field(description="Province codes the caller may see; null: every province")
    org_unit_id: int | None
    via_token: bool = Field(description="Signed in with an API token rather than a browser session")

    @classmethod
    def of(cls, principal: Principal) -> MeOut:
        return cls(
            username=principal.username,
            full_name=principal.full_name,
            locale=principal.locale,
            roles=sorted(principal.roles),
            permissions=sorted(principal.permissions),
            provinces=None if principal.provinces is None else sorted(principal.provinces),
            org_unit_id=principal.org_unit_id,
            via_token=principal.via_token,
        )


class UserOut(BaseModel):
    username: str
    full_name: str
    email: str | None
    roles: list[str]
    org_unit: str | None = Field(description="Code of the user's unit")
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User, units: dict[int, str]) -> UserOut:
        return cls(
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            roles=sorted(r.role_code for r in user.roles),
            org_unit=units.get(user.org_unit_id) if user.org_unit_id else None,
            is_active=user.is_active,
            locked_until=user.locked_until,
            last_login_at=user.last_login_at,
        )
