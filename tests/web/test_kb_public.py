"""The public Q&A page /hoi-dap/{code}: the live version only, its legal bases with their status,
English when asked for, no sign-in, nothing from the content can run as a script."""

from __future__ import annotations

from sqlalchemy import update

from tests.knowledge.conftest import APPROVER, EDITOR, content, create
from vsscare.knowledge import actions
from vsscare.knowledge.content import parse_content
from vsscare.knowledge.models import KbEntry, LegalDocument

ENGLISH = {
    "question_en": "When can I withdraw social insurance in one lump sum?",
    "short_answer_en": "When you meet the conditions of Article 70 of the 2024 Social Insurance Law.",
    "full_answer_en": "Under **Article 70** of Law 41/2024/QH15, …",
}


def test_published_entry_is_public_with_its_legal_bases(client, legal_sample):
    code = create(legal_sample, publish=True, legal_bases=["41/2024/QH15#70", "158/2025/NĐ-CP#12"])
    page = client.get(f"/hoi-dap/{code}")  # nobody signed in
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert "Khi nào được hưởng bảo hiểm xã hội một lần?" in html
    assert "<strong>Điều 70</strong> Luật BHXH số 41/2024/QH15" in html  # Markdown rendered
    assert "Căn cứ pháp lý" in html
    assert 'Điều 70</strong>. <span lang="vi">Hưởng bảo hiểm xã hội một lần</span>' in html
    assert "Luật Bảo hiểm xã hội" in html and "41/2024/QH15" in html
    assert 'Điều 12</strong>. <span lang="vi">Điều kiện hưởng lương hưu' in html and "158/2025/NĐ-CP" in html
    assert html.count("Còn hiệu lực") == 2 and "01/07/2025" in html
    # The public layout: no staff header, no CSRF token, no script at all.
    assert "csrf-token" not in html and "/logout" not in html and "<script" not in html
    assert "1900 9068" in html


def test_a_basis_repealed_after_publication_shows_as_no_longer_in_force(client, legal_sample):
    code = create(legal_sample, publish=True)
    with legal_sample.session() as session:
        session.execute(
            update(LegalDocument)
            .where(LegalDocument.number == "41/2024/QH15")
            .values(superseded_by="1/2030/QH16")
        )
    html = client.get(f"/hoi-dap/{code}").text
    assert "Hết hiệu lực — thay thế bởi 1/2030/QH16" in html and "Còn hiệu lực" not in html


def test_only_the_live_version_is_public(client, legal_sample):
    draft = create(legal_sample)
    in_review = create(legal_sample)
    with legal_sample.session() as session:
        actions.submit(session, EDITOR, in_review)
    retired = create(legal_sample, publish=True)
    with legal_sample.session() as session:
        actions.retire(session, APPROVER, retired, "Không còn áp dụng")
    for code in (draft, in_review, retired, "khong-co", "x" * 300):
        page = client.get(f"/hoi-dap/{code}")
        assert page.status_code == 404, code
        assert "Không tìm thấy câu hỏi" in page.text and "Khi nào được hưởng" not in page.text
        assert '<meta name="robots" content="noindex">' in page.text

    live = create(legal_sample, publish=True)
    with legal_sample.session() as session:
        edit = parse_content(content(question="Câu hỏi bản nháp chưa duyệt?"))
        actions.update_entry(session, EDITOR, live, edit, expected_version=1)
    html = client.get(f"/hoi-dap/{live}").text
    assert "Khi nào được hưởng bảo hiểm xã hội một lần?" in html and "bản nháp chưa duyệt" not in html


def test_english_by_cookie_or_query(client, legal_sample):
    code = create(legal_sample, publish=True, **ENGLISH)
    vietnamese = client.get(f"/hoi-dap/{code}").text
    assert ENGLISH["question_en"] not in vietnamese and 'hreflang="en" href="/hoi-dap/' in vietnamese

    by_query = client.get(f"/hoi-dap/{code}", params={"lang": "en"}).text
    assert '<html lang="en">' in by_query and ENGLISH["question_en"] in by_query
    assert "<strong>Article 70</strong>" in by_query and "Khi nào được hưởng" not in by_query
    assert "In force" in by_query  # the legal status in the visitor's language

    client.cookies.set("vsscare_lang", "en")
    assert ENGLISH["question_en"] in client.get(f"/hoi-dap/{code}").text
    back = client.get(f"/hoi-dap/{code}", params={"lang": "vi"}).text  # the query wins over the cookie
    assert '<html lang="vi">' in back and "Khi nào được hưởng" in back
    assert "Khi nào" not in client.get(f"/hoi-dap/{code}", params={"lang": "xx"}).text  # ignored: cookie

    switched = client.get("/lang/vi", params={"next": f"/hoi-dap/{code}"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == f"/hoi-dap/{code}"


def test_english_visitor_of_an_entry_without_english_reads_vietnamese(client, legal_sample):
    code = create(legal_sample, publish=True)
    html = client.get(f"/hoi-dap/{code}", params={"lang": "en"}).text
    assert '<html lang="en">' in html and '<div lang="vi">' in html
    assert "Khi nào được hưởng bảo hiểm xã hội một lần?" in html
    assert 'hreflang="en" href' not in html  # no English alternate to announce


def test_content_cannot_inject_markup(client, legal_sample):
    code = create(legal_sample, publish=True, question='<script>alert("q")</script> Hỏi <b>đậm</b>?')
    # Stored text is never trusted, even if it got past the editor's checks (an old import, SQL).
    with legal_sample.session() as session:
        session.execute(
            update(KbEntry)
            .where(KbEntry.code == code)
            .values(
                full_answer='Trả lời <script>alert("a")</script><img src=x onerror="alert(1)">'
                '[bấm](javascript:alert(1)) <a href="javascript:alert(2)">x</a>'
                " <b style='color:red'>đậm</b>"
            )
        )
    html = client.get(f"/hoi-dap/{code}").text
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt; Hỏi &lt;b&gt;đậm&lt;/b&gt;?" in html
    lowered = html.lower()
    for bad in ("<script", "onerror", "javascript:alert(2)", "style="):
        assert bad not in lowered, bad
    answer = html.split('<div class="public-answer">', 1)[1].split("</div>", 1)[0]
    assert "<img" not in answer and "Trả lời" in answer and "<b>đậm</b>" in answer
