"""The legal corpus (documents, articles keyed ``DOC_NUMBER#ARTICLE``) and the Q&A bank citing it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vsscare.core.db import Base, JsonData, UTCDateTime, utcnow


class LegalDocument(Base):
    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 41/2024/QH15, 158/2025/NĐ-CP
    doc_type: Mapped[str] = mapped_column(String(40))  # Luật, Nghị định, Thông tư, Quyết định, VBHN
    title: Mapped[str] = mapped_column(String(500))
    issued: Mapped[date] = mapped_column(Date)
    effective: Mapped[date | None] = mapped_column(Date)  # None: a consolidated text
    # The replacing document's number; it need not be in the corpus.
    superseded_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    articles: Mapped[list[LegalArticle]] = relationship(back_populates="document")


class LegalArticle(Base):
    __tablename__ = "legal_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # 41/2024/QH15#60
    document_id: Mapped[int] = mapped_column(ForeignKey("legal_documents.id"), index=True)
    article: Mapped[str] = mapped_column(String(16))  # 60, 33a
    title: Mapped[str | None] = mapped_column(String(500))
    chapter: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)  # one line per clause or point
    text_hash: Mapped[str] = mapped_column(String(64))  # sha256 of text: detects changed wording
    # fold(title + text): lower case, no diacritics, for "tro cap that nghiep" and "trợ cấp thất nghiệp".
    search_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    document: Mapped[LegalDocument] = relationship(back_populates="articles")


# -- the Q&A bank ---------------------------------------------------------------------------------


class KbEntry(Base):
    """One question and its answers; ``code`` is the bank file's ``id`` (``bhtn-001``)."""

    __tablename__ = "kb_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # The workflow state of the latest version (content.STATUSES).
    status: Mapped[str] = mapped_column(String(16), index=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    audiences: Mapped[list[str]] = mapped_column(JsonData, default=list)
    question: Mapped[str] = mapped_column(Text)
    phrasings: Mapped[list[str]] = mapped_column(JsonData, default=list)
    short_answer: Mapped[str] = mapped_column(Text)
    full_answer: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str | None] = mapped_column(Text)
    short_answer_en: Mapped[str | None] = mapped_column(Text)
    full_answer_en: Mapped[str | None] = mapped_column(Text)
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    next_review_at: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The version citizens get. It stays live while a newer version is drafted and reviewed;
    # None: never published, or retired.
    published_version: Mapped[int | None] = mapped_column(Integer)
    publish_on: Mapped[date | None] = mapped_column(Date)  # approved, scheduled for this day
    approved_by: Mapped[str | None] = mapped_column(String(80))  # actor ref of the latest approval
    updated_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_on: Mapped[date | None] = mapped_column(Date)  # the latest periodic review
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    # fold(question + phrasings + short answer): search with or without diacritics.
    search_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bases: Mapped[list[KbEntryBasis]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="KbEntryBasis.position"
    )

    @property
    def legal_bases(self) -> list[str]:
        return [b.article_key for b in self.bases]


class KbEntryBasis(Base):
    """An article an entry gives as its legal basis (in the entry's order)."""

    __tablename__ = "kb_entry_bases"

    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"), primary_key=True)
    article_key: Mapped[str] = mapped_column(ForeignKey("legal_articles.key"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    entry: Mapped[KbEntry] = relationship(back_populates="bases")


class KbEntryVersion(Base):
    """A snapshot of every field of an entry at one version (the file shape, see ``entry_file``)."""

    __tablename__ = "kb_entry_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    author: Mapped[str] = mapped_column(String(80))  # actor ref: user:12, system
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("entry_id", "version"),)


class KbEntryComment(Base):
    """A reviewer's or editor's remark on an entry (``kind``: comment, changes_requested, approved)."""

    __tablename__ = "kb_entry_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the version it was written on
    kind: Mapped[str] = mapped_column(String(24), default="comment")
    author: Mapped[str] = mapped_column(String(80))  # actor ref
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
