"""Typed events of the legal corpus: the history of each document and article.

Later work on the currency of Q&A entries hooks into two of them:

* ``legal.document_superseded`` — a document already in the corpus is now replaced by another;
  every entry citing one of its articles needs review.
* ``legal.article_changed`` — the wording of an article changed (``old_hash`` → ``new_hash``);
  every entry citing that article needs review.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from vsscare.core.events import Event


class DocumentAdded(Event):
    type = "legal.document_added"
    subject = "legal_document"
    number: str
    doc_type: str
    title: str
    articles: int


class DocumentChanged(Event):
    """Metadata changed; ``changes`` maps each field to ``[old, new]`` (dates as ISO strings)."""

    type = "legal.document_changed"
    subject = "legal_document"
    number: str
    changes: dict[str, list[Any]]


class DocumentSuperseded(Event):
    """A document already known is now replaced (``previous``: the replacement recorded before, if any)."""

    type = "legal.document_superseded"
    subject = "legal_document"
    number: str
    superseded_by: str
    previous: str | None = None


class ArticlesAdded(Event):
    """New articles of one document, in file order (one event per document and import)."""

    type = "legal.articles_added"
    subject = "legal_document"
    number: str
    keys: list[str]


class ArticleChanged(Event):
    """The article's text changed; ``fields`` lists every column that changed with it."""

    type = "legal.article_changed"
    subject = "legal_article"
    key: str
    document: str
    old_hash: str
    new_hash: str
    fields: list[str]


class ArticleRelabelled(Event):
    """Title or chapter changed while the text stayed the same (no legal effect)."""

    type = "legal.article_relabelled"
    subject = "legal_article"
    key: str
    changes: dict[str, list[Any]]


# -- the Q&A bank (subject: the entry's code, e.g. bhtn-001) --------------------------------------


class EntryImported(Event):
    """A new entry came from a bank file."""

    type = "kb.entry_imported"
    subject = "kb_entry"
    code: str
    version: int
    status: str
    file: str


class EntryChanged(Event):
    """A bank file changed an entry; ``fields`` lists the file fields that differ."""

    type = "kb.entry_changed"
    subject = "kb_entry"
    code: str
    version: int
    fields: list[str]
    file: str


class EntryNeedsReview(Event):
    """A legal basis of a published entry changed or lost force; ``articles``: the entry's own."""

    type = "kb.entry_needs_review"
    subject = "kb_entry"
    code: str
    reason: str
    articles: list[str]


# -- the review workflow (knowledge.actions) ------------------------------------------------------


class EntryCreated(Event):
    type = "kb.entry_created"
    subject = "kb_entry"
    code: str
    topic: str


class EntryEdited(Event):
    """A new version; ``previous_status`` was left for draft. ``restored_from``: a rollback's source."""

    type = "kb.entry_edited"
    subject = "kb_entry"
    code: str
    version: int
    fields: list[str]
    previous_status: str
    restored_from: int | None = None


class EntrySubmitted(Event):
    type = "kb.entry_submitted"
    subject = "kb_entry"
    code: str
    version: int


class EntryApproved(Event):
    type = "kb.entry_approved"
    subject = "kb_entry"
    code: str
    version: int


class EntryChangesRequested(Event):
    type = "kb.entry_changes_requested"
    subject = "kb_entry"
    code: str
    version: int


class EntryPublishScheduled(Event):
    type = "kb.entry_publish_scheduled"
    subject = "kb_entry"
    code: str
    version: int
    on: date


class EntryPublished(Event):
    """``version`` is live from now on; ``scheduled``: by the ``kb.publish`` job."""

    type = "kb.entry_published"
    subject = "kb_entry"
    code: str
    version: int
    scheduled: bool = False


class EntryRetired(Event):
    type = "kb.entry_retired"
    subject = "kb_entry"
    code: str
    version: int
    was_live: int | None  # the version that was published until now


class EntryReopened(Event):
    type = "kb.entry_reopened"
    subject = "kb_entry"
    code: str
    version: int


class EntryCommented(Event):
    type = "kb.entry_commented"
    subject = "kb_entry"
    code: str
    version: int


class EntryReviewed(Event):
    """Checked against the law in force; ``reason``: the flag it cleared, if any."""

    type = "kb.entry_reviewed"
    subject = "kb_entry"
    code: str
    version: int
    next_review_at: date
    reason: str | None = None
