"""Every write of an editor or approver on a Q&A entry: the review workflow.

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published ──retire──▶ retired
      ▲                  │                      │    (or on a date)     │                    │
      └──request_changes─┴──────────────────────┘◀──────── edit ───────┘◀────── reopen ─────┘

* Every save that changes content is a new version (snapshot, author, note). Editing an entry in
  review or approved sends it back to draft: what was approved is what goes live.
* Editing a published entry drafts the next version while the published one stays live
  (``published_version``) until the new version is approved and published.
* Four eyes: nobody approves a version they wrote — neither the latest save nor any save since
  the version that is live.
* Scheduled publication: :func:`publish` with a future day stores it and queues a ``kb.publish``
  job for that day's start in Vietnam; a later edit or reschedule makes that job a no-op.
* Reviewing (:func:`mark_reviewed`) clears ``needs_review`` and renews ``next_review_at``
  (a quarter ahead): the periodic review of policy information.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vsscare.core import events, jobs
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.knowledge import errors
from vsscare.knowledge import events as kb_events
from vsscare.knowledge.content import EntryContent, parse_content
from vsscare.knowledge.entries import CONTENT_FIELDS, apply_content, content_dict, snapshot
from vsscare.knowledge.entry_queries import get_entry
from vsscare.knowledge.legal_status import SUPERSEDED, document_status, today_vn
from vsscare.knowledge.models import (
    KbEntry,
    KbEntryComment,
    KbEntryVersion,
    LegalArticle,
    LegalDocument,
)
from vsscare.orgunits.calendar import VN_TZ

REVIEW_EVERY = timedelta(days=91)  # a quarter
PUBLISH_JOB = "kb.publish"
MAX_COMMENT = 5000


# -- reading helpers ------------------------------------------------------------------------------


def _authors_since_live(session: Session, entry: KbEntry) -> set[str]:
    """Who wrote the versions not yet live (all versions when none is)."""
    stmt = select(KbEntryVersion.author).where(
        KbEntryVersion.entry_id == entry.id, KbEntryVersion.version > (entry.published_version or 0)
    )
    return set(session.scalars(stmt)) | ({entry.updated_by} if entry.updated_by else set())


def _check_bases(session: Session, keys: list[str]) -> None:
    if not keys:
        return
    found = set(session.scalars(select(LegalArticle.key).where(LegalArticle.key.in_(keys))))
    missing = [k for k in keys if k not in found]
    if missing:
        raise AppError(
            errors.UNKNOWN_BASIS,
            details={"errors": [{"field": "legal_bases", "reason": k} for k in missing]},
            keys=", ".join(missing),
        )


def _superseded_bases(session: Session, entry: KbEntry, today: date) -> list[str]:
    stmt = (
        select(LegalArticle.key, LegalDocument.effective, LegalDocument.superseded_by)
        .join(LegalDocument, LegalDocument.id == LegalArticle.document_id)
        .where(LegalArticle.key.in_(entry.legal_bases))
    )
    return [row.key for row in session.execute(stmt) if document_status(row, today).code == SUPERSEDED]


def _require(entry: KbEntry, action: str, *allowed: str) -> None:
    if entry.status not in allowed:
        raise AppError(errors.BAD_TRANSITION, code=entry.code, status=entry.status, action=action)


def _not_retired(entry: KbEntry) -> None:
    if entry.status == "retired":
        raise AppError(errors.ENTRY_RETIRED, code=entry.code)


def _new_code(session: Session, topic: str) -> str:
    """``<topic>-<n>``, one past the highest number used for the topic (at least three digits)."""
    pattern = re.compile(rf"^{re.escape(topic)}-(\d+)$")
    codes = session.scalars(select(KbEntry.code).where(KbEntry.code.like(f"{topic}-%")))
    numbers = [int(m.group(1)) for c in codes if (m := pattern.match(c))]
    return f"{topic}-{max(numbers, default=0) + 1:03d}"


def _comment(session: Session, entry: KbEntry, actor: Actor, body: str, kind: str) -> KbEntryComment:
    body = body.strip()
    if not body:
        raise AppError(errors.COMMENT_REQUIRED)
    if len(body) > MAX_COMMENT:
        raise AppError(errors.COMMENT_TOO_LONG, limit=MAX_COMMENT)
    comment = KbEntryComment(
        entry_id=entry.id,
        version=entry.version,
        kind=kind,
        author=actor.ref,
        author_name=actor.name,
        body=body,
    )
    session.add(comment)
    return comment


# -- writing --------------------------------------------------------------------------------------


def create_entry(
    session: Session, actor: Actor, content: EntryContent, *, code: str | None = None, note: str | None = None
) -> KbEntry:
    """A new draft at version 1; ``code`` defaults to the next free ``<topic>-NNN``."""
    _check_bases(session, content.legal_bases)
    if code is not None:
        if session.scalar(select(func.count()).select_from(KbEntry).where(KbEntry.code == code)):
            raise AppError(errors.CODE_TAKEN, code=code)
    else:
        code = _new_code(session, content.topic)
    entry = KbEntry(code=code, status="draft", version=1, needs_review=False, updated_by=actor.ref)
    apply_content(entry, content)
    session.add(entry)
    session.flush()
    snapshot(session, entry, actor, note)
    events.append(session, kb_events.EntryCreated(code=code, topic=content.topic), code, actor)
    session.flush()
    return entry


def update_entry(
    session: Session,
    actor: Actor,
    code: str,
    content: EntryContent,
    *,
    expected_version: int,
    note: str | None = None,
    restored_from: int | None = None,
) -> KbEntry:
    """Save a new version. ``expected_version`` is the version the editor started from: a save
    over someone else's newer version is refused rather than silently overwriting it."""
    entry = get_entry(session, code, lock=True)
    _not_retired(entry)
    if entry.version != expected_version:
        raise AppError(errors.VERSION_CONFLICT, code=code, version=entry.version, expected=expected_version)
    _check_bases(session, content.legal_bases)
    before = content_dict(entry)
    after = content.model_dump(mode="json")
    after |= {f: after[f] or "" for f in ("question_en", "short_answer_en", "full_answer_en")}
    changed = [name for name in CONTENT_FIELDS if before[name] != after[name]]
    if not changed:
        return entry
    previous_status = entry.status
    apply_content(entry, content)
    entry.version += 1
    entry.status = "draft"
    entry.approved_by = None
    entry.publish_on = None
    entry.updated_by = actor.ref
    session.flush()
    snapshot(session, entry, actor, note)
    event = kb_events.EntryEdited(
        code=code,
        version=entry.version,
        fields=changed,
        previous_status=previous_status,
        restored_from=restored_from,
    )
    events.append(session, event, code, actor)
    session.flush()
    return entry


def rollback(session: Session, actor: Actor, code: str, version: int, *, note: str | None = None) -> KbEntry:
    """A new draft version with the content of an earlier ``version`` (which must be approved again)."""
    entry = get_entry(session, code, lock=True)
    _not_retired(entry)
    if version == entry.version:
        raise AppError(errors.ROLLBACK_CURRENT, code=code, version=version)
    old = session.scalar(
        select(KbEntryVersion).where(KbEntryVersion.entry_id == entry.id, KbEntryVersion.version == version)
    )
    if old is None:
        raise AppError(errors.VERSION_NOT_FOUND, code=code, version=version)
    content = parse_content({name: old.snapshot.get(name) for name in CONTENT_FIELDS})
    return update_entry(
        session,
        actor,
        code,
        content,
        expected_version=entry.version,
        note=note or f"khôi phục phiên bản {version} / restored version {version}",
        restored_from=version,
    )


def submit(session: Session, actor: Actor, code: str, *, comment: str | None = None) -> KbEntry:
    """Ask for approval of the latest version."""
    entry = get_entry(session, code, lock=True)
    _require(entry, "submit", "draft")
    if not entry.legal_bases:
        raise AppError(errors.NEEDS_BASIS, code=code)
    entry.status = "in_review"
    if comment and comment.strip():
        _comment(session, entry, actor, comment, "comment")
    events.append(session, kb_events.EntrySubmitted(code=code, version=entry.version), code, actor)
    session.flush()
    return entry


def approve(session: Session, actor: Actor, code: str, *, comment: str | None = None) -> KbEntry:
    entry = get_entry(session, code, lock=True)
    _require(entry, "approve", "in_review")
    if actor.ref in _authors_since_live(session, entry):
        raise AppError(errors.SELF_APPROVAL, code=code)
    entry.status = "approved"
    entry.approved_by = actor.ref
    if comment and comment.strip():
        _comment(session, entry, actor, comment, "approved")
    events.append(session, kb_events.EntryApproved(code=code, version=entry.version), code, actor)
    session.flush()
    return entry


def request_changes(session: Session, actor: Actor, code: str, comment: str) -> KbEntry:
    """Send an entry in review (or approved, not yet live) back to its editors, saying why."""
    entry = get_entry(session, code, lock=True)
    _require(entry, "request_changes", "in_review", "approved")
    _comment(session, entry, actor, comment, "changes_requested")
    entry.status = "draft"
    entry.approved_by = None
    entry.publish_on = None
    events.append(session, kb_events.EntryChangesRequested(code=code, version=entry.version), code, actor)
    session.flush()
    return entry


def _go_live(session: Session, actor: Actor, entry: KbEntry, today: date, *, scheduled: bool) -> None:
    entry.status = "published"
    entry.published_version = entry.version
    entry.publish_on = None
    # An approved version is a reviewed one: any legal-change flag is dealt with.
    entry.needs_review = False
    entry.review_reason = None
    entry.reviewed_on = today
    if entry.next_review_at is None or entry.next_review_at <= today:
        entry.next_review_at = today + REVIEW_EVERY
    event = kb_events.EntryPublished(code=entry.code, version=entry.version, scheduled=scheduled)
    events.append(session, event, entry.code, actor)


def publish(session: Session, actor: Actor, code: str, *, on: date | None = None) -> KbEntry:
    """Publish the approved version now, or on the day ``on`` (Vietnam time)."""
    entry = get_entry(session, code, lock=True)
    _require(entry, "publish", "approved")
    today = today_vn()
    superseded = _superseded_bases(session, entry, today if on is None or on <= today else on)
    if superseded:
        raise AppError(errors.SUPERSEDED_BASIS, code=code, keys=", ".join(superseded))
    if on is None or on <= today:
        _go_live(session, actor, entry, today, scheduled=False)
    else:
        entry.publish_on = on
        start = datetime.combine(on, time.min, VN_TZ)
        payload = {"code": code, "version": entry.version, "on": on.isoformat()}
        jobs.enqueue(
            session, PUBLISH_JOB, payload, run_at=start, key=f"{PUBLISH_JOB}:{code}:{entry.version}:{on}"
        )
        event = kb_events.EntryPublishScheduled(code=code, version=entry.version, on=on)
        events.append(session, event, code, actor)
    session.flush()
    return entry


def publish_scheduled(session: Session, code: str, version: int, on: date, actor: Actor) -> bool:
    """Run a scheduled publication if it still stands (same version, same day, still approved)."""
    entry = session.scalar(select(KbEntry).where(KbEntry.code == code).with_for_update())
    if entry is None or entry.status != "approved" or entry.version != version or entry.publish_on != on:
        return False
    _go_live(session, actor, entry, max(on, today_vn()), scheduled=True)
    session.flush()
    return True


def retire(session: Session, actor: Actor, code: str, reason: str) -> KbEntry:
    """Take the entry out of use (and out of answers); the reason is kept as a comment."""
    entry = get_entry(session, code, lock=True)
    _not_retired(entry)
    _comment(session, entry, actor, reason, "retired")
    was_live = entry.published_version
    entry.status = "retired"
    entry.published_version = None
    entry.publish_on = None
    entry.approved_by = None
    events.append(
        session, kb_events.EntryRetired(code=code, version=entry.version, was_live=was_live), code, actor
    )
    session.flush()
    return entry


def reopen(session: Session, actor: Actor, code: str) -> KbEntry:
    """Bring a retired entry back as a draft (it goes through review again)."""
    entry = get_entry(session, code, lock=True)
    _require(entry, "reopen", "retired")
    entry.status = "draft"
    events.append(session, kb_events.EntryReopened(code=code, version=entry.version), code, actor)
    session.flush()
    return entry


def comment(session: Session, actor: Actor, code: str, body: str) -> KbEntryComment:
    entry = get_entry(session, code)
    item = _comment(session, entry, actor, body, "comment")
    events.append(session, kb_events.EntryCommented(code=code, version=entry.version), code, actor)
    session.flush()
    return item


def mark_reviewed(
    session: Session,
    actor: Actor,
    code: str,
    *,
    next_review_at: date | None = None,
    comment: str | None = None,
) -> KbEntry:
    """The content was checked against the law in force: clear the flag, renew the review date."""
    entry = get_entry(session, code, lock=True)
    _not_retired(entry)
    today = today_vn()
    if next_review_at is not None and next_review_at <= today:
        raise AppError(errors.REVIEW_DATE_PAST, day=next_review_at.isoformat())
    superseded = _superseded_bases(session, entry, today)
    if superseded:
        # Confirming an answer that rests on repealed law would hide the problem.
        raise AppError(errors.SUPERSEDED_BASIS, code=code, keys=", ".join(superseded))
    reason = entry.review_reason
    entry.needs_review = False
    entry.review_reason = None
    entry.reviewed_on = today
    entry.next_review_at = next_review_at or today + REVIEW_EVERY
    if comment and comment.strip():
        _comment(session, entry, actor, comment, "reviewed")
    event = kb_events.EntryReviewed(
        code=code, version=entry.version, next_review_at=entry.next_review_at, reason=reason
    )
    events.append(session, event, code, actor)
    session.flush()
    return entry
