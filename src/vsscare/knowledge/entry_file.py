"""Reading a Q&A bank: ``data/knowledge/*.jsonl``, one entry per line (the shipped format).

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
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.core.errors import AppError
from vsscare.core.text import nfc
from vsscare.knowledge import errors
from vsscare.knowledge.models import LegalArticle

MAX_SHORT = 300
ENGLISH = ("question_en", "short_answer_en", "full_answer_en")
MAX_PROBLEMS = 200  # listed in the error; the count covers all
TOPICS = (
    "bhxh_bat_buoc", "bhxh_tu_nguyen", "om_dau_thai_san", "tai_nan_ld_bnn", "huu_tri", "bhxh_mot_lan",
    "tu_tuat", "bhtn", "bhyt", "so_the", "dich_vu_cong", "thu_no_dong", "khieu_nai", "other",
)  # fmt: skip
AUDIENCES = (
    "employee", "employer", "voluntary_participant", "pensioner", "student", "foreigner", "household",
    "beneficiary", "overseas_vietnamese", "farmer", "self_employed", "public_servant", "family", "all",
)  # fmt: skip
Status = Literal["draft", "in_review", "approved", "published", "retired"]
Topic = Literal[TOPICS]  # type: ignore[valid-type]
Audience = Literal[AUDIENCES]  # type: ignore[valid-type]


class EntryRecord(BaseModel):
    """One line of a bank file; the field names are the file's."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    status: Status
    topic: Topic
    audiences: list[Audience] = Field(min_length=1)
    question: str = Field(min_length=1)
    phrasings: list[str]
    short_answer: str = Field(min_length=1, max_length=MAX_SHORT)
    full_answer: str = Field(min_length=1)
    question_en: str | None
    short_answer_en: str | None = Field(max_length=MAX_SHORT)
    full_answer_en: str | None
    legal_bases: list[str]
    effective_from: date | None
    effective_to: date | None
    next_review_at: date | None
    version: int = Field(ge=1)

    @field_validator("question", "short_answer", "full_answer")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("không được để trống / must not be blank")
        return nfc(value)

    @field_validator("question_en", "short_answer_en", "full_answer_en")
    @classmethod
    def _english(cls, value: str | None) -> str | None:
        """No English: "" in the shipped files, null also accepted; kept as NULL."""
        return nfc(value) if value and value.strip() else None

    @field_validator("phrasings", "legal_bases")
    @classmethod
    def _items(cls, values: list[str]) -> list[str]:
        values = [nfc(v) for v in values]
        if any(not v.strip() for v in values):
            raise ValueError("có mục trống / has a blank item")
        if len(set(values)) != len(values):
            raise ValueError("có mục trùng / has a duplicate item")
        return values

    @model_validator(mode="after")
    def _whole(self) -> EntryRecord:
        english = (self.question_en, self.short_answer_en, self.full_answer_en)
        if any(english) and not all(english):
            raise ValueError("question_en, short_answer_en, full_answer_en phải có đủ cả ba / go together")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to trước effective_from / is before effective_from")
        if self.status == "published" and not self.legal_bases:
            raise ValueError("hỏi đáp đã công bố cần căn cứ pháp lý / a published entry needs legal_bases")
        return self

    def as_file_dict(self) -> dict[str, Any]:
        """The line as the file holds it (dates as ISO strings, "" for no English)."""
        data = self.model_dump(mode="json")
        return data | {f: data[f] or "" for f in ENGLISH}


FIELDS = tuple(EntryRecord.model_fields)


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
    """The files named, a directory standing for its ``*.jsonl`` in name order."""
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


def _explain(exc: ValidationError) -> list[tuple[str, str]]:
    found = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else "-"
        if error["type"] == "json_invalid":
            found.append(("-", f"JSON không hợp lệ / invalid JSON: {error['ctx'].get('error', '')}"))
        elif error["type"] == "missing":
            found.append((where, "thiếu trường / missing field"))
        elif error["type"] == "extra_forbidden":
            found.append((where, "trường không có trong định dạng / unknown field"))
        elif error["type"] == "model_type":
            found.append(("-", "mỗi dòng phải là một đối tượng JSON / each line must be a JSON object"))
        else:
            found.append((where, error["msg"].removeprefix("Value error, ")))
    return found


def _raw_bases(line: str) -> list[str]:
    """The legal bases of a line that failed validation, so they are checked too."""
    try:
        data = json.loads(line)
    except ValueError:
        return []
    bases = data.get("legal_bases") if isinstance(data, dict) else None
    return [b for b in bases if isinstance(b, str)] if isinstance(bases, list) else []


def _parse_file(
    path: Path, problems: list[Problem], cited: list[tuple[str, int, list[str]]]
) -> list[BankLine]:
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
            problems += [Problem(name, number, field, reason) for field, reason in _explain(exc)]
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
