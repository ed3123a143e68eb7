"""Typo repair: one edit away from the bank's words, real words left alone."""

from __future__ import annotations

from vsscare.answering.spelling import Speller

speller = Speller(
    ["that", "nghiep", "nghiep", "luong", "huong", "huong", "thai", "san", "tuat"], known=["vang", "chao"]
)


def test_one_edit_away_is_repaired_to_the_most_frequent_word():
    assert speller.correct("nghiwp") == "nghiep"  # substitution
    assert speller.correct("nghiepp") == "nghiep"  # insertion
    assert speller.correct("ngiep") == "nghiep"  # deletion
    assert speller.correct("huongg") == "huong"


def test_known_short_and_numeric_words_stay_as_typed():
    assert speller.correct("luong") == "luong"
    assert speller.correct("vang") == "vang"  # a real word the bank does not use
    assert speller.correct("thaat") == "that"
    assert speller.correct("lna") == "lna"  # too short to guess
    assert speller.correct("2025") == "2025"
    assert speller.correct("xyzzyq") == "xyzzyq"  # nothing near
