"""The industry database ("cơ sở dữ liệu ngành") as the rest of vsscare sees it: one interface,
with an embedded synthetic implementation (``registry_embedded``) and an HTTP client for the
production service (``registry_http``, contract in ``docs/registry-api.md``).

Callers must have verified the person, or be staff with a reason: every call is a read of
personal data and is audited by the caller (``customers.lookups``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

SchemeKind = Literal["compulsory", "voluntary"]  # BHXH bắt buộc / tự nguyện


@dataclass(frozen=True)
class Person:
    si_code: str
    full_name: str
    birth_date: date
    gender: Literal["male", "female"]
    cccd: str | None
    province_code: str
    phone: str | None  # E.164, as registered (VssID, dossiers); where a one-time code is sent


@dataclass(frozen=True)
class ContributionMonth:
    month: date  # the first day of the month
    kind: SchemeKind
    employer_code: str | None  # None for voluntary contributions
    employer_name: str | None
    salary_base: int  # VND: the salary contributions are computed on (voluntary: chosen income)
    unemployment: bool  # BHTN paid for this month too


@dataclass(frozen=True)
class SiBook:
    status: Literal["active", "paused", "closed"]  # closed: pension or one-time payment settled it
    paid_months: int
    first_month: date | None
    last_month: date | None


@dataclass(frozen=True)
class HealthCard:
    number: str  # 15 characters: group code, benefit level, province, SI code (e.g. DN4797912345678)
    valid_from: date
    valid_to: date
    facility_code: str  # the registered primary care facility (nơi đăng ký KCB ban đầu)
    facility_name: str
    benefit_level: int  # 1–5: the share of costs the fund pays


@dataclass(frozen=True)
class BenefitClaim:
    kind: Literal["sickness", "maternity", "unemployment", "pension", "lump_sum", "survivor", "accident"]
    status: Literal["received", "processing", "approved", "paid", "rejected"]
    amount: int | None  # VND, once decided
    filed_on: date
    decided_on: date | None
    paying_office: str


@dataclass(frozen=True)
class Dossier:
    receipt_code: str
    si_code: str | None
    procedure: str
    status: Literal["received", "processing", "additional_info", "done", "returned"]
    received_on: date
    due_on: date
    office: str
    note: str | None


class Registry(Protocol):
    """Reads of the industry database. Unknown people give None or empty lists; an unreachable
    service raises ``AppError(errors.REGISTRY_UNAVAILABLE)``."""

    def person(self, si_code: str) -> Person | None: ...

    def person_by_cccd(self, cccd: str) -> Person | None: ...

    def contributions(self, si_code: str, since: date | None = None) -> list[ContributionMonth]:
        """One entry per month paid, oldest first."""
        ...

    def si_book(self, si_code: str) -> SiBook | None: ...

    def health_card(self, si_code: str) -> HealthCard | None: ...

    def claims(self, si_code: str) -> list[BenefitClaim]:
        """Newest first."""
        ...

    def dossier(self, receipt_code: str) -> Dossier | None: ...
