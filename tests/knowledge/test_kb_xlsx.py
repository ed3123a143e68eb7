"""The Q&A bank as an Excel workbook: round trip, every bad row reported, malformed files refused."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.conftest import TEST_ACTOR
from tests.knowledge.test_kb_import import SAMPLE, count, entry, event_types, run_import, write
from vsscare.core.errors import AppError
from vsscare.core.paths import DATA_DIR
from vsscare.knowledge import entries, kb_cli, legal
from vsscare.knowledge.entry_file import FIELDS, EntryRecord, _parse_file
from vsscare.knowledge.entry_xlsx import GUIDE, SHEET, read_xlsx, write_xlsx
from vsscare.knowledge.models import KbEntry, KbEntryVersion


@pytest.fixture
def bank_db(db):
    with db.session() as session:
        legal.import_corpus(session, SAMPLE, TEST_ACTOR)
    return db


def rich_rows() -> list[dict[str, Any]]:
    return [
        entry(
            "x-001",
            question="=1+1 có phải là công thức không? Người lao động được hưởng gì?",
            phrasings=["=SUM(A1:A2)", "  rút bhxh một lần  ", "+cmd|' /C calc'!A0"],
            full_answer="Theo **Điều 70**:\n\n- đủ tuổi nghỉ hưu;\n- ra nước ngoài định cư.\n\nXem thêm.",
            question_en="When?",
            short_answer_en="Soon.",
            full_answer_en="**Soon**,\nby Article 70.",
        ),
        entry("x-002", status="draft", legal_bases=[], effective_from=None, next_review_at=None),
        entry("x-003", status="retired", audiences=["employer", "all"], effective_to="2025-12-31", version=3),
    ]


def sheet_records(path: Path) -> list[dict[str, Any]]:
    rows, problems = read_xlsx(path)
    assert problems == []
    return [EntryRecord.model_validate(r.data).as_file_dict() for r in rows]


def import_problems(db, path: Path) -> tuple[AppError, dict[tuple[int, str], str]]:
    with pytest.raises(AppError) as err:
        run_import(db, path)
    found = {(p["line"], p["field"]): p["reason"] for p in err.value.details["errors"]}
    return err.value, found


def test_round_trip_jsonl_to_xlsx_changes_nothing(bank_db, tmp_path):
    db = bank_db
    rows = rich_rows()
    run_import(db, write(tmp_path / "bank.jsonl", rows))
    with db.read() as session:
        exported = entries.export_bank(session)
    target = tmp_path / "bank.xlsx"
    write_xlsx(exported, target)

    assert sheet_records(target) == exported == rows
    report = run_import(db, target)
    assert report.unchanged == 3 and not report.new and not report.changed
    assert count(db, KbEntryVersion) == 3

    book = load_workbook(target)
    assert book.sheetnames == [SHEET, GUIDE]
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]] == list(FIELDS) and sheet.freeze_panes == "A2"
    question = sheet.cell(2, FIELDS.index("question") + 1)
    assert question.data_type == "s" and question.value.startswith("=1+1")
    assert sheet.cell(2, FIELDS.index("phrasings") + 1).value == "\n".join(rows[0]["phrasings"])
    assert sheet.cell(4, FIELDS.index("version") + 1).value == 3
    with zipfile.ZipFile(target) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere
    assert "bhxh_mot_lan" in "".join(str(c.value) for c in book[GUIDE]["D"])


def test_xlsx_into_an_empty_bank_and_editor_changes(bank_db, tmp_path):
    db = bank_db
    rows = rich_rows()
    target = tmp_path / "bank.xlsx"
    write_xlsx(rows, target)
    report = run_import(db, target)
    assert report.new == ["x-001", "x-002", "x-003"]
    with db.read() as session:
        assert entries.export_bank(session) == rows
        notes = session.scalars(select(KbEntryVersion.note).order_by(KbEntryVersion.id)).all()
        assert notes == ["import bank.xlsx:2", "import bank.xlsx:3", "import bank.xlsx:4"]

    # What Excel does to a sheet: real date cells, numbers as floats, stray spaces, a blank row,
    # a notes column without a name, empty English cells.
    book = load_workbook(target)
    sheet = book[SHEET]
    col = {name: FIELDS.index(name) + 1 for name in FIELDS}
    sheet.cell(2, col["next_review_at"]).value = datetime(2099, 1, 1)
    sheet.cell(3, col["version"]).value = 1.0
    sheet.cell(4, col["id"]).value = " x-003 "
    sheet.cell(4, col["audiences"]).value = "employer \n\n all"
    sheet.cell(3, col["question_en"]).value = None
    sheet.insert_rows(3)
    sheet.cell(2, len(FIELDS) + 2).value = "ghi chú của biên tập viên"
    book.save(target)
    again = run_import(db, target)
    assert again.unchanged == 3 and not again.changed and not again.new


def test_bad_rows_are_each_reported_and_nothing_is_imported(bank_db, tmp_path):
    db = bank_db
    rows = [
        entry("a-001"),
        entry("a-002", short_answer="x" * 301),
        entry("a-003", topic="weather", legal_bases=["41/2024/QH15#999"]),
        entry("a-001", question="Trùng mã"),
        entry("a-005", full_answer="   ", audiences=["employee", "martian"]),
        entry("a-006", question_en="Only the question"),
        entry("a-007", effective_from="01/07/2025", version="hai"),
    ]
    target = tmp_path / "bad.xlsx"
    write_xlsx(rows, target)
    book = load_workbook(target)
    book[SHEET].insert_rows(3)  # a blank row: row numbers below it move down by one
    book[SHEET].cell(2, FIELDS.index("question") + 1).value = "=A1"  # a real formula
    book.save(target)

    exc, found = import_problems(db, target)
    assert exc.code == "kb_bank_invalid" and exc.status == 422
    assert {
        (2, "question"),
        (4, "short_answer"),
        (5, "topic"),
        (5, "legal_bases"),
        (6, "id"),
        (7, "full_answer"),
        (7, "audiences"),
        (8, "-"),
        (9, "effective_from"),
        (9, "version"),
    } <= set(found)
    assert (3, "-") not in found and not any(line == 2 and f != "question" for line, f in found)
    assert "formula" in found[(2, "question")]
    assert "bad.xlsx:2" in found[(6, "id")] and "41/2024/QH15#999" in found[(5, "legal_bases")]
    assert "nothing was changed" in exc.message_en and "không có gì bị thay đổi" in exc.message
    assert count(db, KbEntry) == 0 and count(db, KbEntryVersion) == 0 and event_types(db) == []


def _sheet(path: Path, *rows: list[Any]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_malformed_files_are_refused_clearly(bank_db, tmp_path):
    db = bank_db
    run_import(db, write(tmp_path / "bank.jsonl", [entry("m-001")]))
    renamed = write(tmp_path / "renamed.xlsx", [entry("m-002")])
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    for path in (renamed, other_zip):
        exc, found = import_problems(db, path)
        assert "not a valid Excel .xlsx file" in exc.message_en and "không phải tệp Excel" in exc.message
        assert list(found) == [(1, "-")]

    header = [f for f in FIELDS if f != "phrasings"] + ["colour"]
    values = [str(entry("m-003")[f]) if f in FIELDS else "blue" for f in header]
    exc, found = import_problems(db, _sheet(tmp_path / "columns.xlsx", header, values))
    assert found == {(1, "phrasings"): "thiếu cột / missing column",
                     (1, "colour"): "cột không có trong định dạng / unknown column"}  # fmt: skip
    assert "columns.xlsx:1" in exc.message_en

    _, found = import_problems(db, _sheet(tmp_path / "twice.xlsx", [*FIELDS, "id"]))
    assert found == {(1, "id"): "cột trùng / duplicate column"}
    _, found = import_problems(db, _sheet(tmp_path / "headless.xlsx", ["m-004", "published", "bhyt"]))
    assert "row 1 must name the columns" in found[(1, "-")]
    _, found = import_problems(db, _sheet(tmp_path / "empty.xlsx"))
    assert "no header row" in found[(1, "-")]
    _, found = import_problems(db, _sheet(tmp_path / "no-rows.xlsx", list(FIELDS)))
    assert "no entries" in found[(1, "-")]

    with db.read() as session:
        assert [row["id"] for row in entries.export_bank(session)] == ["m-001"]
    assert count(db, KbEntryVersion) == 1


def test_cli_export_xlsx_then_import_changes_nothing(run_cli, tmp_path):
    assert run_cli("legal", "import", str(SAMPLE)).exit_code == 0
    bank = write(tmp_path / "bank.jsonl", rich_rows())
    assert "3 mới" in run_cli("kb", "import", str(bank)).output
    target = tmp_path / "f.xlsx"
    saved = run_cli("kb", "export", "--format", "xlsx", "-o", str(target))
    assert saved.exit_code == 0 and "Đã xuất 3 hỏi đáp" in saved.output
    again = run_cli("kb", "import", str(target))
    assert again.exit_code == 0 and "0 mới, 0 thay đổi, 3 không đổi" in again.output

    piped = run_cli("kb", "export", "--status", "draft", "--format", "xlsx", "--output", "-")
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"PK")
    (tmp_path / "piped.xlsx").write_bytes(piped.stdout_bytes)
    assert [r["id"] for r in sheet_records(tmp_path / "piped.xlsx")] == ["x-002"]
    jsonl = run_cli("kb", "export", "--format", "jsonl")
    assert [json.loads(line) for line in jsonl.output.splitlines()] == sheet_records(target)

    unknown = run_cli("kb", "export", "--format", "csv")
    assert unknown.exit_code == 1 and "chỉ xuất được jsonl hoặc xlsx" in unknown.output


def test_xlsx_is_not_printed_to_a_terminal(monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    with pytest.raises(typer.Exit):
        kb_cli.export(status=None, format_="xlsx", output="-")
    assert "--output" in capsys.readouterr().err


def test_shipped_bank_survives_xlsx(tmp_path):
    files = sorted((DATA_DIR / "knowledge").glob("*.jsonl"))
    problems: list = []
    shipped = [line.record for path in files for line in _parse_file(path, problems, [])]
    target = tmp_path / "shipped.xlsx"
    write_xlsx([r.as_file_dict() for r in shipped], target)
    lines = _parse_file(target, problems, [])
    assert problems == [] and len(shipped) == 324
    assert [line.record for line in lines] == shipped
    assert [line.line for line in lines] == list(range(2, 326))


def test_a_control_character_is_a_clear_export_error():
    with pytest.raises(AppError) as err:
        write_xlsx([entry("z-001", question="Câu\x01hỏi")], io.BytesIO())
    assert err.value.code == "kb_xlsx_character" and "z-001" in err.value.message_en
