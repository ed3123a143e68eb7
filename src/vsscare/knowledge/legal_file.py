"""Reading a legal corpus file (``articles.jsonl``, one article per line; see the corpus README).

Every line is checked before anything is written: malformed JSON, missing or invalid fields, a key
that is not ``doc_number#article``, duplicate keys, and document metadata that differs between the
lines of one document. All problems are reported together, each with its line number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vsscare.core.errors import AppError
from vsscare.knowledge import errors
from vsscare.knowledge.schemas import ArticleRecord

# progress(phase, done, total); phases: "check" (lines read), "write" (articles written).
Progress = Callable[[str, int, int], None]
REPORT_EVERY = 500  # lines between progress reports
MAX_PROBLEMS = 200  # listed in the error; the count covers all
_DOC_FIELDS = ("doc_type", "doc_title", "issued", "effective", "superseded_by")  # file names


@dataclass
class Problem:
    line: int
    message: str
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        return f"dòng/line {self.line}" + (f" ({self.key})" if self.key else "") + f": {self.message}"


def _key_of(line: str) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


def _explain(exc: ValidationError) -> list[str]:
    reasons = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        if error["type"] == "json_invalid":
            reasons.append(f"JSON không hợp lệ / invalid JSON: {error['ctx'].get('error', '')}")
        elif error["type"] == "missing":
            reasons.append(f"thiếu trường {where} / missing field {where}")
        elif error["type"] == "model_type":
            reasons.append("mỗi dòng phải là một đối tượng JSON / each line must be a JSON object")
        else:
            message = error["msg"].removeprefix("Value error, ")
            reasons.append(f"{where}: {message}" if where else message)
    return reasons


def parse_lines(lines: list[str], source: str, progress: Progress | None = None) -> list[ArticleRecord]:
    """Validate every line; raise one :class:`AppError` listing each problem with its line number."""
    records: list[ArticleRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    documents: dict[str, tuple[int, tuple]] = {}
    total = len(lines)
    for number, line in enumerate(lines, 1):
        if progress and number % REPORT_EVERY == 0:
            progress("check", number, total)
        if not line.strip():
            continue
        try:
            record = ArticleRecord.model_validate_json(line)
        except ValidationError as exc:
            problems.append(Problem(number, "; ".join(_explain(exc)), _key_of(line)))
            continue
        if record.key in seen:
            message = f"khóa trùng với dòng {seen[record.key]} / duplicate key (also line {seen[record.key]})"
            problems.append(Problem(number, message, record.key))
            continue
        seen[record.key] = number
        meta = (record.doc_type, record.doc_title, record.issued, record.effective, record.superseded_by)
        first = documents.setdefault(record.doc_number, (number, meta))
        if first[1] != meta:
            fields = [f for f, a, b in zip(_DOC_FIELDS, first[1], meta, strict=True) if a != b]
            message = (
                f"thông tin văn bản khác dòng {first[0]} ({', '.join(fields)}) / document metadata differs "
                f"from line {first[0]} ({', '.join(fields)})"
            )
            problems.append(Problem(number, message, record.key))
            continue
        records.append(record)
    if progress:
        progress("check", total, total)
    if not problems and not records:
        problems.append(Problem(1, "tệp không có điều nào / the file has no articles"))
    if problems:
        raise AppError(
            errors.CORPUS_INVALID,
            details={
                "file": source,
                "count": len(problems),
                "errors": [p.as_dict() for p in problems[:MAX_PROBLEMS]],
            },
            file=source,
            count=len(problems),
            first=str(problems[0]),
        )
    return records


def read_corpus(path: str | Path, progress: Progress | None = None) -> tuple[list[ArticleRecord], str]:
    """The validated records of a corpus file and the file's sha256."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        details = {"file": str(path), "reason": str(exc)}
        raise AppError(errors.CORPUS_NOT_FOUND, details=details, file=str(path)) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(raw[: exc.start].count(b"\n") + 1, "không phải UTF-8 / not UTF-8")
        raise AppError(
            errors.CORPUS_INVALID,
            details={"file": str(path), "count": 1, "errors": [problem.as_dict()]},
            file=str(path),
            count=1,
            first=str(problem),
        ) from exc
    # A BOM some editors add would break the first line's JSON.
    records = parse_lines(text.removeprefix("\ufeff").split("\n"), str(path), progress)
    return records, hashlib.sha256(raw).hexdigest()
