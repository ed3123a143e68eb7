"""Request and response shapes of the Q&A entry API (``/api/v1/kb``).

Request bodies reuse :class:`EntryContent`, so the API checks content exactly like the bank file
and the editor form do (short answer ≤ 300 characters, no blank answers, Markdown without scripts,
English given as a whole). Optional fields may be left out: no phrasings, no English, no dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vsscare.core.events import EventRecord
from vsscare.knowledge.actions import MAX_COMMENT
from vsscare.knowledge.content import (
    CODE_PATTERN,
    ENGLISH,
    MAX_SHORT,
    STATUS_LABELS,
    TOPIC_LABELS,
    EntryContent,
    label,
)
from vsscare.knowledge.entry_queries import Basis, FieldDiff, ReviewQueue
from vsscare.knowledge.models import KbEntry, KbEntryVersion
from vsscare.knowledge.schemas import StatusOut

CONTENT_FIELDS = tuple(EntryContent.model_fields)
MAX_VERSION = 2_147_483_647  # the column is a 32-bit integer
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}

# -- requests -------------------------------------------------------------------------------------


def _no_controls(value: Any) -> Any:
    """Refuse control characters: PostgreSQL cannot store NUL, an Excel export cannot hold the rest."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str) and any(
            (ch < " " or "\x7f" <= ch <= "\x9f") and ch not in _ALLOWED_CONTROLS for ch in text
        ):
            raise ValueError("có ký tự điều khiển / contains a control character")
    return value


class _Content(EntryContent):
    """The content fields, with the optional ones defaulted."""

    _controls = field_validator("*", mode="before")(_no_controls)

    phrasings: list[str] = Field(default_factory=list, description="Other ways people ask it")
    question_en: str | None = None
    short_answer_en: str | None = Field(None, max_length=MAX_SHORT)
    full_answer_en: str | None = Field(None, max_length=30000)
    legal_bases: list[str] = Field(
        default_factory=list, description="Article keys DOC_NUMBER#ARTICLE, e.g. 41/2024/QH15#70"
    )
    effective_from: date | None = None
    effective_to: date | None = None
    next_review_at: date | None = None

    def content(self) -> EntryContent:
        return EntryContent.model_validate(self.model_dump(include=set(CONTENT_FIELDS)))


class EntryCreate(_Content):
    code: str | None = Field(
        None, min_length=1, max_length=64, pattern=CODE_PATTERN, description="Default: <topic>-NNN"
    )
    note: str | None = Field(None, max_length=500, description="What this version is about")


class EntryUpdate(_Content):
    """The whole content (fields left out are cleared) and the version the edit started from."""

    expected_version: int = Field(
        ge=1, le=MAX_VERSION, description="The version you edited; 409 if someone saved since"
    )
    note: str | None = Field(None, max_length=500)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _controls = field_validator("*", mode="before")(_no_controls)


class CommentIn(_Body):
    comment: str | None = Field(None, max_length=MAX_COMMENT)


class ReasonIn(_Body):
    comment: str = Field(min_length=1, max_length=MAX_COMMENT, description="What to change, and why")


class RetireIn(_Body):
    reason: str = Field(min_length=1, max_length=MAX_COMMENT)


class PublishIn(_Body):
    on: date | None = Field(None, description="Publish on this day (Vietnam time); default: now")


class ReviewIn(_Body):
    next_review_at: date | None = Field(None, description="Default: a quarter from today")
    comment: str | None = Field(None, max_length=MAX_COMMENT)


class RollbackIn(_Body):
    version: int = Field(
        ge=1, le=MAX_VERSION, description="The earlier version whose content becomes a new draft"
    )
    note: str | None = Field(None, max_length=500)


class NewComment(_Body):
    body: str = Field(min_length=1, max_length=MAX_COMMENT)


# -- responses ------------------------------------------------------------------------------------


def _english(value: Any) -> Any:
    return value or None  # "" in snapshots, NULL in the table: both mean "no English"


class ContentOut(BaseModel):
    topic: str
    audiences: list[str]
    question: str
    phrasings: list[str]
    short_answer: str
    full_answer: str = Field(description="Markdown")
    question_en: str | None
    short_answer_en: str | None
    full_answer_en: str | None
    legal_bases: list[str]
    effective_from: date | None
    effective_to: date | None
    next_review_at: date | None

    @classmethod
    def fields_of(cls, data: dict[str, Any]) -> dict[str, Any]:
        found = {name: data.get(name) for name in CONTENT_FIELDS}
        return found | {name: _english(found[name]) for name in ENGLISH}


class EntrySummary(BaseModel):
    code: str
    status: str
    status_label: str
    topic: str
    topic_label: str
    audiences: list[str]
    question: str
    short_answer: str
    version: int
    published_version: int | None = Field(description="The version citizens get; null: nothing live")
    publish_on: date | None = Field(description="Approved and scheduled for this day")
    needs_review: bool
    next_review_at: date | None
    updated_at: datetime

    @classmethod
    def of(cls, entry: KbEntry) -> EntrySummary:
        return cls(
            code=entry.code,
            status=entry.status,
            status_label=label(STATUS_LABELS, entry.status),
            topic=entry.topic,
            topic_label=label(TOPIC_LABELS, entry.topic),
            audiences=list(entry.audiences or []),
            question=entry.question,
            short_answer=entry.short_answer,
            version=entry.version,
            published_version=entry.published_version,
            publish_on=entry.publish_on,
            needs_review=entry.needs_review,
            next_review_at=entry.next_review_at,
            updated_at=entry.updated_at,
        )


class EntryList(BaseModel):
    total: int
    items: list[EntrySummary]


class BasisOut(BaseModel):
    key: str
    document: str
    article: str
    title: str | None = Field(description="The article's title")
    document_title: str
    in_force: bool
    status: StatusOut

    @classmethod
    def of(cls, basis: Basis) -> BasisOut:
        document, _, article = basis.key.partition("#")
        status = basis.status
        return cls(
            key=basis.key,
            document=document,
            article=article,
            title=basis.title,
            document_title=basis.document_title,
            in_force=status.in_force,
            status=StatusOut.of(status),
        )


class EntryOut(ContentOut):
    code: str
    status: str
    status_label: str
    topic_label: str
    version: int = Field(description="The latest version; send it back as expected_version to edit")
    published_version: int | None = Field(description="The version citizens get; null: nothing live")
    publish_on: date | None
    approved_by: str | None = Field(description="Who approved the latest version (user:ID)")
    updated_by: str | None
    needs_review: bool
    review_reason: str | None
    reviewed_on: date | None
    created_at: datetime
    updated_at: datetime
    bases: list[BasisOut] = Field(description="The legal bases with their status today")

    @classmethod
    def of(cls, entry: KbEntry, bases: list[Basis]) -> EntryOut:
        data = {name: getattr(entry, name) for name in CONTENT_FIELDS}
        return cls(
            **ContentOut.fields_of(data),
            code=entry.code,
            status=entry.status,
            status_label=label(STATUS_LABELS, entry.status),
            topic_label=label(TOPIC_LABELS, entry.topic),
            version=entry.version,
            published_version=entry.published_version,
            publish_on=entry.publish_on,
            approved_by=entry.approved_by,
            updated_by=entry.updated_by,
            needs_review=entry.needs_review,
            review_reason=entry.review_reason,
            reviewed_on=entry.reviewed_on,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            bases=[BasisOut.of(b) for b in bases],
        )


class VersionOut(BaseModel):
    version: int
    author: str
    note: str | None
    created_at: datetime
    live: bool = Field(description="This is the version citizens get")

    @classmethod
    def of(cls, row: KbEntryVersion, entry: KbEntry) -> VersionOut:
        return cls(
            version=row.version,
            author=row.author,
            note=row.note,
            created_at=row.created_at,
            live=row.version == entry.published_version,
        )


class VersionDetail(VersionOut):
    status: str | None = Field(description="The entry's status when this version was saved")
    content: ContentOut

    @classmethod
    def of(cls, row: KbEntryVersion, entry: KbEntry) -> VersionDetail:
        snapshot = row.snapshot or {}
        return cls(
            **VersionOut.of(row, entry).model_dump(),
            status=snapshot.get("status"),
            content=ContentOut(**ContentOut.fields_of(snapshot)),
        )


class FieldChange(BaseModel):
    field: str
    old: str = Field(description="Lists one item a line; dates as YYYY-MM-DD")
    new: str


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    changes: list[FieldChange]

    @classmethod
    def of(cls, old: int, new: int, found: list[FieldDiff]) -> DiffOut:
        changes = [FieldChange(field=d.field, old=d.old, new=d.new) for d in found]
        return cls(from_version=old, to_version=new, changes=changes)


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from a KbEntryComment row

    id: int
    version: int
    kind: str = Field(description="comment, changes_requested, approved, retired, reviewed")
    author: str
    author_name: str | None
    body: str
    created_at: datetime


class EventOut(BaseModel):
    id: int
    type: str
    occurred_at: datetime
    actor: str | None
    data: dict[str, Any]
    correlation_id: str | None

    @classmethod
    def of(cls, row: EventRecord) -> EventOut:
        return cls(
            id=row.id,
            type=row.type,
            occurred_at=row.occurred_at,
            actor=row.actor,
            data=row.data or {},
            correlation_id=row.correlation_id,
        )


class ReviewQueueOut(BaseModel):
    total: int
    in_review: list[EntrySummary] = Field(description="To approve")
    approved: list[EntrySummary] = Field(description="To publish (or scheduled)")
    needs_review: list[EntrySummary] = Field(description="A legal basis changed")
    due: list[EntrySummary] = Field(description="The periodic review date has passed")

    @classmethod
    def of(cls, queue: ReviewQueue) -> ReviewQueueOut:
        return cls(
            total=queue.total,
            in_review=[EntrySummary.of(e) for e in queue.in_review],
            approved=[EntrySummary.of(e) for e in queue.approved],
            needs_review=[EntrySummary.of(e) for e in queue.needs_review],
            due=[EntrySummary.of(e) for e in queue.due],
        )
