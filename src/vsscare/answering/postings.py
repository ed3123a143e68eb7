"""BM25 over postings that grow by segments.

A field of the index (entry questions, entry answers, statute articles…) is a :class:`Postings`:
a vocabulary and segments, each a compressed sparse column matrix (term → the positions of the
documents containing it, with the term's BM25 weight in each) built from one batch of documents.

* BM25 as Lucene scores it (k1 = 1.2, b = 0.75): a posting keeps the term's length-normalised
  frequency; the idf is applied when a question is asked. Adding documents appends a segment and
  leaves the others as they are, so a publication reaches the index in milliseconds at any size.
* A document replaced or withdrawn keeps its position (and, as in Lucene, still counts in the
  statistics); the caller masks it, and :meth:`Postings.pruned` drops its postings later.
* A posting costs five bytes (int32 position, the weight in one byte, as Lucene keeps its
  length norms); a term in a fifth of a segment's documents is a dense row instead. Documents
  are tokenised one batch at a time, so building 50,000 entries never holds all their tokens.

Every method returns a new :class:`Postings` and never changes one in use: a thread answering
from a snapshot is not disturbed by the next one being built. The vocabulary is shared between
snapshots and only grows; a snapshot ignores term ids newer than itself.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

K1, B = 1.2, 0.75
_MAX_TF = 255
# A term in a fifth or more of a segment's documents is kept as a dense row over the segment's
# positions: smaller than its postings (1 byte a position against 5 a posting), and scored by
# one matrix product instead of a scatter. Such terms ("bảo hiểm", "được") make most of the
# postings a question touches.
DENSE_SHARE = 5
SCALE = 255  # weights in (0, 1) are kept as round(weight · 255)
DENSE_MIN_SPAN = 256
_NO_TERMS = np.zeros(0, np.int32)
_NO_ROWS = np.zeros((0, 0), np.uint8)


@dataclass(frozen=True, slots=True)
class Segment:
    terms: np.ndarray  # int32 term ids with postings, ascending
    indptr: np.ndarray  # int64, len(terms) + 1: the postings of terms[i] are [indptr[i], indptr[i + 1])
    docs: np.ndarray  # int32 document positions, ascending within a term
    values: np.ndarray  # uint8 BM25 term weights tf / (tf + norm) · SCALE
    lo: int  # the positions the segment covers: lo … hi - 1
    hi: int
    dense_terms: np.ndarray = field(default_factory=lambda: _NO_TERMS)  # int32, ascending
    dense: np.ndarray = field(default_factory=lambda: _NO_ROWS)  # uint8, a row per dense term over lo … hi

    @property
    def postings(self) -> int:
        return int(self.docs.size + np.count_nonzero(self.dense))

    def nbytes(self) -> int:
        arrays = (self.terms, self.indptr, self.docs, self.values, self.dense_terms, self.dense)
        return sum(a.nbytes for a in arrays)

    def triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every posting as parallel arrays (term, position, value), dense rows included."""
        terms = np.repeat(self.terms, np.diff(self.indptr))
        rows, columns = np.nonzero(self.dense)
        return (
            np.concatenate([terms, self.dense_terms[rows]]),
            np.concatenate([self.docs, (columns + self.lo).astype(np.int32)]),
            np.concatenate([self.values, self.dense[rows, columns]]),
        )


def _segment(terms: np.ndarray, docs: np.ndarray, values: np.ndarray) -> Segment:
    """A segment from parallel arrays of postings in document order, frequent terms as dense rows."""
    order = np.argsort(terms, kind="stable")  # stable: positions stay ascending within a term
    terms, docs, values = terms[order], docs[order].astype(np.int32), values[order]
    present, starts = np.unique(terms, return_index=True)
    counts = np.diff(np.append(starts, terms.size))
    lo, hi = int(docs.min()), int(docs.max()) + 1
    heavy = counts * DENSE_SHARE >= hi - lo
    if hi - lo < DENSE_MIN_SPAN or not heavy.any():
        indptr = np.append(0, np.cumsum(counts)).astype(np.int64)
        return Segment(present.astype(np.int32), indptr, docs, values, lo, hi)
    dense = np.zeros((int(heavy.sum()), hi - lo), np.uint8)
    for row, i in enumerate(np.flatnonzero(heavy).tolist()):
        start = starts[i]
        dense[row, docs[start : start + counts[i]] - lo] = values[start : start + counts[i]]
    light = ~np.repeat(heavy, counts)
    indptr = np.append(0, np.cumsum(counts[~heavy])).astype(np.int64)
    return Segment(
        present[~heavy].astype(np.int32),
        indptr,
        docs[light],
        values[light],
        lo,
        hi,
        present[heavy].astype(np.int32),
        dense,
    )


@dataclass(frozen=True)
class Postings:
    vocab: dict[str, int] = field(default_factory=dict)
    df: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # by term id
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # tokens, by position
    segments: tuple[Segment, ...] = ()
    # The mean length BM25 normalises by, fixed by the first documents added: those added later
    # are weighed by the same measure instead of rewriting the existing segments.
    mean_length: float = 0.0
    # By position: its postings were pruned (it was masked, and its segment rewritten).
    dropped: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def size(self) -> int:
        """Document positions, including those of replaced documents."""
        return int(self.lengths.size)

    @property
    def postings(self) -> int:
        return sum(s.postings for s in self.segments)

    def nbytes(self) -> int:
        return self.df.nbytes + self.lengths.nbytes + sum(s.nbytes() for s in self.segments)

    # -- building -------------------------------------------------------------------------------

    def added(self, corpus: Iterable[Sequence[str]]) -> Postings:
        """These postings with one more segment: ``corpus`` (token lists) at the next positions."""
        vocab = self.vocab
        terms, freqs, sizes, lengths = array("i"), array("I"), array("i"), array("f")
        for tokens in corpus:
            counts = Counter(tokens)
            if not counts.keys() <= vocab.keys():
                for new in set(counts).difference(vocab):  # (keys() - keys() walks the vocabulary)
                    vocab[new] = len(vocab)
            terms.extend(map(vocab.__getitem__, counts))
            freqs.extend(counts.values())
            sizes.append(len(counts))
            lengths.append(len(tokens))
        if not lengths:
            return self
        new_lengths = np.frombuffer(lengths, np.float32)
        mean = self.mean_length or max(float(new_lengths.mean()), 1.0)
        t = np.frombuffer(terms, dtype=np.int32)
        local = np.repeat(np.arange(len(sizes), dtype=np.int32), np.frombuffer(sizes, np.int32))
        df = np.zeros(len(vocab), np.int32)
        df[: self.df.size] = self.df
        df += np.bincount(t, minlength=len(vocab)).astype(np.int32)
        segments = self.segments
        if t.size:
            # BM25's term weight tf / (tf + k1 · (1 − b + b · length / mean)), kept in a byte.
            tf = np.minimum(np.frombuffer(freqs, np.uint32), _MAX_TF).astype(np.float32)
            norm = (K1 * (1 - B + B * new_lengths / mean)).astype(np.float32)
            weights = np.maximum(np.rint(tf / (tf + norm[local]) * SCALE), 1).astype(np.uint8)
            segments = (*segments, _segment(t, local + self.size, weights))
        return replace(
            self,
            df=df,
            lengths=np.concatenate([self.lengths, new_lengths]),
            dropped=np.concatenate([self.dropped, np.zeros(new_lengths.size, bool)]),
            segments=segments,
            mean_length=mean,
        )

    def pruned(self, masked: np.ndarray, *, share: float, merge_below: int) -> Postings:
        """Without the postings of ``masked`` positions, in the segments where these are at least
        ``share`` of the positions covered; segments of fewer than ``merge_below`` postings (left
        by updates) are merged into one. Positions stay as they are, and at most one large segment
        is rewritten per call (the most masked), so pruning never holds a second copy of the index."""
        pending = masked & ~self.dropped
        kept: list[Segment] = []
        small: list[Segment] = []
        jobs: list[list[Segment]] = []
        worst, worst_share = None, share
        for seg in self.segments:
            if seg.postings < merge_below:
                small.append(seg)
                continue
            seg_share = np.count_nonzero(pending[seg.lo : seg.hi]) / (seg.hi - seg.lo)
            if seg_share >= worst_share:
                if worst is not None:
                    kept.append(worst)
                worst, worst_share = seg, seg_share
            else:
                kept.append(seg)
        if worst is not None:
            jobs.append([worst])
        if len(small) > 1 or any(pending[s.lo : s.hi].any() for s in small):
            jobs.append(small)
        else:
            kept += small
        if not jobs:
            return self
        df, dropped = self.df, self.dropped.copy()
        for job in jobs:  # one segment, or the small ones merged
            parts = []
            for seg in job:
                terms, docs, values = seg.triples()
                dead = pending[docs]
                df = df - np.bincount(terms[dead], minlength=df.size).astype(np.int32)
                parts.append((terms[~dead], docs[~dead], values[~dead]))
                dropped[seg.lo : seg.hi] |= pending[seg.lo : seg.hi]
            terms, docs, values = (np.concatenate(p) for p in zip(*parts, strict=True))
            if terms.size:
                kept.append(_segment(*_in_document_order(terms, docs, values)))
        return replace(self, df=df, dropped=dropped, segments=tuple(sorted(kept, key=lambda s: s.lo)))

    # -- scoring --------------------------------------------------------------------------------

    def doc_freq(self, term: str) -> int:
        i = self.vocab.get(term)
        return int(self.df[i]) if i is not None and i < self.df.size else 0

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every position for the query (a repeated term counts again)."""
        size = self.size
        scores = np.zeros(size, np.float32)
        wanted = Counter(i for i in map(self.vocab.get, query) if i is not None and i < self.df.size)
        if not wanted or not size:
            return scores
        ids = np.fromiter(wanted, np.int32, len(wanted))
        df = self.df[ids].astype(np.float32)
        idf = np.log1p((size - df + 0.5) / (df + 0.5)) * np.fromiter(wanted.values(), np.float32, len(wanted))
        idf /= SCALE  # weights are kept scaled to a byte
        for seg in self.segments:
            if seg.terms.size:
                at = np.minimum(np.searchsorted(seg.terms, ids), seg.terms.size - 1)
                hit = np.flatnonzero(seg.terms[at] == ids)
                if hit.size:
                    starts, ends = seg.indptr[at[hit]].tolist(), seg.indptr[at[hit] + 1].tolist()
                    docs = np.concatenate([seg.docs[a:b] for a, b in zip(starts, ends, strict=True)])
                    values = np.concatenate([seg.values[a:b] for a, b in zip(starts, ends, strict=True)])
                    weights = np.repeat(idf[hit], np.subtract(ends, starts))
                    np.add.at(scores, docs, np.multiply(values, weights, dtype=np.float32))
            if seg.dense_terms.size:
                at = np.minimum(np.searchsorted(seg.dense_terms, ids), seg.dense_terms.size - 1)
                hit = np.flatnonzero(seg.dense_terms[at] == ids)
                if hit.size:
                    rows = seg.dense[at[hit]].astype(np.float32)
                    scores[seg.lo : seg.lo + rows.shape[1]] += idf[hit] @ rows
        return scores


def _in_document_order(terms: np.ndarray, docs: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, ...]:
    # The stable sort by term that follows then keeps positions ascending within a term.
    order = np.argsort(docs, kind="stable")
    return terms[order], docs[order], values[order]
