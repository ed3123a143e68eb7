"""The Q&A editor pages: permissions, the form and its errors, the review workflow, diffs, export."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import login
from tests.knowledge.conftest import content
from tests.web.helpers import audit_rows, page_csrf
from vsscare.app import create_app
from vsscare.knowledge import entry_queries
from vsscare.knowledge.models import KbEntry

CODE = "bhxh_mot_lan-001"
DETAIL = f"/console/knowledge/{CODE}"


@pytest.fixture
def as_user(app, make_user, legal_sample):
    """``as_user("knowledge_editor")`` → a signed-in client of its own (cookies are per client)."""
    clients: list[TestClient] = []

    def make(*roles: str) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return login(client, make_user(*roles))

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def form_data(**changes: Any) -> dict[str, Any]:
    """The editor form's fields for a valid entry (lists one item a line, no date = empty)."""
    data = content(**changes)
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "audiences":
            out[name] = value
        elif isinstance(value, list):
            out[name] = "\n".join(value)
        else:
            out[name] = value or ""
    return out


def create(client: TestClient, **changes: Any):
    token = page_csrf(client, "/console/knowledge/new")
    return client.post(
        "/console/knowledge/new", data=form_data(**changes) | {"csrf_token": token}, follow_redirects=False
    )


def act(client: TestClient, action: str, code: str = CODE, **fields: str):
    token = page_csrf(client, f"/console/knowledge/{code}")
    return client.post(
        f"/console/knowledge/{code}/{action}", data=fields | {"csrf_token": token}, follow_redirects=False
    )


def edit(client: TestClient, expected_version: int, code: str = CODE, **changes: Any):
    token = page_csrf(client, f"/console/knowledge/{code}")
    data = form_data(**changes) | {"expected_version": str(expected_version), "csrf_token": token}
    return client.post(f"/console/knowledge/{code}/edit", data=data, follow_redirects=False)


def entry(db, code: str = CODE) -> KbEntry:
    with db.read() as session:
        found = entry_queries.get_entry(session, code)
        session.expunge(found)
        return found


def entry_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(KbEntry))


def test_agent_reads_but_cannot_write(db, as_user):
    editor = as_user("knowledge_editor")
    assert create(editor).status_code == 303
    agent = as_user("agent")
    listing = agent.get("/console/knowledge")
    assert listing.status_code == 200 and CODE in listing.text
    assert "Thêm hỏi đáp" not in listing.text
    detail = agent.get(DETAIL)
    assert detail.status_code == 200 and "Khi nào được hưởng bảo hiểm xã hội một lần?" in detail.text
    assert "Gửi duyệt" not in detail.text and "Sửa nội dung" not in detail.text
    assert agent.get("/console/knowledge/review").status_code == 200
    assert agent.get("/console/knowledge/new").status_code == 403
    assert agent.get(f"{DETAIL}/edit").status_code == 403
    assert create(agent).status_code == 403
    refused = act(agent, "approve")
    assert refused.status_code == 403 and "không có quyền" in refused.text
    assert entry(db).status == "draft"
    assert audit_rows(db, "permission.denied")[-1].details["permission"] == "knowledge.approve"


def test_editor_creates_a_draft(db, as_user):
    editor = as_user("knowledge_editor")
    form = editor.get("/console/knowledge/new")
    assert form.status_code == 200 and 'maxlength="300"' in form.text and "data-counter" in form.text
    created = create(editor, full_answer="Theo **Điều 70** Luật BHXH.\n\n- ý một\n- ý hai")
    assert created.status_code == 303 and created.headers["location"] == f"{DETAIL}?done=created"
    page = editor.get(created.headers["location"])
    assert "Đã tạo bản nháp phiên bản 1." in page.text
    assert "Bản nháp" in page.text and "phiên bản 1" in page.text
    assert "<strong>Điều 70</strong>" in page.text and "<li>ý một</li>" in page.text
    assert 'href="/console/legal/articles/41/2024/QH15%2370"' in page.text
    assert "Còn hiệu lực" in page.text
    stored = entry(db)
    assert (stored.status, stored.version, stored.legal_bases) == ("draft", 1, ["41/2024/QH15#70"])
    assert stored.phrasings == ["khi nao duoc huong bhxh mot lan", "rút bhxh 1 lần được ko"]
    # The legal article page now links the entry citing it.
    article = editor.get("/console/legal/articles/41/2024/QH15%2370")
    assert f'href="{DETAIL}"' in article.text
    editor.get("/lang/en")
    for path in (
        DETAIL,
        "/console/knowledge",
        "/console/knowledge/review",
        f"{DETAIL}/edit",
        f"{DETAIL}/versions/1",
    ):
        assert editor.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"short_answer": "x" * 301}, "short_answer", "dài quá 300 ký tự"),
        (
            {"full_answer": "Xem <script>alert(1)</script>"},
            "full_answer",
            "thẻ &lt;script&gt; không được phép",
        ),
        ({"legal_bases": ["41/2024/QH15#999"]}, "legal_bases", "41/2024/QH15#999"),
        ({"full_answer": "  "}, "full_answer", "không được để trống"),
        ({"topic": ""}, "topic", "hãy chọn một chủ đề"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(db, as_user, changes, field, message):
    editor = as_user("knowledge_editor")
    refused = create(editor, **changes)
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and message in refused.text
    assert f'id="f-{field}-error"' in refused.text  # the message sits at the field …
    assert f'href="#f-{field}"' in refused.text  # … and the summary links to it
    # What was typed comes back.
    assert "Khi nào được hưởng bảo hiểm xã hội một lần?" in refused.text
    assert entry_count(db) == 0


def test_self_approval_is_refused_with_the_reason(db, as_user):
    approver = as_user("knowledge_approver")
    assert create(approver).status_code == 303
    assert act(approver, "submit").status_code == 303
    page = approver.get(DETAIL)
    assert "Phê duyệt" in page.text
    refused = act(approver, "approve")
    assert refused.status_code == 403
    assert "một người phê duyệt khác phải duyệt nó" in refused.text
    assert "<h1>Khi nào được hưởng bảo hiểm xã hội một lần?</h1>" in refused.text  # the detail page
    assert entry(db).status == "in_review"


def test_review_publish_and_list_search(db, as_user):
    editor = as_user("knowledge_editor")
    approver = as_user("knowledge_approver")
    create(editor)
    assert act(editor, "submit").headers["location"] == f"{DETAIL}?done=submitted"
    queue = approver.get("/console/knowledge/review")
    assert queue.status_code == 200 and CODE in queue.text
    missing = act(approver, "request_changes", comment="  ")
    assert missing.status_code == 422 and "Hãy ghi nội dung nhận xét." in missing.text
    assert act(approver, "approve", comment="Đúng luật.").headers["location"] == f"{DETAIL}?done=approved"
    bad_day = act(approver, "publish", on="31/12/2099")
    assert bad_day.status_code == 422 and entry(db).status == "approved"
    assert act(approver, "publish").headers["location"] == f"{DETAIL}?done=published"
    stored = entry(db)
    assert (stored.status, stored.published_version) == ("published", 1)
    page = approver.get(DETAIL)
    assert "Đúng luật." in page.text and "Công bố" in page.text

    found = editor.get("/console/knowledge", params={"q": "bao hiem xa hoi mot lan"})
    assert CODE in found.text and "Đã công bố" in found.text
    assert CODE in editor.get("/console/knowledge", params={"status": "published", "flag": "live"}).text
    assert CODE not in editor.get("/console/knowledge", params={"q": "that nghiep"}).text
    assert CODE not in editor.get("/console/knowledge", params={"status": "draft"}).text

    # Editing the published entry drafts v2 while v1 stays live.
    assert edit(editor, 1, short_answer="Khi đủ điều kiện tại Điều 70.").status_code == 303
    listing = editor.get("/console/knowledge")
    assert "đang công bố v1" in listing.text
    retired = act(approver, "retire", comment="")
    assert retired.status_code == 422 and entry(db).status == "draft"


def test_edit_conflicts_and_retired_entries(db, as_user):
    editor = as_user("knowledge_editor")
    approver = as_user("knowledge_approver")
    create(editor)
    form = editor.get(f"{DETAIL}/edit")
    assert 'name="expected_version" value="1"' in form.text
    saved = edit(editor, 1, question="Điều kiện hưởng BHXH một lần?", note="rõ hơn")
    assert saved.headers["location"] == f"{DETAIL}?done=saved"
    same = edit(editor, 2, question="Điều kiện hưởng BHXH một lần?")
    assert same.headers["location"] == f"{DETAIL}?done=unchanged"
    stale = edit(editor, 1, question="Ai được rút BHXH một lần?")
    assert stale.status_code == 409 and "vừa được người khác lưu" in stale.text
    assert "Ai được rút BHXH một lần?" in stale.text  # the editor's text is not lost
    assert entry(db).version == 2

    diff = editor.get(f"{DETAIL}/versions/2")
    assert diff.status_code == 200
    assert "<del>" in diff.text and "<ins>" in diff.text and "rõ hơn" in diff.text
    assert "Điều kiện hưởng" in diff.text
    first = editor.get(f"{DETAIL}/versions/1")
    assert first.status_code == 200 and "<ins>" in first.text
    assert editor.get(f"{DETAIL}/versions/9").status_code == 404

    assert act(editor, "rollback", version="1").headers["location"] == f"{DETAIL}?done=restored"
    assert entry(db).question == "Khi nào được hưởng bảo hiểm xã hội một lần?"

    assert act(approver, "retire", comment="Trùng với hỏi đáp khác.").status_code == 303
    assert entry(db).status == "retired"
    refused = edit(editor, 3, question="Sửa sau khi ngừng?")
    assert refused.status_code == 409 and "đã ngừng sử dụng" in refused.text
    assert editor.get(f"{DETAIL}/edit").status_code == 409
    assert entry(db).version == 3
    assert act(approver, "reopen").headers["location"] == f"{DETAIL}?done=reopened"
    assert entry(db).status == "draft"


def test_forms_need_the_csrf_token(db, as_user):
    editor = as_user("knowledge_approver")
    refused = editor.post("/console/knowledge/new", data=form_data(), follow_redirects=False)
    assert refused.status_code == 403 and entry_count(db) == 0
    create(editor)
    assert editor.post(f"{DETAIL}/submit", data={}).status_code == 403
    assert editor.post(f"{DETAIL}/submit", data={"csrf_token": "forged"}).status_code == 403
    assert entry(db).status == "draft"


def test_comment_picker_and_preview(db, as_user):
    editor = as_user("knowledge_editor")
    create(editor)
    assert act(editor, "comment", comment="Cần thêm ví dụ.").status_code == 303
    assert "Cần thêm ví dụ." in editor.get(DETAIL).text
    assert act(editor, "bogus").status_code == 404

    picker = editor.get("/console/knowledge/picker", params={"q": "tro cap that nghiep"})
    assert picker.status_code == 200 and "data-add-basis=" in picker.text and "<html" not in picker.text
    keys = [part.split('"')[1] for part in picker.text.split("data-add-basis=")[1:]]
    assert keys and keys[0].startswith("74/2025/QH15#")  # in force before the repealed 38/2013/QH13
    assert "Hết hiệu lực" not in picker.text.split(keys[0])[0]
    assert "Gõ vài từ" in editor.get("/console/knowledge/picker").text

    token = page_csrf(editor, "/console/knowledge/new")
    shown = editor.post(
        "/console/knowledge/preview",
        data={"full_answer": "**Đậm** <script>x</script>"},
        headers={"x-csrf-token": token},
    )
    assert shown.status_code == 200 and "<strong>Đậm</strong>" in shown.text
    assert "<script>" not in shown.text and "thẻ &lt;script&gt; không được phép" in shown.text
    english = editor.post(
        "/console/knowledge/preview?field=full_answer_en",
        data={"full_answer": "vi", "full_answer_en": "*en*"},
        headers={"x-csrf-token": token},
    )
    assert "<em>en</em>" in english.text
    assert editor.post("/console/knowledge/preview", data={"full_answer": "x"}).status_code == 403


def test_export_jsonl_and_xlsx(db, as_user):
    editor = as_user("knowledge_editor")
    create(editor)
    create(editor, question="Hồ sơ hưởng BHXH một lần gồm những gì?")
    jsonl = editor.get("/console/knowledge/export", params={"format": "jsonl"})
    assert jsonl.status_code == 200
    assert jsonl.headers["content-disposition"].startswith('attachment; filename="vsscare-kb-')
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [r["id"] for r in rows] == [CODE, "bhxh_mot_lan-002"] and rows[0]["status"] == "draft"
    assert (
        editor.get("/console/knowledge/export", params={"format": "jsonl", "status": "published"}).text == ""
    )

    xlsx = editor.get("/console/knowledge/export", params={"format": "xlsx", "status": "draft"})
    assert xlsx.status_code == 200 and xlsx.headers["content-disposition"].endswith('-draft.xlsx"')
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.cell(2, 1).value == CODE and sheet.max_row == 3
    assert editor.get("/console/knowledge/export", params={"format": "csv"}).status_code == 400
    assert editor.get("/console/knowledge/export", params={"status": "nope"}).status_code == 422
    exports = audit_rows(db, "kb.export")
    assert [e.details["format"] for e in exports] == ["jsonl", "jsonl", "xlsx"]
    assert exports[-1].details["entries"] == 2


def test_console_home_links_the_bank(client, make_user, legal_sample):
    login(client, make_user("agent"))
    home = client.get("/")
    assert 'href="/console/knowledge"' in home.text
    assert client.get("/console/knowledge?page=2&status=nope").status_code == 200


def test_pages_need_sign_in(settings, db):
    with TestClient(create_app(settings, db)) as anonymous:
        response = anonymous.get("/console/knowledge", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
