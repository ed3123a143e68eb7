"""The signed-in staff member as seen by every request: permissions and province scope.

Every query over province-owned data filters with :func:`scope_clause`; records with no
province (central, national or not yet placed) are visible to every permitted user.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from vsscare.core.events import Actor


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    full_name: str
    locale: str
    roles: frozenset[str]
    permissions: frozenset[str]
    org_unit_id: int | None
    provinces: frozenset[str] | None  # None: every province
    via_token: bool = False

    @property
    def actor(self) -> Actor:
        return Actor("user", str(self.user_id), self.username)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def can_see_province(self, province_code: str | None) -> bool:
        return province_code is None or self.provinces is None or province_code in self.provinces


def scope_clause(principal: Principal, column: InstrumentedAttribute | ColumnElement) -> ColumnElement[bool]:
    """WHERE clause limiting ``column`` (a province code) to what the principal may see."""
    if principal.provinces is None:
        return true()
    return or_(column.is_(None), column.in_(sorted(principal.provinces)))
