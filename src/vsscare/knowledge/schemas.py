"""The corpus file's line format and the legal API's response shapes."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vsscare.core.text import nfc
from vsscare.knowledge.legal_status import LegalStatus, StatusCode

ARTICLE_RE = re.compile(r"^[0-9]+[a-z]*$")


class ArticleRecord(BaseModel):
    """One line of ``articles.jsonl`` (see the corpus README). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", strict=True)

    key: str = Field(min_length=3, max_length=64)
    doc_number: str = Field(min_length=1, max_length=40)
    doc_type: str = Field(min_length=1, max_length=40)
    doc_title: str = Field(min_length=1, max_length=500)
    issued: date
    effective: date | None  # required, may be null
    superseded_by: str | None = Field(max_length=40)
    chapter: str | None = Field(max_length=300)
    article: str = Field(min_length=1, max_length=16)
    article_title: str | None = Field(max_length=500)
    text: str = Field(min_length=1)

    @field_validator(
        "key", "doc_number", "doc_type", "doc_title", "superseded_by", "chapter", "article_title"
    )
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        value = nfc(value).strip() if value is not None else None
        return value or None

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        # Line breaks separate clauses and points: keep them, trim each line.
        lines = [line.strip() for line in nfc(value).splitlines()]
        text = "\n".join(line for line in lines if line)
        if not text:
            raise ValueError("nội dung trống / empty text")
        return text

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        if not ARTICLE_RE.match(value):
            raise ValueError(f"số điều {value!r} không hợp lệ (ví dụ 60, 33a) / invalid article {value!r}")
        return value

    @model_validator(mode="after")
    def _key(self) -> ArticleRecord:
        for name in ("key", "doc_number", "doc_type", "doc_title"):
            if not getattr(self, name):
                raise ValueError(f"{name}: trống / empty")
        expected = f"{self.doc_number}#{self.article}"
        if self.key != expected:
            raise ValueError(
                f"khóa {self.key!r} phải là doc_number#article = {expected!r} / key {self.key!r} "
                f"must be doc_number#article = {expected!r}"
            )
        if self.superseded_by == self.doc_number:
            raise ValueError("văn bản không thể thay thế chính nó / a document cannot supersede itself")
        return self


# -- API ------------------------------------------------------------------------------------------


class StatusOut(BaseModel):
    code: StatusCode
    label: str  # in the request's language
    in_force: bool
    superseded_by: str | None
    effective: date | None

    @classmethod
    def of(cls, status: LegalStatus) -> StatusOut:
        return cls(
            code=status.code,
            label=status.label,
            in_force=status.in_force,
            superseded_by=status.superseded_by,
            effective=status.effective,
        )


class DocumentOut(BaseModel):
    number: str
    doc_type: str
    title: str
    issued: date
    effective: date | None
    superseded_by: str | None
    status: StatusOut
    article_count: int


class DocumentList(BaseModel):
    total: int
    items: list[DocumentOut]


class ArticleRef(BaseModel):
    key: str
    article: str
    title: str | None
    chapter: str | None


class DocumentDetail(DocumentOut):
    articles: list[ArticleRef]  # in natural order: 2, 10, 33, 33a


class ArticleOut(ArticleRef):
    document: str
    document_title: str
    doc_type: str
    text: str  # one line per clause or point
    text_hash: str
    status: StatusOut
    updated_at: datetime


class ArticleHit(ArticleRef):
    document: str
    status: StatusOut
    snippet: str  # the passage that matched, plain text


class ArticleSearch(BaseModel):
    total: int
    items: list[ArticleHit]
