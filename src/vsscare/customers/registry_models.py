"""Tables of the embedded, synthetic industry database (``vsscare registry generate``). Months
are integers ``yyyymm`` so that a contribution period is two small numbers and a person's whole
history is one index range; dates are ISO dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vsscare.core.db import Base, BigId


class RegistryEmployer(Base):
    __tablename__ = "registry_employers"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # mã đơn vị, e.g. YA0123A
    name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str] = mapped_column(String(14))
    province_code: Mapped[str] = mapped_column(String(2))


class RegistryPerson(Base):
    __tablename__ = "registry_people"
    __table_args__ = (Index("ix_registry_people_cccd", "cccd"),)

    si_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(6))
    cccd: Mapped[str | None] = mapped_column(String(12))
    province_code: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(16))
    book_status: Mapped[str] = mapped_column(String(8))  # active | paused | closed


class RegistryPeriod(Base):
    """Months ``month_from``..``month_to`` (inclusive) under one employer (or voluntary) at one salary."""

    __tablename__ = "registry_periods"
    __table_args__ = (Index("ix_registry_periods_person", "si_code", "month_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    si_code: Mapped[str] = mapped_column(String(10))
    month_from: Mapped[int] = mapped_column(Integer)
    month_to: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # compulsory | voluntary
    employer_code: Mapped[str | None] = mapped_column(String(10))
    salary_base: Mapped[int] = mapped_column(BigInteger)
    unemployment: Mapped[bool] = mapped_column(Boolean)


class RegistryCard(Base):
    __tablename__ = "registry_cards"

    si_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    number: Mapped[str] = mapped_column(String(15))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    facility_code: Mapped[str] = mapped_column(String(10))
    facility_name: Mapped[str] = mapped_column(String(200))
    benefit_level: Mapped[int] = mapped_column(SmallInteger)


class RegistryClaim(Base):
    __tablename__ = "registry_claims"
    __table_args__ = (Index("ix_registry_claims_person", "si_code", "filed_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    si_code: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    filed_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    paying_office: Mapped[str] = mapped_column(String(120))


class RegistryDossier(Base):
    __tablename__ = "registry_dossiers"
    __table_args__ = (Index("ix_registry_dossiers_person", "si_code"),)

    receipt_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    si_code: Mapped[str | None] = mapped_column(String(10))
    procedure: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(300))
