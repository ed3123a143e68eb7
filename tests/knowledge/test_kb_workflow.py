"""The review workflow of Q&A entries through its actions: versions, four eyes, publication,
scheduled publication, rollback, retirement, periodic review and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.knowledge.conftest import APPROVER, EDITOR, content
from vsscare.core.errors import AppError
from vsscare.core.events import Actor, EventRecord
from vsscare.core.jobs import Job
from vsscare.knowledge import actions, entries, entry_queries
from vsscare.knowledge.content import parse_content
from vsscare.knowledge.legal_status import today_vn
from vsscare.knowledge.models import KbEntry

OTHER_APPROVER = Actor("user", "3", "pheduyet2")


def make(db, **changes) -> str:
    with db.session() as session:
        return actions.create_entry(session, EDITOR, parse_content(content(**changes))).code


def act(db, fn, *args, **kwargs):
    with db.session() as session:
        result = fn(session, *args, **kwargs)
        return getattr(result, "code", result)


def edit(db, actor: Actor, code: str, version: int, **changes) -> None:
    """Save ``changes`` over the valid content, starting from ``version``."""
    act(db, actions.update_entry, actor, code, parse_content(content(**changes)), expected_version=version)


def state(db, code: str) -> KbEntry:
    with db.read() as session:
        entry = entry_queries.get_entry(session, code)
        session.expunge(entry)
        return entry


def publish_as_team(db, code: str) -> None:
    act(db, actions.submit, EDITOR, code)
    act(db, actions.approve, APPROVER, code)
    act(db, actions.publish, APPROVER, code)


def kb_events(db, code: str) -> list[str]:
    with db.read() as session:
        stmt = select(EventRecord.type).where(EventRecord.subject_id == code).order_by(EventRecord.id)
        return list(session.scalars(stmt))


def test_draft_to_published_with_four_eyes(legal_sample):
    db = legal_sample
    code = make(db)
    assert code == "bhxh_mot_lan-001"
    assert (state(db, code).status, state(db, code).version) == ("draft", 1)
    act(db, actions.submit, EDITOR, code)
    with pytest.raises(AppError) as refused:
        act(db, actions.approve, EDITOR, code)
    assert refused.value.code == "kb_self_approval"
    assert state(db, code).status == "in_review"
    act(db, actions.approve, APPROVER, code, comment="Đúng Điều 70.")
    act(db, actions.publish, APPROVER, code)
    entry = state(db, code)
    assert (entry.status, entry.published_version, entry.approved_by) == ("published", 1, "user:2")
    assert entry.next_review_at == today_vn() + actions.REVIEW_EVERY
    assert kb_events(db, code) == [
        "kb.entry_created", "kb.entry_submitted", "kb.entry_approved", "kb.entry_published",
    ]  # fmt: skip
    assert make(db) == "bhxh_mot_lan-002"


def test_editing_a_published_entry_keeps_the_live_version_until_the_next_is_published(legal_sample):
    db = legal_sample
    code = make(db)
    publish_as_team(db, code)
    new = parse_content(content(short_answer="Câu trả lời mới theo Điều 70."))
    act(db, actions.update_entry, APPROVER, code, new, expected_version=1, note="sửa câu ngắn")
    entry = state(db, code)
    assert (entry.status, entry.version, entry.published_version) == ("draft", 2, 1)
    with db.read() as session:
        live = entry_queries.live_content(session, entry_queries.get_entry(session, code))
    assert live["short_answer"] == content()["short_answer"]
    act(db, actions.submit, APPROVER, code)
    # The approver edited version 2: someone else must approve it.
    with pytest.raises(AppError, match="another approver"):
        act(db, actions.approve, APPROVER, code)
    act(db, actions.approve, OTHER_APPROVER, code)
    act(db, actions.publish, OTHER_APPROVER, code)
    with db.read() as session:
        entry = entry_queries.get_entry(session, code)
        assert entry_queries.live_content(session, entry)["short_answer"] == "Câu trả lời mới theo Điều 70."
        versions = entry_queries.versions(session, entry)
        assert [(v.version, v.author, v.note) for v in versions] == [
            (2, "user:2", "sửa câu ngắn"),
            (1, "user:1", None),
        ]
        changes = entry_queries.diff(versions[1].snapshot, versions[0].snapshot)
    assert [c.field for c in changes] == ["short_answer"]
    assert "<ins>" in changes[0].inline and "<del>" in changes[0].inline


def test_an_edit_during_review_sends_it_back_and_stale_saves_are_refused(legal_sample):
    db = legal_sample
    code = make(db)
    act(db, actions.submit, EDITOR, code)
    edit(db, EDITOR, code, 1, question="Câu hỏi đã sửa?")
    assert state(db, code).status == "draft"
    with pytest.raises(AppError) as stale:
        edit(
            db,
            APPROVER,
            code,
            1,
        )
    assert stale.value.code == "kb_version_conflict" and stale.value.status == 409
    # Saving the same content again is not a new version.
    edit(db, EDITOR, code, 2, question="Câu hỏi đã sửa?")
    assert state(db, code).version == 2


def test_request_changes_needs_a_comment_and_returns_to_draft(legal_sample):
    db = legal_sample
    code = make(db)
    act(db, actions.submit, EDITOR, code)
    with pytest.raises(AppError) as empty:
        act(db, actions.request_changes, APPROVER, code, "   ")
    assert empty.value.code == "kb_comment_required"
    assert state(db, code).status == "in_review"
    act(db, actions.request_changes, APPROVER, code, "Thiếu điều kiện ra nước ngoài định cư.")
    assert state(db, code).status == "draft"
    with db.read() as session:
        notes = entry_queries.comments(session, entry_queries.get_entry(session, code))
    assert [(c.kind, c.author_name) for c in notes] == [("changes_requested", "pheduyet")]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"short_answer": "x" * 301}, "short_answer", "kb_entry_invalid"),
        ({"full_answer": "   "}, "full_answer", "kb_entry_invalid"),
        ({"full_answer": "Xem <script>alert(1)</script>"}, "full_answer", "kb_entry_invalid"),
        ({"full_answer": '<a href="#" onclick="x()">bấm</a>'}, "full_answer", "kb_entry_invalid"),
        ({"topic": "bhxh"}, "topic", "kb_entry_invalid"),
        ({"question_en": "Only the question"}, "-", "kb_entry_invalid"),
    ],
)
def test_bad_content_is_refused_with_the_field(changes, field, code):
    with pytest.raises(AppError) as bad:
        parse_content(content(**changes))
    assert bad.value.code == code and bad.value.status == 422
    assert bad.value.details["errors"][0]["field"] == field
    assert "/" in bad.value.details["errors"][0]["reason"]  # Vietnamese / English


def test_unknown_legal_basis_changes_nothing(legal_sample):
    db = legal_sample
    with pytest.raises(AppError) as bad:
        make(db, legal_bases=["41/2024/QH15#70", "41/2024/QH15#999"])
    assert bad.value.code == "kb_unknown_legal_basis"
    assert "41/2024/QH15#999" in bad.value.message
    code = make(db)
    with pytest.raises(AppError):
        edit(db, EDITOR, code, 1, legal_bases=["x#1"])
    assert state(db, code).version == 1
    with db.read() as session:
        assert session.scalar(select(KbEntry.code).where(KbEntry.code == "bhxh_mot_lan-002")) is None


def test_a_draft_without_bases_cannot_be_submitted(legal_sample):
    code = make(legal_sample, legal_bases=[])
    with pytest.raises(AppError) as bad:
        act(legal_sample, actions.submit, EDITOR, code)
    assert bad.value.code == "kb_needs_legal_basis"


def test_wrong_transitions_are_refused(legal_sample):
    db = legal_sample
    code = make(db)
    for fn in (actions.approve, actions.publish, actions.reopen):
        with pytest.raises(AppError) as bad:
            act(db, fn, APPROVER, code)
        assert bad.value.code == "kb_bad_transition" and bad.value.status == 409
    assert state(db, code).status == "draft"


def test_retired_entries_cannot_be_edited_until_reopened(legal_sample):
    db = legal_sample
    code = make(db)
    publish_as_team(db, code)
    act(db, actions.retire, APPROVER, code, "Đã có hỏi đáp thay thế.")
    entry = state(db, code)
    assert (entry.status, entry.published_version) == ("retired", None)
    with pytest.raises(AppError) as bad:
        edit(db, EDITOR, code, 1, question="Sửa?")
    assert bad.value.code == "kb_entry_retired"
    with pytest.raises(AppError):
        act(db, actions.rollback, EDITOR, code, 1)
    act(db, actions.reopen, APPROVER, code)
    assert state(db, code).status == "draft"


def test_rollback_makes_a_new_draft_with_the_old_content(legal_sample):
    db = legal_sample
    code = make(db)
    edit(db, EDITOR, code, 1, question="Phiên bản hai?")
    act(db, actions.rollback, APPROVER, code, 1)
    entry = state(db, code)
    assert (entry.version, entry.question, entry.status) == (3, content()["question"], "draft")
    with pytest.raises(AppError) as missing:
        act(db, actions.rollback, APPROVER, code, 9)
    assert missing.value.code == "kb_version_not_found"
    with pytest.raises(AppError) as current:
        act(db, actions.rollback, APPROVER, code, 3)
    assert current.value.code == "kb_rollback_current"
    assert kb_events(db, code)[-1] == "kb.entry_edited"


def test_scheduled_publication_runs_on_its_day_and_is_cancelled_by_an_edit(legal_sample):
    db = legal_sample
    code = make(db)
    act(db, actions.submit, EDITOR, code)
    act(db, actions.approve, APPROVER, code)
    day = today_vn() + timedelta(days=10)
    act(db, actions.publish, APPROVER, code, on=day)
    assert (state(db, code).status, state(db, code).publish_on) == ("approved", day)
    with db.read() as session:
        job = session.scalar(select(Job).where(Job.kind == actions.PUBLISH_JOB))
        assert job.payload == {"code": code, "version": 1, "on": day.isoformat()}
        assert job.run_at.date() in (day, day - timedelta(days=1))  # midnight in Vietnam is 17:00 UTC
    # The worker runs the job on the day.
    with db.session() as session:
        assert actions.publish_scheduled(session, code, 1, day, Actor.system("scheduler"))
    assert (state(db, code).status, state(db, code).published_version) == ("published", 1)

    other = make(db)
    act(db, actions.submit, EDITOR, other)
    act(db, actions.approve, APPROVER, other)
    act(db, actions.publish, APPROVER, other, on=day)
    edit(db, EDITOR, other, 1, question="Sửa sau khi duyệt?")
    with db.session() as session:
        assert not actions.publish_scheduled(session, other, 1, day, Actor.system("scheduler"))
    assert state(db, other).status == "draft"


def test_publishing_on_superseded_law_is_refused(legal_sample):
    db = legal_sample
    code = make(db, legal_bases=["58/2014/QH13#60"])
    act(db, actions.submit, EDITOR, code)
    act(db, actions.approve, APPROVER, code)
    with pytest.raises(AppError) as bad:
        act(db, actions.publish, APPROVER, code)
    assert bad.value.code == "kb_superseded_legal_basis" and "58/2014/QH13#60" in bad.value.message


def test_legal_change_flags_then_review_clears_and_renews(legal_sample):
    db = legal_sample
    code = make(db)
    publish_as_team(db, code)
    with db.session() as session:
        flagged = entries.flag_entries_for_articles(session, ["41/2024/QH15#70"], "Điều {articles} đã sửa")
    assert flagged == [code]
    with db.read() as session:
        queue = entry_queries.review_queue(session)
    assert [e.code for e in queue.needs_review] == [code]
    with pytest.raises(AppError) as past:
        act(db, actions.mark_reviewed, APPROVER, code, next_review_at=today_vn())
    assert past.value.code == "kb_review_date_past"
    act(db, actions.mark_reviewed, APPROVER, code, comment="Đã đối chiếu Điều 70 mới.")
    entry = state(db, code)
    assert (entry.needs_review, entry.review_reason, entry.reviewed_on) == (False, None, today_vn())
    assert entry.next_review_at == today_vn() + actions.REVIEW_EVERY
    assert kb_events(db, code)[-2:] == ["kb.entry_needs_review", "kb.entry_reviewed"]


def test_review_queue_lists_due_entries_and_what_awaits_approval(legal_sample):
    db = legal_sample
    due = make(db, next_review_at="2026-01-01")
    waiting = make(db)
    act(db, actions.submit, EDITOR, waiting)
    with db.read() as session:
        queue = entry_queries.review_queue(session, today=date(2026, 11, 23))
    assert [e.code for e in queue.due] == [due]
    assert [e.code for e in queue.in_review] == [waiting]
    assert queue.total == 2


def test_search_is_accent_insensitive_and_filters(legal_sample):
    db = legal_sample
    one = make(db, question="Trợ cấp thất nghiệp được tính thế nào?", topic="bhtn",
               legal_bases=["74/2025/QH15#39"])  # fmt: skip
    make(db)
    with db.read() as session:
        for q in ("tro cap that nghiep", "TRỢ CẤP", "bhtn-001"):
            assert [e.code for e in entry_queries.search_entries(session, q).items] == [one], q
        assert entry_queries.search_entries(session, "", topic="bhtn").total == 1
        assert entry_queries.search_entries(session, "", status="published").total == 0
        assert entry_queries.search_entries(session, "", audience="employer").total == 0
        assert entry_queries.search_entries(session, "", audience="employee").total == 2
