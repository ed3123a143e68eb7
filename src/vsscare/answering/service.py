"""The engine as every channel uses it: one per process and database, kept current, logging.

:class:`Answerer` builds the index on first use and then checks, at most every
``CHECK_EVERY`` seconds, whether the bank or the legal corpus changed — in this process or any
other (the check reads the database). A change of the bank updates the index in a background
thread (:func:`index.updated`: the entries published since are appended, those replaced or
withdrawn masked) and swaps the new snapshot in; questions keep being answered from the previous
one meanwhile. A change of the law rebuilds everything. So a publication is answered from within
about a second everywhere, at any size of the bank, without restarts or cross-process messages.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.answering import index as ix
from vsscare.answering.engine import Engine, Result
from vsscare.answering.masking import mask
from vsscare.answering.models import AnswerLog
from vsscare.core.db import Database

log = logging.getLogger("vsscare.answering")
CHECK_EVERY = 0.25  # seconds between two revision checks
GAP_DECISIONS = frozenset({"clarify", "handover", "out_of_scope"})


class Answerer:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._engine: Engine | None = None
        self._revisions: tuple[tuple, tuple] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._rebuilding = False

    def _revisions_now(self) -> tuple[tuple, tuple]:
        with self.db.read() as session:
            return ix.entries_revision(session), ix.articles_revision(session)

    def _build(self, revisions: tuple[tuple, tuple], base: ix.Index | None) -> None:
        began = time.perf_counter()
        with self.db.read() as session:
            index = ix.build(session) if base is None else ix.updated(base, session)
        with self._lock:
            self._engine = Engine(index)
            self._revisions = revisions
        log.info(
            "answering index built" if base is None else "answering index updated",
            extra={"entries": index.live_count, "articles": len(index.articles),
                   "ms": round((time.perf_counter() - began) * 1000)},
        )  # fmt: skip

    def _rebuild_in_background(self, revisions: tuple[tuple, tuple], base: ix.Index | None) -> None:
        def run() -> None:
            try:
                self._build(revisions, base)
            except Exception:  # keep serving the previous index; the next check tries again
                log.exception("answering index rebuild failed")
                with self._lock:
                    self._revisions = None
            finally:
                self._rebuilding = False

        self._rebuilding = True
        threading.Thread(target=run, name="answering-index", daemon=True).start()

    @property
    def ready(self) -> bool:
        """Whether an index is built (questions are answered without waiting for one)."""
        return self._engine is not None

    def engine(self) -> Engine:
        """The current engine; the first call builds it, later calls notice changes."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    revisions = self._revisions_now()
                    with self.db.read() as session:
                        self._engine = Engine(ix.build(session))
                    self._revisions = revisions
                    self._checked = time.monotonic()
            return self._engine
        now = time.monotonic()
        if now - self._checked >= CHECK_EVERY and not self._rebuilding:
            self._checked = now
            revisions = self._revisions_now()
            if revisions != self._revisions:
                same_law = self._revisions is not None and revisions[1] == self._revisions[1]
                self._rebuild_in_background(revisions, self._engine.index if same_law else None)
        return self._engine

    def ask(
        self,
        question: str,
        *,
        channel: str = "api",
        lang: str | None = None,
        conversation_id: str | None = None,
        record: bool = True,
    ) -> tuple[Result, int | None]:
        """Answer and (by default) log the question; returns the result and its log id."""
        engine = self.engine()
        previous = None
        if conversation_id:
            with self.db.read() as session:
                previous = previous_question(session, conversation_id)
        result = engine.answer(question, channel=channel, lang=lang, previous=previous)
        if not record:
            return result, None
        with self.db.session() as session:
            row = log_result(session, question, result, channel=channel, conversation_id=conversation_id)
            session.flush()
            return result, row.id


def previous_question(session: Session, conversation_id: str) -> str | None:
    stmt = (
        select(AnswerLog.question)
        .where(AnswerLog.conversation_id == conversation_id)
        .order_by(AnswerLog.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def log_result(
    session: Session, question: str, result: Result, *, channel: str, conversation_id: str | None
) -> AnswerLog:
    row = AnswerLog(
        channel=channel,
        lang=result.lang,
        conversation_id=conversation_id,
        question=mask(question[:2000]),
        decision=result.decision,
        handover_reason=result.handover_reason,
        confidence=result.confidence,
        topic=result.topic,
        entry_code=result.answer["entry_id"] if result.answer else None,
        candidates=[c.entry_id for c in result.candidates],
        latency_ms=result.latency_ms,
        gap_status="open" if result.decision in GAP_DECISIONS else None,
    )
    session.add(row)
    return row


_answerers: weakref.WeakKeyDictionary[Database, Answerer] = weakref.WeakKeyDictionary()
_answerers_lock = threading.Lock()


def answerer(db: Database) -> Answerer:
    """The process's answerer for this database (one index per database, shared by threads)."""
    with _answerers_lock:
        found = _answerers.get(db)
        if found is None:
            found = _answerers[db] = Answerer(db)
        return found


def warm_up(db: Database) -> threading.Thread:
    """Build this process's index now, in the background, so that no question waits for it
    (a second for the shipped bank, about a minute at 50,000 entries)."""

    def run() -> None:
        try:
            answerer(db).engine()
        except Exception:  # e.g. a database not migrated yet: the first question tries again
            log.warning("answering index not built at start-up", exc_info=True)

    thread = threading.Thread(target=run, name="answering-warm-up", daemon=True)
    thread.start()
    return thread
