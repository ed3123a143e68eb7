"""Typed events of the orgunits domain: the history of each unit and calendar day."""

from __future__ import annotations

from datetime import date
from typing import Any

from vsscare.core.events import Event


class UnitCreated(Event):
    type = "orgunit.created"
    subject = "org_unit"
    code: str
    kind: str
    name: str
    parent: str | None
    province_code: str | None


class UnitChanged(Event):
    """``changes`` maps each changed field to ``[old, new]`` (``parent`` by code)."""

    type = "orgunit.changed"
    subject = "org_unit"
    code: str
    changes: dict[str, list[Any]]


class UnitDeactivated(Event):
    """The unit left the loaded file; it stays (users and requests refer to it) but inactive."""

    type = "orgunit.deactivated"
    subject = "org_unit"
    code: str


class CalendarDaySet(Event):
    type = "calendar_day.set"
    subject = "calendar_day"
    day: date
    kind: str
    name: str
    province_code: str | None
    previous_kind: str | None = None


class CalendarDayRemoved(Event):
    type = "calendar_day.removed"
    subject = "calendar_day"
    day: date
    kind: str
    province_code: str | None
