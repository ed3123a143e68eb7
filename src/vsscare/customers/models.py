"""Customers (citizens and employers) and the identities through which they reach us.

Personal identifiers (SI code, CCCD, phone) are never stored in clear: each has its ciphertext
(``*_enc``, AES-GCM, see ``core.crypto``), a blind index for exact lookup (``*_bi``) and the
masked form staff see by default (``*_masked``, e.g. ``0010******45``), so lists and pages never
decrypt. Reading the clear value is an explicit, audited action.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vsscare.core.db import Base, BigId, UTCDateTime, utcnow

KINDS = ("person", "employer")
GENDERS = ("male", "female", "other")
STATUSES = ("active", "merged", "anonymised")
IDENTITY_KINDS = ("phone", "email", "zalo", "facebook")
PROTECTED = ("si_code", "cccd", "phone")  # encrypted at rest, found by blind index


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_si_code_bi", "si_code_bi"),
        Index("ix_customers_cccd_bi", "cccd_bi"),
        Index("ix_customers_phone_bi", "phone_bi"),
        Index("ix_customers_province_name", "province_code", "name_folded"),
        Index("ix_customers_unit_code", "unit_code"),
        Index("ix_customers_tax_code", "tax_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="active")
    name: Mapped[str] = mapped_column(String(200))  # full name, or the employer's name
    name_folded: Mapped[str] = mapped_column(String(200))  # lower case, no diacritics, for search
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))
    si_code_enc: Mapped[str | None] = mapped_column(Text)
    si_code_bi: Mapped[str | None] = mapped_column(String(32))
    si_code_masked: Mapped[str | None] = mapped_column(String(16))
    cccd_enc: Mapped[str | None] = mapped_column(Text)
    cccd_bi: Mapped[str | None] = mapped_column(String(32))
    cccd_masked: Mapped[str | None] = mapped_column(String(16))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_bi: Mapped[str | None] = mapped_column(String(32))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(2))
    commune: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    # Employers: the unit code VSS gives them, their tax code and the person to talk to.
    unit_code: Mapped[str | None] = mapped_column(String(20))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CustomerIdentity(Base):
    """A way a customer reached us: a caller number, an e-mail address, a Zalo user id or a
    Facebook page-scoped id. One identity belongs to one customer."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value_bi"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value_enc: Mapped[str] = mapped_column(Text)
    value_bi: Mapped[str] = mapped_column(String(32))
    value_masked: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Verification(Base):
    """One attempt to prove who is on a conversation before personal data is disclosed: a one-time
    code sent to the phone or e-mail on record, or questions (date of birth and CCCD digits) on the
    phone. It holds for that conversation only, and until ``valid_until``."""

    __tablename__ = "customer_verifications"
    __table_args__ = (
        Index("ix_customer_verifications_conversation", "conversation", "id"),
        Index("ix_customer_verifications_subject", "subject_bi", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation: Mapped[str] = mapped_column(String(200))  # channel:conversation id
    method: Mapped[str] = mapped_column(String(10))  # sms | email | questions
    subject_bi: Mapped[str] = mapped_column(String(32))  # blind index of the SI code being proven
    subject_enc: Mapped[str] = mapped_column(Text)
    sent_to_masked: Mapped[str | None] = mapped_column(String(60))
    code_hash: Mapped[str | None] = mapped_column(String(64))  # HMAC of the one-time code
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|verified|failed|expired
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
