"""The industry database read from its embedded tables (``registry_models``), filled by
``registry_generate``: each call is one or two indexed queries in a read transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import desc, func, select

from vsscare.core.db import Database
from vsscare.customers.registry import BenefitClaim, ContributionMonth, Dossier, HealthCard, Person, SiBook
from vsscare.customers.registry_models import (
    RegistryCard,
    RegistryClaim,
    RegistryDossier,
    RegistryEmployer,
    RegistryPeriod,
    RegistryPerson,
)

_P, _E, _R = RegistryPerson.__table__.c, RegistryEmployer.__table__.c, RegistryPeriod.__table__.c
_PERSON = select(_P.si_code, _P.full_name, _P.birth_date, _P.gender, _P.cccd, _P.province_code, _P.phone)
_PERIODS = (
    select(_R.month_from, _R.month_to, _R.kind, _R.employer_code, _E.name, _R.salary_base, _R.unemployment)
    .select_from(RegistryPeriod.__table__.outerjoin(RegistryEmployer.__table__, _E.code == _R.employer_code))
    .order_by(_R.month_from, _R.id)
)
# Months of a period: yyyymm → year * 12 + month, summed by the database (integer division).
_MONTHS = (
    (_R.month_to // 100 * 12 + _R.month_to % 100) - (_R.month_from // 100 * 12 + _R.month_from % 100) + 1
)
_BOOK = select(func.coalesce(func.sum(_MONTHS), 0), func.min(_R.month_from), func.max(_R.month_to))
_C = RegistryCard.__table__.c
_CARD = select(_C.number, _C.valid_from, _C.valid_to, _C.facility_code, _C.facility_name, _C.benefit_level)
_L = RegistryClaim.__table__.c
_CLAIMS = select(_L.kind, _L.status, _L.amount, _L.filed_on, _L.decided_on, _L.paying_office).order_by(
    desc(_L.filed_on), desc(_L.id)
)
_D = RegistryDossier.__table__.c
_DOSSIER = select(
    _D.receipt_code, _D.si_code, _D.procedure, _D.status, _D.received_on, _D.due_on, _D.office, _D.note
)


def _month(yyyymm: int) -> date:
    return date(yyyymm // 100, yyyymm % 100, 1)


class EmbeddedRegistry:
    """``Registry`` over the tables of this database (synthetic data, for demonstrations)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, stmt: Any) -> Any:
        with self.db.read() as session:
            return session.execute(stmt).first()

    def person(self, si_code: str) -> Person | None:
        row = self._one(_PERSON.where(_P.si_code == si_code))
        return Person(*row) if row else None

    def person_by_cccd(self, cccd: str) -> Person | None:
        row = self._one(_PERSON.where(_P.cccd == cccd).order_by(_P.si_code).limit(1))
        return Person(*row) if row else None

    def contributions(self, si_code: str, since: date | None = None) -> list[ContributionMonth]:
        """One entry per month paid, oldest first; ``since``: from that date's month on."""
        stmt = _PERIODS.where(_R.si_code == si_code)
        first = 0
        if since is not None:
            first = since.year * 100 + since.month
            stmt = stmt.where(_R.month_to >= first)
        with self.db.read() as session:
            periods = session.execute(stmt).all()
        months: list[ContributionMonth] = []
        for start, end, kind, employer, name, salary, unemployment in periods:
            year, month = divmod(max(start, first), 100)
            last_year, last_month = divmod(end, 100)
            while (year, month) <= (last_year, last_month):
                months.append(
                    ContributionMonth(date(year, month, 1), kind, employer, name, salary, unemployment)
                )
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def si_book(self, si_code: str) -> SiBook | None:
        with self.db.read() as session:
            status = session.scalar(select(_P.book_status).where(_P.si_code == si_code))
            if status is None:
                return None
            paid, first, last = session.execute(_BOOK.where(_R.si_code == si_code)).one()
        return SiBook(status, int(paid), _month(first) if first else None, _month(last) if last else None)

    def health_card(self, si_code: str) -> HealthCard | None:
        row = self._one(_CARD.where(_C.si_code == si_code))
        return HealthCard(*row) if row else None

    def claims(self, si_code: str) -> list[BenefitClaim]:
        """Newest first."""
        with self.db.read() as session:
            return [BenefitClaim(*row) for row in session.execute(_CLAIMS.where(_L.si_code == si_code))]

    def dossier(self, receipt_code: str) -> Dossier | None:
        row = self._one(_DOSSIER.where(_D.receipt_code == receipt_code))
        return Dossier(*row) if row else None
