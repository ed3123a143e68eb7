"""The Q&A entry API (/api/v1/kb): the review workflow over HTTP, permissions, CSRF, and a
structured error for every bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_ACTOR, login
from tests.knowledge.conftest import content
from tests.web.helpers import page_csrf
from vsscare.accounts import actions as accounts
from vsscare.knowledge.legal_status import today_vn

API = "/api/v1/kb/entries"


@pytest.fixture
def team(legal_sample, make_user):
    """``team("knowledge_editor")`` → Authorization headers for a new user with that role."""

    def make(*roles: str) -> dict[str, str]:
        username = make_user(*roles)
        with legal_sample.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return make


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert body["code"] == code and body["message"] and body["message_en"], body
    return body


def create(client, headers, **changes) -> dict:
    return ok(client.post(API, json=content(**changes), headers=headers), 201)


def publish_as_team(client, code: str, editor, approver) -> dict:
    ok(client.post(f"{API}/{code}/submit", headers=editor))
    ok(client.post(f"{API}/{code}/approve", headers=approver))
    return ok(client.post(f"{API}/{code}/publish", headers=approver))


def test_editor_creates_approver_publishes(client, team):
    editor, approver = team("knowledge_editor"), team("knowledge_approver")
    entry = create(client, editor, note="Bản đầu")
    code = entry["code"]
    assert code == "bhxh_mot_lan-001"
    assert (entry["status"], entry["version"], entry["published_version"]) == ("draft", 1, None)
    assert entry["status_label"] == "Bản nháp" and entry["question_en"] is None
    [basis] = entry["bases"]
    assert basis["key"] == "41/2024/QH15#70" and basis["document"] == "41/2024/QH15"
    assert basis["article"] == "70" and basis["title"] == "Hưởng bảo hiểm xã hội một lần"
    assert basis["document_title"] == "Luật Bảo hiểm xã hội"
    assert basis["in_force"] is True and basis["status"]["label"] == "Còn hiệu lực"
    assert basis["status"]["effective"] == "2025-07-01"

    submitted = ok(client.post(f"{API}/{code}/submit", json={"comment": "Nhờ duyệt"}, headers=editor))
    assert submitted["status"] == "in_review"
    approved = ok(client.post(f"{API}/{code}/approve", json={"comment": "Đúng."}, headers=approver))
    assert approved["status"] == "approved" and approved["approved_by"].startswith("user:")
    published = ok(client.post(f"{API}/{code}/publish", headers=approver))
    assert (published["status"], published["published_version"]) == ("published", 1)

    got = ok(client.get(f"{API}/{code}", headers=editor))
    assert (got["status"], got["version"], got["published_version"]) == ("published", 1, 1)
    assert got["next_review_at"] == (today_vn() + timedelta(days=91)).isoformat()
    assert got["full_answer"] == content()["full_answer"] and got["phrasings"] == content()["phrasings"]

    listing = ok(client.get(API, params={"status": "published", "flag": "live"}, headers=editor))
    assert listing["total"] == 1 and listing["items"][0]["code"] == code
    assert listing["items"][0]["topic_label"] == "BHXH một lần"
    assert ok(client.get(API, params={"q": "rut bhxh 1 lan"}, headers=editor))["total"] == 1
    assert ok(client.get(API, params={"q": "thai sản"}, headers=editor))["total"] == 0

    versions = ok(client.get(f"{API}/{code}/versions", headers=editor))
    assert [(v["version"], v["live"], v["note"]) for v in versions] == [(1, True, "Bản đầu")]
    history = ok(client.get(f"{API}/{code}/history", headers=editor))
    assert [e["type"] for e in history] == [
        "kb.entry_published", "kb.entry_approved", "kb.entry_submitted", "kb.entry_created",
    ]  # fmt: skip
    comments = ok(client.get(f"{API}/{code}/comments", headers=editor))
    assert [(c["kind"], c["body"]) for c in comments] == [("comment", "Nhờ duyệt"), ("approved", "Đúng.")]


def test_editing_a_published_entry_keeps_the_live_version_until_republished(client, team):
    editor, approver = team("knowledge_editor"), team("knowledge_approver")
    code = create(client, editor)["code"]
    publish_as_team(client, code, editor, approver)

    new_short = "Khi đủ điều kiện tại Điều 70 Luật BHXH số 41/2024/QH15 (bản sửa)."
    body = content(short_answer=new_short) | {"expected_version": 1, "note": "Sửa tóm tắt"}
    edited = ok(client.put(f"{API}/{code}", json=body, headers=editor))
    assert (edited["status"], edited["version"], edited["published_version"]) == ("draft", 2, 1)
    assert edited["short_answer"] == new_short

    page = client.get(f"/hoi-dap/{code}")
    assert page.status_code == 200
    assert content()["short_answer"] in page.text and new_short not in page.text

    changes = ok(client.get(f"{API}/{code}/diff", headers=editor))  # default: live → latest
    assert (changes["from_version"], changes["to_version"]) == (1, 2)
    assert changes["changes"] == [
        {"field": "short_answer", "old": content()["short_answer"], "new": new_short}
    ]
    same = ok(client.get(f"{API}/{code}/diff", params={"from": 2, "to": 2}, headers=editor))
    assert same["changes"] == []
    snapshot = ok(client.get(f"{API}/{code}/versions/1", headers=editor))
    assert snapshot["live"] and snapshot["content"]["short_answer"] == content()["short_answer"]
    assert snapshot["content"]["question_en"] is None and snapshot["status"] == "draft"  # when saved

    republished = publish_as_team(client, code, editor, approver)
    assert (republished["version"], republished["published_version"]) == (2, 2)
    page = client.get(f"/hoi-dap/{code}")
    assert new_short in page.text and content()["short_answer"] not in page.text


def test_four_eyes_self_approval_is_refused(client, team):
    approver, other = team("knowledge_approver"), team("knowledge_approver")
    code = create(client, approver)["code"]
    ok(client.post(f"{API}/{code}/submit", headers=approver))
    body = refused(client.post(f"{API}/{code}/approve", headers=approver), 403, "kb_self_approval")
    assert code in body["message"]
    assert ok(client.get(f"{API}/{code}", headers=approver))["status"] == "in_review"
    assert ok(client.post(f"{API}/{code}/approve", headers=other))["status"] == "approved"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"short_answer": "x" * 301}, "short_answer"),
        ({"full_answer": ""}, "full_answer"),
        ({"full_answer": "   "}, "full_answer"),
        ({"full_answer": "Xem <script>alert(1)</script>"}, "full_answer"),
        (
            {"full_answer_en": "<iframe src='x'></iframe>", "question_en": "Q", "short_answer_en": "A"},
            "full_answer_en",
        ),
        ({"topic": "khong_co"}, "topic"),
        ({"audiences": []}, "audiences"),
        ({"effective_from": "01/07/2025"}, "effective_from"),
        ({"unknown": 1}, "unknown"),
        ({"code": "Có Dấu"}, "code"),
    ],
)
def test_bad_content_is_refused_with_the_field(client, team, changes, field):
    editor = team("knowledge_editor")
    body = refused(client.post(API, json=content(**changes), headers=editor), 422, "validation_error")
    assert ["body", field] in [e["loc"][:2] for e in body["details"]["errors"]], body
    assert ok(client.get(API, headers=editor))["total"] == 0


def test_unknown_legal_basis_and_other_bad_bodies(client, team):
    editor = team("knowledge_editor")
    unknown = client.post(API, json=content(legal_bases=["41/2024/QH15#999"]), headers=editor)
    body = refused(unknown, 422, "kb_unknown_legal_basis")
    assert body["details"]["errors"] == [{"field": "legal_bases", "reason": "41/2024/QH15#999"}]

    half_english = client.post(API, json=content(question_en="What?"), headers=editor)
    refused(half_english, 422, "validation_error")
    not_json = client.post(API, content=b"{nope", headers=editor | {"content-type": "application/json"})
    refused(not_json, 422, "validation_error")
    refused(client.post(API, json=[1, 2], headers=editor), 422, "validation_error")

    code = create(client, editor, code="rut-mot-lan")["code"]
    assert code == "rut-mot-lan"
    refused(client.post(API, json=content(code=code), headers=editor), 409, "kb_code_taken")
    no_bases = create(client, editor, legal_bases=[])["code"]
    refused(client.post(f"{API}/{no_bases}/submit", headers=editor), 422, "kb_needs_legal_basis")
    missing_version = content() | {"note": "quên expected_version"}
    refused(client.put(f"{API}/{code}", json=missing_version, headers=editor), 422, "validation_error")
    refused(
        client.post(f"{API}/{code}/comments", json={"body": "   "}, headers=editor),
        422,
        "kb_comment_required",
    )
    refused(client.post(f"{API}/{code}/comments", json={}, headers=editor), 422, "validation_error")
    refused(
        client.post(f"{API}/{code}/rollback", json={"version": 0}, headers=editor), 422, "validation_error"
    )
    refused(client.get(API, params={"status": "lost"}, headers=editor), 422, "validation_error")
    refused(client.get(API, params={"limit": 201}, headers=editor), 422, "validation_error")
    refused(client.get(f"{API}/{code}/versions/0", headers=editor), 422, "validation_error")
    refused(client.get(f"{API}/{code}/diff", params={"from": "x"}, headers=editor), 422, "validation_error")


def test_conflicts_stale_version_retired_and_wrong_transitions(client, team):
    editor, approver = team("knowledge_editor"), team("knowledge_approver")
    code = create(client, editor)["code"]
    first = content(short_answer="Bản sửa thứ nhất.") | {"expected_version": 1}
    assert ok(client.put(f"{API}/{code}", json=first, headers=editor))["version"] == 2
    stale = content(short_answer="Bản sửa đè.") | {"expected_version": 1}
    body = refused(client.put(f"{API}/{code}", json=stale, headers=editor), 409, "kb_version_conflict")
    assert "2" in body["message_en"]
    unchanged = first | {"expected_version": 2}
    assert ok(client.put(f"{API}/{code}", json=unchanged, headers=editor))["version"] == 2

    refused(client.post(f"{API}/{code}/approve", headers=approver), 409, "kb_bad_transition")
    refused(client.post(f"{API}/{code}/publish", headers=approver), 409, "kb_bad_transition")
    refused(
        client.post(f"{API}/{code}/rollback", json={"version": 2}, headers=editor), 409, "kb_rollback_current"
    )

    retired = ok(client.post(f"{API}/{code}/retire", json={"reason": "Trùng câu khác"}, headers=approver))
    assert (retired["status"], retired["published_version"]) == ("retired", None)
    again = content() | {"expected_version": 2}
    refused(client.put(f"{API}/{code}", json=again, headers=editor), 409, "kb_entry_retired")
    refused(
        client.post(f"{API}/{code}/retire", json={"reason": "lại"}, headers=approver), 409, "kb_entry_retired"
    )
    assert ok(client.post(f"{API}/{code}/reopen", headers=approver))["status"] == "draft"
    assert ok(client.put(f"{API}/{code}", json=again, headers=editor))["version"] == 3


def test_rollback_request_changes_schedule_review_and_queue(client, team):
    editor, approver = team("knowledge_editor"), team("knowledge_approver")
    code = create(client, editor)["code"]
    edit = content(short_answer="Tạm thời.") | {"expected_version": 1}
    ok(client.put(f"{API}/{code}", json=edit, headers=editor))
    restored = ok(client.post(f"{API}/{code}/rollback", json={"version": 1}, headers=editor))
    assert restored["version"] == 3 and restored["short_answer"] == content()["short_answer"]
    refused(
        client.post(f"{API}/{code}/rollback", json={"version": 9}, headers=editor),
        404,
        "kb_version_not_found",
    )

    ok(client.post(f"{API}/{code}/submit", headers=editor))
    refused(client.post(f"{API}/{code}/request-changes", json={}, headers=approver), 422, "validation_error")
    back = ok(client.post(f"{API}/{code}/request-changes", json={"comment": "Thêm ví dụ."}, headers=approver))
    assert back["status"] == "draft"
    ok(client.post(f"{API}/{code}/submit", headers=editor))
    ok(client.post(f"{API}/{code}/approve", headers=approver))
    queue = ok(client.get("/api/v1/kb/review-queue", headers=editor))
    assert [e["code"] for e in queue["approved"]] == [code] and queue["total"] == 1

    day = (today_vn() + timedelta(days=3)).isoformat()
    scheduled = ok(client.post(f"{API}/{code}/publish", json={"on": day}, headers=approver))
    assert (scheduled["status"], scheduled["publish_on"], scheduled["published_version"]) == (
        "approved",
        day,
        None,
    )
    assert ok(client.get(API, params={"flag": "scheduled"}, headers=editor))["total"] == 1
    assert client.get(f"/hoi-dap/{code}").status_code == 404

    past = today_vn().isoformat()
    refused(
        client.post(f"{API}/{code}/review", json={"next_review_at": past}, headers=approver),
        422,
        "kb_review_date_past",
    )
    later = (today_vn() + timedelta(days=30)).isoformat()
    reviewed = ok(client.post(f"{API}/{code}/review", json={"next_review_at": later}, headers=approver))
    assert reviewed["next_review_at"] == later and reviewed["reviewed_on"] == today_vn().isoformat()

    note = ok(client.post(f"{API}/{code}/comments", json={"body": "Đã xem."}, headers=editor), 201)
    assert (note["kind"], note["version"], note["body"]) == ("comment", 3, "Đã xem.")
    kinds = [c["kind"] for c in ok(client.get(f"{API}/{code}/comments", headers=editor))]
    assert kinds == ["changes_requested", "comment"]


def test_permissions_agents_read_only_editors_do_not_decide(client, team):
    editor, approver, agent = team("knowledge_editor"), team("knowledge_approver"), team("agent")
    code = create(client, editor)["code"]
    assert ok(client.get(f"{API}/{code}", headers=agent))["code"] == code
    assert ok(client.get(API, headers=agent))["total"] == 1
    for method, path, body in [
        ("post", API, content()),
        ("put", f"{API}/{code}", content() | {"expected_version": 1}),
        ("post", f"{API}/{code}/submit", None),
        ("post", f"{API}/{code}/approve", None),
        ("post", f"{API}/{code}/publish", None),
    ]:
        response = client.request(method, path, json=body, headers=agent)
        denied = refused(response, 403, "permission_denied")
        assert denied["details"]["permission"] in ("knowledge.edit", "knowledge.approve"), path
    # Agents may comment: they are the first to see a wrong or outdated answer.
    assert (
        client.post(f"{API}/{code}/comments", json={"body": "Sai mức hưởng"}, headers=agent).status_code
        == 201
    )
    ok(client.post(f"{API}/{code}/submit", headers=editor))
    for path in ("approve", "publish", "reopen", "review"):
        denied = refused(client.post(f"{API}/{code}/{path}", headers=editor), 403, "permission_denied")
        assert denied["details"]["permission"] == "knowledge.approve"
    refused(
        client.post(f"{API}/{code}/retire", json={"reason": "x"}, headers=editor), 403, "permission_denied"
    )
    assert ok(client.post(f"{API}/{code}/approve", headers=approver))["status"] == "approved"
    refused(client.get(API), 401, "not_authenticated")
    refused(client.post(API, json=content()), 401, "not_authenticated")


def test_unknown_code_is_404_everywhere(client, team):
    editor, approver = team("knowledge_editor"), team("knowledge_approver")
    missing = f"{API}/khong-co"
    for path in ("", "/versions", "/versions/1", "/diff", "/comments", "/history"):
        body = refused(client.get(missing + path, headers=editor), 404, "kb_entry_not_found")
        assert "khong-co" in body["message"]
    refused(
        client.put(missing, json=content() | {"expected_version": 1}, headers=editor),
        404,
        "kb_entry_not_found",
    )
    for path in ("submit", "approve", "publish", "reopen", "review"):
        refused(client.post(f"{missing}/{path}", headers=approver), 404, "kb_entry_not_found")
    code = create(client, editor)["code"]
    refused(client.get(f"{API}/{code}/versions/7", headers=editor), 404, "kb_version_not_found")
    refused(client.get(f"{API}/{code}/diff", params={"from": 7}, headers=editor), 404, "kb_version_not_found")
    refused(client.delete(f"{API}/{code}", headers=editor), 405, "method_not_allowed")


def test_browser_session_writes_need_the_csrf_token(client, legal_sample, make_user):
    login(client, make_user("knowledge_editor"))
    refused(client.post(API, json=content()), 403, "csrf_failed")
    token = page_csrf(client)
    created = ok(client.post(API, json=content(), headers={"X-CSRF-Token": token}), 201)
    assert created["updated_by"].startswith("user:")
    assert ok(client.get(f"{API}/{created['code']}"))["code"] == created["code"]


def test_openapi_documents_the_kb_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/kb/entries", "/api/v1/kb/entries/{code}/approve", "/api/v1/kb/review-queue"} <= set(
        paths
    )
    assert paths["/api/v1/kb/entries"]["post"]["tags"] == ["knowledge"]
    assert not any(p.startswith("/hoi-dap") for p in paths)


def test_odd_input_gets_a_structured_answer_never_a_500(client, team):
    """NUL cannot be stored by PostgreSQL; other control characters break the Excel export."""
    editor = team("knowledge_editor")
    code = create(client, editor)["code"]
    for path in ("/a%00b", "/A-B", "/" + "x" * 65, "/a%00b/versions", "/a%20b/history"):
        refused(client.get(API + path, headers=editor), 404, "kb_entry_not_found")
    refused(client.post(f"{API}/a%00b/submit", headers=editor), 404, "kb_entry_not_found")
    assert client.get("/hoi-dap/a%00b").status_code == 404
    for params in ({"q": "a\x00b"}, {"offset": 10**20}, {"limit": "nhiều"}):
        refused(client.get(API, params=params, headers=editor), 422, "validation_error")
    for path in (f"/versions/{10**20}", f"/diff?to={10**20}"):
        refused(client.get(f"{API}/{code}{path}", headers=editor), 422, "validation_error")
    for changes, field in (({"question": "a\x00b"}, "question"), ({"phrasings": ["x\x07"]}, "phrasings")):
        body = refused(client.post(API, json=content(**changes), headers=editor), 422, "validation_error")
        assert body["details"]["errors"][0]["loc"][:2] == ["body", field]
    fine = create(client, editor, full_answer="Dòng 1\n\tDòng 2\r\nDòng 3")
    assert fine["full_answer"].startswith("Dòng 1\n\t")
    refused(
        client.post(f"{API}/{code}/comments", json={"body": "a\x00"}, headers=editor), 422, "validation_error"
    )
    stale = content() | {"expected_version": 10**20}
    refused(client.put(f"{API}/{code}", json=stale, headers=editor), 422, "validation_error")
