"""What generated requests draw from: the centre and provincial offices, the generated agents,
the SLA policies and calendars, and the shape of the rows a batch inserts.

The agents (``agent.gen.001`` …) are made once and reused by later runs: 80 in the Customer
Care Centre and 120 across the provincial offices, by population. They cannot sign in: their
password hash matches no password until an administrator sets one (``vsscare users
set-password agent.gen.001``); hashing 200 real passwords would cost seconds and give nobody
anything.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.accounts.events import UserCreated
from vsscare.accounts.models import User, UserRole
from vsscare.core import audit, events
from vsscare.core.context import correlation_id
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.knowledge.content import TOPICS
from vsscare.orgunits.calendar import BusinessCalendar
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import events as request_events
from vsscare.requests import generate_text as words
from vsscare.requests import sla
from vsscare.requests.models import CHANNELS, PRIORITIES, TYPES, AgentProfile
from vsscare.requests.sla import Policy

GENERATOR = Actor("system", None, "generator")
PREFIX = "agent.gen."
AGENTS = 200
AT_CENTRE = 80
UNUSABLE_PASSWORD = "!generated"  # not an Argon2 hash: verification fails for every password
NO_UNITS = ErrorCode(
    "generate_no_units",
    "Chưa có Trung tâm Chăm sóc khách hàng (CCC) và các BHXH tỉnh: chạy `vsscare orgunits load "
    "data/orgunits.yaml` trước.",
    "The Customer Care Centre (CCC) and the provincial offices are missing: run `vsscare orgunits "
    "load data/orgunits.yaml` first.",
    409,
)


@dataclass(frozen=True)
class Agent:
    id: int
    username: str

    @property
    def ref(self) -> str:
        return f"user:{self.id}"


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    province: str | None
    name: str
    place: str  # "Hà Nội", for the texts


@dataclass(frozen=True)
class Customer:
    customer_id: int | None
    name: str
    given: str
    title: str  # how agents address them: anh, chị, ông, bà
    phone: str
    email: str
    province: str
    ssn: str  # mã số BHXH
    handle: str  # their Zalo / Facebook user id


@dataclass
class World:
    now: datetime
    ccc: Unit
    provinces: dict[str, Unit]  # by province code
    agents: dict[int, list[Agent]]  # unit id → its generated agents
    calendars: dict[int, BusinessCalendar]  # unit id → its working hours
    policies: dict[tuple[str, str, str], Policy | None]  # (type, priority, channel) → policy
    run_id: str  # the correlation id of the run (the command's), on every row it writes


@dataclass
class Rows:
    """What one batch inserts, table by table."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)


class _Kind:
    """An event type whose calls give ``(type, data)``: the data as ``model_dump(mode="json")``
    would (field defaults filled in, times in ISO 8601 with Z), without validating each one; the
    tests check every generated event against its model."""

    def __init__(self, model: Any) -> None:
        self.type = model.type
        self.template = {name: f.default for name, f in model.model_fields.items()}
        self.times = [name for name, f in model.model_fields.items() if f.annotation is datetime]

    def __call__(self, **data: Any) -> tuple[str, dict[str, Any]]:
        out = dict(self.template)
        out.update(data)
        for name in self.times:
            out[name] = out[name].isoformat().replace("+00:00", "Z")
        return self.type, out


class _Kinds:
    """``ev.Created`` is the :class:`_Kind` of :class:`vsscare.requests.events.Created`."""

    def __getattr__(self, name: str) -> _Kind:
        kind = _Kind(getattr(request_events, name))
        setattr(self, name, kind)
        return kind


ev = _Kinds()  # ev.Created(code=…, …) → ("request.created", {…})
Event = tuple[str, dict[str, Any]]


REQUEST_COLUMNS = (
    "id", "code", "channel", "type", "topic", "priority", "status", "subject", "lang", "customer_id",
    "contact_name", "contact_phone_enc", "contact_phone_bi", "contact_phone_masked", "contact_email",
    "external_ref", "province_code", "team_unit_id",
    "assignee_id", "unit_id", "tags", "sla_policy", "first_response_warn", "first_response_due",
    "resolution_warn", "resolution_due", "first_responded_at", "sla_paused_at", "sla_paused_seconds",
    "sla_state", "sla_marks", "complaint_accepted_at", "complaint_ack_due", "complaint_due",
    "complaint_complex", "complaint_remote", "escalation_level", "merged_into_id", "created_by", "created_at",
    "updated_at", "last_customer_at", "resolved_at", "closed_at", "version",
)  # fmt: skip


def request_row(**values: Any) -> dict[str, Any]:
    """A ``requests`` row: every column (executemany wants the same keys in every row)."""
    row: dict[str, Any] = dict.fromkeys(REQUEST_COLUMNS)
    row.update(status="new", tags=[], sla_paused_seconds=0, sla_marks=[], sla_state="ok", version=1,
               complaint_complex=False, complaint_remote=False)  # fmt: skip
    row.update(values)
    return row


def load_world(session: Session, now: datetime) -> tuple[World, int]:
    """The world of a run, and how many agents were made for it."""
    found = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.kind, OrgUnit.province_code, OrgUnit.name).where(
            OrgUnit.is_active
        )
    )
    units = {
        r.code: Unit(r.id, r.code, r.province_code, r.name, _place(r.name))
        for r in found
        if r.code == "CCC" or (r.kind == "province" and r.province_code)
    }
    ccc = units.pop("CCC", None)
    if ccc is None or not units:
        raise AppError(NO_UNITS)
    provinces = {u.province: u for u in units.values() if u.province}
    agents, made = ensure_agents(session, ccc, provinces)
    policies: dict[tuple[str, str, str], Policy | None] = {}
    for key in ((t, p, c) for t in TYPES for p in PRIORITIES for c in CHANNELS):
        policies[key] = sla.policy_for(session, *key)
    calendars = {u.id: sla.calendar(session, u.id) for u in (ccc, *provinces.values())}
    return World(now, ccc, provinces, agents, calendars, policies, correlation_id()), made


def _place(name: str) -> str:
    """ "Bảo hiểm xã hội thành phố Hà Nội" → "Hà Nội"."""
    for prefix in ("Bảo hiểm xã hội ", "thành phố ", "tỉnh "):
        name = name.removeprefix(prefix)
    return name


def plan(ccc: Unit, provinces: Mapping[str, Unit], population: Mapping[str, float]) -> list[Unit]:
    """The unit of each generated agent, in order: the centre first, then at least one per
    province and the rest by population (largest remainders)."""
    codes = sorted(provinces)
    spare = AGENTS - AT_CENTRE - len(codes)
    total = sum(population.get(c, 1.5) for c in codes)
    shares = {c: spare * population.get(c, 1.5) / total for c in codes}
    seats = {c: 1 + int(shares[c]) for c in codes}
    left = AGENTS - AT_CENTRE - sum(seats.values())
    for code in sorted(codes, key=lambda c: (int(shares[c]) - shares[c], c))[: max(0, left)]:
        seats[code] += 1
    return [ccc] * AT_CENTRE + [provinces[c] for c in codes for _ in range(seats[c])]


def _name(number: int) -> str:
    rng = random.Random(number)
    female = rng.random() < 0.6
    family = rng.choices(list(words.FAMILY), list(words.FAMILY.values()))[0]
    middle = rng.choice(words.PHRASES["middle_female" if female else "middle_male"])
    return f"{family} {middle} {rng.choice(words.PHRASES['given_female' if female else 'given_male'])}"


def ensure_agents(
    session: Session, ccc: Unit, provinces: Mapping[str, Unit]
) -> tuple[dict[int, list[Agent]], int]:
    """The generated agents by unit id (made when missing), and how many were made now."""
    existing = set(session.scalars(select(User.username).where(User.username.like(f"{PREFIX}%"))))
    made: list[tuple[int, User, Unit]] = []
    for number, unit in enumerate(plan(ccc, provinces, words.POPULATION), start=1):
        username = f"{PREFIX}{number:03d}"
        if username not in existing:
            user = User(
                username=username, full_name=_name(number), password_hash=UNUSABLE_PASSWORD,
                org_unit_id=unit.id, locale="vi",
            )  # fmt: skip
            user.roles = [UserRole(role_code="agent")]
            made.append((number, user, unit))
    session.add_all([user for _, user, _ in made])
    session.flush()
    for number, user, unit in made:
        rng = random.Random(number)
        skills = sorted(rng.sample(TOPICS, 4)) if unit is ccc and rng.random() < 0.4 else []
        session.add(AgentProfile(user_id=user.id, skills=skills, max_open=30, presence="offline"))
        created = UserCreated(username=user.username, roles=["agent"], org_unit=unit.code)
        events.append(session, created, user.id, GENERATOR)
        audit.record(session, "user.create", GENERATOR, object_type="user", object_id=user.id)
    session.flush()
    agents: dict[int, list[Agent]] = {}
    rows = session.execute(
        select(User.id, User.username, User.org_unit_id)
        .where(User.username.like(f"{PREFIX}%"))
        .order_by(User.username)
    )
    for uid, username, unit_id in rows:
        agents.setdefault(unit_id, []).append(Agent(uid, username))
    if not agents.get(ccc.id):  # every generated agent was moved elsewhere: the centre borrows them all
        agents[ccc.id] = [a for group in agents.values() for a in group]
    return agents, len(made)
