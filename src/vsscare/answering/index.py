"""The retrieval index: BM25 (bm25s) over the live Q&A entries and over the statute articles.

Three lexical indexes share one tokeniser (:func:`normalize.tokens`):

* questions — each entry's question and phrasings (how citizens ask);
* answers — the short and full answer (what the entry says);
* articles — each article's title and text;

and one over the English fields of entries that have them. Everything is built in memory from
the database in one pass; the shipped bank with every statute takes well under a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import bm25s
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from vsscare.answering.normalize import tokens
from vsscare.answering.spelling import Speller
from vsscare.knowledge.entries import entry_dict
from vsscare.knowledge.legal_status import document_status, today_vn
from vsscare.knowledge.models import KbEntry, KbEntryVersion, LegalArticle

_EN_WORD = re.compile(r"[a-z0-9]+")
EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "i",
        "i'm",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "with",
        "at",
        "by",
        "from",
        "this",
        "that",
        "can",
        "could",
        "will",
        "would",
        "should",
        "how",
        "what",
        "when",
        "where",
        "who",
        "which",
        "if",
        "so",
        "as",
        "have",
        "has",
        "had",
        "get",
        "there",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "any",
        "some",
    ]
)


def english_tokens(text: str) -> list[str]:
    """Lower-case English words without stopwords, a plural "s" stripped, plus bigrams."""
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
             for w in _EN_WORD.findall(text.lower())]  # fmt: skip
    kept = [w for w in words if w not in EN_STOP]
    return kept + [f"{a}_{b}" for a, b in pairwise(kept)]


@dataclass(frozen=True)
class Doc:
    """A live entry as the engine serves it."""

    code: str
    topic: str
    question: str
    phrasings: tuple[str, ...]
    short_answer: str
    full_answer: str
    question_en: str | None
    short_answer_en: str | None
    full_answer_en: str | None
    legal_bases: tuple[str, ...]


@dataclass(frozen=True)
class ArticleDoc:
    key: str
    title: str
    in_force: bool


@dataclass
class Lexical:
    """One BM25 index; ``scores`` for a tokenised query, zeros when the index is empty."""

    size: int
    model: bm25s.BM25 | None = None

    @classmethod
    def build(cls, corpus: list[list[str]]) -> Lexical:
        if not corpus:
            return cls(0)
        model = bm25s.BM25(k1=1.2, b=0.75)
        # A document without terms would break the vocabulary: give it one that never matches.
        model.index([doc or ["\x00"] for doc in corpus], show_progress=False)
        return cls(len(corpus), model)

    def scores(self, query: list[str]) -> np.ndarray:
        if self.model is None or not query:
            return np.zeros(self.size, dtype=np.float32)
        return self.model.get_scores(query)


@dataclass
class Index:
    docs: list[Doc]
    articles: list[ArticleDoc]
    questions: Lexical
    answers: Lexical
    english: Lexical
    article_index: Lexical
    # entry position → positions of the articles it cites (for propagating article scores)
    cites: list[list[int]] = field(default_factory=list)
    statutes: Articles | None = None
    # Inverse document frequency of the unigrams of entry questions (Vietnamese and English):
    # how much a matched word says, for the engine's confidence.
    idf: dict[str, float] = field(default_factory=dict)
    speller: Speller = field(default_factory=lambda: Speller(()))

    def weight(self, term: str) -> float:
        """A term no question contains weighs most: an unknown word is a sign of another topic."""
        return self.idf.get(term, self.unknown_weight)

    @property
    def unknown_weight(self) -> float:
        return math.log(1 + (len(self.docs) + 0.5) / 0.5)


def _idf(corpora: list[list[list[str]]], size: int) -> dict[str, float]:
    df: Counter[str] = Counter()
    for corpus in corpora:
        for doc in corpus:
            df.update({t for t in doc if "_" not in t and not t.startswith("~")})
    return {t: math.log(1 + (size - n + 0.5) / (n + 0.5)) for t, n in df.items()}


def _live_docs(session: Session) -> list[Doc]:
    stmt = (
        select(KbEntry)
        .where(KbEntry.published_version.is_not(None))
        .options(selectinload(KbEntry.bases))
        .order_by(KbEntry.code)
    )
    entries = list(session.scalars(stmt))
    older = {e.id: e.published_version for e in entries if e.published_version != e.version}
    snapshots = {}
    if older:
        rows = session.scalars(select(KbEntryVersion).where(KbEntryVersion.entry_id.in_(list(older))))
        snapshots = {v.entry_id: v.snapshot for v in rows if older.get(v.entry_id) == v.version}
    docs = []
    for entry in entries:
        data = snapshots.get(entry.id) or entry_dict(entry)
        docs.append(
            Doc(
                code=entry.code,
                topic=data["topic"],
                question=data["question"],
                phrasings=tuple(data["phrasings"]),
                short_answer=data["short_answer"],
                full_answer=data["full_answer"],
                question_en=data.get("question_en") or None,
                short_answer_en=data.get("short_answer_en") or None,
                full_answer_en=data.get("full_answer_en") or None,
                legal_bases=tuple(data["legal_bases"]),
            )
        )
    return docs


def _english_text(doc: Doc) -> str:
    # The question twice: it says what the entry is about more than the answers do.
    parts = (doc.question_en, doc.question_en, doc.short_answer_en, doc.full_answer_en)
    return " ".join(p for p in parts if p)


@dataclass
class Articles:
    """The statute part of the index: rebuilt only when the legal corpus changes."""

    docs: list[ArticleDoc]
    lexical: Lexical
    position: dict[str, int]
    words: frozenset[str]  # every plain word of the statutes: real words, never "typos"


def build_articles(session: Session) -> Articles:
    today = today_vn()
    rows = list(session.scalars(select(LegalArticle).options(joinedload(LegalArticle.document))))
    docs = [ArticleDoc(a.key, a.title or "", document_status(a.document, today).in_force) for a in rows]
    corpus = [tokens(f"{a.title or ''} \n {a.text}") for a in rows]
    vocabulary = frozenset(t for doc in corpus for t in doc if "_" not in t and t[0] != "~")
    return Articles(docs, Lexical.build(corpus), {d.key: i for i, d in enumerate(docs)}, vocabulary)


def build(session: Session, articles: Articles | None = None) -> Index:
    """The whole index; pass ``articles`` to reuse a statute part still current."""
    articles = articles or build_articles(session)
    docs = _live_docs(session)
    questions = [tokens(" \n ".join([d.question, *d.phrasings])) for d in docs]
    answers = [tokens(d.short_answer + " \n " + d.full_answer) for d in docs]
    english = [english_tokens(_english_text(d)) for d in docs]
    return Index(
        docs=docs,
        articles=articles.docs,
        questions=Lexical.build(questions),
        answers=Lexical.build(answers),
        english=Lexical.build(english),
        article_index=articles.lexical,
        cites=[[articles.position[k] for k in d.legal_bases if k in articles.position] for d in docs],
        statutes=articles,
        idf=_idf([questions, english], len(docs)),
        speller=Speller(
            (t for doc in questions + answers for t in doc if "_" not in t and t[0] != "~"),
            known=articles.words,
        ),
    )


def entries_revision(session: Session) -> tuple:
    """Changes with every publication, edit of a live entry and retirement."""
    row = session.execute(
        select(func.count(), func.max(KbEntry.updated_at)).where(KbEntry.published_version.is_not(None))
    ).one()
    return tuple(row)


def articles_revision(session: Session) -> tuple:
    """Changes with every legal import that changed something, and at midnight (in-force status)."""
    row = session.execute(select(func.count(), func.max(LegalArticle.updated_at))).one()
    return (*row, today_vn())
