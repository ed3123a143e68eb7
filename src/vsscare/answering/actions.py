"""Staff writes on logged answers: the learning loop of the answering engine.

* :func:`mark_entry` — staff judge an answer ``right``, or ``wrong`` naming the entry that does
  answer it (if the bank has one). A wrong verdict opens the question in the gaps queue; a right
  one closes an open gap (nothing to fix).
* :func:`add_phrasing` — the logged question (stored masked) becomes a phrasing of an entry. That
  is an edit of the entry, so it goes through :func:`vsscare.knowledge.actions.update_entry`: a
  new draft version that must be approved and published before the engine uses it.
* :func:`close_gap` — resolve or ignore a question of the gaps queue.

Each appends a typed event on the log row (:mod:`vsscare.answering.events`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from vsscare.answering import events as answer_events
from vsscare.answering import queries
from vsscare.answering.models import AnswerLog
from vsscare.core import events
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.core.text import fold, nfc
from vsscare.knowledge import actions as kb_actions
from vsscare.knowledge import entry_queries as kb_queries
from vsscare.knowledge.content import parse_content
from vsscare.knowledge.entries import content_dict
from vsscare.knowledge.errors import ENTRY_NOT_FOUND

VERDICTS = ("right", "wrong")
CLOSED = ("resolved", "ignored")
MAX_NOTE = 2000

BAD_VERDICT = ErrorCode(
    "answer_bad_verdict",
    "Đánh giá phải là 'right' (đúng) hoặc 'wrong' (sai).",
    "The verdict must be 'right' or 'wrong'.",
    422,
)
ENTRY_REQUIRED = ErrorCode(
    "answer_entry_required",
    "Hãy nhập mã hỏi đáp, ví dụ bhtn-001.",
    "Give the code of a Q&A entry, e.g. bhtn-001.",
    422,
)
ENTRY_UNKNOWN = ErrorCode(
    "answer_entry_unknown",
    "Không có hỏi đáp mã {code} trong ngân hàng hỏi đáp; hãy nhập mã như bhtn-001.",
    "There is no Q&A entry with the code {code}; give a code such as bhtn-001.",
    422,
)
RIGHT_WITH_OTHER = ErrorCode(
    "answer_right_with_other_entry",
    "'Đúng' nghĩa là câu trả lời đã đưa ra là đúng; nếu hỏi đáp đúng là {code} thì hãy đánh dấu 'sai'.",
    "'Right' means the answer given was right; if the right entry is {code}, mark it 'wrong'.",
    422,
)
BAD_GAP_STATUS = ErrorCode(
    "answer_bad_gap_status",
    "Chỉ có thể đánh dấu câu hỏi là 'resolved' (đã xử lý) hoặc 'ignored' (bỏ qua).",
    "A question can only be marked 'resolved' or 'ignored'.",
    422,
)
GAP_NOT_OPEN = ErrorCode(
    "answer_gap_not_open",
    "Câu hỏi số {log_id} không còn chờ xử lý.",
    "The question numbered {log_id} is no longer waiting to be dealt with.",
    409,
)
PHRASING_EXISTS = ErrorCode(
    "answer_phrasing_exists",
    "Hỏi đáp {code} đã có câu hỏi hoặc cách hỏi này; hãy đánh dấu câu hỏi là đã xử lý.",
    "The entry {code} already has this question or phrasing; mark the question as resolved.",
    409,
)
NOTE_TOO_LONG = ErrorCode(
    "answer_note_too_long",
    "Ghi chú dài quá {limit} ký tự.",
    "The note is longer than {limit} characters.",
    422,
)


def _entry_code(session: Session, code: str | None, field: str) -> str | None:
    """The code as typed (trimmed, lower case), checked to exist; None when empty."""
    code = (code or "").strip().lower()
    if not code:
        return None
    try:
        kb_queries.get_entry(session, code)
    except AppError as exc:
        if exc.code != ENTRY_NOT_FOUND.code:
            raise
        raise AppError(ENTRY_UNKNOWN, details={"field": field}, code=code[:64]) from None
    return code


def mark_entry(
    session: Session, actor: Actor, log_id: int, verdict: str, correct_entry: str | None = None
) -> AnswerLog:
    """Record staff's verdict on an answer (replacing any earlier one; the events keep them all).

    ``wrong``: ``correct_entry`` names the entry that answers the question (it must exist; empty
    when the bank has none yet) and the question opens in the gaps queue. ``right``: the entry
    given stands and an open gap is resolved."""
    if verdict not in VERDICTS:
        raise AppError(BAD_VERDICT, details={"field": "verdict"})
    row = queries.get_log(session, log_id, lock=True)
    code = _entry_code(session, correct_entry, "correct_entry")
    if verdict == "right":
        if code is not None and code != row.entry_code:
            raise AppError(RIGHT_WITH_OTHER, details={"field": "correct_entry"}, code=code)
        code = row.entry_code
        gap = "resolved" if row.gap_status == "open" else row.gap_status
    else:
        gap = "open"
    previous = row.verdict
    row.verdict = verdict
    row.correct_entry = code
    row.feedback_by = actor.ref
    row.feedback_at = utcnow()
    row.gap_status = gap
    event = answer_events.AnswerFeedback(
        verdict=verdict, entry_code=row.entry_code, correct_entry=code, previous=previous, gap_status=gap
    )
    events.append(session, event, row.id, actor)
    session.flush()
    return row


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise AppError(NOTE_TOO_LONG, details={"field": "note"}, limit=MAX_NOTE)
    return note or None


def _close(session: Session, actor: Actor, row: AnswerLog, status: str, note: str | None) -> None:
    row.gap_status = status
    events.append(session, answer_events.GapClosed(status=status, note=note), row.id, actor)


def close_gap(session: Session, actor: Actor, log_id: int, status: str, note: str | None = None) -> AnswerLog:
    """Take an open question out of the gaps queue: ``resolved`` (dealt with) or ``ignored``."""
    if status not in CLOSED:
        raise AppError(BAD_GAP_STATUS, details={"field": "status"})
    text = _note(note)
    row = queries.get_log(session, log_id, lock=True)
    if row.gap_status != "open":
        raise AppError(GAP_NOT_OPEN, log_id=log_id)
    _close(session, actor, row, status, text)
    session.flush()
    return row


def add_phrasing(session: Session, actor: Actor, log_id: int, entry_code: str) -> AnswerLog:
    """Add the logged question as a phrasing of ``entry_code`` and resolve its gap.

    The entry gets a new draft version (:func:`knowledge.actions.update_entry`: the review
    workflow's rule); the engine uses the phrasing once that version is approved and published."""
    code = _entry_code(session, entry_code, "entry_code")
    if code is None:
        raise AppError(ENTRY_REQUIRED, details={"field": "entry_code"})
    row = queries.get_log(session, log_id, lock=True)
    entry = kb_queries.get_entry(session, code)
    question = nfc(row.question).strip()
    folded = fold(question)
    if any(fold(text) == folded for text in [entry.question, *(entry.phrasings or [])]):
        raise AppError(PHRASING_EXISTS, code=code)
    content = parse_content(content_dict(entry) | {"phrasings": [*(entry.phrasings or []), question]})
    note = f"thêm cách hỏi từ câu hỏi số {log_id} / phrasing added from question {log_id}"
    entry = kb_actions.update_entry(session, actor, code, content, expected_version=entry.version, note=note)
    if row.correct_entry is None:
        row.correct_entry = code
    events.append(session, answer_events.PhrasingAdded(entry_code=code, version=entry.version), row.id, actor)
    if row.gap_status == "open":
        _close(session, actor, row, "resolved", None)
    session.flush()
    return row
