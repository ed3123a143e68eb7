"""The legal corpus: statute documents and their articles, keyed ``DOC_NUMBER#ARTICLE``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vsscare.core.db import Base, UTCDateTime, utcnow


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
