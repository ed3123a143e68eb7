import pytest
from sqlalchemy import select

from vsscare.core import audit, events
from vsscare.core.audit import AuditEntry
from vsscare.core.context import bound, bound_client
from vsscare.core.events import Actor, Event


class NoteAdded(Event):
    type = "test.note_added"
    subject = "thing"
    text: str
    count: int = 1


def test_events_are_typed_ordered_and_carry_correlation_id(db):
    actor = Actor("user", "7", "lan")
    with bound("req-123"), db.session() as session:
        events.append(session, NoteAdded(text="Xin chào"), 42, actor)
        events.append(session, NoteAdded(text="lần hai", count=2), 42, actor)
        events.append(session, NoteAdded(text="khác"), 43)
    with db.read() as session:
        history = events.history(session, "thing", 42)
    assert [e.data["text"] for e in history] == ["Xin chào", "lần hai"]
    assert all(e.correlation_id == "req-123" and e.actor == "user:7" for e in history)
    parsed = events.parse(history[1])
    assert isinstance(parsed, NoteAdded) and parsed.count == 2
    assert history[0].occurred_at.tzinfo is not None


def test_event_data_is_validated():
    with pytest.raises(ValueError):
        NoteAdded(text="x", unexpected=True)
    with pytest.raises(TypeError):
        type("Dup", (Event,), {"__annotations__": {}, "type": "test.note_added", "subject": "x"})


def test_audit_records_client_and_survives_rollback_with_record_now(db):
    with bound("req-9"), bound_client("10.1.2.3", "Mozilla/5.0"):
        with pytest.raises(RuntimeError), db.session() as session:
            audit.record(
                session, "customer.read", Actor("user", "1", "a"), object_type="customer", object_id=5
            )
            raise RuntimeError("action failed")
        audit.record_now(
            db,
            "permission.denied",
            Actor("user", "1", "a"),
            outcome="denied",
            details={"permission": "audit.view"},
        )
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.correlation_id == "req-9")).all()
    assert [r.action for r in rows] == ["permission.denied"]
    row = rows[0]
    assert (row.ip, row.user_agent, row.correlation_id, row.outcome) == (
        "10.1.2.3",
        "Mozilla/5.0",
        "req-9",
        "denied",
    )
    assert row.details == {"permission": "audit.view"}
