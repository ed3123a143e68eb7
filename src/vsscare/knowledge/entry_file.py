"""Reading a Q&A bank: ``data/knowledge/*.jsonl``, one entry per line (the shipped format), or an
Excel workbook (``.xlsx``, see :mod:`vsscare.knowledge.entry_xlsx`), one entry per row.

Every line of every file is checked before anything is written: JSON, the exact set of fields,
status, topic, audiences, non-empty answers, short answers of at most 300 characters, English
given as a whole, dates, duplicate ids across the files, and legal bases that exist in the legal
corpus already imported. Every problem is collected as (file, line, field, reason) and one
:class:`AppError` lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.core.errors import AppError
from vsscare.knowledge import errors
from vsscare.knowledge.content import CODE_PATTERN, ENGLISH, EntryContent, Status, explain

__all__ = ["ENGLISH", "FIELDS", "BankLine", "EntryRecord", "Problem", "dump_line", "read_bank"]
from vsscare.knowledge.models import LegalArticle

MAX_PROBLEMS = 200  # listed in the error; the count covers all


class EntryRecord(EntryContent):
    """One line of a bank file; the field names are the file's."""

    id: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    status: Status
    version: int = Field(ge=1)

    @model_validator(mode="after")
    def _published(self) -> EntryRecord:
        if self.status == "published" and not self.legal_bases:
            raise ValueError("hỏi đáp đã công bố cần căn cứ pháp lý / a published entry needs legal_bases")
        return self

    def as_file_dict(self) -> dict[str, Any]:
        """The line as the file holds it (dates as ISO strings, "" for no English)."""
        data = self.model_dump(mode="json")
        return {f: data[f] for f in FIELDS} | {f: data[f] or "" for f in ENGLISH}


FIELDS = (
    "id", "status", "topic", "audiences", "question", "phrasings", "short_answer", "full_answer",
    "question_en", "short_answer_en", "full_answer_en", "legal_bases", "effective_from", "effective_to",
    "next_review_at", "version",
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.field}: {self.reason}"


@dataclass(frozen=True)
class BankLine:
    file: str
    line: int
    record: EntryRecord


def bank_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files named (``.xlsx`` read as a workbook, anything else as JSONL), a directory standing
    for its ``*.jsonl`` in name order."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found = sorted(item.glob("*.jsonl"))
            if not found:
                raise AppError(errors.BANK_NOT_FOUND, details={"file": str(item)}, file=str(item))
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise AppError(errors.BANK_NOT_FOUND, details={"file": str(item)}, file=str(item))
    return files


def _raw_bases(line: str) -> list[str]:
    """The legal bases of a line that failed validation, so they are checked too."""
    try:
        data = json.loads(line)
    except ValueError:
        return []
    bases = data.get("legal_bases") if isinstance(data, dict) else None
    return [b for b in bases if isinstance(b, str)] if isinstance(bases, list) else []


def _parse_xlsx(
    path: Path, problems: list[Problem], cited: list[tuple[str, int, list[str]]]
) -> list[BankLine]:
    from vsscare.knowledge.entry_xlsx import read_xlsx  # openpyxl is slow to import; only needed here

    name = str(path)
    try:
        rows, found = read_xlsx(path)
    except OSError as exc:
        raise AppError(errors.BANK_NOT_FOUND, details={"file": name, "reason": str(exc)}, file=name) from exc
    problems += [Problem(name, number, field, reason) for number, field, reason in found]
    lines = []
    for row in rows:
        try:
            record = EntryRecord.model_validate(row.data)
        except ValidationError as exc:
            problems += [Problem(name, row.row, field, reason) for field, reason in explain(exc)]
            cited.append((name, row.row, row.data["legal_bases"]))
            continue
        lines.append(BankLine(name, row.row, record))
        cited.append((name, row.row, record.legal_bases))
    return lines


def _parse_file(
    path: Path, problems: list[Problem], cited: list[tuple[str, int, list[str]]]
) -> list[BankLine]:
    if path.suffix.lower() == ".xlsx":
        return _parse_xlsx(path, problems, cited)
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise AppError(errors.BANK_NOT_FOUND, details={"file": name, "reason": str(exc)}, file=name) from exc
    except UnicodeDecodeError:
        problems.append(Problem(name, 1, "-", "không phải UTF-8 / not UTF-8"))
        return []
    lines = []
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = EntryRecord.model_validate_json(line)
        except ValidationError as exc:
            problems += [Problem(name, number, field, reason) for field, reason in explain(exc)]
            cited.append((name, number, _raw_bases(line)))
            continue
        lines.append(BankLine(name, number, record))
        cited.append((name, number, record.legal_bases))
    return lines


def _known_articles(session: Session, keys: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(session.scalars(select(LegalArticle.key).where(LegalArticle.key.in_(chunk))))
    return found


def read_bank(session: Session, paths: str | Path | Iterable[str | Path]) -> list[BankLine]:
    """The validated lines of every file; raises one error listing every problem."""
    files = bank_files(paths)
    problems: list[Problem] = []
    lines: list[BankLine] = []
    cited: list[tuple[str, int, list[str]]] = []  # (file, line, keys) of every line, valid or not
    for path in files:
        lines += _parse_file(path, problems, cited)
    seen: dict[str, BankLine] = {}
    for item in lines:
        first = seen.setdefault(item.record.id, item)
        if first is not item:
            reason = f"id trùng với {first.file}:{first.line} / duplicate id (also {first.file}:{first.line})"
            problems.append(Problem(item.file, item.line, "id", reason))
    known = _known_articles(session, {k for _file, _line, keys in cited for k in keys})
    for name, number, keys in cited:
        for key in keys:
            if key not in known:
                reason = f"{key} không có trong kho văn bản pháp luật / is not in the legal corpus"
                problems.append(Problem(name, number, "legal_bases", reason))
    if not problems and not lines:
        problems.append(Problem(str(files[0]) if files else "-", 1, "-", "không có hỏi đáp nào / no entries"))
    if problems:
        problems.sort(key=lambda p: (p.file, p.line))
        raise AppError(
            errors.BANK_INVALID,
            details={"count": len(problems), "errors": [p.as_dict() for p in problems[:MAX_PROBLEMS]]},
            count=len(problems),
            first=str(problems[0]),
        )
    return lines


def dump_line(record: dict[str, Any]) -> str:
    """One line of a bank file, fields in the file's order."""
    return json.dumps({f: record[f] for f in FIELDS}, ensure_ascii=False)
