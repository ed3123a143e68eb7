"""Answer one question: normalise, detect language and intent, retrieve, fuse, decide.

Decision order (first that applies):

1. ``handover`` / ``personal_record`` — the question carries an identifier (10-digit SI code,
   12-digit CCCD, an HI card number) or asks about the person's own records (``intents.yaml``);
2. ``handover`` / ``complaint`` — the person's own grievance;
3. ``out_of_scope`` — no insurance word and nothing in the bank fits;
4. ``answer`` when confident, else ``clarify`` (chat channels: the top 3 are offered) or
   ``handover`` / ``low_confidence`` (voice, e-mail: a person answers).

Retrieval fuses, per entry, the BM25 score of its question and phrasings, of its answers, and of
the articles it cites (each list scaled to its best score). Confidence combines how much of the
question the best entry's own question covers with the margin over the runner-up; thresholds
are module constants, calibrated on evaluation data (see the README).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from vsscare.answering.index import Doc, Index, english_tokens
from vsscare.answering.normalize import expand, has_diacritics, tokens, words
from vsscare.core.text import fold
from vsscare.customers.selfservice import detect as self_service_kind

MAX_CHARS = 1000  # longer questions are cut: nobody asks more in one message
CHAT_CHANNELS = frozenset({"web", "chat", "zalo", "facebook", "portal", "api"})
W_QUESTION, W_ANSWER, W_ARTICLE = 1.0, 0.35, 0.3
ANSWER_AT = 0.45  # confidence from which the best entry is given as the answer
CLARIFY_AT = 0.20  # below: handover (or out of scope without insurance words)
OUT_OF_SCOPE_BELOW = 0.55  # no insurance word and confidence below this: out of scope

_SI_CODE = re.compile(r"(?<!\d)\d{10}(?!\d)")
_CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")
_HI_CARD = re.compile(r"\b[A-Za-z]{2}\d{13}\b")
_EN_HINTS = frozenset(
    [
        "the",
        "is",
        "are",
        "my",
        "i",
        "what",
        "how",
        "can",
        "do",
        "does",
        "to",
        "for",
        "of",
        "in",
        "insurance",
        "social",
        "health",
        "pension",
        "you",
        "your",
        "have",
        "get",
        "when",
        "where",
        "which",
        "who",
        "will",
        "would",
        "should",
        "with",
        "a",
        "an",
        "it",
    ]
)
_VI_HINTS = frozenset(
    [
        "co",
        "khong",
        "duoc",
        "la",
        "toi",
        "thi",
        "bao",
        "nhieu",
        "khi",
        "nao",
        "cua",
        "em",
        "minh",
        "bhxh",
        "bhyt",
        "bhtn",
        "dong",
        "huong",
        "nghi",
        "viec",
        "lam",
        "thang",
        "nam",
        "tien",
        "cho",
        "nguoi",
        "va",
        "voi",
        "o",
        "de",
        "sao",
        "gi",
        "ko",
        "dc",
    ]
)
_EN_PHRASE_WORD = re.compile(r"[a-z0-9'-]+")
_FOLLOW_UP = re.compile(r"^(?:the |vay |con |the con |vay con |what about |and |how about )")


@cache
def glossary() -> tuple[tuple[str, str], ...]:
    """English phrase → Vietnamese terms, longest phrases first."""
    text = resources.files("vsscare.answering").joinpath("glossary_en.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return tuple(sorted(((str(k).lower(), str(v)) for k, v in data.items()), key=lambda kv: -len(kv[0])))


def translate(text: str) -> str:
    """The Vietnamese terms of the English phrases in ``text`` (for searching the Vietnamese bank)."""
    rest = " " + " ".join(_EN_PHRASE_WORD.findall(text.lower())) + " "
    found = []
    for phrase, terms in glossary():
        if f" {phrase} " in rest:
            found.append(terms)
            rest = rest.replace(f" {phrase} ", " | ")
    return " ".join(found)


@cache
def intents() -> dict[str, tuple[str, ...]]:
    text = resources.files("vsscare.answering").joinpath("intents.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {name: tuple(fold(p) for p in phrases) for name, phrases in data.items()}


def _padded(folded: str) -> str:
    """The words of ``folded`` between single spaces, so phrases match whole words only."""
    return f" {' '.join(words(folded))} "


def _has_phrase(padded: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {p} " in padded for p in phrases)


def detect_language(text: str) -> str:
    """``vi`` or ``en``: diacritics mean Vietnamese; otherwise count the common words of each."""
    if has_diacritics(text):
        return "vi"
    found = words(text.lower())
    english = sum(w in _EN_HINTS for w in found)
    vietnamese = sum(w in _VI_HINTS for w in found)
    return "en" if english > vietnamese else "vi"


@dataclass
class Candidate:
    entry_id: str
    question: str
    score: float
    sources: list[str]


@dataclass
class Source:
    key: str
    title: str
    in_force: bool


@dataclass
class Result:
    decision: str
    answer: dict[str, Any] | None
    sources: list[Source]
    confidence: float
    topic: str | None
    candidates: list[Candidate]
    handover_reason: str | None
    lang: str
    latency_ms: float
    note: str | None = None
    self_service: str | None = None  # with personal_record: the lookup a verified person may run
    normalized: str = field(default="", repr=False)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("normalized")
        return data


class Engine:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._articles = {a.key: a for a in index.articles}
        self._masked = np.flatnonzero(~index.live)  # positions of replaced or withdrawn entries

    # -- retrieval ------------------------------------------------------------------------------

    def _fused(self, query: list[str], lang: str, english: list[str]) -> np.ndarray:
        """One score per entry: questions, answers and cited articles, each scaled to its best."""
        idx = self.index
        q = idx.questions.scores(query)
        a = idx.answers.scores(query)
        q[self._masked] = a[self._masked] = 0.0  # replaced entries must not set the scale either
        art = idx.article_index.scores(query)
        fused = W_QUESTION * _scaled(q) + W_ANSWER * _scaled(a)
        if idx.cite_entry.size and art.size and art.max() > 0:
            # Each entry gets the best score among the articles it cites (vectorised: 50k entries).
            cited = np.zeros(idx.size, dtype=np.float32)
            np.maximum.at(cited, idx.cite_entry, _scaled(art)[idx.cite_article].astype(np.float32))
            fused = fused + W_ARTICLE * cited
        if lang == "en" and english:
            en = idx.english.scores(english)
            fused = fused + 1.2 * _scaled(en)
        fused[self._masked] = 0.0
        return fused

    def _coverage(
        self, query: list[str], doc: int, english: list[str], lang: str, repaired: set[str] = frozenset()
    ) -> float:
        """How much of the question (by word weight) the entry's question and phrasings contain;
        a word matched only after typo repair counts half: the guess may be wrong."""
        d = self.index.docs[doc]
        if lang == "en" and english and d.question_en:
            have = set(english_tokens(d.question_en + " " + (d.short_answer_en or "")))
            wanted = [t for t in english if "_" not in t]
        else:
            have = set(tokens(" ".join([d.question, *d.phrasings])))
            wanted = [t for t in query if "_" not in t and not t.startswith("~")]
        weights = [self.index.weight(t) for t in dict.fromkeys(wanted)]
        total = sum(weights)
        if not total:
            return 0.0
        matched = sum(
            w * (0.5 if t in repaired else 1.0)
            for t, w in zip(dict.fromkeys(wanted), weights, strict=True)
            if t in have
        )
        return matched / total

    def _repair(self, expanded: str) -> tuple[str, set[str]]:
        """Typos replaced by the bank's nearest words; returns the text and the replacements."""
        speller = self.index.speller
        out, repaired = [], set()
        for word in expanded.split():
            plain = fold(word)
            fixed = speller.correct(plain)
            if fixed != plain:
                repaired.add(fixed)
            out.append(word if fixed == plain else fixed)
        return " ".join(out), repaired

    # -- the decision ---------------------------------------------------------------------------

    def answer(
        self,
        question: str,
        *,
        channel: str = "api",
        lang: str | None = None,
        previous: str | None = None,
    ) -> Result:
        began = time.perf_counter()
        text = question[:MAX_CHARS]
        lang = lang if lang in ("vi", "en") else detect_language(text)
        typed = expand(text)
        folded = fold(typed)  # intents are read from what was typed, typos and all
        repaired_text, repaired = self._repair(typed)
        query = tokens(repaired_text, expanded=True)
        if lang == "en":
            query = tokens(translate(text))
        context = folded  # what decides whether the question is about insurance at all
        if previous and _FOLLOW_UP.match(folded) and len(words(folded)) <= 8:
            # "còn bhyt thì sao": the follow-up borrows the previous question's words, its own
            # words counting three times so that what changed ("bhyt") leads.
            query = tokens(previous[:MAX_CHARS]) + query * 3
            context = f"{fold(expand(previous[:MAX_CHARS]))} {folded}"
        english = english_tokens(text) if lang == "en" else []
        candidates: list[Candidate] = []
        confidence = 0.0
        best: Doc | None = None
        if self.index.live_count and (query or english):
            fused = self._fused(query, lang, english)
            order = _top(fused, 3)
            top = [int(i) for i in order if fused[i] > 0]
            for i in top:
                d = self.index.docs[i]
                shown = d.question_en if lang == "en" and d.question_en else d.question
                candidates.append(Candidate(d.code, shown, round(float(fused[i]), 4), list(d.legal_bases)))
            if top:
                best = self.index.docs[top[0]]
                coverage = self._coverage(query, top[0], english, lang, repaired)
                runner = float(fused[top[1]]) if len(top) > 1 else 0.0
                margin = (float(fused[top[0]]) - runner) / max(float(fused[top[0]]), 1e-9)
                confidence = round(min(1.0, 0.75 * coverage + 0.25 * margin), 3)

        def done(decision: str, reason: str | None = None, give: Doc | None = None) -> Result:
            return self._result(decision, reason, give, best, candidates, confidence, lang, began, folded)

        intent = intents()
        typed_words = _padded(folded)
        if _has_phrase(typed_words, intent["smalltalk"]):
            return done("out_of_scope", "smalltalk")
        if _SI_CODE.search(text) or _CCCD.search(text) or _HI_CARD.search(text):
            return done("handover", "personal_record")
        if _has_phrase(typed_words, intent["personal"]):
            return done("handover", "personal_record")
        own_record = _has_phrase(typed_words, intent["own"]) and _has_phrase(typed_words, intent["status"])
        if own_record and self_service_kind(folded):
            return done("handover", "personal_record")
        if _has_phrase(typed_words, intent["complaint"]):
            return done("handover", "complaint")
        in_domain = _has_phrase(typed_words if context is folded else _padded(context), intent["domain"])
        if not _meaningful(query, english) or (not in_domain and confidence < OUT_OF_SCOPE_BELOW):
            return done("out_of_scope")
        if best is not None and confidence >= ANSWER_AT:
            return done("answer", give=best)
        if best is not None and confidence >= CLARIFY_AT and channel in CHAT_CHANNELS and len(candidates) > 1:
            return done("clarify")
        return done("handover", "low_confidence")

    def _result(
        self,
        decision: str,
        reason: str | None,
        give: Doc | None,
        best: Doc | None,
        candidates: list[Candidate],
        confidence: float,
        lang: str,
        began: float,
        folded: str,
    ) -> Result:
        answer = None
        note = None
        keys: list[str] = []
        if give is not None:
            english = lang == "en" and give.short_answer_en
            answer = {
                "short": give.short_answer_en if english else give.short_answer,
                "full": give.full_answer_en if english else give.full_answer,
                "entry_id": give.code,
            }
            if lang == "en" and not english:
                note = "This answer is only available in Vietnamese."
            keys = list(give.legal_bases)
        elif decision == "clarify" and best is not None:
            keys = list(best.legal_bases)
        sources = [
            Source(k, self._articles[k].title, self._articles[k].in_force)
            for k in keys
            if k in self._articles
        ]
        return Result(
            decision=decision,
            answer=answer,
            sources=sources,
            confidence=confidence,
            topic=best.topic if best is not None and decision != "out_of_scope" else None,
            candidates=candidates,
            handover_reason=reason,
            lang=lang,
            latency_ms=round((time.perf_counter() - began) * 1000, 2),
            note=note,
            self_service=self_service_kind(folded) if reason == "personal_record" else None,
            normalized=folded,
        )


def _meaningful(query: list[str], english: list[str]) -> bool:
    """Some word of two letters or more beyond function words: "' OR 1=1 --" asks nothing."""
    return any(len(t) >= 2 and t.isalpha() for t in query + english if "_" not in t and not t.startswith("~"))


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` best scores, best first (argpartition: 50k entries stay cheap)."""
    if scores.size <= k:
        return [int(i) for i in np.argsort(-scores, kind="stable")]
    part = np.argpartition(-scores, k)[:k]
    return [int(i) for i in part[np.argsort(-scores[part], kind="stable")]]


def _scaled(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores
