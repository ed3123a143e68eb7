"""One generated request's life, told step by step as the actions would have written it.

A story starts when the request arrives and moves its clock forward through intake, assignment,
replies, waiting for the customer, a transfer to the provincial office, complaint acceptance,
resolution, reopening and closing. The first step that would fall after the present stops it
(:class:`_Cut`): whatever happened until then is the request's state today, so statuses follow
from the request's age and from how long each step takes. The rows (request, messages, events,
transfers, escalations, jobs) have the shapes :mod:`vsscare.requests.actions` writes; events are
the same pydantic models dumped the same way as :func:`vsscare.core.events.append` does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from math import log
from typing import Any

from vsscare.orgunits.calendar import BusinessCalendar
from vsscare.requests import generate_text as words
from vsscare.requests import sla
from vsscare.requests.actions import AUTOCLOSE_DAYS, REOPEN_DAYS
from vsscare.requests.generate_sla import settle_sla
from vsscare.requests.generate_world import Agent, Event, Policy, Rows, Unit, World, ev
from vsscare.requests.notices import notice
from vsscare.requests.search import MAX_BODY
from vsscare.requests.unit_actions import TRANSFER_DAYS

AGENT_CHANNELS = ("phone", "walk_in", "letter")  # an agent types the request in
CHAT = ("zalo", "facebook", "web")
SENT = ("phone", "zalo", "facebook", "email")  # channels that deliver; the others leave it on the portal
_LEVELS = {None: 0, "supervisor": 1, "leadership": 2}
_TRANSFER_ODDS = {
    "question": 0.04,
    "lookup": 0.25,
    "complaint": 0.45,
    "recommendation": 0.3,
    "feedback": 0.08,
}
_SOLVED_AT_ONCE = {"question": 0.6, "lookup": 0.3, "complaint": 0.0, "recommendation": 0.4, "feedback": 0.7}
LEADERSHIP_PROPOSAL = "Đề nghị Lãnh đạo chỉ đạo giải quyết yêu cầu đã quá hạn."


class _Cut(Exception):
    """The story reached the present: the rest has not happened yet."""


def _hours(rng: random.Random, median: float, sigma: float = 1.0) -> float:
    return rng.lognormvariate(log(median), sigma)


class Story:
    """``r`` is the request's row (:func:`~vsscare.requests.generate_world.request_row`) as it
    arrives; the story fills in the rest. ``take(table)`` gives the next id of a table."""

    def __init__(
        self, world: World, rng: random.Random, take: Callable[[str], int], rows: Rows, r: dict[str, Any],
        team: Unit, turns: int,
    ) -> None:  # fmt: skip
        self.w, self.rng, self.take, self.rows, self.r, self.team = world, rng, take, rows, r, team
        self.id, self.code, self.t = r["id"], r["code"], r["created_at"]
        self.cal = world.calendars[team.id]
        self.turns = turns
        self.events: list[tuple[datetime, int, Event, str]] = []
        self.inbound: list[str] = []
        self.messages = 0
        self.assignee: Agent | None = None
        self.texts: Callable[[str], str] = str

    # -- the clock and the log -----------------------------------------------------------------------

    def _go(self, moment: datetime) -> None:
        if moment > self.w.now:
            raise _Cut
        self.t = max(self.t, moment)

    def _wall(self, hours: float) -> None:
        self._go(self.t + timedelta(hours=hours))

    def _work(self, hours: float, cal: BusinessCalendar | None = None) -> None:
        """``hours`` of office time later (an office answers when it is open)."""
        cal = cal or self.cal
        self._go(cal.add(self.t, hours))

    def _event(self, event: Event, actor: str, at: datetime | None = None) -> None:
        self.events.append((at or self.t, len(self.events), event, actor))

    def _message(self, kind: str, body: str, author: str, name: str | None) -> int:
        message_id = self.take("request_messages")
        channel = self.r["channel"]
        external = (
            f"gen-{message_id}" if kind == "inbound" and channel in ("zalo", "facebook", "email") else None
        )
        delivery = None if kind != "outbound" else "sent" if channel in SENT else "portal"
        self.rows.messages.append(
            {"id": message_id, "request_id": self.id, "merged_from_id": None, "kind": kind,
             "channel": channel, "external_id": external, "author": author, "author_name": name, "body": body,
             "delivery": delivery, "delivery_error": None, "created_at": self.t}
        )  # fmt: skip
        self.messages += 1
        if kind == "inbound":
            self.inbound.append(body)
            self.r["last_customer_at"] = self.t
        return message_id

    def _agent(self, unit: Unit | None = None) -> Agent:
        pool = self.w.agents.get((unit or self.team).id) or self.w.agents[self.w.ccc.id]
        return pool[self.rng.randrange(len(pool))]

    # -- what the actions do -------------------------------------------------------------------------

    def _status(self, new: str, actor: str, reason: str | None = None) -> None:
        old = self.r["status"]
        if old == new:
            return
        if old == "pending_customer":
            self._resume()
        if new == "pending_customer":
            self.r["sla_paused_at"] = self.t
        self.r["status"] = new
        self._event(ev.StatusChanged(code=self.code, old=old, new=new, reason=reason), actor)

    def _resume(self) -> None:
        paused = self.r["sla_paused_at"]
        if paused is None:
            return
        waited = self.cal.between(paused, self.t)
        self.r["sla_paused_seconds"] += int(waited.total_seconds())
        self.r["sla_paused_at"] = None
        if waited > timedelta(0):
            for name in ("first_response_due", "first_response_warn", "resolution_due", "resolution_warn"):
                if self.r[name] is not None:
                    self.r[name] = self.cal.add(self.r[name], waited)

    def _notify(self, about: str, **params: object) -> None:
        r = self.r
        if not (r["contact_phone_bi"] or r["contact_email"] or r["external_ref"]):
            return
        message_id = self._message(
            "outbound", notice(about, r["lang"], code=self.code, **params), "system", "notices"
        )
        self._event(ev.CustomerNotified(code=self.code, message_id=message_id, about=about), "system")

    def _assign(self, agent: Agent, actor: str, automatic: bool = False) -> None:
        previous = self.assignee.username if self.assignee else None
        self.assignee = agent
        self.r["assignee_id"] = agent.id
        self._event(
            ev.Assigned(code=self.code, assignee=agent.username, previous=previous, automatic=automatic),
            actor,
        )

    def _receive(self, body: str) -> None:
        message_id = self._message("inbound", body, "customer", self.r["channel"])
        self._event(
            ev.MessageReceived(code=self.code, message_id=message_id, channel=self.r["channel"]), "customer"
        )
        if self.r["status"] == "resolved":
            self._status("reopened", "customer")
            self.r["resolved_at"] = None
            self._event(ev.Reopened(code=self.code, by_customer=True), "customer")
        elif self.r["status"] == "pending_customer":
            self._status("open", "customer", reason="customer_replied")

    def _reply(self, agent: Agent, body: str, then: str = "open") -> None:
        message_id = self._message("outbound", body, agent.ref, agent.username)
        first = self.r["first_responded_at"] is None
        if first:
            self.r["first_responded_at"] = self.t
        self._event(ev.Replied(code=self.code, message_id=message_id, first_response=first), agent.ref)
        if self.assignee is None:
            self._assign(agent, agent.ref)
        if then == "resolved":
            self._resolve(agent.ref)
        elif self.r["status"] in ("new", "reopened", "open", "pending_customer"):
            self._status(then, agent.ref)

    def _resolve(self, actor: str) -> None:
        due = self.r["resolution_due"]
        if self.r["status"] == "pending_customer":
            self._resume()
        old, self.r["status"], self.r["resolved_at"] = self.r["status"], "resolved", self.t
        self._event(ev.StatusChanged(code=self.code, old=old, new="resolved"), actor)
        self._event(ev.Resolved(code=self.code, late=due is not None and self.t > due), actor)
        self._notify("resolved", days=REOPEN_DAYS)

    def _escalate(
        self, level: str, reason: str, actor: str, automatic: bool = False, at: datetime | None = None
    ) -> None:
        if _LEVELS[self.r["escalation_level"]] >= _LEVELS[level]:
            return
        at = at or self.t
        row_id = self.take("request_escalations")
        leadership = level == "leadership"
        self.rows.escalations.append(
            {"id": row_id, "request_id": self.id, "level": level, "reason": reason,
             "summary": f"{self.code}: {self.r['subject']}" if leadership else None,
             "proposal": LEADERSHIP_PROPOSAL if leadership else None, "created_by": actor, "created_at": at,
             "decision": None, "decided_by": None, "decided_at": None}
        )  # fmt: skip
        self.r["escalation_level"] = level
        if self.r["priority"] in ("low", "normal"):
            self.r["priority"] = "high"
        escalated = ev.Escalated(
            code=self.code, escalation_id=row_id, level=level, reason=reason, automatic=automatic
        )
        self._event(escalated, actor, at)

    # -- the story -----------------------------------------------------------------------------------

    def tell(self, subject: str, body: str, texts: Callable[[str], str]) -> None:
        """Run the story until it ends or reaches the present; ``texts(kind)`` writes the next
        message of the conversation (``reply``, ``follow_up``, ``note``, …)."""
        self.texts = texts
        self.r["subject"] = subject
        self._intake(body)
        with suppress(_Cut):
            self._work_on()

    def _intake(self, body: str) -> None:
        r, channel = self.r, self.r["channel"]
        by_agent = channel in AGENT_CHANNELS
        creator = self._agent() if by_agent else None
        actor = creator.ref if creator else "customer"
        r["created_by"] = actor
        policy = self.w.policies[(r["type"], r["priority"], channel)]
        self._targets(policy)
        message_id = self._message("inbound", body, actor, creator.username if creator else channel)
        created = ev.Created(
            code=self.code, channel=channel, request_type=r["type"], topic=r["topic"], priority=r["priority"],
            sla_policy=policy.code if policy else None,
        )  # fmt: skip
        self._event(created, actor)
        self._event(ev.MessageReceived(code=self.code, message_id=message_id, channel=channel), actor)
        if creator is not None:
            self._assign(creator, actor)
        elif self.cal.is_open(self.t) and self.rng.random() < 0.85:
            self._assign(self._agent(), "system", automatic=True)
            self._status("open", "system")
        if channel != "phone":
            self._notify("created")

    def _targets(self, policy: Policy | None) -> None:
        r, start = self.r, self.t
        self.policy = policy
        r["sla_policy"] = policy.code if policy else None
        if policy is not None:
            share = policy.warn_percent / 100
            if policy.first_response_hours:
                r["first_response_due"] = self.cal.add(start, policy.first_response_hours)
                r["first_response_warn"] = self.cal.add(start, policy.first_response_hours * share)
            r["resolution_due"] = self.cal.add(start, policy.resolution_hours)
            r["resolution_warn"] = self.cal.add(start, policy.resolution_hours * share)
        if r["type"] == "complaint":
            r["complaint_ack_due"] = sla.legal_deadline(self.cal, start, sla.COMPLAINT_ACK_DAYS)

    def _work_on(self) -> None:
        rng, r, channel = self.rng, self.r, self.r["channel"]
        if self.assignee is None:  # picked from the shared queue when the office opens
            self._go(self.cal.next_open(self.t) + timedelta(minutes=rng.uniform(2, 40)))
            agent = self._agent()
            self._assign(agent, agent.ref)
            self._status("open", agent.ref)
        agent = self.assignee
        assert agent is not None
        if rng.random() < 0.003:  # forgotten in a queue: these are the long-overdue ones
            self._wall(rng.uniform(20, 200) * 24)
        if channel in ("phone", "walk_in"):
            self._wall(rng.uniform(0.05, 0.2))
        else:
            self._work(_hours(rng, 0.25 if channel in CHAT else 1.5 if channel != "letter" else 8.0, 0.8))
        solved = rng.random() < _SOLVED_AT_ONCE[r["type"]] * (1.2 if channel == "phone" else 1.0)
        self._reply(agent, self.texts("reply"), then="resolved" if solved else "open")
        if not solved:
            self._until_resolved(agent)
        self._after(agent)

    def _until_resolved(self, agent: Agent) -> None:
        rng, r = self.rng, self.r
        if r["type"] == "complaint":
            self._work(_hours(rng, 20.0, 0.8))
            self._accept_complaint(agent)
            if rng.random() < 0.12:
                self._escalate("supervisor", rng.choice(words.PHRASES["escalation_reasons"]), agent.ref)
        elif rng.random() < 0.005:
            self._escalate("supervisor", rng.choice(words.PHRASES["escalation_reasons"]), agent.ref)
        chat = r["channel"] in CHAT
        for _turn in range(self.turns):
            self._wall(_hours(rng, 1.0 if chat else 12.0, 1.2))
            self._receive(self.texts("follow_up"))
            if rng.random() < 0.2:
                self._work(_hours(rng, 0.3))
                message_id = self._message("note", self.texts("note"), agent.ref, agent.username)
                self._event(ev.Noted(code=self.code, message_id=message_id), agent.ref)
            self._work(_hours(rng, 0.4 if chat else 2.0, 0.8))
            self._reply(agent, self.texts("reply"))
        if rng.random() < 0.12:
            self._work(_hours(rng, 0.5))
            self._reply(agent, self.texts("ask_more"), then="pending_customer")
            if rng.random() < 0.7:
                self._wall(_hours(rng, 30.0))
                self._receive(self.texts("follow_up"))
            else:
                self._work(37.5)  # a week of silence: the agent closes the case
                self._reply(agent, self.texts("reply"), then="resolved")
                return
        if rng.random() < _TRANSFER_ODDS[r["type"]] and self._transferred(agent):
            return
        self._work(_hours(rng, 1.0 if chat else 3.0, 0.8))
        self._reply(agent, self.texts("reply"), then="resolved")

    def _accept_complaint(self, agent: Agent) -> None:
        r = self.r
        r["complaint_accepted_at"] = self.t
        r["complaint_complex"] = complex_ = self.rng.random() < 0.2
        r["complaint_remote"] = remote = r["province_code"] in _REMOTE and self.rng.random() < 0.5
        r["complaint_due"] = due = sla.legal_deadline(
            self.cal, self.t, sla.COMPLAINT_DAYS[(complex_, remote)]
        )
        self._event(
            ev.ComplaintAccepted(code=self.code, due_at=due, complex=complex_, remote=remote), agent.ref
        )
        last_day = (due - timedelta(seconds=1)).astimezone(sla.VN_TZ)
        self._notify("complaint_accepted", due=last_day.strftime("%d/%m/%Y"))

    def _transferred(self, agent: Agent) -> bool:
        """Sent to the customer's provincial office. True when the office settled it."""
        unit = self.w.provinces.get(self.r["province_code"] or "")
        if unit is None:
            return False
        self._work(_hours(self.rng, 1.5))
        cal = self.w.calendars[unit.id]
        due = sla.end_of_working_day(cal, self.t, TRANSFER_DAYS)
        row = {
            "id": self.take("request_transfers"), "request_id": self.id, "unit_id": unit.id,
            "status": "pending", "summary": self.texts("summary"), "due_at": due,
            "created_by": agent.ref, "created_at": self.t, "handler": None, "accepted_at": None,
            "question": None, "reason": None, "result": None, "closed_at": None,
        }  # fmt: skip
        self.rows.transfers.append(row)
        self.r["unit_id"] = unit.id
        self._status("pending_unit", agent.ref)
        sent = ev.Transferred(code=self.code, transfer_id=row["id"], unit=unit.code, due_at=row["due_at"])
        self._event(sent, agent.ref)
        self._notify(
            "transferred", unit=unit.name, due=row["due_at"].astimezone(sla.VN_TZ).strftime("%d/%m/%Y")
        )
        return self._unit_works(agent, unit, cal, row)

    def _unit_works(self, agent: Agent, unit: Unit, cal: BusinessCalendar, row: dict[str, Any]) -> bool:
        """The office accepts, maybe asks the agent something, then settles or returns it."""
        rng, ids = self.rng, {"code": self.code, "transfer_id": row["id"], "unit": unit.code}
        handler = self._agent(unit)
        self._work(_hours(rng, 4.0), cal)
        row.update(status="accepted", handler=handler.ref, accepted_at=self.t)
        self._event(ev.TransferAccepted(**ids), handler.ref)
        outcome = rng.random()
        if outcome < 0.1:
            self._work(_hours(rng, 6.0), cal)
            row.update(status="info_requested", question=rng.choice(words.PHRASES["info_questions"]))
            self._event(ev.InfoRequested(**ids, question=row["question"]), handler.ref)
            self._work(_hours(rng, 4.0))
            row["status"] = "accepted"
            self._event(ev.InfoProvided(**ids, answer=self.texts("info")), agent.ref)
        elif outcome < 0.25:
            self._work(_hours(rng, 8.0), cal)
            row.update(
                status="returned", reason=rng.choice(words.PHRASES["return_reasons"]), closed_at=self.t
            )
            self.r["unit_id"] = None
            self._event(ev.TransferReturned(**ids, reason=row["reason"]), handler.ref)
            self._status("open", handler.ref, reason="returned_by_unit")
            return False
        self._work(_hours(rng, 12.0), cal)
        result = self.texts("result")
        row.update(status="settled", result=result, closed_at=self.t)
        self._event(ev.Settled(**ids, late=self.t > row["due_at"]), handler.ref)
        message_id = self._message("outbound", result, handler.ref, handler.username)
        self._event(ev.Replied(code=self.code, message_id=message_id), handler.ref)
        self._resolve(handler.ref)
        return True

    def _after(self, agent: Agent) -> None:
        """Reopened by the customer now and then; closed on its own after the waiting period."""
        if self.rng.random() < 0.04:
            self._wall(min(_hours(self.rng, 20.0), REOPEN_DAYS * 24 - 1))
            self._receive(self.texts("follow_up"))
            self._work(_hours(self.rng, 2.0))
            self._reply(agent, self.texts("reply"), then="resolved")
        self._go(self.r["resolved_at"] + timedelta(days=AUTOCLOSE_DAYS))
        self.r["status"], self.r["closed_at"] = "closed", self.t
        self._event(ev.StatusChanged(code=self.code, old="resolved", new="closed"), "system")
        self._event(ev.Closed(code=self.code, automatic=True), "system")

    # -- the rows --------------------------------------------------------------------------------------

    def finish(self) -> None:
        """SLA marks as the checks would have fired them, then every row of the request."""
        r = self.r
        settle_sla(self)
        r["updated_at"] = max([r["created_at"], *(moment for moment, *_ in self.events)])
        self.rows.requests.append(r)
        body = words.folded(r["subject"], r["contact_name"], r["contact_email"], *self.inbound)
        self.rows.search.append({"request_id": self.id, "body": body[:MAX_BODY]})
        subject = str(self.id)
        for moment, _seq, event, actor in sorted(self.events, key=lambda e: (e[0], e[1])):
            self.rows.events.append(
                {"id": self.take("events"), "occurred_at": moment, "subject_type": "request",
                 "subject_id": subject, "type": event[0], "actor": actor, "data": event[1],
                 "correlation_id": self.w.run_id}
            )  # fmt: skip


# Mountain and border provinces: complaints there may take the longer legal periods.
_REMOTE = frozenset(("04", "08", "11", "12", "14", "15", "20", "51", "52", "66", "68"))
