"""Importing the legal corpus: counts, idempotence, changes and their events, refusing bad files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_ACTOR
from vsscare.core import events
from vsscare.core.audit import AuditEntry
from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.core.text import fold
from vsscare.knowledge import legal, legal_file
from vsscare.knowledge.events import ArticleChanged, DocumentSuperseded
from vsscare.knowledge.models import LegalArticle, LegalDocument

SAMPLE = DATA_DIR / "legal-sample.jsonl"
SAMPLE_DOCUMENTS = {
    "41/2024/QH15",
    "74/2025/QH15",
    "25/2008/QH12",
    "51/2024/QH15",
    "158/2025/NĐ-CP",
    "58/2014/QH13",
    "38/2013/QH13",
}


def records(path: Path = SAMPLE) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def run_import(db, path: Path = SAMPLE) -> legal.ImportReport:
    with db.session() as session:
        return legal.import_corpus(session, path, TEST_ACTOR)


def snapshot(db) -> tuple:
    with db.read() as session:
        documents = tuple(
            session.execute(
                select(LegalDocument.number, LegalDocument.superseded_by, LegalDocument.updated_at).order_by(
                    LegalDocument.number
                )
            ).all()
        )
        articles = tuple(
            session.execute(
                select(LegalArticle.key, LegalArticle.text_hash, LegalArticle.updated_at).order_by(
                    LegalArticle.key
                )
            ).all()
        )
        event_count = session.scalar(select(func.count(EventRecord.id)))
        audits = session.scalar(select(func.count(AuditEntry.id)))
    return documents, articles, event_count, audits


def test_sample_import_counts_and_second_import_changes_nothing(db):
    rows = records()
    assert 30 <= len(rows) <= 50 and {r["doc_number"] for r in rows} == SAMPLE_DOCUMENTS
    report = run_import(db)
    assert set(report.documents_new) == SAMPLE_DOCUMENTS and report.articles_new == len(rows)
    assert report.documents_superseded == {} and report.text_changed == [] and report.changed_anything
    with db.read() as session:
        assert session.scalar(select(func.count(LegalDocument.id))) == len(SAMPLE_DOCUMENTS)
        assert session.scalar(select(func.count(LegalArticle.id))) == len(rows)
        article = session.scalar(select(LegalArticle).where(LegalArticle.key == "74/2025/QH15#39"))
        assert article.document.number == "74/2025/QH15" and article.article == "39"
        assert article.search_text == fold(f"{article.title}\n{article.text}")
        assert "tro cap that nghiep" in article.search_text and "\n" in article.text
        old = session.scalar(select(LegalDocument).where(LegalDocument.number == "58/2014/QH13"))
        assert old.superseded_by == "41/2024/QH15"
        added = session.scalars(select(EventRecord.type).where(EventRecord.type.like("legal.%"))).all()
        assert added.count("legal.document_added") == len(SAMPLE_DOCUMENTS)
        assert added.count("legal.articles_added") == len(SAMPLE_DOCUMENTS)
    before = snapshot(db)
    again = run_import(db)
    assert again.documents_new == [] and again.documents_changed == [] and again.articles_new == 0
    assert again.articles_changed == [] and again.articles_unchanged == len(rows)
    assert again.documents_unchanged == len(SAMPLE_DOCUMENTS) and not again.changed_anything
    after = snapshot(db)
    assert after[:3] == before[:3]  # same rows, same timestamps, no new events
    assert after[3] == before[3] + 1  # the import itself is audited
    with db.read() as session:
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "legal.import").order_by(AuditEntry.id.desc())
        )
        assert entry.object_id == "legal-sample.jsonl" and len(entry.details["sha256"]) == 64
        assert entry.details["articles_unchanged"] == len(rows) and entry.actor == "system"


@pytest.mark.skipif(legal_corpus() is None, reason="the full legal corpus is not on this machine")
def test_full_corpus_imports_quickly_and_reimports_unchanged(db):
    path = legal_corpus()
    assert path is not None
    count = len(records(path))
    run_import(db)  # the sample first: the full corpus must extend it, not clash with it
    started = time.perf_counter()
    report = run_import(db, path)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"full import took {elapsed:.1f} s"
    sample_count = len(records())
    assert report.articles_new == count - sample_count and report.articles_unchanged == sample_count
    assert report.text_changed == [] and len(report.documents_new) == 24 - len(SAMPLE_DOCUMENTS)
    with db.read() as session:
        assert session.scalar(select(func.count(LegalArticle.id))) == count == 1363
        assert session.scalar(select(func.count(LegalDocument.id))) == 24
    started = time.perf_counter()
    again = run_import(db, path)
    assert time.perf_counter() - started < 10
    assert again.articles_unchanged == count and again.articles_new == 0 and not again.changed_anything
    # The smaller sample after the full corpus keeps every article.
    assert run_import(db).articles_not_in_file == count - sample_count
    with db.read() as session:
        assert session.scalar(select(func.count(LegalArticle.id))) == count


def test_changes_are_reported_with_events(db, tmp_path):
    run_import(db)
    rows = records()
    for row in rows:
        if row["key"] == "41/2024/QH15#7":
            row["text"] += "\n3. Khoản bổ sung để thử."
        if row["doc_number"] == "25/2008/QH12":
            row["superseded_by"] = "01/2026/QH16"
        if row["key"] == "74/2025/QH15#1":
            row["chapter"] = "Chương I. QUY ĐỊNH CHUNG"
    extra = dict(next(r for r in rows if r["key"] == "41/2024/QH15#7"), article="7a", key="41/2024/QH15#7a")
    report = run_import(db, write(tmp_path / "changed.jsonl", [*rows, extra]))
    assert report.documents_superseded == {"25/2008/QH12": "01/2026/QH16"}
    assert report.documents_changed == ["25/2008/QH12"] and report.documents_new == []
    assert report.text_changed == ["41/2024/QH15#7"]
    assert sorted(report.articles_changed) == ["41/2024/QH15#7", "74/2025/QH15#1"]
    assert report.articles_new == 1 and report.articles_unchanged == len(rows) - 2
    assert "1 mới hết hiệu lực" in report.summary() and "(1 sửa nội dung)" in report.summary()
    with db.read() as session:
        latest = select(EventRecord).order_by(EventRecord.id.desc())
        superseded = session.scalar(latest.where(EventRecord.type == "legal.document_superseded"))
        assert superseded.subject_type == "legal_document" and superseded.subject_id == "25/2008/QH12"
        assert events.parse(superseded) == DocumentSuperseded(
            number="25/2008/QH12", superseded_by="01/2026/QH16", previous=None
        )
        changed = session.scalars(latest.where(EventRecord.type == "legal.article_changed")).all()
        assert [e.subject_id for e in changed] == ["41/2024/QH15#7"]
        data = events.parse(changed[0])
        assert isinstance(data, ArticleChanged) and data.fields == ["text"] and data.old_hash != data.new_hash
        relabelled = session.scalar(latest.where(EventRecord.type == "legal.article_relabelled"))
        assert relabelled.subject_id == "74/2025/QH15#1" and relabelled.data["changes"]["chapter"][
            1
        ].startswith("Chương I. QUY")
        article = session.scalar(select(LegalArticle).where(LegalArticle.key == "41/2024/QH15#7"))
        assert article.text.endswith("Khoản bổ sung để thử.") and "khoan bo sung" in article.search_text
        assert article.text_hash == legal.text_hash(article.text) == data.new_hash
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "legal.import").order_by(AuditEntry.id.desc())
        )
        assert entry.details["text_changed"] == ["41/2024/QH15#7"]
        assert entry.details["documents_superseded"] == {"25/2008/QH12": "01/2026/QH16"}
    # Importing the same changed file again reports nothing new.
    again = run_import(db, tmp_path / "changed.jsonl")
    assert again.documents_superseded == {} and again.text_changed == [] and not again.changed_anything


def test_bad_files_are_refused_with_line_numbers_and_change_nothing(db, tmp_path):
    run_import(db)
    before = snapshot(db)
    rows = records()[:8]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[2] = lines[2][:40]  # line 3: cut-off JSON
    missing = dict(rows[4])
    del missing["key"]
    lines[4] = json.dumps(missing, ensure_ascii=False)  # line 5: no key
    lines[6] = json.dumps(dict(rows[6], key=rows[6]["doc_number"] + "#999"), ensure_ascii=False)  # line 7
    lines.append(json.dumps(dict(rows[0], text="Khác"), ensure_ascii=False))  # line 9: duplicate key
    lines.append(
        json.dumps(dict(rows[1], article="x1", key=rows[1]["doc_number"] + "#x1"), ensure_ascii=False)
    )
    lines.append(json.dumps(dict(rows[1], issued="29/06/2024"), ensure_ascii=False))  # line 11
    lines.append("[1, 2]")  # line 12
    other = dict(rows[1], article="500", key=rows[1]["doc_number"] + "#500", doc_title="Luật khác")
    lines.append(json.dumps(other, ensure_ascii=False))  # line 13: metadata differs from line 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(AppError) as err, db.session() as session:
        legal.import_corpus(session, bad, TEST_ACTOR)
    exc = err.value
    assert exc.code == "legal_corpus_invalid" and exc.status == 422
    assert "bad.jsonl" in exc.message and "bad.jsonl" in exc.message_en and exc.message != exc.message_en
    problems = exc.details["errors"]
    by_line = {p["line"]: p for p in problems}
    assert sorted(by_line) == [3, 5, 7, 9, 10, 11, 12, 13], problems
    assert "JSON" in by_line[3]["message"] and "missing field key" in by_line[5]["message"]
    assert "doc_number#article" in by_line[7]["message"] and by_line[7]["key"].endswith("#999")
    assert "duplicate key (also line 1)" in by_line[9]["message"]
    assert "invalid article" in by_line[10]["message"] and "issued" in by_line[11]["message"]
    assert "JSON object" in by_line[12]["message"] and "doc_title" in by_line[13]["message"]
    assert exc.details["count"] == len(problems) and "dòng/line 3" in exc.message
    assert snapshot(db) == before

    (tmp_path / "empty.jsonl").write_text("\n\n", "utf-8")
    for path, code in (
        (tmp_path / "empty.jsonl", "legal_corpus_invalid"),
        (tmp_path / "missing.jsonl", "legal_corpus_not_found"),
    ):
        with pytest.raises(AppError) as err, db.session() as session:
            legal.import_corpus(session, path, TEST_ACTOR)
        assert err.value.code == code
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(SAMPLE.read_bytes().split(b"\n")[0] + b"\ncaf\xe9\n")
    with pytest.raises(AppError) as err:
        legal_file.read_corpus(latin)
    assert err.value.details["errors"][0]["line"] == 2
    assert snapshot(db) == before
