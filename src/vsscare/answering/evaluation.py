"""Measuring the engine on labelled questions (``../shared/data/eval/dev.jsonl`` and its format).

Pure functions over (question, result) pairs, so the metrics are tested on hand-made results:

* **Hit@1 / Hit@3** — over questions expected to be answered that name expected articles: one of
  the expected keys is among the legal bases (``sources``) of the top candidate / of any of the
  top three;
* **MRR** — the mean of 1/rank of the first candidate citing an expected key (0 if none does);
* **decision accuracy** — balanced: the mean, over the expected classes present, of the share of
  that class decided correctly (``clarify`` counts as correct for ``answer``: the right entry is
  offered);
* each also by ``style`` and by ``lang``; latency p50/p95 of the engine.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vsscare.answering import errors
from vsscare.answering.schemas import clean_question
from vsscare.core.errors import AppError

Expected = Literal["answer", "handover", "out_of_scope"]
CLASSES: tuple[str, ...] = ("answer", "handover", "out_of_scope")
MAX_PROBLEMS = 200


class EvalQuestion(BaseModel):
    """One line of an evaluation file; unknown fields (``notes`` …) are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64)
    question: str = Field(min_length=1, max_length=4000)
    lang: str = Field("-", max_length=8)
    style: str = Field("-", max_length=40)
    topic: str = Field("-", max_length=40)
    expected_keys: list[str] = Field(default_factory=list)
    expected: Expected


class _Candidate(Protocol):
    entry_id: str
    sources: list[str]


class Answered(Protocol):
    """What evaluation reads of an engine :class:`~vsscare.answering.engine.Result`."""

    decision: str
    handover_reason: str | None
    confidence: float
    latency_ms: float

    @property
    def candidates(self) -> Sequence[_Candidate]: ...


# -- reading the file ---------------------------------------------------------------------------


def read_questions(path: str | Path) -> list[EvalQuestion]:
    """Every line checked; one :class:`AppError` lists each problem with its line number."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AppError(errors.EVAL_NOT_FOUND, details={"file": name, "reason": str(exc)}, file=name) from exc
    problems: list[dict[str, Any]] = []
    questions: list[EvalQuestion] = []
    seen: dict[str, int] = {}

    def problem(line: int, where: str, reason: str) -> None:
        problems.append({"file": name, "line": line, "field": where, "reason": reason})

    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            problem(number, "-", f"JSON không hợp lệ / invalid JSON: {exc}")
            continue
        try:
            question = EvalQuestion.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"]) or "-"
                problem(number, where, error["msg"])
            continue
        try:
            question.question = clean_question(question.question)
        except AppError as exc:
            problem(number, "question", f"{exc.message} / {exc.message_en}")
            continue
        if question.id in seen:
            problem(number, "id", f"trùng với dòng {seen[question.id]} / duplicates line {seen[question.id]}")
            continue
        seen[question.id] = number
        questions.append(question)
    if not problems and not questions:
        problem(0, "-", "tệp không có câu hỏi nào / the file holds no question")
    if problems:
        first = problems[0]
        raise AppError(
            errors.EVAL_INVALID,
            details={"count": len(problems), "errors": problems[:MAX_PROBLEMS]},
            file=name,
            count=len(problems),
            first=f"dòng/line {first['line']} {first['field']}: {first['reason']}",
        )
    return questions


# -- one question ---------------------------------------------------------------------------------


def correct_decision(expected: str, decision: str) -> bool:
    return decision == expected or (expected == "answer" and decision == "clarify")


def first_rank(candidates: Sequence[_Candidate], expected_keys: Iterable[str]) -> int | None:
    """1-based rank of the first candidate citing one of ``expected_keys``; ``None`` if none does."""
    wanted = set(expected_keys)
    for rank, candidate in enumerate(candidates, 1):
        if wanted.intersection(candidate.sources):
            return rank
    return None


@dataclass
class Row:
    id: str
    lang: str
    style: str
    topic: str
    expected: str
    decision: str
    handover_reason: str | None
    correct: bool
    expected_keys: list[str]
    rank: int | None  # of the first candidate citing an expected key
    top: list[str]  # candidate entry ids, best first
    confidence: float
    latency_ms: float

    @property
    def retrieval(self) -> bool:
        """Counted in Hit@k and MRR: expected to be answered, with expected articles."""
        return self.expected == "answer" and bool(self.expected_keys)


def row(question: EvalQuestion, result: Answered) -> Row:
    candidates = list(result.candidates)[:3]
    return Row(
        id=question.id,
        lang=question.lang,
        style=question.style,
        topic=question.topic,
        expected=question.expected,
        decision=result.decision,
        handover_reason=result.handover_reason,
        correct=correct_decision(question.expected, result.decision),
        expected_keys=list(question.expected_keys),
        rank=first_rank(candidates, question.expected_keys),
        top=[c.entry_id for c in candidates],
        confidence=result.confidence,
        latency_ms=result.latency_ms,
    )


# -- metrics --------------------------------------------------------------------------------------


@dataclass
class Metrics:
    questions: int
    answerable: int  # questions counted in Hit@k and MRR
    hit_at_1: float | None
    hit_at_3: float | None
    mrr: float | None
    decision_accuracy: float | None  # balanced over the expected classes present
    recall: dict[str, float] = field(default_factory=dict)  # per expected class
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)  # expected → decision → count


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def metrics(rows: Sequence[Row]) -> Metrics:
    ranked = [r for r in rows if r.retrieval]
    recall: dict[str, float] = {}
    decisions: dict[str, dict[str, int]] = {}
    for name in CLASSES:
        members = [r for r in rows if r.expected == name]
        if members:
            recall[name] = round(sum(r.correct for r in members) / len(members), 4)
            decisions[name] = dict(Counter(r.decision for r in members).most_common())
    return Metrics(
        questions=len(rows),
        answerable=len(ranked),
        hit_at_1=_mean([float(r.rank == 1) for r in ranked]),
        hit_at_3=_mean([float(r.rank is not None and r.rank <= 3) for r in ranked]),
        mrr=_mean([1.0 / r.rank if r.rank else 0.0 for r in ranked]),
        decision_accuracy=_mean(list(recall.values())),
        recall=recall,
        decisions=decisions,
    )


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between the closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * p / 100
    low, high = math.floor(at), math.ceil(at)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (at - low), 2)


@dataclass
class Report:
    overall: Metrics
    by_style: dict[str, Metrics]
    by_lang: dict[str, Metrics]
    latency_ms: dict[str, float | None]
    rows: list[Row]

    def as_dict(self, *, with_rows: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "overall": asdict(self.overall),
            "by_style": {k: asdict(v) for k, v in self.by_style.items()},
            "by_lang": {k: asdict(v) for k, v in self.by_lang.items()},
            "latency_ms": self.latency_ms,
        }
        if with_rows:
            data["rows"] = [asdict(r) for r in self.rows]
        return data


def _grouped(rows: Sequence[Row], key: str) -> dict[str, Metrics]:
    names = sorted({getattr(r, key) for r in rows})
    return {n: metrics([r for r in rows if getattr(r, key) == n]) for n in names}


def evaluate(pairs: Iterable[tuple[EvalQuestion, Answered]]) -> Report:
    rows = [row(q, result) for q, result in pairs]
    latencies = [r.latency_ms for r in rows]
    return Report(
        overall=metrics(rows),
        by_style=_grouped(rows, "style"),
        by_lang=_grouped(rows, "lang"),
        latency_ms={"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        rows=rows,
    )
