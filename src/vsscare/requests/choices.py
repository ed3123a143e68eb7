"""What the workspace's pickers and panels offer: active units and provinces (read once a minute
per process: the same for every page), the agents a request can go to, an agent's presence and
the canned responses for a request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.accounts.queries import holders
from vsscare.core.cache import PerDatabase
from vsscare.orgunits.models import OrgUnit
from vsscare.requests.canned import fill
from vsscare.requests.models import AgentProfile, CannedResponse
from vsscare.requests.models import Request as Ticket

MAX_AGENTS = 500

_UNIT_CHOICES = (
    select(
        OrgUnit.code, OrgUnit.name, OrgUnit.name_en, OrgUnit.short_name, OrgUnit.kind, OrgUnit.province_code
    )
    .where(OrgUnit.is_active.is_(True))
    .order_by(OrgUnit.sort_order, OrgUnit.code)
)
_unit_choices = PerDatabase(lambda session: list(session.execute(_UNIT_CHOICES)))


def unit_choices(session: Session) -> list[Row]:
    """Active units (code, names, kind, province) for the transfer and triage pickers: the same for
    every page, so read once a minute per process rather than on every request page."""
    return _unit_choices.get(session)


def provinces(session: Session) -> list[Row]:
    return sorted((u for u in unit_choices(session) if u.kind == "province"), key=lambda u: u.province_code)


def agents(session: Session, unit_id: int | None, *, anyone: bool) -> list[tuple[str, str]]:
    """(username, full name) of active staff who work on requests: the team's, or everyone's."""
    stmt = (
        select(User.username, User.full_name)
        .where(User.is_active.is_(True), User.id.in_(holders("requests.work")))
        .order_by(User.full_name, User.username)
        .limit(MAX_AGENTS)
    )
    if not anyone:
        stmt = stmt.where(User.org_unit_id == unit_id)
    return [(u, n) for u, n in session.execute(stmt)]


def presence_of(session: Session, user_id: int) -> str:
    profile = session.get(AgentProfile, user_id)
    return profile.presence if profile is not None else "offline"


@dataclass(frozen=True)
class Canned:
    code: str
    title: str
    body: str
    topic: str | None  # None: for any topic


def canned(session: Session, ticket: Ticket, name: str | None) -> list[Canned]:
    """Active canned responses, the request's topic first, then general ones, with ``{code}``
    filled, and ``{name}`` too when the page shows the name (else the reply fills it on sending)."""
    out = []
    for row in session.scalars(select(CannedResponse).where(CannedResponse.is_active.is_(True))):
        body = row.body_en if ticket.lang == "en" and row.body_en else row.body
        values = {"code": ticket.code} | ({"name": name} if name is not None else {})
        out.append(Canned(row.code, row.title, fill(body, values), row.topic))

    def rank(item: Canned) -> int:
        return 0 if item.topic == ticket.topic else 1 if item.topic is None else 2

    return sorted(out, key=lambda c: (rank(c), c.title))
