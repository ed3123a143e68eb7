"""The index: BM25 postings by segments, and an index kept up to date with the bank."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.knowledge.conftest import APPROVER, EDITOR, HEALTH, UNEMPLOYMENT, content, create
from vsscare.answering import index, postings
from vsscare.answering.engine import Engine
from vsscare.answering.postings import K1, B, Postings
from vsscare.knowledge import actions
from vsscare.knowledge.content import parse_content

CORPUS = [
    ["tro", "cap", "that", "nghiep", "tro_cap", "that_nghiep"],
    ["bao", "hiem", "y", "te", "bao_hiem", "hiem_y", "y_te"],
    ["tro", "cap", "thai", "san", "tro_cap", "thai_san", "tro", "cap"],
    [],
    ["luong", "huu", "bao", "hiem", "xa", "hoi", "luong_huu"],
    ["that", "nghiep", "bao", "hiem", "that_nghiep", "bao_hiem", "bao", "hiem"],
]


def bm25(corpus: list[list[str]], query: list[str], mean: float | None = None) -> np.ndarray:
    """BM25 as Lucene computes it, term by term, for the comparison."""
    n = len(corpus)
    mean = mean or sum(map(len, corpus)) / n
    out = np.zeros(n)
    for term in query:
        df = sum(term in doc for doc in corpus)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, doc in enumerate(corpus):
            tf = doc.count(term)
            out[i] += idf * tf / (tf + K1 * (1 - B + B * len(doc) / mean)) if tf else 0.0
    return out


@pytest.fixture(params=["sparse", "dense"], autouse=True)
def layout(request, monkeypatch):
    """Every test twice: frequent terms as postings, and (as in big segments) as dense rows."""
    monkeypatch.setattr(postings, "DENSE_MIN_SPAN", 10**9 if request.param == "sparse" else 1)
    return request.param


@pytest.mark.parametrize(
    "query", [["tro_cap", "that"], ["bao", "hiem", "bao"], ["khong", "co"], [], ["y_te", "luong"]]
)
def test_scores_are_bm25_whether_built_at_once_or_by_segments(query, layout):
    at_once = Postings().added(CORPUS)
    by_segments = Postings()
    for doc in CORPUS:
        by_segments = by_segments.added([doc])
    assert len(by_segments.segments) == 5  # the empty document adds no postings
    assert bool(at_once.segments[0].dense_terms.size) == (layout == "dense")
    expected = bm25(CORPUS, query)
    np.testing.assert_allclose(at_once.scores(query), expected, rtol=1e-2, atol=1e-6)
    # Added one by one, weighed by the mean length of the first.
    expected = bm25(CORPUS, query, mean=len(CORPUS[0]))
    np.testing.assert_allclose(by_segments.scores(query), expected, rtol=1e-2, atol=1e-6)


def test_a_snapshot_is_not_changed_by_the_next_one():
    first = Postings().added(CORPUS[:3])
    before = first.scores(["bao", "hiem"]).copy()
    second = first.added([["bao", "hiem", "moi"]])
    np.testing.assert_array_equal(first.scores(["bao", "hiem", "moi"]), before)
    assert second.size == 4 and second.scores(["moi"])[3] > 0
    # Added later, weighed by the length measure fixed by the first documents.
    assert second.mean_length == first.mean_length


def test_pruning_drops_masked_postings_and_merges_small_segments():
    postings = Postings()
    for doc in CORPUS:
        postings = postings.added([doc])
    masked = np.array([False, True, False, False, True, False])
    pruned = postings.pruned(masked, share=0.2, merge_below=100)
    assert pruned.size == 6 and len(pruned.segments) == 1  # positions stay; small segments merged
    assert pruned.pruned(masked, share=0.2, merge_below=100) is pruned  # nothing left to do
    kept = [doc if not m else [] for doc, m in zip(CORPUS, masked, strict=True)]
    for query in (["tro_cap", "that"], ["luong_huu"]):
        expected = bm25(kept, query, mean=postings.mean_length)
        # Lucene-style, statistics still count the masked documents' lengths: compare the hits.
        np.testing.assert_array_equal(pruned.scores(query) > 0, expected > 0)
    assert pruned.doc_freq("luong_huu") == 0 and pruned.doc_freq("bao") == 1
    np.testing.assert_allclose(pruned.scores(["tro_cap"]), postings.scores(["tro_cap"]) * ~masked, rtol=0.3)


def test_pruning_rewrites_one_large_segment_at_a_time():
    postings = Postings().added(CORPUS[:3]).added(CORPUS[3:])
    masked = np.array([True, False, False, False, True, False])
    # Half of the second segment's positions are masked, a third of the first's: the second goes first.
    first = postings.pruned(masked, share=0.2, merge_below=0)
    assert first.segments[0] is postings.segments[0] and first.segments[1] is not postings.segments[1]
    second = first.pruned(masked, share=0.2, merge_below=0)
    assert second.segments[1] is first.segments[1] and second.segments[0] is not first.segments[0]
    assert second.pruned(masked, share=0.2, merge_below=0) is second
    assert second.doc_freq("luong_huu") == 0 and second.doc_freq("tro") == 1


# -- an index kept up to date with the bank -------------------------------------------------------


def _edit(db, code: str, **changes) -> None:
    with db.session() as session:
        version = actions.get_entry(session, code).version
        actions.update_entry(
            session, EDITOR, code, parse_content(content(**changes)), expected_version=version
        )


def _edit_and_publish(db, code: str, **changes) -> None:
    _edit(db, code, **changes)
    with db.session() as session:
        actions.submit(session, EDITOR, code)
    with db.session() as session:
        actions.approve(session, APPROVER, code)
        actions.publish(session, APPROVER, code)


def _best(idx: index.Index, question: str) -> tuple[str | None, str | None]:
    result = Engine(idx).answer(question, channel="web")
    return (result.candidates[0].entry_id if result.candidates else None), (
        result.answer["short"] if result.answer else None
    )


def test_updates_append_new_versions_and_mask_replaced_and_withdrawn_ones(legal_sample, monkeypatch):
    monkeypatch.setattr(index, "PRUNE_AT", 1.1)  # keep the masked postings: masking alone must hide them
    unemployment = create(legal_sample, publish=True, **UNEMPLOYMENT)
    health = create(legal_sample, publish=True, **HEALTH)
    with legal_sample.read() as session:
        first = index.build(session)
        assert index.updated(first, session) is first  # nothing changed
    assert first.live_count == 2

    new_short = "Bằng 60% bình quân tiền lương tháng đóng bảo hiểm thất nghiệp (bản mới)."
    _edit_and_publish(legal_sample, unemployment, **(UNEMPLOYMENT | {"short_answer": new_short}))
    with legal_sample.session() as session:
        actions.retire(session, APPROVER, health, "Gộp vào mục khác")
    one = create(legal_sample, publish=True)  # bhxh_mot_lan-001
    with legal_sample.read() as session:
        second = index.updated(first, session)
    assert second.live_count == 2 and second.size == 4  # the old version is masked
    assert second.docs[0] is None and second.docs[1] is None  # replaced, withdrawn
    assert _best(second, "muc huong tro cap that nghiep") == (unemployment, new_short)
    assert _best(second, "kham bhyt dung tuyen duoc tra bao nhieu")[0] != health
    assert _best(second, "rút bhxh 1 lần được không")[0] == one
    # Words of the new entries ("điều kiện") become what typos are repaired to.
    assert (first.speller.correct("kienn"), second.speller.correct("kienn")) == ("kienn", "kien")
    assert _best(first, "muc huong tro cap that nghiep")[1] != new_short  # the old snapshot is intact


def test_replaced_versions_are_pruned(legal_sample):
    code = create(legal_sample, publish=True, **UNEMPLOYMENT)
    create(legal_sample, publish=True, **HEALTH)
    with legal_sample.read() as session:
        idx = index.build(session)
    built = idx.questions.postings
    for n in range(3):
        _edit_and_publish(
            legal_sample, code, **(UNEMPLOYMENT | {"short_answer": f"Mức {n}: 60% tiền lương."})
        )
        with legal_sample.read() as session:
            idx = index.updated(idx, session)
    # Three replaced versions: their postings are gone, their positions stay as holes.
    assert idx.size == 5 and idx.live_count == 2 and idx.docs[:2] == [None, idx.docs[1]]
    assert idx.questions.postings == built and len(idx.questions.segments) == 1
    assert _best(idx, "muc huong tro cap that nghiep") == (code, "Mức 2: 60% tiền lương.")
    cited = {
        idx.docs[e].code: idx.articles[a].key for e, a in zip(idx.cite_entry, idx.cite_article, strict=True)
    }
    assert cited == {code: "74/2025/QH15#39", "bhyt-001": "51/2024/QH15#1"}


def test_a_live_entry_being_edited_is_served_at_its_published_version(legal_sample):
    code = create(legal_sample, publish=True, **UNEMPLOYMENT)
    _edit(legal_sample, code, **(UNEMPLOYMENT | {"short_answer": "Bản nháp chưa duyệt."}))
    with legal_sample.read() as session:
        idx = index.build(session)
    assert _best(idx, "muc huong tro cap that nghiep") == (code, UNEMPLOYMENT["short_answer"])
    assert idx.docs[0].legal_bases == ("74/2025/QH15#39",)
