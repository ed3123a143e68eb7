"""Vietnamese question text for retrieval: NFC, one tone placement, abbreviations expanded,
syllables in two forms (accented and stripped) and syllable bigrams.

Citizens type "e dong bhxh dc 4 thang thi sinh co dc huong ts ko": the abbreviations list
(``abbreviations.yaml``, data) turns it into "em đóng bảo hiểm xã hội được 4 tháng thì sinh có
được hưởng thai sản không"; retrieval then matches the stripped form of every word, and the
accented form where the citizen typed accents, so an accented question ranks more precisely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from itertools import compress, count, pairwise
from typing import Generic, TypeVar

import yaml

from vsscare.core.text import fold, nfc, normalize

# Words are found in lower-case text (no IGNORECASE: twice as fast).
_WORD = re.compile(r"[0-9a-zà-ỹđ%]+")
_VIETNAMESE_LETTER = re.compile(r"[à-ỹđ]")
# Function words dropped as unigrams (stripped forms). Kept short on purpose: stripping diacritics
# merges words ("hội"/"hỏi", "thất"/"that", "cần"/"can"), and BM25's IDF already discounts the rest.
STOPWORDS = frozenset(
    [
        "thi",
        "la",
        "cua",
        "va",
        "voi",
        "cho",
        "nay",
        "neu",
        "oi",
        "nhe",
        "ha",
        "ma",
        "co",
        "duoc",
        "khong",
        "toi",
        "em",
        "minh",
        "anh",
        "chi",
        "vay",
        "roi",
        "is",
        "are",
        "am",
        "what",
        "how",
        "the",
        "my",
        "of",
        "for",
        "and",
        "or",
        "it",
        "be",
        "have",
        "has",
        "with",
        "at",
        "as",
        "by",
        "from",
        "this",
        "i",
        "i'm",
        "you",
        "your",
        "does",
        "will",
        "would",
        "should",
        "could",
    ]
)


@cache
def abbreviations() -> dict[str, str]:
    """Lower-case (folded) abbreviation → its accented expansion, longest keys first."""
    text = resources.files("vsscare.answering").joinpath("abbreviations.yaml").read_text("utf-8")
    raw = yaml.safe_load(text) or {}
    table = {fold(str(k)): normalize(str(v)).lower() for k, v in raw.items()}
    return dict(sorted(table.items(), key=lambda item: -len(item[0])))


_T = TypeVar("_T")


class _WordMemo(dict[str, _T], Generic[_T]):
    """``function(word)`` remembered per word, all forgotten when full: Vietnamese has a few
    thousand syllables, but numbers and typos are unbounded. Cheaper per call than ``lru_cache``,
    which counts at tens of millions of words."""

    MAX_WORDS = 50_000

    def __init__(self, function: Callable[[str], _T]) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, word: str) -> _T:
        if len(self) >= self.MAX_WORDS:
            self.clear()
        value = self[word] = self.function(word)
        return value


_plain = _WordMemo(fold)
# Words that normalize() leaves as they are (nearly all), bounded like the memos.
_unchanged_words: set[str] = set()


@cache
def _abbreviation_words() -> tuple[dict[str, tuple[list[str], list[str]]], frozenset[str]]:
    """Each abbreviation's expansion as words and as plain words; the first words of all abbreviations."""
    expansions = {}
    for key, value in abbreviations().items():
        expansion = value.split()
        expansions[key] = (expansion, [fold(w) for w in expansion])
    return expansions, frozenset(key.split(" ")[0] for key in expansions)


def expand_words(text: str) -> list[str]:
    """The words of ``text`` in lower case, modern tone placement, abbreviations replaced
    (recognised without diacritics; two-word abbreviations first)."""
    return _expand(text)[0]


def _expand(text: str) -> tuple[list[str], list[str]]:
    """:func:`expand_words`, and the plain form of each word (which :func:`tokens` needs too)."""
    expansions, first_words = _abbreviation_words()
    found = _normalized_words(text)
    plain = list(map(_plain.__getitem__, found))
    if first_words.isdisjoint(plain):
        return found, plain
    out: list[str] = []
    out_plain: list[str] = []
    done = 0  # found[:done] is already in out, as itself or expanded
    # Only a word that starts an abbreviation can be replaced: visit those, copy the rest in slices.
    for i in compress(count(), map(first_words.__contains__, plain)):
        if i < done:
            continue  # second word of a two-word abbreviation
        pair = f"{plain[i]} {plain[i + 1]}" if i + 1 < len(plain) else None
        if pair in expansions:
            (more, more_plain), end = expansions[pair], i + 2
        elif plain[i] in expansions:
            (more, more_plain), end = expansions[plain[i]], i + 1
        else:
            continue
        out += found[done:i]
        out += more
        out_plain += plain[done:i]
        out_plain += more_plain
        done = end
    out += found[done:]
    out_plain += plain[done:]
    return out, out_plain


def expand(text: str) -> str:
    """:func:`expand_words` as one string."""
    return " ".join(expand_words(text))


def _normalized_words(text: str) -> list[str]:
    """``words(normalize(text))``, normalising the whole text only when that changes one of its
    words (old-style tone marks: a few texts in a hundred). Besides NFC, done here too, normalize()
    moves tone marks, decided within a word, and turns whitespace into spaces, which words() drops
    (U+1680, the one whitespace it keeps, changes its word): a word that normalize() leaves alone
    on its own is left alone in the text too."""
    found = _WORD.findall(nfc(text).lower())
    if not _unchanged_words.issuperset(found):
        new = set(found).difference(_unchanged_words)
        if any(normalize(w) != w for w in new):
            return words(normalize(text))
        if len(_unchanged_words) + len(new) > _WordMemo.MAX_WORDS:
            _unchanged_words.clear()
        _unchanged_words.update(new)
    return found


def words(text: str) -> list[str]:
    """Lower-case words (syllables) of already expanded text."""
    return _WORD.findall(text.lower())


def has_diacritics(text: str) -> bool:
    return bool(_VIETNAMESE_LETTER.search(text.lower()))


def tokens(text: str, *, expanded: bool = False, accented: bool = True) -> list[str]:
    """Index terms of ``text``: stripped syllables, stripped bigrams (``bao_hiem``) and, for
    syllables typed with diacritics (unless ``accented`` is false), the accented syllable
    (``~hiểm``). Stopwords are dropped as unigrams but kept inside bigrams, where they carry word
    order ("được hưởng", "không có")."""
    if expanded:
        syllables = words(text)
        plain = list(map(_plain.__getitem__, syllables))
    else:
        syllables, plain = _expand(text)
    terms = [p for p in plain if p not in STOPWORDS]
    terms += map("_".join, pairwise(plain))
    if accented:
        terms += filter(None, map(_accented.__getitem__, syllables))
    return terms


def _accented_term(syllable: str) -> str:
    """``~syllable`` for a syllable typed with diacritics, "" for other syllables and stopwords."""
    plain = _plain[syllable]
    return f"~{syllable}" if syllable != plain and plain not in STOPWORDS else ""


_accented = _WordMemo(_accented_term)
