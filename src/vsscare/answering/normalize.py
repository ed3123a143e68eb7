"""Vietnamese question text for retrieval: NFC, one tone placement, abbreviations expanded,
syllables in two forms (accented and stripped) and syllable bigrams.

Citizens type "e dong bhxh dc 4 thang thi sinh co dc huong ts ko": the abbreviations list
(``abbreviations.yaml``, data) turns it into "em đóng bảo hiểm xã hội được 4 tháng thì sinh có
được hưởng thai sản không"; retrieval then matches the stripped form of every word, and the
accented form where the citizen typed accents, so an accented question ranks more precisely.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

import yaml

from vsscare.core.text import fold, normalize

_WORD = re.compile(r"[0-9a-zà-ỹđ%]+", re.IGNORECASE)
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


def expand_words(text: str) -> list[str]:
    """The words of ``text`` in lower case, modern tone placement, abbreviations replaced
    (recognised without diacritics; two-word abbreviations first)."""
    table = abbreviations()
    found = words(normalize(text))
    plain = [_fold_word(w) for w in found]
    out: list[str] = []
    i = 0
    while i < len(found):
        pair = f"{plain[i]} {plain[i + 1]}" if i + 1 < len(found) else None
        if pair in table:
            out += table[pair].split()
            i += 2
        elif plain[i] in table:
            out += table[plain[i]].split()
            i += 1
        else:
            out.append(found[i])
            i += 1
    return out


def expand(text: str) -> str:
    """:func:`expand_words` as one string."""
    return " ".join(expand_words(text))


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    # Vietnamese has a few thousand syllables: folding each once makes indexing ten times faster.
    return fold(word)


def words(text: str) -> list[str]:
    """Lower-case words (syllables) of already expanded text."""
    return _WORD.findall(text.lower())


def has_diacritics(text: str) -> bool:
    return bool(_VIETNAMESE_LETTER.search(text.lower()))


def tokens(text: str, *, expanded: bool = False) -> list[str]:
    """Index terms of ``text``: stripped syllables, stripped bigrams (``bao_hiem``) and, for
    syllables typed with diacritics, the accented syllable (``~hiểm``). Stopwords are dropped as
    unigrams but kept inside bigrams, where they carry word order ("được hưởng", "không có")."""
    syllables = words(text) if expanded else expand_words(text)
    plain = [_fold_word(s) for s in syllables]
    terms = [p for p in plain if p not in STOPWORDS]
    terms += [f"{a}_{b}" for a, b in pairwise(plain)]
    terms += [f"~{s}" for s, p in zip(syllables, plain, strict=True) if s != p and p not in STOPWORDS]
    return terms
