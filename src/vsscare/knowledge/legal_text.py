"""Text helpers for the legal corpus (no database): article order, query terms, ranking, snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vsscare.core.text import fold

_ARTICLE = re.compile(r"^(\d+)(.*)$")
_PUNCTUATION = re.compile(r"[,;:!?()\[\]{}\"“”‘’«»…\x00-\x1f\x7f]+|\.(?=\s|$)")  # and control characters

# Short forms callers type, matched as they are *or* spelled out (the statutes spell them out).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "bhxh": ("bao hiem xa hoi",),
    "bhyt": ("bao hiem y te",),
    "bhtn": ("bao hiem that nghiep",),
    "bhtnld": ("bao hiem tai nan lao dong",),
    "tnld": ("tai nan lao dong",),
    "bnn": ("benh nghe nghiep",),
    "kcb": ("kham benh, chua benh", "kham chua benh"),
    "nld": ("nguoi lao dong",),
    "nsdld": ("nguoi su dung lao dong",),
    "hdld": ("hop dong lao dong",),
    "cccd": ("can cuoc cong dan", "can cuoc"),
    "cmnd": ("chung minh nhan dan",),
}


def natural_key(article: str) -> tuple[int, str]:
    """Order of article labels as in the statute: 2 < 10 < 33 < 33a < 33b < 34."""
    match = _ARTICLE.match(article)
    return (int(match.group(1)), match.group(2)) if match else (10**9, article)


def query_terms(q: str) -> list[str]:
    """Folded words of a query, without punctuation or repeats: "Trợ cấp, thất nghiệp?" → 4 words."""
    words = _PUNCTUATION.sub(" ", fold(q)).split()
    return list(dict.fromkeys(words))


def alternatives(term: str) -> tuple[str, ...]:
    """The forms of a term that count as a match (itself, and its spelled-out form)."""
    return (term, *ABBREVIATIONS.get(term, ()))


def phrase(terms: list[str]) -> str:
    """The query as one folded phrase, abbreviations spelled out (for ranking)."""
    return " ".join(ABBREVIATIONS.get(t, (t,))[0] for t in terms)


@dataclass(frozen=True)
class Candidate:
    """What ranking needs to know of one matching article."""

    title: str | None
    phrase_in_text: bool
    in_force: bool


@lru_cache(maxsize=8192)
def _folded(title: str) -> str:
    # Titles repeat from search to search; folding is the costly part of ranking.
    return fold(title)


def score(candidate: Candidate, terms: list[str]) -> int:
    """Current law first, then the whole phrase in the title, then every word in the title, then the
    phrase anywhere in the text. (Callers break ties by the newest document, then statute order.)"""
    points = 60 if candidate.in_force else 0
    if not terms:
        return points
    title = _folded(candidate.title or "")
    if title and phrase(terms) in title:
        points += 100
    in_title = sum(1 for t in terms if any(a in title for a in alternatives(t)))
    points += 40 if in_title == len(terms) else 5 * in_title  # some words only: weaker than the phrase
    if candidate.phrase_in_text:
        points += 20
    return points


def snippet(text: str, terms: list[str], width: int = 220, scan: int = 20_000) -> str:
    """The passage of ``text`` around the first match (the whole phrase if it occurs, else the
    first word found), cut at word boundaries; the heading line is skipped when there is a body.
    Only the first ``scan`` characters are searched, line by line: some articles run to 50 kB."""
    lines = [line.strip() for line in text.splitlines()]  # NFC since the import
    lines = [line for line in (lines[1:] if len(lines) > 1 else lines) if line]
    body = " ".join(lines)
    needles = [phrase(terms), *(a for t in terms for a in alternatives(t))] if terms else []
    start, offset = -1, 0
    for line in lines:
        if offset > scan or not needles:
            break
        folded = fold(line)
        if len(folded) == len(line):  # positions line up (true for Vietnamese text)
            found = next((i for i in (folded.find(n) for n in needles) if i >= 0), -1)
            if found >= 0:
                start = offset + found
                break
        offset += len(line) + 1
    if len(body) <= width:
        return body
    if start < 0:
        return body[:width].rsplit(" ", 1)[0] + " …"
    begin = max(0, start - width // 3)
    if begin:
        begin = body.find(" ", begin) + 1 or begin
    end = begin + width
    piece = body[begin:end]
    if end < len(body):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if begin else "") + piece
