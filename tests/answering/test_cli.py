"""``vsscare ask`` and ``vsscare kb eval`` in-process against each backend."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.knowledge.conftest import UNEMPLOYMENT, create
from vsscare.answering.models import AnswerLog


@pytest.fixture
def bank(legal_sample):
    create(legal_sample, publish=True)  # bhxh_mot_lan-001
    create(legal_sample, publish=True, **UNEMPLOYMENT)
    return legal_sample


def logged(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AnswerLog))


def test_ask_prints_the_decision_or_the_api_object(bank, run_cli):
    shown = run_cli("ask", "Trợ cấp thất nghiệp mỗi tháng được bao nhiêu?")
    assert shown.exit_code == 0, shown.output
    for text in (
        "Trả lời",
        "bhtn-001",
        "Bằng 60%",
        "74/2025/QH15#39",
        "còn hiệu lực",
        "độ tin cậy",
        "nhật ký số 1",
    ):
        assert text in shown.stdout, text

    printed = run_cli("ask", "--json", "--channel", "zalo", "tctn 1 thang dc bn tien")
    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.stdout)
    assert data["decision"] == "answer" and data["answer"]["entry_id"] == "bhtn-001"
    assert data["sources"] == [
        {"key": "74/2025/QH15#39", "title": data["sources"][0]["title"], "in_force": True}
    ]
    assert data["candidates"][0]["sources"] == ["74/2025/QH15#39"] and data["log_id"] == 2
    assert logged(bank) == 2

    quiet = run_cli("ask", "--json", "--no-log", "--lang", "en", "ma so bhxh 4812345678 cua toi")
    data = json.loads(quiet.stdout)
    assert (data["decision"], data["handover_reason"], data["log_id"], data["lang"]) == (
        "handover", "personal_record", None, "en",
    )  # fmt: skip
    assert logged(bank) == 2
    handed = run_cli("ask", "ma so bhxh 4812345678 cua toi")
    assert "Chuyển cho cán bộ" in handed.stdout and "cần tra cứu hồ sơ cá nhân" in handed.stdout


def test_ask_refuses_bad_input(bank, run_cli):
    empty = run_cli("ask", "   ")
    assert empty.exit_code == 1 and "answer_question_empty" in empty.output
    assert run_cli("ask", "--channel", "telegram", "bhxh").exit_code == 2
    assert run_cli("ask", "--lang", "fr", "bhxh").exit_code == 2
    assert logged(bank) == 0


def test_ask_reads_one_question_per_line(bank, run_cli):
    lines = "rút bhxh 1 lần được ko\n\n' OR 1=1 --\n" + "x" * 4001 + "\ntro cap\x00 that nghiep\n"
    result = run_cli("ask", "--no-log", input=lines)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0]["question"] == "rút bhxh 1 lần được ko"
    assert answers[0]["candidates"][0]["entry_id"] == "bhxh_mot_lan-001"
    assert answers[1]["decision"] == "out_of_scope"
    assert answers[2]["error"]["code"] == "answer_question_too_long" and "decision" not in answers[2]
    assert answers[3]["candidates"][0]["entry_id"] == "bhtn-001"
    assert logged(bank) == 0


def _questions(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return str(path)


def test_kb_eval_measures_without_logging(bank, run_cli, tmp_path):
    base = {"lang": "vi", "topic": "bhtn", "notes": "…"}
    path = _questions(
        tmp_path / "eval.jsonl",
        [
            base | {"id": "q1", "question": "tro cap that nghiep moi thang bao nhieu", "style": "unaccented",
                    "expected_keys": ["74/2025/QH15#39", "38/2013/QH13#50"], "expected": "answer"},
            base | {"id": "q2", "question": "Khi nào được rút bảo hiểm xã hội một lần?", "style": "accented",
                    "expected_keys": ["41/2024/QH15#70"], "expected": "answer"},
            base | {"id": "q3", "question": "kiểm tra giúp tôi mã số 4812345678", "style": "accented",
                    "expected_keys": [], "expected": "handover"},
            base | {"id": "q4", "question": "thủ tục sang tên sổ đỏ", "style": "accented",
                    "expected_keys": [], "expected": "out_of_scope"},
        ],
    )  # fmt: skip
    result = run_cli("kb", "eval", path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    overall = report["overall"]
    assert (overall["questions"], overall["answerable"]) == (4, 2)
    assert (overall["hit_at_1"], overall["hit_at_3"], overall["mrr"], overall["decision_accuracy"]) == (
        1,
        1,
        1,
        1,
    )
    assert set(report["by_style"]) == {"accented", "unaccented"} and set(report["by_lang"]) == {"vi"}
    assert [r["id"] for r in report["rows"]] == ["q1", "q2", "q3", "q4"]
    assert report["rows"][0]["rank"] == 1 and report["rows"][2]["decision"] == "handover"
    assert report["latency_ms"]["p95"] >= report["latency_ms"]["p50"] >= 0

    shown = run_cli("kb", "eval", path)
    assert shown.exit_code == 0, shown.output
    for text in ("Hit@1", "Hit@3", "MRR", "Tất cả", "kiểu unaccented", "ngôn ngữ vi", "100.0%", "p95"):
        assert text in shown.stdout, text
    assert logged(bank) == 0


def test_kb_eval_reports_bad_lines(bank, run_cli, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "q1", "question": "bhxh", "expected": "answer"}\n{oops\n{"id": "q2"}\n', "utf-8")
    result = run_cli("kb", "eval", str(path))
    assert result.exit_code == 1
    assert "dòng 2" in result.output and "dòng 3" in result.output and "answer_eval_invalid" in result.output
    missing = run_cli("kb", "eval", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 1 and "answer_eval_not_found" in missing.output
