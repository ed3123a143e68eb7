"""Organisation units (VSS central departments, provincial and grassroots offices) and calendar days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vsscare.core.db import Base, JsonData, UTCDateTime, utcnow

UNIT_KINDS = ("root", "department", "centre", "province", "grassroots")


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200), default="")  # lower, no diacritics
    short_name: Mapped[str | None] = mapped_column(String(80))
    # The province a unit serves (the 2025 two-digit code); None for central units.
    province_code: Mapped[str | None] = mapped_column(String(8), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    commune: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    # Weekly schedule {"mon": [["07:30", "11:30"], ["13:00", "16:30"]], ...}; None inherits the parent's.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JsonData)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent", order_by="OrgUnit.sort_order")


class CalendarDay(Base):
    """A day that differs from the law's calendar: an extra day off or a make-up working day."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("day", "province_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # off | work
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(8))  # None: nationwide
