"""The event log: every state change appends a typed event about its subject.

An event type is a pydantic model subclassing :class:`Event` with ``type`` and ``subject``
class variables; its fields are the event's data. The log is the object's history (timelines
are rendered from it) and feeds reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Index, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vsscare.core.context import correlation_id
from vsscare.core.db import Base, BigId, JsonData, UTCDateTime, utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: ``user:12``, ``customer:7``, ``system``."""

    kind: str
    id: str | None = None
    name: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls("system", None, name)


SYSTEM = Actor.system()


class EventRecord(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_subject", "subject_type", "subject_id", "id"),
        Index("ix_events_type_time", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    correlation_id: Mapped[str | None] = mapped_column(String(64), index=True)


_TYPES: dict[str, type[Event]] = {}


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ClassVar[str]
    subject: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("type")
        if name:
            if name in _TYPES and _TYPES[name] is not cls:
                raise TypeError(f"event type {name!r} defined twice")
            _TYPES[name] = cls


def event_class(name: str) -> type[Event]:
    return _TYPES[name]


def append(session: Session, event: Event, subject_id: object, actor: Actor = SYSTEM) -> EventRecord:
    record = EventRecord(
        subject_type=event.subject,
        subject_id=str(subject_id),
        type=event.type,
        actor=actor.ref,
        data=event.model_dump(mode="json"),
        correlation_id=correlation_id(),
    )
    session.add(record)
    return record


def append_all(session: Session, subject_id: object, items: Sequence[tuple[Event, Actor]]) -> None:
    """Several events about one subject, in order, in one statement and without ORM objects
    (for paths that write many, such as creating a request)."""
    if not items:
        return
    now, correlation, subject = utcnow(), correlation_id(), str(subject_id)
    rows = [
        {
            "occurred_at": now,
            "subject_type": event.subject,
            "subject_id": subject,
            "type": event.type,
            "actor": actor.ref,
            "data": event.model_dump(mode="json"),
            "correlation_id": correlation,
        }
        for event, actor in items
    ]
    session.execute(insert(EventRecord.__table__), rows)


def history(session: Session, subject_type: str, subject_id: object) -> list[EventRecord]:
    stmt = (
        select(EventRecord)
        .where(EventRecord.subject_type == subject_type, EventRecord.subject_id == str(subject_id))
        .order_by(EventRecord.id)
    )
    return list(session.scalars(stmt))


def parse(record: EventRecord) -> Event:
    return event_class(record.type).model_validate(record.data)
