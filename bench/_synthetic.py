"""Synthetic live Q&A entries for the answering benchmark, made from the shipped bank.

Every entry recombines, within one topic, the first part of one real question with the end of
another, real phrasings likewise (unaccented ones stay unaccented), sentences of real short and
full answers up to a length drawn from the real ones, numbers seen in the bank and the names of
the 34 provinces. It cites 1–3 real article keys, mostly ones the topic's real entries cite. The
same seed gives the same entries.

Rows go straight into ``kb_entries`` and ``kb_entry_bases`` with Core bulk inserts, published
(``version = published_version = 1``), not through the workflow actions.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from vsscare.core.db import utcnow
from vsscare.core.paths import DATA_DIR
from vsscare.core.text import fold
from vsscare.knowledge.models import KbEntry, KbEntryBasis, LegalArticle

_NUMBER = re.compile(r"\d+")
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+")
_PROVINCE_PREFIX = "Bảo hiểm xã hội "
_FALLBACK_PROVINCES = ("thành phố Hà Nội", "thành phố Hồ Chí Minh", "thành phố Đà Nẵng", "tỉnh Nghệ An")


def bank_rows(directory: Path = DATA_DIR / "knowledge") -> list[dict[str, Any]]:
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return rows


def provinces() -> list[str]:
    path = DATA_DIR / "orgunits.yaml"
    if not path.is_file():
        return list(_FALLBACK_PROVINCES)
    units = (yaml.safe_load(path.read_text("utf-8")) or {}).get("units", [])
    names = [u["name"].removeprefix(_PROVINCE_PREFIX) for u in units if u.get("kind") == "province"]
    return names or list(_FALLBACK_PROVINCES)


@dataclass
class _Topic:
    questions: list[list[str]] = field(default_factory=list)
    phrasings: list[list[str]] = field(default_factory=list)
    short: list[str] = field(default_factory=list)  # sentences
    full: list[str] = field(default_factory=list)  # lines (Markdown list items, paragraphs)
    full_lengths: list[int] = field(default_factory=list)
    short_lengths: list[int] = field(default_factory=list)
    phrasing_counts: list[int] = field(default_factory=list)
    audiences: list[list[str]] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    english: list[tuple[str, str, str]] = field(default_factory=list)


class Generator:
    def __init__(self, rows: list[dict[str, Any]], article_keys: list[str], seed: int = 20250) -> None:
        self.rng = random.Random(seed)
        self.article_keys = sorted(article_keys)
        known = set(article_keys)
        self.topics: dict[str, _Topic] = defaultdict(_Topic)
        numbers: set[str] = set()
        for row in rows:
            t = self.topics[row["topic"]]
            t.questions.append(row["question"].rstrip("?").split())
            t.phrasings += [p.split() for p in row["phrasings"]]
            t.phrasing_counts.append(len(row["phrasings"]))
            t.short += [s for s in _SENTENCE.split(row["short_answer"]) if s]
            t.full += [line for line in row["full_answer"].splitlines() if line.strip()]
            t.full_lengths.append(len(row["full_answer"]))
            t.short_lengths.append(len(row["short_answer"]))
            t.audiences.append(row["audiences"])
            t.bases += [k for k in row["legal_bases"] if k in known]
            if row.get("question_en"):
                t.english.append(
                    (row["question_en"], row["short_answer_en"] or "", row["full_answer_en"] or "")
                )
            numbers.update(_NUMBER.findall(row["question"] + " " + " ".join(row["phrasings"])))
        self.numbers = sorted(numbers, key=lambda n: (len(n), n))
        self.english_share = sum(bool(r.get("question_en")) for r in rows) / max(len(rows), 1)
        self.weights = [len(self.topics[name].questions) for name in sorted(self.topics)]
        self.names = sorted(self.topics)
        self.provinces = provinces()

    # -- pieces ---------------------------------------------------------------------------------

    def _numbers(self, text: str) -> str:
        return _NUMBER.sub(lambda m: self.rng.choice(self.numbers) if self.rng.random() < 0.5 else m[0], text)

    def _splice(self, pool: list[list[str]]) -> list[str]:
        a, b = self.rng.choice(pool), self.rng.choice(pool)
        cut_a = self.rng.randint(max(1, len(a) // 3), max(1, (2 * len(a)) // 3))
        cut_b = self.rng.randint(max(1, len(b) // 3), max(1, (2 * len(b)) // 3))
        return a[:cut_a] + b[cut_b:]

    def _place(self, words: list[str], accented: bool) -> list[str]:
        if self.rng.random() >= 0.3:
            return words
        place = f"{self.rng.choice(('ở', 'tại'))} {self.rng.choice(self.provinces)}"
        place = place if accented else fold(place)
        at = self.rng.randint(len(words) // 2, len(words))
        return [*words[:at], *place.split(), *words[at:]]

    def _fill(self, pool: list[str], target: int, sep: str) -> str:
        parts: list[str] = []
        size = 0
        while size < target:
            part = self.rng.choice(pool)
            parts.append(part)
            size += len(part) + len(sep)
        return sep.join(parts)

    # -- one entry ------------------------------------------------------------------------------

    def entry(self, number: int) -> tuple[dict[str, Any], list[str]]:
        rng = self.rng
        name = rng.choices(self.names, weights=self.weights)[0]
        t = self.topics[name]
        question = self._numbers(" ".join(self._place(self._splice(t.questions), True))) + "?"
        question = question[0].upper() + question[1:]
        phrasings = []
        for _ in range(max(1, rng.choice(t.phrasing_counts))):
            words = self._splice(t.phrasings)
            accented = fold(" ".join(words)) != " ".join(words).lower()
            phrasings.append(self._numbers(" ".join(self._place(words, accented))))
        short = self._fill(t.short, rng.choice(t.short_lengths) * 0.8, " ")[:300]
        full = self._fill(t.full, rng.choice(t.full_lengths) * 0.9, "\n")
        english = rng.choice(t.english) if t.english and rng.random() < self.english_share else None
        if english:
            other = rng.choice(t.english)[0].rstrip("?").split()
            words = english[0].rstrip("?").split()
            english = (" ".join(words[: len(words) // 2] + other[len(other) // 2 :]) + "?", *english[1:])
        count = rng.choice((1, 2, 2, 3, 3, 3))
        keys: list[str] = []
        while len(keys) < count:
            pool = t.bases if t.bases and rng.random() < 0.8 else self.article_keys
            key = rng.choice(pool)
            if key not in keys:
                keys.append(key)
        now = utcnow()
        row = {
            "code": f"syn-{number:06d}",
            "status": "published",
            "topic": name,
            "audiences": rng.choice(t.audiences),
            "question": question,
            "phrasings": phrasings,
            "short_answer": short,
            "full_answer": full,
            "question_en": english[0] if english else None,
            "short_answer_en": english[1] if english else None,
            "full_answer_en": english[2] if english else None,
            "version": 1,
            "published_version": 1,
            "approved_by": "system",
            "updated_by": "system",
            "needs_review": False,
            "search_text": fold("\n".join([question, *phrasings, short])),
            "created_at": now,
            "updated_at": now,
        }
        return row, keys


def insert_synthetic(session: Session, count: int, *, seed: int = 20250, chunk: int = 5000) -> int:
    """Add ``count`` synthetic live entries; returns how many were inserted."""
    keys = list(session.scalars(select(LegalArticle.key)))
    generator = Generator(bank_rows(), keys, seed)
    next_id = (session.scalar(select(func.max(KbEntry.id))) or 0) + 1
    for start in range(0, count, chunk):
        entries, bases = [], []
        for number in range(start, min(start + chunk, count)):
            row, cited = generator.entry(number)
            row["id"] = next_id
            entries.append(row)
            bases += [{"entry_id": next_id, "article_key": k, "position": p} for p, k in enumerate(cited)]
            next_id += 1
        session.execute(insert(KbEntry.__table__), entries)
        session.execute(insert(KbEntryBasis.__table__), bases)
    return count
