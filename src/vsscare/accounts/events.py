"""Typed events of the accounts domain."""

from vsscare.core.events import Event


class UserCreated(Event):
    type = "user.created"
    subject = "user"
    username: str
    roles: list[str]
    org_unit: str | None


class UserDisabled(Event):
    type = "user.disabled"
    subject = "user"
    username: str


class UserEnabled(Event):
    type = "user.enabled"
    subject = "user"
    username: str


class UserRolesChanged(Event):
    type = "user.roles_changed"
    subject = "user"
    username: str
    roles: list[str]


class PasswordChanged(Event):
    type = "user.password_changed"
    subject = "user"
    username: str
    by_admin: bool = False


class UserLocked(Event):
    type = "user.locked"
    subject = "user"
    username: str
    until: str


class ApiTokenCreated(Event):
    type = "api_token.created"
    subject = "user"
    prefix: str
    name: str


class ApiTokenRevoked(Event):
    type = "api_token.revoked"
    subject = "user"
    prefix: str
