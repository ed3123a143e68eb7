"""The retrieval index: BM25 over the live Q&A entries and over the statute articles.

Three lexical fields of the entries share one tokeniser (:func:`normalize.tokens`):

* questions — each entry's question and phrasings (how citizens ask);
* answers — the short and full answer (what the entry says; stripped words and word pairs only:
  in long texts the accented forms add postings, not precision);
* english — the English question (twice) and answers of entries that have them;

and one over the statute articles (title and text). They are :class:`~.postings.Postings`, so
that :func:`updated` brings an index up to date with the bank by appending the entries
published since and masking those replaced or withdrawn, in milliseconds at any size, and
prunes their postings segment by segment (:func:`pruned`). :func:`build` streams the live entries in
batches; the statute part is rebuilt only when the legal corpus changes.

Answer texts are kept compressed (``zlib``): the engine needs them for one entry per question,
and 50,000 of them in plain strings would weigh more than the whole index.
"""

from __future__ import annotations

import ctypes
import json
import math
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice, pairwise
from typing import Any

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from vsscare.answering.normalize import tokens
from vsscare.answering.postings import Postings
from vsscare.answering.spelling import Speller
from vsscare.knowledge.legal_status import document_status, today_vn
from vsscare.knowledge.models import KbEntry, KbEntryBasis, KbEntryVersion, LegalArticle

BATCH = 4096  # entries tokenised into one segment
PRUNE_AT = 0.2  # share of masked positions from which a segment is rewritten without them
MERGE_BELOW = 200_000  # postings: smaller segments (left by updates) are merged when pruning

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


_TEXTS = ("question", "phrasings", "short_answer", "full_answer", "question_en", "short_answer_en",
          "full_answer_en")  # fmt: skip


@lru_cache(maxsize=256)
def _unpack(blob: bytes) -> tuple[Any, ...]:
    return tuple(json.loads(zlib.decompress(blob)))


class _Text:
    """One of an entry's texts, read from its compressed blob (the last few stay decompressed)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.at = _TEXTS.index(name)

    def __get__(self, doc: Doc, owner: type | None = None) -> Any:
        return _unpack(doc.blob)[self.at]


@dataclass(frozen=True, slots=True)
class Doc:
    """A live entry as the engine serves it (its texts compressed until asked for)."""

    entry_id: int
    version: int  # the published version indexed
    code: str
    topic: str
    legal_bases: tuple[str, ...]
    blob: bytes

    @classmethod
    def of(cls, data: dict[str, Any]) -> Doc:
        texts = [data.get(name) or None for name in _TEXTS]
        texts[1] = list(data.get("phrasings") or [])
        blob = zlib.compress(json.dumps(texts, ensure_ascii=False).encode(), 6)
        bases = tuple(sys.intern(k) for k in data["legal_bases"])
        return cls(data["id"], data["version"], data["code"], sys.intern(data["topic"]), bases, blob)

    question = _Text()
    phrasings = _Text()  # a list
    short_answer = _Text()
    full_answer = _Text()
    question_en = _Text()
    short_answer_en = _Text()
    full_answer_en = _Text()


@dataclass(frozen=True)
class ArticleDoc:
    key: str
    title: str
    in_force: bool


@dataclass(frozen=True)
class Articles:
    """The statute part of the index: rebuilt only when the legal corpus changes."""

    docs: list[ArticleDoc]
    lexical: Postings
    position: dict[str, int]
    words: frozenset[str]  # every plain word of the statutes: real words, never "typos"


@dataclass(frozen=True)
class Index:
    """A snapshot: never changed once built (:func:`updated` makes the next one)."""

    docs: list[Doc | None]  # by position; None where the entry was replaced or withdrawn
    live: np.ndarray  # bool by position: still the live version of its entry
    questions: Postings
    answers: Postings
    english: Postings
    statutes: Articles
    # (entry position, article position) for every legal basis: article scores reach entries
    cite_entry: np.ndarray
    cite_article: np.ndarray
    speller: Speller
    positions: dict[int, int] = field(default_factory=dict)  # entry id → position of its live doc

    @property
    def size(self) -> int:
        return len(self.docs)

    @property
    def live_count(self) -> int:
        return len(self.positions)

    @property
    def articles(self) -> list[ArticleDoc]:
        return self.statutes.docs

    @property
    def article_index(self) -> Postings:
        return self.statutes.lexical

    def weight(self, term: str) -> float:
        """Inverse document frequency of a word among entry questions (Vietnamese and English):
        how much a matched word says. A word no question contains weighs most: an unknown
        word is a sign of another topic."""
        df = self.questions.doc_freq(term) + self.english.doc_freq(term)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def nbytes(self) -> int:
        parts = (self.questions, self.answers, self.english, self.statutes.lexical)
        return sum(p.nbytes() for p in parts) + sum(len(d.blob) for d in self.docs if d is not None)


# -- reading the live bank ------------------------------------------------------------------------


def _live_rows(session: Session, ids: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """The live content of every live entry (or of these), in code order, streamed."""
    columns = [KbEntry.id, KbEntry.code, KbEntry.version, KbEntry.published_version, KbEntry.topic]
    columns += [getattr(KbEntry, name) for name in _TEXTS]
    live = KbEntry.published_version.is_not(None)
    chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        where = live if chunk is None else and_(live, KbEntry.id.in_(chunk))
        bases: dict[int, list[str]] = {}
        stmt = select(KbEntryBasis.entry_id, KbEntryBasis.article_key).join(KbEntry).where(where)
        for entry_id, key in session.execute(stmt.order_by(KbEntryBasis.entry_id, KbEntryBasis.position)):
            bases.setdefault(entry_id, []).append(key)
        # An entry being edited is served at its published version: its snapshot.
        older = select(KbEntryVersion.entry_id, KbEntryVersion.snapshot).join(
            KbEntry,
            and_(KbEntryVersion.entry_id == KbEntry.id, KbEntryVersion.version == KbEntry.published_version),
        )
        snapshots = dict(
            session.execute(older.where(where, KbEntry.version != KbEntry.published_version)).all()
        )
        rows = session.execute(select(*columns).where(where).order_by(KbEntry.code)).yield_per(1000)
        for row in rows.mappings():
            data = dict(snapshots.get(row["id"]) or row)
            if row["id"] not in snapshots:
                data["legal_bases"] = bases.get(row["id"], [])
            data.update(id=row["id"], code=row["code"], version=row["published_version"])
            yield data


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None


def _give_back_memory() -> None:
    """Return the heap's freed pages to the system. Tokenising thousands of entries frees
    hundreds of megabytes of small strings that glibc would otherwise keep for the process."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _question_tokens(data: dict[str, Any]) -> list[str]:
    return tokens(" \n ".join([data["question"], *(data.get("phrasings") or [])]))


def _answer_tokens(data: dict[str, Any]) -> list[str]:
    return tokens(f"{data['short_answer']} \n {data['full_answer']}", accented=False)


def _english_text(data: dict[str, Any]) -> str:
    # The question twice: it says what the entry is about more than the answers do.
    question = data.get("question_en")
    parts = (question, question, data.get("short_answer_en"), data.get("full_answer_en"))
    return " ".join(p for p in parts if p)


# -- building and updating ------------------------------------------------------------------------


def build_articles(session: Session) -> Articles:
    today = today_vn()
    rows = list(session.scalars(select(LegalArticle).options(joinedload(LegalArticle.document))))
    docs = [ArticleDoc(a.key, a.title or "", document_status(a.document, today).in_force) for a in rows]
    vocabulary: set[str] = set()

    def corpus(articles: list[LegalArticle]) -> Iterator[list[str]]:  # one article's tokens at a time
        for article in articles:
            terms = tokens(f"{article.title or ''} \n {article.text}")
            vocabulary.update(t for t in terms if "_" not in t and t[0] != "~")
            yield terms

    lexical = Postings().added(corpus(rows))
    del rows
    _give_back_memory()
    return Articles(docs, lexical, {d.key: i for i, d in enumerate(docs)}, frozenset(vocabulary))


def _speller(questions: Postings, answers: Postings, statutes: Articles) -> Speller:
    counts: dict[str, int] = {}
    for postings in (questions, answers):
        for term, i in postings.vocab.items():
            if i < postings.df.size and "_" not in term and term[0] != "~":
                counts[term] = counts.get(term, 0) + int(postings.df[i])
    return Speller(counts, known=statutes.words)


def _new_words(now: Postings, before: Postings) -> bool:
    """Whether ``now`` has words (not word pairs) that ``before`` had not: new ids come last."""
    return any("_" not in t and t[0] != "~" for t in islice(now.vocab, len(before.df), None))


def _empty(statutes: Articles) -> Index:
    none = np.zeros(0, np.int64)
    return Index([], np.zeros(0, bool), Postings(), Postings(), Postings(), statutes, none, none, Speller(()))


def _with(index: Index, rows: Iterable[dict[str, Any]]) -> Index:
    """``index`` with these entries appended (one segment per batch)."""
    docs = list(index.docs)
    questions, answers, english = index.questions, index.answers, index.english
    for batch in _batches(rows, BATCH):
        questions = questions.added(_question_tokens(d) for d in batch)
        answers = answers.added(_answer_tokens(d) for d in batch)
        english = english.added(english_tokens(_english_text(d)) for d in batch)
        docs += [Doc.of(d) for d in batch]
        del batch
        _give_back_memory()
    if len(docs) == index.size:
        return index
    statutes = index.statutes
    added = docs[index.size :]
    pairs = [(index.size + i, statutes.position[k]) for i, d in enumerate(added)
             for k in d.legal_bases if k in statutes.position]  # fmt: skip
    positions = dict(index.positions)
    positions.update((d.entry_id, index.size + i) for i, d in enumerate(added))
    grew = _new_words(questions, index.questions) or _new_words(answers, index.answers)
    return replace(
        index,
        docs=docs,
        live=np.concatenate([index.live, np.ones(len(added), bool)]),
        questions=questions,
        answers=answers,
        english=english,
        cite_entry=np.concatenate([index.cite_entry, np.array([e for e, _ in pairs], np.int64)]),
        cite_article=np.concatenate([index.cite_article, np.array([a for _, a in pairs], np.int64)]),
        speller=_speller(questions, answers, statutes) if grew or not index.docs else index.speller,
        positions=positions,
    )


def build(session: Session, articles: Articles | None = None) -> Index:
    """The whole index; pass ``articles`` to reuse a statute part still current."""
    return _with(_empty(articles or build_articles(session)), _live_rows(session))


def pruned(index: Index) -> Index:
    """The index without the postings of masked entries, in the segments where they are a fifth
    or more of the positions (and small segments merged). Positions stay: a masked position is a
    hole (no text, no postings) until the next full build."""
    masked = ~index.live

    def prune(postings: Postings) -> Postings:
        return postings.pruned(masked, share=PRUNE_AT, merge_below=MERGE_BELOW)

    return replace(
        index, questions=prune(index.questions), answers=prune(index.answers), english=prune(index.english)
    )


def updated(index: Index, session: Session) -> Index:
    """``index`` brought up to date with the bank: entries published since appended, those
    replaced or withdrawn masked (and pruned, see :func:`pruned`)."""
    live_now = dict(session.execute(select(KbEntry.id, KbEntry.published_version).where(
        KbEntry.published_version.is_not(None))).all())  # fmt: skip
    current = {d.entry_id: d.version for d in (index.docs[p] for p in index.positions.values())}
    changed = sorted(i for i, v in live_now.items() if current.get(i) != v)
    gone = [index.positions[i] for i, v in current.items() if live_now.get(i) != v]
    if not changed and not gone:
        return index
    live = index.live.copy()
    live[gone] = False
    docs = list(index.docs)
    for p in gone:
        docs[p] = None  # its text is never shown again
    cited = live[index.cite_entry]
    index = replace(
        index,
        docs=docs,
        live=live,
        positions={i: p for i, p in index.positions.items() if live[p]},
        cite_entry=index.cite_entry[cited],
        cite_article=index.cite_article[cited],
    )
    return pruned(_with(index, _live_rows(session, changed)))


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
