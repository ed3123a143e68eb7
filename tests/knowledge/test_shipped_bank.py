"""The Q&A bank shipped in data/knowledge/*.jsonl: every entry well-formed and grounded in law in force."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import date
from functools import cache

from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.core.text import fold

BANK = DATA_DIR / "knowledge"
TOPICS = {
    "bhxh_bat_buoc",
    "bhxh_tu_nguyen",
    "om_dau_thai_san",
    "tai_nan_ld_bnn",
    "huu_tri",
    "bhxh_mot_lan",
    "tu_tuat",
    "bhtn",
    "bhyt",
    "so_the",
    "dich_vu_cong",
    "thu_no_dong",
    "khieu_nai",
    "other",
}
AUDIENCES = {
    "employee",
    "employer",
    "voluntary_participant",
    "pensioner",
    "student",
    "foreigner",
    "household",
    "beneficiary",
    "overseas_vietnamese",
    "farmer",
    "self_employed",
    "public_servant",
    "family",
    "all",
}
FIELDS = {
    "id",
    "status",
    "topic",
    "audiences",
    "question",
    "phrasings",
    "short_answer",
    "full_answer",
    "question_en",
    "short_answer_en",
    "full_answer_en",
    "legal_bases",
    "effective_from",
    "effective_to",
    "next_review_at",
    "version",
}
ABBREVIATIONS = re.compile(
    r"\b(bhxh|bhyt|bhtn|kcb|cccd|cmnd|tnld|bnn|ko|k|kh|dc|đc|j|ntn|sđt|sdt|mst|nld|nsdld|cty|tg|ng|dk|đk|"
    r"vs|hs|sn|bn|vssid|tt|nv|dn|hđld|hdld)\b"
)


@cache
def corpus() -> dict[str, dict]:
    path = legal_corpus()
    assert path is not None, "the legal corpus (../shared/data/legal/articles.jsonl) is needed"
    return {a["key"]: a for a in map(json.loads, path.read_text("utf-8").splitlines())}


def in_force(article: dict, today: date) -> bool:
    effective = article.get("effective")
    return article.get("superseded_by") is None and (
        effective is None or date.fromisoformat(effective) <= today
    )


def entries() -> list[tuple[str, int, dict]]:
    found = []
    for path in sorted(BANK.glob("*.jsonl")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                found.append((path.name, number, json.loads(line)))
    return found


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def check(entry: dict, today: date) -> list[str]:
    problems = []
    missing = FIELDS - entry.keys()
    extra = entry.keys() - FIELDS
    if missing or extra:
        problems.append(f"fields missing {sorted(missing)} / unknown {sorted(extra)}")
        return problems
    if entry["status"] != "published" or entry["version"] != 1:
        problems.append("shipped entries are published, version 1")
    if entry["topic"] not in TOPICS:
        problems.append(f"unknown topic {entry['topic']}")
    if not entry["audiences"] or set(entry["audiences"]) - AUDIENCES:
        problems.append(f"audiences must be from {sorted(AUDIENCES)}")
    for field in ("question", "short_answer", "full_answer"):
        value = entry[field]
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{field} is empty")
        elif unicodedata.normalize("NFC", value) != value:
            problems.append(f"{field} is not NFC")
    if len(entry["short_answer"]) > 300:
        problems.append(f"short_answer has {len(entry['short_answer'])} > 300 characters")
    phrasings = entry["phrasings"]
    if len(phrasings) < 3 or len(set(phrasings)) != len(phrasings):
        problems.append("at least 3 distinct phrasings")
    if not any(not has_diacritics(p) for p in phrasings):
        problems.append("one phrasing without diacritics")
    if not any(ABBREVIATIONS.search(fold(p)) for p in phrasings):
        problems.append("one abbreviated phrasing (bhxh, bhyt, ko, dc, j, ntn, …)")
    english = [entry[f] for f in ("question_en", "short_answer_en", "full_answer_en")]
    if any(english) and not all(english):
        problems.append("English question, short and full answer go together")
    if entry["short_answer_en"] and len(entry["short_answer_en"]) > 300:
        problems.append("short_answer_en over 300 characters")
    if not entry["legal_bases"]:
        problems.append("no legal basis")
    for key in entry["legal_bases"]:
        article = corpus().get(key)
        if article is None:
            problems.append(f"legal basis {key} is not in the corpus")
        elif not in_force(article, today):
            problems.append(f"legal basis {key} is not in force")
    for field in ("effective_from", "effective_to", "next_review_at"):
        if entry[field] is not None:
            date.fromisoformat(entry[field])
    if entry["next_review_at"] is None or date.fromisoformat(entry["next_review_at"]) <= today:
        problems.append("next_review_at must be a future date")
    return problems


def test_every_shipped_entry_is_well_formed_and_grounded():
    today = date.today()
    found = entries()
    assert found, "no shipped Q&A entries"
    ids = Counter(e["id"] for _f, _n, e in found)
    problems = [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    questions = Counter(fold(e["question"]) for _f, _n, e in found)
    problems += [f"duplicate question {q!r}" for q, n in questions.items() if n > 1]
    for name, number, entry in found:
        problems += [f"{name}:{number} {entry.get('id')}: {p}" for p in check(entry, today)]
    assert not problems, "\n".join(problems)


def test_bank_covers_every_topic_and_the_practical_questions():
    found = [e for _f, _n, e in entries()]
    assert len(found) >= 300
    per_topic = Counter(e["topic"] for e in found)
    assert set(per_topic) == TOPICS
    assert min(per_topic.values()) >= 12, per_topic
    assert sum(1 for e in found if e["question_en"]) >= 80
    text = " ".join(fold(e["question"] + " " + e["full_answer"]) for e in found)
    for needle in ("vssid", "cong dich vu cong quoc gia", "i-van", "1900 9068", "nop ho so"):
        assert needle in text, needle
