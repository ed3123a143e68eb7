"""Typed events of the answering domain: what staff did with a logged answer (subject: its log id).

They are the history of the learning loop — which answers staff judged, which questions became
phrasings of an entry, which gaps were closed and why — and feed the quality reports.
"""

from __future__ import annotations

from vsscare.core.events import Event


class AnswerFeedback(Event):
    """Staff judged the answer: ``right``, or ``wrong`` with the entry that answers it, if any.

    ``entry_code``: the entry the engine gave (None for clarify/handover/out of scope);
    ``previous``: the verdict this one replaces (a citizen's, or an earlier staff verdict)."""

    type = "answer.feedback"
    subject = "answer_log"
    verdict: str
    entry_code: str | None = None
    correct_entry: str | None = None
    previous: str | None = None
    gap_status: str | None = None


class PhrasingAdded(Event):
    """The (masked) question became a phrasing of ``entry_code`` in its new draft ``version``."""

    type = "answer.phrasing_added"
    subject = "answer_log"
    entry_code: str
    version: int


class GapClosed(Event):
    """The question left the gaps queue: ``resolved`` or ``ignored`` (``note``: the editor's why)."""

    type = "answer.gap_closed"
    subject = "answer_log"
    status: str
    note: str | None = None
