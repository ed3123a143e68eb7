"""The Q&A bank: validation, import/versions, export round trip, currency check and review flags."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_ACTOR
from vsscare.core.audit import AuditEntry
from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.knowledge import entries, legal, legal_queries
from vsscare.knowledge.models import KbEntry, KbEntryVersion

SAMPLE = DATA_DIR / "legal-sample.jsonl"


def entry(code: str, **changes: Any) -> dict[str, Any]:
    """A valid published entry in the shipped format, citing articles of the legal sample."""
    base = {
        "id": code,
        "status": "published",
        "topic": "bhxh_mot_lan",
        "audiences": ["employee"],
        "question": f"Câu hỏi {code}: khi nào được hưởng BHXH một lần?",
        "phrasings": ["khi nao duoc huong bhxh mot lan", "rút bhxh 1 lần được ko", "nhận BHXH một lần"],
        "short_answer": "Khi đủ điều kiện theo Điều 70 Luật BHXH 2024.",
        "full_answer": "Theo **Điều 70** Luật BHXH số 41/2024/QH15, …",
        "question_en": "",
        "short_answer_en": "",
        "full_answer_en": "",
        "legal_bases": ["41/2024/QH15#70"],
        "effective_from": "2025-07-01",
        "effective_to": None,
        "next_review_at": "2099-01-01",
        "version": 1,
    }
    return base | changes


def write(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def sample_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines() if line.strip()]


def run_import(db, *paths: Path) -> entries.BankImportReport:
    with db.session() as session:
        return entries.import_bank(session, list(paths), TEST_ACTOR)


def count(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def event_types(db, prefix: str = "kb.") -> list[str]:
    with db.read() as session:
        stmt = select(EventRecord.type).where(EventRecord.type.startswith(prefix)).order_by(EventRecord.id)
        return list(session.scalars(stmt))


def test_bad_rows_report_line_field_reason_and_import_nothing(legal_sample, tmp_path):
    db = legal_sample
    bad = write(
        tmp_path / "bad.jsonl",
        [
            entry("a-001"),
            entry("a-002", short_answer="x" * 301),
            entry("a-003", topic="weather", legal_bases=["41/2024/QH15#999"]),
            "{oops",
            entry("a-001", question="Trùng mã"),
            entry("a-006", full_answer="   ", colour="blue"),
            {k: v for k, v in entry("a-007").items() if k != "phrasings"},
            entry("a-008", question_en="Only the question"),
        ],
    )
    with pytest.raises(AppError) as err:
        run_import(db, bad)
    exc = err.value
    assert exc.code == "kb_bank_invalid" and exc.status == 422
    found = {(p["line"], p["field"]) for p in exc.details["errors"]}
    assert {
        (2, "short_answer"),
        (3, "topic"),
        (3, "legal_bases"),
        (4, "-"),
        (5, "id"),
        (6, "full_answer"),
        (6, "colour"),
        (7, "phrasings"),
        (8, "-"),
    } <= found
    assert (1, "id") not in found
    reasons = {(p["line"], p["field"]): p["reason"] for p in exc.details["errors"]}
    assert "41/2024/QH15#999" in reasons[(3, "legal_bases")] and "legal corpus" in reasons[(3, "legal_bases")]
    assert "bad.jsonl:1" in reasons[(5, "id")]
    assert exc.details["count"] == len(exc.details["errors"])
    assert "nothing was changed" in exc.message_en and "không có gì bị thay đổi" in exc.message
    assert count(db, KbEntry) == 0 and count(db, KbEntryVersion) == 0 and event_types(db) == []

    with pytest.raises(AppError) as missing:
        run_import(db, tmp_path / "nowhere.jsonl")
    assert missing.value.code == "kb_bank_not_found"


def test_import_is_idempotent_and_a_change_makes_version_2(legal_sample, tmp_path):
    db = legal_sample
    first = write(tmp_path / "bank.jsonl", [entry("a-001"), entry("a-002", status="draft", legal_bases=[])])
    report = run_import(db, first)
    assert report.new == ["a-001", "a-002"] and report.changed == [] and report.unchanged == 0
    assert event_types(db) == ["kb.entry_imported", "kb.entry_imported"]
    with db.read() as session:
        before = {e.code: (e.version, e.updated_at) for e in session.scalars(select(KbEntry))}

    again = run_import(db, first)
    assert again.new == [] and again.changed == [] and again.unchanged == 2
    assert count(db, KbEntryVersion) == 2 and len(event_types(db)) == 2
    with db.read() as session:
        assert {e.code: (e.version, e.updated_at) for e in session.scalars(select(KbEntry))} == before

    changed = write(
        tmp_path / "bank.jsonl",
        [
            entry(
                "a-001", short_answer="Câu trả lời mới.", legal_bases=["41/2024/QH15#70", "41/2024/QH15#7"]
            ),
            entry("a-002", status="draft", legal_bases=[]),
        ],
    )
    report = run_import(db, changed)
    assert report.changed == ["a-001"] and report.unchanged == 1
    with db.read() as session:
        e = session.scalar(select(KbEntry).where(KbEntry.code == "a-001"))
        assert e.version == 2 and e.short_answer == "Câu trả lời mới."
        assert e.legal_bases == ["41/2024/QH15#70", "41/2024/QH15#7"]
        assert e.search_text.startswith("cau hoi a-001") and "cau tra loi moi" in e.search_text
        rows = session.scalars(
            select(KbEntryVersion).where(KbEntryVersion.entry_id == e.id).order_by(KbEntryVersion.version)
        ).all()
        assert [r.version for r in rows] == [1, 2]
        assert rows[0].snapshot["short_answer"] != rows[1].snapshot["short_answer"] == "Câu trả lời mới."
        assert rows[1].author == TEST_ACTOR.ref and "bank.jsonl:1" in rows[1].note
        change = session.scalars(select(EventRecord).where(EventRecord.type == "kb.entry_changed")).one()
        assert change.subject_id == "a-001" and change.data["version"] == 2
        assert change.data["fields"] == ["short_answer", "legal_bases"]
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "kb.import")).all()
        assert len(audits) == 3 and audits[-1].details["changed"] == ["a-001"]


def test_export_round_trip(legal_sample, tmp_path):
    db = legal_sample
    rows = [
        entry(
            "b-002", question_en="When?", short_answer_en="Soon.", full_answer_en="**Soon**, by Article 70."
        ),
        entry("b-001", status="draft", legal_bases=[], effective_from=None, next_review_at=None),
        entry("b-003", status="retired", audiences=["employer", "all"], effective_to="2025-12-31", version=3),
    ]
    path = write(tmp_path / "bank.jsonl", rows)
    run_import(db, path)
    with db.read() as session:
        exported = entries.export_bank(session)
        assert entries.export_bank(session, status="draft") == [rows[1]]
    assert exported == rows
    again = write(tmp_path / "exported.jsonl", exported)
    report = run_import(db, again)
    assert report.unchanged == 3 and not report.new and not report.changed
    assert count(db, KbEntryVersion) == 3


def test_legal_change_flags_citing_published_entries(legal_sample, tmp_path):
    db = legal_sample
    bank = [
        entry("c-001"),  # cites 41/2024/QH15#70
        entry("c-002", status="draft"),  # same article, not published: left alone
        entry("c-003", topic="bhyt", legal_bases=["25/2008/QH12#12", "25/2008/QH12#13"]),
        entry("c-004", topic="bhyt", legal_bases=["51/2024/QH15#1"]),
    ]
    run_import(db, write(tmp_path / "bank.jsonl", bank))
    with db.read() as session:
        assert entries.check(session).ok and not entries.check(session).stale
        citing = legal_queries.citing_entries(session, ["41/2024/QH15#70", "41/2024/QH15#1"])
        assert [c.id for c in citing["41/2024/QH15#70"]] == ["c-001", "c-002"]
        assert "41/2024/QH15#1" not in citing

    corpus = sample_rows()
    for row in corpus:
        if row["key"] == "41/2024/QH15#70":
            row["text"] += "\n3. Khoản mới."
        if row["doc_number"] == "25/2008/QH12":
            row["superseded_by"] = "99/2026/QH15"
    changed = write(tmp_path / "articles.jsonl", corpus)
    with db.session() as session:
        report = legal.import_corpus(session, changed, TEST_ACTOR)
    assert report.entries_flagged == ["c-001", "c-003"]
    assert "2 hỏi đáp cần rà soát" in report.summary()
    with db.read() as session:
        flagged = {e.code: e for e in session.scalars(select(KbEntry).where(KbEntry.needs_review))}
        assert set(flagged) == {"c-001", "c-003"}
        assert "41/2024/QH15#70" in flagged["c-001"].review_reason
        assert (
            "25/2008/QH12" in flagged["c-003"].review_reason
            and "99/2026/QH15" in flagged["c-003"].review_reason
        )
        needs = session.scalars(select(EventRecord).where(EventRecord.type == "kb.entry_needs_review")).all()
        assert sorted(e.subject_id for e in needs) == ["c-001", "c-003"]
        c003 = next(e for e in needs if e.subject_id == "c-003")
        assert c003.data["articles"] == ["25/2008/QH12#12", "25/2008/QH12#13"]
        result = entries.check(session)
        assert [s.code for s in result.stale] == ["c-001", "c-003"]
        assert [(b.code, b.article, b.status) for b in result.broken] == [
            ("c-003", "25/2008/QH12#12", "superseded"),
            ("c-003", "25/2008/QH12#13", "superseded"),
        ]
        assert not result.ok

    # Importing the same corpus again flags nothing more.
    with db.session() as session:
        assert legal.import_corpus(session, changed, TEST_ACTOR).entries_flagged == []
    assert event_types(db, "kb.entry_needs_review").count("kb.entry_needs_review") == 2


def test_check_lists_due_and_not_yet_effective(legal_sample, tmp_path):
    db = legal_sample
    bank = [
        entry("d-001", topic="bhtn", legal_bases=["74/2025/QH15#38"]),
        entry("d-002", next_review_at="2025-06-30"),
        entry("d-003", status="retired", next_review_at="2025-06-30"),
    ]
    run_import(db, write(tmp_path / "bank.jsonl", bank))
    with db.read() as session:
        early = entries.check(session, date(2025, 12, 1))
        assert [(b.code, b.status) for b in early.broken] == [("d-001", "not_yet_effective")]
        assert early.ok  # a coming law may be cited ahead of its date
        assert [d.code for d in early.due] == ["d-002"] and early.due[0].detail == "2025-06-30"
        later = entries.check(session, date(2026, 1, 1))
        assert later.broken == [] and later.ok


def test_shipped_bank_against_the_full_corpus(db, tmp_path):
    corpus = legal_corpus()
    if corpus is None:
        pytest.skip("the full legal corpus is not on this machine")
    with db.session() as session:
        legal.import_corpus(session, corpus, TEST_ACTOR)
        report = entries.import_bank(session, DATA_DIR / "knowledge", TEST_ACTOR)
    assert len(report.new) == 324
    with db.read() as session:
        result = entries.check(session)
        assert result.ok and not result.broken and not result.stale and not result.due
        exported = entries.export_bank(session)
    shipped = [
        json.loads(line)
        for path in sorted((DATA_DIR / "knowledge").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert exported == shipped
