"""The legal corpus over HTTP: the JSON API (permission, keys with '/' and '#', 404s) and staff pages."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.conftest import TEST_ACTOR
from vsscare.accounts import actions as accounts
from vsscare.core.audit import AuditEntry
from vsscare.core.paths import DATA_DIR
from vsscare.knowledge import legal

SAMPLE = DATA_DIR / "legal-sample.jsonl"


@pytest.fixture
def token_for(db, make_user):
    """``token_for("agent")`` → an ``Authorization`` header for a new user with those roles."""

    def make(*roles: str) -> dict[str, str]:
        username = make_user(*roles)
        with db.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return {"Authorization": f"Bearer {raw}"}

    with db.session() as session:
        legal.import_corpus(session, SAMPLE, TEST_ACTOR)
    return make


def test_api_requires_sign_in_and_knowledge_view(client, db, token_for):
    nobody = token_for()  # a user without roles
    for path in (
        "/api/v1/legal/documents",
        "/api/v1/legal/documents/41/2024/QH15",
        "/api/v1/legal/articles?q=luong",
        "/api/v1/legal/articles/41/2024/QH15%2370",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        body = response.json()
        assert body["code"] == "not_authenticated" and body["message"] and body["message_en"]
        refused = client.get(path, headers=nobody)
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied", path
    with db.read() as session:
        denied = session.scalar(select(AuditEntry).where(AuditEntry.action == "permission.denied"))
        assert denied.details["permission"] == "knowledge.view"


def test_api_documents_articles_and_search(client, token_for):
    headers = token_for("agent")
    listing = client.get("/api/v1/legal/documents", headers=headers).json()
    assert listing["total"] == 7
    by_number = {d["number"]: d for d in listing["items"]}
    old = by_number["58/2014/QH13"]
    assert old["status"]["code"] == "superseded" and old["status"]["superseded_by"] == "41/2024/QH15"
    assert (
        old["status"]["label"] == "Hết hiệu lực — thay thế bởi 41/2024/QH15" and not old["status"]["in_force"]
    )
    assert (
        by_number["41/2024/QH15"]["status"]["in_force"] and by_number["41/2024/QH15"]["article_count"] == 12
    )

    detail = client.get("/api/v1/legal/documents/158/2025/N%C4%90-CP", headers=headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["number"] == "158/2025/NĐ-CP" and body["effective"] == "2025-07-01"
    assert [a["article"] for a in body["articles"]] == ["1", "3", "5", "12", "13"]
    assert body["articles"][0]["key"] == "158/2025/NĐ-CP#1"

    key = "41/2024/QH15#70"
    article = client.get(f"/api/v1/legal/articles/{quote(key)}", headers=headers)
    assert article.status_code == 200 and quote(key) == "41/2024/QH15%2370"  # quote keeps '/'
    data = article.json()
    assert (
        data["key"] == key
        and data["document"] == "41/2024/QH15"
        and data["title"] == "Hưởng bảo hiểm xã hội một lần"
    )
    assert data["text"].startswith("Điều 70.") and "\n" in data["text"] and len(data["text_hash"]) == 64
    assert data["status"]["code"] == "in_force" and data["chapter"].startswith("Chương V.")
    # Without '#': the slash form; and the document number as people type it.
    assert client.get("/api/v1/legal/articles/41/2024/QH15/70", headers=headers).json()["key"] == key
    assert client.get("/api/v1/legal/articles/158/2025/nd-cp%233", headers=headers).json()["key"] == (
        "158/2025/NĐ-CP#3"
    )

    plain = client.get("/api/v1/legal/articles", params={"q": "tro cap that nghiep"}, headers=headers).json()
    marked = client.get("/api/v1/legal/articles", params={"q": "trợ cấp thất nghiệp"}, headers=headers).json()
    assert plain == marked and plain["total"] >= 5 and plain["items"][0]["key"] == "74/2025/QH15#39"
    assert "thất nghiệp" in plain["items"][0]["snippet"]
    current = client.get(
        "/api/v1/legal/articles", params={"q": "trợ cấp thất nghiệp", "in_force": "true"}, headers=headers
    ).json()
    assert current["total"] < plain["total"] and all(i["status"]["in_force"] for i in current["items"])
    only = client.get(
        "/api/v1/legal/articles", params={"document": "58/2014/QH13", "limit": 2}, headers=headers
    ).json()
    assert only["total"] == 3 and [i["key"] for i in only["items"]] == ["58/2014/QH13#54", "58/2014/QH13#56"]
    client.cookies.set("vsscare_lang", "en")
    english = client.get("/api/v1/legal/documents/58/2014/QH13", headers=headers).json()
    assert english["status"]["label"] == "No longer in force — replaced by 41/2024/QH15"


def test_api_not_found_and_bad_parameters(client, token_for):
    headers = token_for("agent")
    missing = client.get("/api/v1/legal/articles/41/2024/QH15%23999", headers=headers)
    assert missing.status_code == 404
    body = missing.json()
    assert body["code"] == "legal_article_not_found" and "41/2024/QH15#999" in body["message"]
    assert "%23" in body["message_en"] and body["message"] != body["message_en"]
    # A raw '#' never reaches the server: the path ends at the document number.
    raw = client.get("/api/v1/legal/articles/41/2024/QH15#70", headers=headers)
    assert raw.status_code == 404 and raw.json()["code"] == "legal_article_not_found"
    document = client.get("/api/v1/legal/documents/1/2000/QH10", headers=headers)
    assert document.status_code == 404 and document.json()["code"] == "legal_document_not_found"
    unknown = client.get("/api/v1/legal/articles", params={"document": "1/2000/QH10"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "legal_document_not_found"
    for params in ({"limit": 0}, {"limit": 1000}, {"offset": -1}, {"in_force": "maybe"}):
        bad = client.get("/api/v1/legal/articles", params=params, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == "validation_error", params
    spec = client.get("/openapi.json").json()
    assert "/api/v1/legal/articles/{key}" in spec["paths"] and "/api/v1/legal/documents" in spec["paths"]


def _no_inline(html: str) -> None:
    assert " style=" not in html and "<style" not in html
    assert "<script>" not in html and "<script " not in html.replace('<script src="/static/', "")


def test_staff_pages(client, token_for):
    assert client.get("/console/legal", headers={"accept": "application/json"}).status_code == 401
    headers = token_for("agent")
    home = client.get("/", headers=headers).text
    assert 'href="/console/legal"' in home and "Văn bản pháp luật" in home

    page = client.get("/console/legal", headers=headers)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    _no_inline(html)
    assert 'href="/console/legal/documents/158/2025/N%C4%90-CP"' in html
    assert "Hết hiệu lực — thay thế bởi 41/2024/QH15" in html and "Còn hiệu lực" in html
    assert html.index("41/2024/QH15") < html.index("58/2014/QH13")  # superseded last

    for q in ("tro cap that nghiep", "trợ cấp thất nghiệp"):
        found = client.get("/console/legal", params={"q": q}, headers=headers).text
        assert 'href="/console/legal/articles/74/2025/QH15%2339"' in found, q
        assert "Tìm thấy" in found and "38/2013/QH13#50" in found
    current = client.get(
        "/console/legal", params={"q": "tro cap that nghiep", "in_force": "1"}, headers=headers
    ).text
    assert "38/2013/QH13#50" not in current and "74/2025/QH15#39" in current
    nothing = client.get("/console/legal", params={"q": "không có từ này xyz"}, headers=headers).text
    assert "Không có điều nào" in nothing
    ignored = client.get("/console/legal", params={"document": "nope", "in_force": "x"}, headers=headers)
    assert ignored.status_code == 200 and "Danh sách văn bản" in ignored.text

    document = client.get("/console/legal/documents/58/2014/QH13", headers=headers)
    assert document.status_code == 200
    html = document.text
    _no_inline(html)
    assert "Hỏi đáp trích dẫn" in html and "Hết hiệu lực — thay thế bởi 41/2024/QH15" in html
    assert 'href="/console/legal/documents/41/2024/QH15"' in html  # the replacing law
    assert 'href="/console/legal/articles/58/2014/QH13%2360"' in html and "Chương III" in html
    assert html.index("%2354") < html.index("%2356") < html.index("%2360")

    article = client.get("/console/legal/articles/41/2024/QH15%2370", headers=headers)
    assert article.status_code == 200
    html = article.text
    _no_inline(html)
    assert "Hưởng bảo hiểm xã hội một lần" in html and "Còn hiệu lực" in html and "Chương V." in html
    assert html.count("<p>") >= 3  # one paragraph per clause
    assert 'rel="prev" href="/console/legal/articles/41/2024/QH15%2366"' in html
    old = client.get("/console/legal/articles/58/2014/QH13%2360", headers=headers).text
    assert "Hết hiệu lực — thay thế bởi 41/2024/QH15" in old
    assert client.get("/console/legal/articles/41/2024/QH15%23999", headers=headers).status_code == 404
    assert client.get("/console/legal/documents/1/2000/QH10", headers=headers).status_code == 404
    client.cookies.set("vsscare_lang", "en")
    english = client.get("/console/legal/articles/58/2014/QH13%2360", headers=headers).text
    assert "No longer in force — replaced by 41/2024/QH15" in english and "Legal documents" in english
