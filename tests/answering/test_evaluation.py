"""Evaluation metrics on hand-made results (no database)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from vsscare.answering import evaluation
from vsscare.answering.evaluation import EvalQuestion, evaluate, first_rank, percentile
from vsscare.core.errors import AppError


@dataclass
class Cand:
    entry_id: str
    sources: list[str]


@dataclass
class Res:
    decision: str
    candidates: list[Cand] = field(default_factory=list)
    handover_reason: str | None = None
    confidence: float = 0.5
    latency_ms: float = 1.0


def q(id, expected="answer", keys=(), style="accented", lang="vi"):
    return EvalQuestion(id=id, question="câu hỏi", lang=lang, style=style, topic="bhtn",
                        expected_keys=list(keys), expected=expected)  # fmt: skip


A, B, C = Cand("a-1", ["X#1"]), Cand("b-1", ["Y#2", "Z#3"]), Cand("c-1", [])


def test_ranks_count_the_first_candidate_citing_an_expected_key():
    assert first_rank([A, B, C], ["Z#3"]) == 2
    assert first_rank([A, B, C], ["X#1", "Z#3"]) == 1
    assert first_rank([A, B, C], ["W#9"]) is None
    assert first_rank([], ["X#1"]) is None


def test_hit_at_k_mrr_and_balanced_decision_accuracy():
    pairs = [
        (q("1", keys=["X#1"]), Res("answer", [A, B, C], latency_ms=1)),  # rank 1
        (q("2", keys=["Z#3"], style="unaccented"), Res("clarify", [A, B, C], latency_ms=2)),  # rank 2
        (q("3", keys=["W#9"], style="unaccented", lang="en"), Res("handover", [A, B], latency_ms=3)),  # none
        (q("4", expected="handover"), Res("handover", [A], "personal_record", latency_ms=4)),
        (q("5", expected="out_of_scope", lang="en"), Res("answer", [A], latency_ms=5)),
        (q("6", expected="out_of_scope"), Res("out_of_scope", latency_ms=100)),
        (q("7", expected="answer"), Res("answer", [A])),  # no expected keys: not ranked
    ]
    report = evaluate(pairs)
    overall = report.overall
    assert (overall.questions, overall.answerable) == (7, 3)
    assert overall.hit_at_1 == pytest.approx(1 / 3, abs=1e-4)
    assert overall.hit_at_3 == pytest.approx(2 / 3, abs=1e-4)
    assert overall.mrr == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    # answer: 3 of 4 right (clarify counts), handover 1/1, out of scope 1/2 → mean of the recalls
    assert overall.recall == {"answer": 0.75, "handover": 1.0, "out_of_scope": 0.5}
    assert overall.decision_accuracy == pytest.approx((0.75 + 1 + 0.5) / 3, abs=1e-4)
    assert overall.decisions["answer"] == {"answer": 2, "clarify": 1, "handover": 1}

    assert set(report.by_style) == {"accented", "unaccented"}
    unaccented = report.by_style["unaccented"]
    assert (unaccented.questions, unaccented.hit_at_1, unaccented.hit_at_3, unaccented.mrr) == (
        2,
        0.0,
        0.5,
        0.25,
    )
    assert unaccented.recall == {"answer": 0.5} and unaccented.decision_accuracy == 0.5
    english = report.by_lang["en"]
    assert english.recall == {"answer": 0.0, "out_of_scope": 0.0} and english.hit_at_1 == 0.0
    assert report.by_lang["vi"].decision_accuracy == 1.0

    assert report.latency_ms == {"p50": 3.0, "p95": pytest.approx(71.5)}
    rows = {r.id: r for r in report.rows}
    assert (rows["2"].rank, rows["2"].correct, rows["2"].top) == (2, True, ["a-1", "b-1", "c-1"])
    assert (rows["5"].correct, rows["3"].rank) == (False, None)
    data = report.as_dict()
    assert json.loads(json.dumps(data))["rows"][0]["id"] == "1"
    assert "rows" not in report.as_dict(with_rows=False)


def test_groups_without_ranked_questions_have_no_retrieval_metrics():
    report = evaluate([(q("1", expected="out_of_scope"), Res("out_of_scope"))])
    assert (report.overall.hit_at_1, report.overall.mrr, report.overall.decision_accuracy) == (
        None,
        None,
        1.0,
    )
    assert evaluate([]).latency_ms == {"p50": None, "p95": None}


def test_percentiles_interpolate():
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_reading_a_file_reports_every_bad_line(tmp_path):
    good = {"id": "d1", "question": "bhxh 1 lan", "lang": "vi", "style": "abbreviated", "topic": "other",
            "expected_keys": ["41/2024/QH15#70"], "expected": "answer", "notes": "ignored"}  # fmt: skip
    path = tmp_path / "dev.jsonl"
    path.write_text(
        json.dumps(good) + "\n\n" + json.dumps(good | {"id": "d2", "question": " a\x00b "}) + "\n"
    )
    read = evaluation.read_questions(path)
    assert [x.id for x in read] == ["d1", "d2"] and read[1].question == "ab"

    lines = [
        json.dumps(good),
        "{not json",
        json.dumps(good | {"id": "d2", "expected": "maybe"}),
        json.dumps(good),  # duplicate id
        json.dumps({k: v for k, v in good.items() if k != "question"}),
        json.dumps(good | {"id": "d5", "question": "\x00 "}),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(AppError) as caught:
        evaluation.read_questions(path)
    error = caught.value
    assert error.code == "answer_eval_invalid" and error.details["count"] == 6
    assert [(p["line"], p["field"]) for p in error.details["errors"]] == [
        (2, "-"), (3, "expected"), (4, "id"), (5, "question"), (6, "question"), (7, "-"),
    ]  # fmt: skip
    assert "dòng/line 2" in error.message

    with pytest.raises(AppError) as caught:
        evaluation.read_questions(tmp_path / "missing.jsonl")
    assert caught.value.code == "answer_eval_not_found"
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(AppError) as caught:
        evaluation.read_questions(tmp_path / "empty.jsonl")
    assert caught.value.code == "answer_eval_invalid"
