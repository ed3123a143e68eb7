"""Reads of the accounts domain."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from vsscare.accounts.models import Permission, Role, RolePermission, User, UserRole, UserScope
from vsscare.accounts.principal import Principal, scope_clause
from vsscare.orgunits.models import OrgUnit


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def permissions_of(session: Session, user_id: int) -> frozenset[str]:
    stmt = (
        select(RolePermission.permission_code)
        .join(UserRole, UserRole.role_code == RolePermission.role_code)
        .where(UserRole.user_id == user_id)
    )
    return frozenset(session.scalars(stmt))


def holders(*permissions: str) -> Select[tuple[int]]:
    """The ids of users whose roles grant any of ``permissions`` (for ``User.id.in_(...)``)."""
    return (
        select(UserRole.user_id)
        .join(RolePermission, RolePermission.role_code == UserRole.role_code)
        # Plain comparisons, not IN: an IN list is re-rendered on every execution.
        .where(or_(*(RolePermission.permission_code == p for p in permissions)))
    )


# Built once: every console request builds a principal.
_GRANTS = (
    select(UserRole.role_code, RolePermission.permission_code)
    .outerjoin(RolePermission, RolePermission.role_code == UserRole.role_code)
    .where(UserRole.user_id == bindparam("uid"))
)
_PROVINCES = select(OrgUnit.province_code).where(
    or_(
        OrgUnit.id == bindparam("unit_id"),
        OrgUnit.id.in_(select(UserScope.org_unit_id).where(UserScope.user_id == bindparam("uid"))),
    )
)


def principal_for(session: Session, user: User, via_token: bool = False) -> Principal:
    """What ``user`` may do and see, in two statements (one when they see every province)."""
    roles: set[str] = set()
    permissions: set[str] = set()
    for role, permission in session.execute(_GRANTS, {"uid": user.id}):
        roles.add(role)
        if permission is not None:
            permissions.add(permission)
    provinces: frozenset[str] | None = None
    if "scope.all_provinces" not in permissions:
        codes = session.scalars(_PROVINCES, {"uid": user.id, "unit_id": user.org_unit_id})
        provinces = frozenset(c for c in codes if c)
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        locale=user.locale,
        roles=frozenset(roles),
        permissions=frozenset(permissions),
        org_unit_id=user.org_unit_id,
        provinces=provinces,
        via_token=via_token,
    )


def list_users(
    session: Session, principal: Principal | None = None, include_disabled: bool = True
) -> list[User]:
    stmt = select(User).order_by(User.username)
    if not include_disabled:
        stmt = stmt.where(User.is_active.is_(True))
    if principal is not None and principal.provinces is not None:
        stmt = stmt.outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id).where(
            scope_clause(principal, OrgUnit.province_code)
        )
    return list(session.scalars(stmt))


def roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.code)))


def permissions(session: Session) -> list[Permission]:
    return list(session.scalars(select(Permission).order_by(Permission.code)))


def role_grants(session: Session) -> dict[str, list[str]]:
    grants: dict[str, list[str]] = {}
    for rp in session.scalars(select(RolePermission).order_by(RolePermission.permission_code)):
        grants.setdefault(rp.role_code, []).append(rp.permission_code)
    return grants


def unit_codes(session: Session) -> dict[int, str]:
    return {unit_id: code for unit_id, code in session.execute(select(OrgUnit.id, OrgUnit.code))}


def names(session: Session, refs: Iterable[str | None]) -> dict[str, str]:
    """Actor refs (``user:12``) → the staff member's full name; other refs are left out."""
    ids = {int(ref[5:]) for ref in refs if ref and ref.startswith("user:") and ref[5:].isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(sorted(ids))))
    return {f"user:{user_id}": name for user_id, name in rows}
