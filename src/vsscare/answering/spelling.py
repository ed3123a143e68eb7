"""Typo repair for question words, against the vocabulary of the live bank.

Citizens type fast on phones: "thaat nghiep", "bhxh mot lna", "tro cpa". A word the bank never
uses is replaced by the bank's most frequent word within one edit of it (symmetric delete
lookup: every word and every one-letter deletion of it point to the word), so typos cost one
dictionary look-up per unknown word. Words of fewer than four letters and numbers stay as typed:
short syllables are too close to each other to guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

MIN_LENGTH = 4


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    def __init__(self, words: Iterable[str] | Mapping[str, int], known: Iterable[str] = ()) -> None:
        """``words``: the vocabulary typos are repaired to (words, or word → how often it is
        used); ``known``: more real words to leave alone."""
        counts = Counter(words)  # a mapping's counts are taken as they are
        self.counts: Counter[str] = Counter({w: n for w, n in counts.items() if w.isalpha()})
        self.known = frozenset(known)
        self._keys: dict[str, str] = {}
        for word, _count in self.counts.most_common():  # the most frequent word keeps a key
            for key in (word, *_deletes(word)):
                self._keys.setdefault(key, word)

    def correct(self, word: str) -> str:
        """``word`` (folded) if known or not worth guessing, else its nearest known word."""
        if word in self.counts or word in self.known or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        found = [self._keys[k] for k in (word, *_deletes(word)) if k in self._keys]
        # "lna" → "lan": a deletion of the typed word matches a deletion of a known word.
        if not found:
            return word
        return max(found, key=lambda w: self.counts[w])
