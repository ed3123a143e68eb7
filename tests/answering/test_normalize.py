"""Normalisation of citizens' questions: abbreviations, both written forms, masking."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vsscare.answering.masking import mask
from vsscare.answering.normalize import _normalized_words, abbreviations, expand, tokens, words
from vsscare.core.text import fold, normalize

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " 0123456789,.?", max_size=80)


def test_abbreviations_expand_with_or_without_diacritics():
    assert expand("e dong bhxh dc 4 thang thi huong ts ko") == (
        "em dong bảo hiểm xã hội được 4 thang thi huong thai sản không"
    )
    assert expand("Đóng BHXH TN được không?") == "đóng bảo hiểm xã hội tự nguyện được không"
    assert expand("tnlđ và bnn") == expand("tnld va bnn").replace("va", "và")


def test_the_list_is_data_and_every_key_is_folded():
    table = abbreviations()
    assert len(table) > 50
    assert all(key == fold(key) for key in table)


def test_index_terms_hold_both_forms():
    terms = tokens("Trợ cấp thất nghiệp")
    assert {"tro", "cap", "nghiep", "tro_cap", "that_nghiep", "~trợ", "~thất"} <= set(terms)


@given(text)
def test_unaccented_typing_gives_the_same_plain_terms(raw):
    plain = [t for t in tokens(raw) if not t.startswith("~")]
    assert plain == [t for t in tokens(fold(raw)) if not t.startswith("~")]


@given(text)
def test_expanded_text_gives_the_same_terms(raw):
    # The index tokenises raw text, a question is tokenised after expansion (and spelling repair).
    assert tokens(expand(raw), expanded=True) == tokens(raw)


# Old-style tone marks at a word's end, next to what can end a word or not.
pieces = st.sampled_from(
    ["hoà", "Thuỷ", "KHOẺ", "quý", "q", "toà", "hòa", "_", "²", "-", " ", "\u1680", "\u0300", "x"]
)


@given(st.lists(pieces, max_size=12).map("".join))
def test_words_are_normalised_word_by_word_as_in_the_whole_text(raw):
    assert _normalized_words(raw) == words(normalize(raw))


@given(st.text(max_size=200))
def test_masking_leaves_no_identifier(raw):
    masked = mask(raw)
    assert not re.search(r"(?<!\d)\d{10}(?!\d)", masked)
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", masked)


def test_masking_names_what_it_hid():
    assert mask("mã số 4812345678, CCCD 001203004567, thẻ DN4797912345678, a.b@c.vn") == (
        "mã số [mã số], CCCD [CCCD], thẻ [thẻ BHYT], [email]"
    )
