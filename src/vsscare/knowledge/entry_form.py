"""The editor form of a Q&A entry: what it sends, how it becomes content, how errors come back.

:class:`EntryForm` is what the browser posts (lists one item a line, dates ``YYYY-MM-DD`` or empty);
:meth:`EntryForm.content` gives the dict :func:`content.parse_content` validates, and
:func:`field_errors` turns an :class:`AppError` back into messages per form field. :class:`Labels`
names codes (status, topic, audience, field) in the current language for the templates.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field

from vsscare.core.errors import VALIDATION, AppError
from vsscare.core.i18n import _, pick
from vsscare.knowledge import errors, markdown
from vsscare.knowledge.content import (
    AUDIENCE_LABELS,
    AUDIENCES,
    MAX_SHORT,
    STATUS_LABELS,
    STATUSES,
    TOPIC_LABELS,
    TOPICS,
    label,
)
from vsscare.knowledge.entry_queries import FLAGS
from vsscare.knowledge.models import KbEntry

LONG = 60_000  # abuse guard only: the content's own limits give the editor's messages
STATUS_BADGE = {
    "draft": "neutral",
    "in_review": "info",
    "approved": "warning",
    "published": "success",
    "retired": "danger",
}


def field_labels() -> dict[str, str]:
    """Names of the content fields in the current language (forms, errors, diffs)."""
    return {
        "topic": _("Chủ đề"),
        "audiences": _("Đối tượng áp dụng"),
        "question": _("Câu hỏi"),
        "phrasings": _("Cách hỏi khác"),
        "short_answer": _("Trả lời ngắn"),
        "full_answer": _("Trả lời đầy đủ"),
        "question_en": _("Câu hỏi (tiếng Anh)"),
        "short_answer_en": _("Trả lời ngắn (tiếng Anh)"),
        "full_answer_en": _("Trả lời đầy đủ (tiếng Anh)"),
        "legal_bases": _("Căn cứ pháp lý"),
        "effective_from": _("Áp dụng từ ngày"),
        "effective_to": _("Áp dụng đến ngày"),
        "next_review_at": _("Ngày rà soát tiếp theo"),
        "on": _("Ngày công bố"),
        "version": _("Phiên bản"),
    }


class Labels:
    """Label helpers handed to every template of these pages as ``kb``."""

    statuses = STATUSES
    topics = TOPICS
    audiences = AUDIENCES
    flags = FLAGS
    status_badge = STATUS_BADGE
    max_short = MAX_SHORT

    @staticmethod
    def status(code: str) -> str:
        return label(STATUS_LABELS, code)

    @staticmethod
    def topic(code: str) -> str:
        return label(TOPIC_LABELS, code)

    @staticmethod
    def audience(code: str) -> str:
        return label(AUDIENCE_LABELS, code)

    @staticmethod
    def flag(code: str) -> str:
        return {
            "needs_review": _("Cần rà soát"),
            "due": _("Đến hạn rà soát định kỳ"),
            "scheduled": _("Đã hẹn ngày công bố"),
            "live": _("Đang công bố"),
        }[code]

    @staticmethod
    def fields() -> dict[str, str]:
        return field_labels()

    markdown = staticmethod(markdown.render)


def parse_day(text: str, field: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        reason = "ngày phải có dạng YYYY-MM-DD / a date must be YYYY-MM-DD"
        raise AppError(VALIDATION, details={"errors": [{"field": field, "reason": reason}]}) from None


def reason(text: str, field: str = "-") -> str:
    """Content errors read "tiếng Việt / English" (several joined by "; "): the current language's."""
    if field == "topic":  # the select offers the codes; their list says nothing more
        text = "hãy chọn một chủ đề / choose a topic"
    parts = []
    for part in str(text).split("; "):
        vi, sep, en = part.partition(" / ")
        parts.append(pick(vi, en) if sep else part)
    return "; ".join(parts)


def field_errors(error: AppError | None) -> dict[str, list[str]]:
    """Messages per form field; ``"-"`` holds those about the entry as a whole."""
    if error is None:
        return {}
    if error.code == errors.UNKNOWN_BASIS.code:
        return {"legal_bases": [pick(error.message, error.message_en)]}
    found: dict[str, list[str]] = {}
    for problem in error.details.get("errors", []):
        name = problem.get("field") or "-"
        name = name if name in field_labels() else "-"
        found.setdefault(name, []).append(reason(str(problem.get("reason", "")), name))
    return found


Text = Annotated[str, Field(max_length=LONG)]


class EntryForm(BaseModel):
    """What the editor form sends; lists are one item a line, dates YYYY-MM-DD or empty."""

    topic: Annotated[str, Field(max_length=40)] = ""
    audiences: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=40)] = []
    question: Text = ""
    phrasings: Text = ""
    short_answer: Text = ""
    full_answer: Text = ""
    question_en: Text = ""
    short_answer_en: Text = ""
    full_answer_en: Text = ""
    legal_bases: Text = ""
    effective_from: Annotated[str, Field(max_length=20)] = ""
    effective_to: Annotated[str, Field(max_length=20)] = ""
    next_review_at: Annotated[str, Field(max_length=20)] = ""
    note: Annotated[str, Field(max_length=2000)] = ""
    expected_version: int | None = None

    @classmethod
    def of(cls, entry: KbEntry) -> EntryForm:
        def day(value: date | None) -> str:
            return value.isoformat() if value else ""

        return cls(
            topic=entry.topic,
            audiences=list(entry.audiences or []),
            question=entry.question,
            phrasings="\n".join(entry.phrasings or []),
            short_answer=entry.short_answer,
            full_answer=entry.full_answer,
            question_en=entry.question_en or "",
            short_answer_en=entry.short_answer_en or "",
            full_answer_en=entry.full_answer_en or "",
            legal_bases="\n".join(entry.legal_bases),
            effective_from=day(entry.effective_from),
            effective_to=day(entry.effective_to),
            next_review_at=day(entry.next_review_at),
            expected_version=entry.version,
        )

    def content(self) -> dict[str, Any]:
        """The content dict :func:`parse_content` validates (browsers send CRLF: kept as LF)."""

        def text(value: str) -> str:
            return value.replace("\r\n", "\n").replace("\r", "\n")

        def lines(value: str) -> list[str]:
            return [line.strip() for line in text(value).split("\n") if line.strip()]

        return {
            "topic": self.topic,
            "audiences": self.audiences,
            "question": text(self.question).strip(),
            "phrasings": lines(self.phrasings),
            "short_answer": text(self.short_answer).strip(),
            "full_answer": text(self.full_answer).strip(),
            "question_en": text(self.question_en).strip(),
            "short_answer_en": text(self.short_answer_en).strip(),
            "full_answer_en": text(self.full_answer_en).strip(),
            "legal_bases": lines(self.legal_bases),
            "effective_from": self.effective_from.strip() or None,
            "effective_to": self.effective_to.strip() or None,
            "next_review_at": self.next_review_at.strip() or None,
        }
