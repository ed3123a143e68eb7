"""Reading the legal corpus: status in force, search with and without diacritics, lookups, order."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from tests.conftest import TEST_ACTOR
from vsscare.core import i18n
from vsscare.core.errors import AppError
from vsscare.core.paths import DATA_DIR
from vsscare.knowledge import legal
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.legal_status import article_status, document_status
from vsscare.knowledge.legal_text import natural_key, query_terms, snippet

SAMPLE = DATA_DIR / "legal-sample.jsonl"
TODAY = date(2026, 11, 23)


@pytest.fixture
def corpus(db):
    with db.session() as session:
        legal.import_corpus(session, SAMPLE, TEST_ACTOR)
    return db


def _article(effective: date | None, superseded_by: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(document=SimpleNamespace(effective=effective, superseded_by=superseded_by))


def test_status_cases():
    cases = [
        (_article(date(2025, 7, 1)), "in_force", "Còn hiệu lực"),
        (_article(TODAY), "in_force", "Còn hiệu lực"),  # effective today counts
        (_article(None), "in_force", "Còn hiệu lực"),  # a consolidated text has no date
        (
            _article(date(2016, 1, 1), "158/2025/NĐ-CP"),
            "superseded",
            "Hết hiệu lực — thay thế bởi 158/2025/NĐ-CP",
        ),
        (_article(date(2026, 11, 24)), "not_yet_effective", "Chưa có hiệu lực — từ 24/11/2026"),
    ]
    for article, code, label in cases:
        status = article_status(article, TODAY)
        assert (status.code, status.label) == (code, label)
        assert status.in_force == (code == "in_force")
        assert status.badge in ("success", "danger", "warning")
    # 74/2025/QH15 took effect on 2026-01-01: not yet on New Year's Eve.
    law = SimpleNamespace(effective=date(2026, 1, 1), superseded_by=None)
    assert document_status(law, date(2025, 12, 31)).code == "not_yet_effective"
    assert document_status(law, date(2026, 1, 1)).in_force
    with i18n.using("en"):
        assert article_status(cases[3][0], TODAY).label == "No longer in force — replaced by 158/2025/NĐ-CP"
        assert article_status(cases[0][0], TODAY).label == "In force"
        assert article_status(cases[4][0], TODAY).label == "Not yet in force — from 24/11/2026"


def test_text_helpers():
    labels = ["10", "33a", "2", "33", "1", "34", "33b"]
    assert sorted(labels, key=natural_key) == ["1", "2", "10", "33", "33a", "33b", "34"]
    assert query_terms("Trợ cấp, THẤT nghiệp? trợ") == ["tro", "cap", "that", "nghiep"]
    text = (
        "Điều 9. Tiêu đề\n" + "Câu mở đầu rất dài. " * 30 + "Người lao động được hưởng trợ cấp thất nghiệp."
    )
    piece = snippet(text, query_terms("tro cap that nghiep"))
    assert "trợ cấp thất nghiệp" in piece and piece.startswith("… ") and len(piece) < 240
    assert snippet("Điều 1. Ngắn\nNội dung.", ["khong", "co"]) == "Nội dung."


def test_search_with_and_without_diacritics(corpus):
    with corpus.read() as session:
        plain = queries.search_articles(session, "tro cap that nghiep", today=TODAY)
        marked = queries.search_articles(session, "trợ cấp thất nghiệp", today=TODAY)
        upper = queries.search_articles(session, "TRỢ CẤP THẤT NGHIỆP", today=TODAY)
        keys = [h.article.key for h in plain.hits]
        assert keys == [h.article.key for h in marked.hits] == [h.article.key for h in upper.hits]
        assert plain.total == marked.total >= 5
        # The article titled with the phrase, from the law in force, comes first.
        # The phrase in the title first, current law before repealed law; then, within current law,
        # articles holding the whole phrase before those holding each word somewhere.
        assert keys[:3] == ["74/2025/QH15#39", "74/2025/QH15#41", "38/2013/QH13#50"]
        current_hits = [h for h in plain.hits if h.status.in_force]
        phrased = [
            "trợ cấp thất nghiệp" in f"{h.article.title} {h.article.text}".lower() for h in current_hits
        ]
        assert phrased == sorted(phrased, reverse=True) and not phrased[-1]
        assert "trợ cấp thất nghiệp" in plain.hits[0].snippet

        current = queries.search_articles(session, "tro cap that nghiep", in_force=True, today=TODAY)
        assert current.total < plain.total and all(h.status.in_force for h in current.hits)
        assert "38/2013/QH13#50" not in [h.article.key for h in current.hits]
        before = queries.search_articles(
            session, "tro cap that nghiep", in_force=True, today=date(2025, 12, 1)
        )
        assert not any(h.article.key.startswith("74/2025/QH15") for h in before.hits)  # not yet effective

        # Abbreviations match the spelled-out statute wording.
        bhxh = queries.search_articles(session, "bhxh một lần", today=TODAY)
        assert bhxh.hits[0].article.key in ("41/2024/QH15#70", "58/2014/QH13#60")
        assert "41/2024/QH15#70" in [h.article.key for h in bhxh.hits]

        only = queries.search_articles(session, "lương hưu", document="58/2014/QH13", today=TODAY)
        assert only.total >= 1 and {h.article.document.number for h in only.hits} == {"58/2014/QH13"}
        page = queries.search_articles(session, "bảo hiểm", limit=3, offset=3, today=TODAY)
        assert len(page.hits) == 3 and page.total > 6
        assert queries.search_articles(session, "100%_ không có", today=TODAY).total == 0
        every = queries.search_articles(session, "", document="41/2024/QH15", limit=200, today=TODAY)
        labels = [h.article.article for h in every.hits]
        assert labels == sorted(labels, key=natural_key) and labels[:3] == ["1", "2", "3"]
        with pytest.raises(AppError) as err:
            queries.search_articles(session, "x", document="99/9999/XX")
        assert err.value.code == "legal_document_not_found" and err.value.status == 404


def test_documents_and_articles(corpus):
    with corpus.read() as session:
        rows = queries.list_documents(session, TODAY)
        numbers = [r.document.number for r in rows]
        assert len(rows) == 7 and numbers[0] == "74/2025/QH15"
        assert numbers[-2:] == ["58/2014/QH13", "38/2013/QH13"]  # superseded last
        counts = {r.document.number: r.article_count for r in rows}
        assert counts["51/2024/QH15"] == 3 and sum(counts.values()) == 38

        document = queries.get_document(session, "158/2025/NĐ-CP")
        assert queries.get_document(session, "158/2025/nd-cp").id == document.id  # as people type it
        articles = queries.document_articles(session, document)
        assert [a.article for a in articles] == ["1", "3", "5", "12", "13"]  # 5 < 12: natural order

        article = queries.get_article(session, "41/2024/QH15#70")
        assert article.title == "Hưởng bảo hiểm xã hội một lần" and article.document.number == "41/2024/QH15"
        assert article.text.startswith("Điều 70.") and article_status(article, TODAY).in_force
        assert queries.get_article(session, "41/2024/QH15/70").id == article.id  # no '#' available
        assert queries.get_article(session, " 158/2025/nđ-cp#3 ").key == "158/2025/NĐ-CP#3"
        assert article_status(queries.get_article(session, "58/2014/QH13#60"), TODAY).code == "superseded"
        for missing in ("41/2024/QH15#999", "nope", "99/9999/XX#1", ""):
            with pytest.raises(AppError) as err:
                queries.get_article(session, missing)
            assert err.value.code == "legal_article_not_found" and "%23" in err.value.message_en
        with pytest.raises(AppError) as err:
            queries.get_document(session, "1/2000/QH10")
        assert err.value.code == "legal_document_not_found" and "1/2000/QH10" in err.value.message
        # The Q&A bank fills this in later; until then no article is cited.
        assert queries.citing_entries(session, ["41/2024/QH15#70"]) == {}
