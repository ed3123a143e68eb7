"""All writes of the accounts domain. Each runs inside the caller's transaction."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources

import yaml
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, lazyload

from vsscare.accounts import errors, passwords
from vsscare.accounts.events import (
    ApiTokenCreated,
    ApiTokenRevoked,
    PasswordChanged,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserLocked,
    UserRolesChanged,
)
from vsscare.accounts.models import (
    ApiToken,
    Permission,
    Role,
    RolePermission,
    StaffSession,
    User,
    UserRole,
)
from vsscare.accounts.queries import user_by_username
from vsscare.core import audit, events
from vsscare.core.config import SUPPORTED_LOCALES, Settings
from vsscare.core.context import client
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import SYSTEM, Actor
from vsscare.orgunits.models import OrgUnit

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
TOKEN_PREFIX = "vss"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_actor(user: User) -> Actor:
    return Actor("user", str(user.id), user.username)


# -- roles and permissions -------------------------------------------------------------------


def sync_roles(session: Session) -> tuple[list[str], list[str]]:
    """Add the shipped roles and permissions that are missing. Returns (new roles, new permissions)."""
    spec = yaml.safe_load(resources.files("vsscare.accounts").joinpath("roles.yaml").read_text("utf-8"))
    existing_perms = set(session.scalars(select(Permission.code)))
    new_perms = []
    for code, (vi, en) in spec["permissions"].items():
        if code not in existing_perms:
            session.add(Permission(code=code, description=vi, description_en=en))
            new_perms.append(code)
    existing_roles = set(session.scalars(select(Role.code)))
    new_roles = []
    session.flush()
    for code, role in spec["roles"].items():
        grants = spec["permissions"].keys() if role["permissions"] == "all" else role["permissions"]
        if code not in existing_roles:
            session.add(
                Role(
                    code=code,
                    name=role["name"][0],
                    name_en=role["name"][1],
                    description=role["description"][0],
                    description_en=role["description"][1],
                )
            )
            session.flush()
            session.add_all(RolePermission(role_code=code, permission_code=p) for p in grants)
            new_roles.append(code)
        elif role["permissions"] == "all":
            # The administrator keeps every permission, including ones added by later versions.
            have = set(
                session.scalars(
                    select(RolePermission.permission_code).where(RolePermission.role_code == code)
                )
            )
            session.add_all(
                RolePermission(role_code=code, permission_code=p) for p in grants if p not in have
            )
    return new_roles, new_perms


# -- users ---------------------------------------------------------------------------------------


def _unit_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit_id is None:
        raise AppError(errors.UNIT_NOT_FOUND, code=code)
    return unit_id


def _check_roles(session: Session, roles: list[str]) -> list[str]:
    known = set(session.scalars(select(Role.code)))
    for role in roles:
        if role not in known:
            raise AppError(errors.ROLE_NOT_FOUND, role=role)
    return sorted(set(roles))


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    email: str | None = None,
    org_unit_code: str | None = None,
    locale: str = "vi",
) -> User:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AppError(errors.USERNAME_INVALID)
    if user_by_username(session, username):
        raise AppError(errors.USERNAME_TAKEN, username=username)
    if not passwords.is_acceptable(password, username):
        raise AppError(errors.PASSWORD_WEAK)
    roles = _check_roles(session, roles)
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        email=email,
        password_hash=passwords.hash_password(password),
        org_unit_id=_unit_id(session, org_unit_code),
        locale=locale if locale in ("vi", "en") else "vi",
        password_changed_at=utcnow(),
    )
    user.roles = [UserRole(role_code=r) for r in roles]
    session.add(user)
    session.flush()
    events.append(
        session, UserCreated(username=username, roles=roles, org_unit=org_unit_code), user.id, actor
    )
    audit.record(session, "user.create", actor, object_type="user", object_id=user.id)
    return user


def _get(session: Session, username: str) -> User:
    user = user_by_username(session, username)
    if user is None:
        raise AppError(errors.USER_NOT_FOUND, username=username)
    return user


def set_roles(session: Session, actor: Actor, username: str, roles: list[str]) -> User:
    user = _get(session, username)
    roles = _check_roles(session, roles)
    user.roles = [UserRole(role_code=r) for r in roles]
    events.append(session, UserRolesChanged(username=user.username, roles=roles), user.id, actor)
    audit.record(
        session, "user.set_roles", actor, object_type="user", object_id=user.id, details={"roles": roles}
    )
    return user


def _revoke_sessions(session: Session, user_id: int, keep: int | None = None) -> None:
    stmt = update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(StaffSession.id != keep)
    session.execute(stmt.values(revoked_at=utcnow()))


def disable_user(session: Session, actor: Actor, username: str) -> User:
    """Disable a user: their sessions end and their API tokens stop working at once."""
    user = _get(session, username)
    user.is_active = False
    _revoke_sessions(session, user.id)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    events.append(session, UserDisabled(username=user.username), user.id, actor)
    audit.record(session, "user.disable", actor, object_type="user", object_id=user.id)
    return user


def enable_user(session: Session, actor: Actor, username: str) -> User:
    user = _get(session, username)
    user.is_active = True
    user.failed_logins = 0
    user.locked_until = None
    events.append(session, UserEnabled(username=user.username), user.id, actor)
    audit.record(session, "user.enable", actor, object_type="user", object_id=user.id)
    return user


def change_password(
    session: Session,
    settings: Settings,
    user_id: int,
    current: str,
    new: str,
    confirm: str,
    keep_session: int | None = None,
) -> None:
    """The user changes their own password; their other sessions end.

    A wrong current password counts towards the sign-in lockout and is audited in the caller's
    transaction: commit it before reporting the error (as the password page does)."""
    user = session.get(User, user_id)
    assert user is not None
    if not passwords.verify(user.password_hash, current):
        audit.record(
            session,
            "user.change_password",
            user_actor(user),
            outcome="failed",
            object_type="user",
            object_id=user.id,
        )
        _count_failure(session, settings, user)
        raise AppError(errors.PASSWORD_WRONG)
    if new != confirm:
        raise AppError(errors.PASSWORD_MISMATCH)
    if not passwords.is_acceptable(new, user.username) or new == current:
        raise AppError(errors.PASSWORD_WEAK)
    _set_password(session, user, new, user_actor(user), by_admin=False)
    _revoke_sessions(session, user.id, keep=keep_session)


def reset_password(session: Session, actor: Actor, username: str, new: str) -> None:
    user = _get(session, username)
    if not passwords.is_acceptable(new, user.username):
        raise AppError(errors.PASSWORD_WEAK)
    _set_password(session, user, new, actor, by_admin=True)
    _revoke_sessions(session, user.id)


def _set_password(session: Session, user: User, new: str, actor: Actor, by_admin: bool) -> None:
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    events.append(session, PasswordChanged(username=user.username, by_admin=by_admin), user.id, actor)
    audit.record(session, "user.password_change", actor, object_type="user", object_id=user.id)


# -- sign-in and sessions ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    token: str | None = None
    csrf_token: str | None = None
    error: ErrorCode | None = None
    params: dict | None = None

    def raise_for_error(self) -> None:
        if self.error is not None:
            raise AppError(self.error, **(self.params or {}))


def login(session: Session, settings: Settings, username: str, password: str) -> LoginResult:
    """Check credentials and open a session. Never raises for bad input: failures are returned
    (and audited, and counted towards the lockout) so the caller's transaction commits them."""
    now = utcnow()
    user = user_by_username(session, username) if username.strip() else None
    name = username.strip().lower()[:60]
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        audit.record(
            session,
            "login",
            Actor("user", str(user.id), user.username),
            outcome="denied",
            details={"reason": "locked"},
        )
        return LoginResult(None, error=errors.ACCOUNT_LOCKED, params={"minutes": minutes})
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        reason = "unknown_user" if user is None else ("disabled" if ok else "bad_password")
        actor = Actor("user", str(user.id), user.username) if user else Actor("anonymous", None, name)
        audit.record(session, "login", actor, outcome="failed", details={"reason": reason})
        if user is not None and not ok:
            _count_failure(session, settings, user)
        return LoginResult(None, error=errors.INVALID_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    token, csrf = open_session(session, settings, user)
    audit.record(session, "login", user_actor(user))
    return LoginResult(user, token=token, csrf_token=csrf)


def _count_failure(session: Session, settings: Settings, user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = utcnow() + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        events.append(
            session, UserLocked(username=user.username, until=user.locked_until.isoformat()), user.id, SYSTEM
        )


def set_locale(session: Session, user_id: int, locale: str) -> None:
    """Remember a user's UI language (applied when they next sign in)."""
    if locale in SUPPORTED_LOCALES:
        session.execute(update(User).where(User.id == user_id).values(locale=locale))


def open_session(session: Session, settings: Settings, user: User) -> tuple[str, str]:
    """A fresh session id on every sign-in (no fixation). Returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    ip, agent = client()
    now = utcnow()
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
            ip=ip,
            user_agent=agent,
        )
    )
    return token, csrf


# Every console request resolves its cookie: one statement, built once; the user's roles and
# scopes load only if asked for (the principal reads them with its own queries).
_SESSION_WITH_USER = (
    select(StaffSession, User)
    .join(User, User.id == StaffSession.user_id)
    .where(StaffSession.token_hash == bindparam("token_hash"))
    .options(lazyload(User.roles), lazyload(User.scopes))
)


def resolve_session(session: Session, settings: Settings, token: str) -> tuple[User, StaffSession] | None:
    """The live session for a cookie token; None if unknown, expired, idle too long or revoked.
    Read-only: the caller refreshes the idle clock with :func:`touch_session` when it is stale."""
    if not token or len(token) > 100:
        return None
    row = session.execute(_SESSION_WITH_USER, {"token_hash": _digest(token)}).first()
    if row is None:
        return None
    staff_session, user = row
    now = utcnow()
    if staff_session.revoked_at is not None or staff_session.expires_at <= now:
        return None
    if now - staff_session.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return None
    if not user.is_active:
        return None
    return user, staff_session


def session_is_stale(staff_session: StaffSession) -> bool:
    """Refresh the idle clock at most once a minute, not on every request."""
    return utcnow() - staff_session.last_seen_at > timedelta(seconds=60)


def touch_session(session: Session, session_id: int) -> None:
    session.execute(update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=utcnow()))


def logout(session: Session, token: str) -> None:
    staff_session = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if staff_session and staff_session.revoked_at is None:
        staff_session.revoked_at = utcnow()
        audit.record(session, "logout", Actor("user", str(staff_session.user_id)))


# -- API tokens ------------------------------------------------------------------------------------


def create_api_token(
    session: Session, actor: Actor, username: str, name: str, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, shown once: ``vss_<prefix>_<secret>``."""
    user = _get(session, username)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    token = ApiToken(user_id=user.id, name=name, prefix=prefix, token_hash=_digest(raw), expires_at=expires)
    session.add(token)
    events.append(session, ApiTokenCreated(prefix=prefix, name=name), user.id, actor)
    audit.record(
        session, "api_token.create", actor, object_type="user", object_id=user.id, details={"prefix": prefix}
    )
    return token, raw


def revoke_api_token(session: Session, actor: Actor, prefix: str) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise AppError(errors.TOKEN_NOT_FOUND, prefix=prefix)
    token.revoked_at = token.revoked_at or utcnow()
    events.append(session, ApiTokenRevoked(prefix=prefix), token.user_id, actor)
    audit.record(
        session,
        "api_token.revoke",
        actor,
        object_type="user",
        object_id=token.user_id,
        details={"prefix": prefix},
    )
    return token


def resolve_api_token(session: Session, raw: str) -> tuple[User, ApiToken] | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    now = utcnow()
    if token is None or not secrets.compare_digest(token.token_hash, _digest(raw)):
        return None
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return user, token


def touch_api_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
