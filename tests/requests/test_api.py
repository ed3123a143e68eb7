"""The requests API (/api/v1/requests …) over HTTP on both backends: the agent's work, roles and
province scoping, masking with audited unmasking, units, attachments, the customer's lookup, and
a structured refusal for every bad input."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from tests.conftest import TEST_ACTOR, login
from tests.requests.conftest import CITIZEN_PHONE
from tests.web.helpers import audit_rows, page_csrf
from vsscare.accounts import actions as accounts
from vsscare.requests.attachments import MAX_FILE

API = "/api/v1/requests"
CALL = {
    "channel": "phone",
    "type": "question",
    "topic": "bhtn",
    "subject": "Hỏi về trợ cấp thất nghiệp",
    "body": "Tôi nghỉ việc tháng trước, muốn hỏi thủ tục hưởng trợ cấp thất nghiệp.",
    "contact_name": "Nguyễn Văn An",
    "contact_phone": CITIZEN_PHONE,
    "contact_email": "an.nguyen@gmail.com",
}

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def staff(db, make_user):
    """``staff("agent", unit="BHXH-79")`` → (username, Authorization headers for an API token)."""

    def make(*roles: str, unit: str | None = "CCC") -> tuple[str, dict[str, str]]:
        username = make_user(*roles, unit=unit)
        with db.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return username, {"Authorization": f"Bearer {raw}"}

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


def test_agent_takes_a_call_and_works_it_to_the_end(client, staff):
    me, agent = staff("agent")
    created = client.post(API, json=CALL | {"assignee": me}, headers=agent)
    request = ok(created, 201)
    code = request["code"]
    assert created.headers["location"] == f"{API}/{code}"
    assert (request["status"], request["assignee"], request["team"], request["version"]) == (
        "new", me, "CCC", request["version"],
    )  # fmt: skip
    assert request["status_label"] == "Mới" and request["sla"]["policy"] == "standard"
    assert request["sla"]["paused"] is False and request["sla"]["resolution_due"]
    [first] = request["messages"]
    assert (first["kind"], first["body"], first["attachments"]) == ("inbound", CALL["body"], [])

    listed = ok(
        client.get(API, params={"status": "new,open", "channel": "phone", "q": "tro cap"}, headers=agent)
    )
    assert [r["code"] for r in listed["items"]] == [code] and listed["next_cursor"] is None
    assert listed["items"][0]["contact_name"] == "N. V. A."
    assert ok(client.get(API, params={"status": "resolved"}, headers=agent))["items"] == []
    assert ok(client.get(API, params={"assignee": "me"}, headers=agent))["items"][0]["code"] == code

    version = request["version"]
    answer = {"body": "Anh nộp hồ sơ tại trung tâm dịch vụ việc làm.", "version": version}
    replied = ok(client.post(f"{API}/{code}/reply", json=answer, headers=agent))
    assert replied["status"] == "open" and replied["version"] > version
    assert replied["sla"]["first_responded_at"] is not None
    stale = client.post(f"{API}/{code}/note", json={"body": "Ghi chú", "version": version}, headers=agent)
    assert refused(stale, 409, "request_conflict")["message_en"].startswith(
        f"Request {code} was just changed"
    )
    noted = ok(client.post(f"{API}/{code}/note", json={"body": "Khách gọi lại sau 15h."}, headers=agent))
    assert [m["kind"] for m in noted["messages"]] == ["inbound", "outbound", "note"]

    waiting = ok(client.post(f"{API}/{code}/status", json={"status": "pending_customer"}, headers=agent))
    assert waiting["status"] == "pending_customer" and waiting["sla"]["paused"] is True
    triaged = ok(
        client.post(f"{API}/{code}/triage", json={"priority": "high", "tags": ["Goi lai"]}, headers=agent)
    )
    assert (triaged["priority"], triaged["tags"], triaged["sla"]["policy"]) == ("high", ["goi-lai"], "high")
    resolved = ok(client.post(f"{API}/{code}/resolve", headers=agent))
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    refused(client.post(f"{API}/{code}/resolve", headers=agent), 409, "request_bad_status")
    assert (
        ok(client.post(f"{API}/{code}/close", json={"version": resolved["version"]}, headers=agent))["status"]
        == "closed"
    )
    assert ok(client.post(f"{API}/{code}/reopen", headers=agent))["status"] == "reopened"
    refused(client.post(f"{API}/{code}/reopen", headers=agent), 409, "request_bad_status")

    gave_back = ok(client.post(f"{API}/{code}/assign", json={"assignee": None}, headers=agent))
    assert gave_back["assignee"] is None
    assert ok(client.post(f"{API}/{code}/assign", json={"assignee": me}, headers=agent))["assignee"] == me

    events = ok(client.get(f"{API}/{code}/timeline", headers=agent))
    types = [e["type"] for e in events]
    assert types[:3] == ["request.created", "request.message_received", "request.assigned"]
    assert {
        "request.replied",
        "request.noted",
        "request.resolved",
        "request.closed",
        "request.reopened",
    } <= set(types)
    assert events[0]["actor_name"] == me and events[0]["data"]["channel"] == "phone"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_roles_decide_who_reads_writes_assigns_escalates_and_decides(client, staff, open_request):
    code = open_request(type="complaint")
    _, agent = staff("agent")
    colleague, _ = staff("agent")
    _, supervisor = staff("supervisor")
    _, leader = staff("leader", unit="VSS")
    _, editor = staff("knowledge_editor")

    refused(client.get(API), 401, "not_authenticated")
    refused(client.get(f"{API}/{code}"), 401, "not_authenticated")
    refused(client.post(API, json=CALL), 401, "not_authenticated")
    refused(client.get(f"{API}/{code}", headers=editor), 403, "permission_denied")
    # leadership reads every province but does not work requests
    assert ok(client.get(f"{API}/{code}", headers=leader))["code"] == code
    refused(client.post(f"{API}/{code}/reply", json={"body": "x"}, headers=leader), 403, "permission_denied")

    # an agent takes it or gives it back, but cannot hand it to a colleague or take it from one
    denied = client.post(f"{API}/{code}/assign", json={"assignee": colleague}, headers=agent)
    assert refused(denied, 403, "permission_denied")["details"] == {"permission": "requests.assign"}
    refused(client.post(API, json=CALL | {"assignee": colleague}, headers=agent), 403, "permission_denied")
    assert (
        ok(client.post(f"{API}/{code}/assign", json={"assignee": colleague}, headers=supervisor))["assignee"]
        == colleague
    )
    refused(
        client.post(f"{API}/{code}/assign", json={"assignee": None}, headers=agent), 403, "permission_denied"
    )
    unknown = client.post(f"{API}/{code}/assign", json={"assignee": "nobody.here"}, headers=supervisor)
    refused(unknown, 422, "request_agent_not_found")

    # automatic assignment: supervisors only; nobody online is a conflict, not a silent no-op
    refused(client.post(f"{API}/{code}/auto-assign", headers=agent), 403, "permission_denied")
    refused(client.post(f"{API}/{code}/auto-assign", headers=supervisor), 409, "request_no_agent")
    presence = ok(client.put("/api/v1/agents/me/presence", json={"presence": "online"}, headers=agent))
    assert presence["presence"] == "online" and presence["seen_at"]
    picked = ok(client.post(f"{API}/{code}/auto-assign", json={"version": None}, headers=supervisor))
    assert picked["assignee"] == presence["username"]

    # escalation: agents to a supervisor, supervisors to leadership, leadership decides
    refused(client.post(f"{API}/{code}/complaint/accept", json={}, headers=agent), 403, "permission_denied")
    accepted = ok(client.post(f"{API}/{code}/complaint/accept", json={"complex": True}, headers=supervisor))
    assert accepted["complaint"]["accepted_at"] and accepted["complaint"]["complex"] is True
    assert accepted["complaint"]["due"] > accepted["complaint"]["accepted_at"]
    to_leaders = {
        "level": "leadership",
        "reason": "Vượt thẩm quyền",
        "summary": "Tóm tắt",
        "proposal": "Đề xuất",
    }
    refused(client.post(f"{API}/{code}/escalate", json=to_leaders, headers=agent), 403, "permission_denied")
    up = ok(
        client.post(
            f"{API}/{code}/escalate", json={"level": "supervisor", "reason": "Bức xúc"}, headers=agent
        )
    )
    assert up["escalation_level"] == "supervisor" and up["priority"] == "high"
    no_summary = to_leaders | {"summary": None}
    refused(
        client.post(f"{API}/{code}/escalate", json=no_summary, headers=supervisor),
        422,
        "request_summary_required",
    )
    ok(client.post(f"{API}/{code}/escalate", json=to_leaders, headers=supervisor))
    decision = {"text": "Đồng ý đề xuất."}
    refused(
        client.post(f"{API}/{code}/decision", json=decision, headers=supervisor), 403, "permission_denied"
    )
    decided = ok(client.post(f"{API}/{code}/decision", json=decision, headers=leader))
    leadership = decided["escalations"][-1]
    assert (leadership["level"], leadership["decision"]) == ("leadership", "Đồng ý đề xuất.")
    assert leadership["decided_by"] and not leadership["decided_by"].startswith("user:")
    refused(client.post(f"{API}/{code}/decision", json=decision, headers=leader), 404, "escalation_not_found")


def test_units_work_only_what_reached_their_province(client, staff, open_request):
    hcm = open_request(province="79")
    _, agent = staff("agent")
    _, handler = staff("unit_handler", unit="BHXH-79")
    _, stranger = staff("unit_handler", unit="BHXH-48")

    refused(client.get(f"{API}/{hcm}", headers=stranger), 403, "request_not_visible")
    refused(client.get(f"{API}/{hcm}/timeline", headers=stranger), 403, "request_not_visible")
    assert hcm not in [r["code"] for r in ok(client.get(API, headers=stranger))["items"]]
    unknown = {"unit": "BHXH-99-NOPE", "summary": "Kiểm tra quá trình đóng."}
    assert (
        "BHXH-99-NOPE"
        in refused(
            client.post(f"{API}/{hcm}/transfer", json=unknown, headers=agent), 422, "request_unit_not_found"
        )["message"]
    )
    moved = ok(
        client.post(
            f"{API}/{hcm}/transfer", json={"unit": "BHXH-79", "summary": "Chưa nhận trợ cấp."}, headers=agent
        )
    )
    assert (moved["status"], moved["unit"]) == ("pending_unit", "BHXH-79")
    assert moved["transfers"][0]["created_by"].startswith("agent")  # a username, not user:<id>

    queue = ok(client.get("/api/v1/unit-queue", headers=handler))["items"]
    assert [(i["unit"], i["request"]["code"], i["transfer"]["status"]) for i in queue] == [
        ("BHXH-79", hcm, "pending")
    ]
    assert ok(client.get("/api/v1/unit-queue", headers=stranger))["items"] == []
    refused(client.get("/api/v1/unit-queue", headers=agent), 403, "permission_denied")
    refused(client.post(f"{API}/{hcm}/unit/accept", headers=stranger), 403, "request_not_visible")
    refused(client.post(f"{API}/{hcm}/unit/accept", headers=agent), 403, "permission_denied")

    assert ok(client.post(f"{API}/{hcm}/unit/accept", headers=handler))["status"] == "accepted"
    asked = ok(client.post(f"{API}/{hcm}/unit/ask", json={"text": "Xin số sổ BHXH."}, headers=handler))
    assert (asked["status"], asked["question"]) == ("info_requested", "Xin số sổ BHXH.")
    refused(
        client.post(f"{API}/{hcm}/unit/settle", json={"text": "x"}, headers=handler),
        409,
        "transfer_bad_status",
    )
    ok(client.post(f"{API}/{hcm}/info", json={"text": "Số sổ 7912345678."}, headers=agent))
    settled = ok(
        client.post(f"{API}/{hcm}/unit/settle", json={"text": "Đã chi trả ngày 20/11."}, headers=handler)
    )
    assert settled["status"] == "settled" and settled["result"] == "Đã chi trả ngày 20/11."
    done = ok(client.get(f"{API}/{hcm}", headers=agent))
    assert done["status"] == "resolved" and done["messages"][-2]["body"] == "Đã chi trả ngày 20/11."

    # another request comes back with the unit's reason; a closed one cannot be transferred
    other = open_request(province="79")
    ok(
        client.post(
            f"{API}/{other}/transfer", json={"unit": "BHXH-79", "summary": "Kiểm tra."}, headers=agent
        )
    )
    back = ok(
        client.post(f"{API}/{other}/unit/return", json={"text": "Không thuộc thẩm quyền."}, headers=handler)
    )
    assert (back["status"], back["reason"]) == ("returned", "Không thuộc thẩm quyền.")
    refused(client.post(f"{API}/{other}/unit/accept", headers=handler), 404, "transfer_not_found")
    assert ok(client.get(f"{API}/{other}", headers=agent))["status"] == "open"
    refused(
        client.post(f"{API}/{other}/info", json={"text": "Thêm."}, headers=agent), 404, "transfer_not_found"
    )
    ok(client.post(f"{API}/{hcm}/close", headers=agent))
    again = client.post(f"{API}/{hcm}/transfer", json={"unit": "BHXH-79", "summary": "Lại."}, headers=agent)
    refused(again, 409, "request_bad_status")


def test_personal_data_is_masked_and_every_unmasked_read_is_audited(client, staff, db, open_request):
    code = open_request(contact_email="an.nguyen@gmail.com", external_ref="zalo:8412345678901")
    _, agent = staff("agent")
    admin_name, admin = staff("admin")

    masked = ok(client.get(f"{API}/{code}", headers=agent))
    assert masked["masked"] is True
    contact = ("contact_name", "contact_phone", "contact_email", "external_ref")
    assert [masked[f] for f in contact] == ["N. V. A.", "091****678", "a***@gmail.com", "zalo:***901"]
    assert CITIZEN_PHONE[1:] not in str(masked)

    denied = client.get(f"{API}/{code}", params={"unmask": "true"}, headers=agent)
    assert refused(denied, 403, "permission_denied")["details"] == {"permission": "personal_data.unmask"}
    assert audit_rows(db, "requests.unmask") == []
    assert audit_rows(db, "permission.denied")[-1].details["permission"] == "personal_data.unmask"

    full = ok(client.get(f"{API}/{code}", params={"unmask": "true"}, headers=admin))
    assert full["masked"] is False
    assert [full[f] for f in contact] == [
        "Nguyễn Văn An", "+84912345678", "an.nguyen@gmail.com", "zalo:8412345678901",
    ]  # fmt: skip
    [row] = audit_rows(db, "requests.unmask")
    assert (row.actor_name, row.object_type, row.object_id, row.outcome) == (
        admin_name,
        "request",
        code,
        "ok",
    )
    assert row.details == {"fields": ["contact_name", "contact_phone", "contact_email", "external_ref"]}
    # masked by default even for those allowed to unmask, and a masked read is not audited
    assert ok(client.get(f"{API}/{code}", headers=admin))["contact_phone"] == "091****678"
    assert len(audit_rows(db, "requests.unmask")) == 1


def test_merge_links_and_a_merged_request_refuses_replies(client, staff, open_request):
    keep, dup = open_request(), open_request(subject="Hỏi lại về thất nghiệp")
    _, agent = staff("agent")
    merged = ok(client.post(f"{API}/{dup}/merge", json={"other": keep}, headers=agent))
    assert merged["code"] == keep
    assert [m["kind"] for m in merged["messages"] if m["kind"] == "inbound"] == ["inbound", "inbound"]
    assert {"kind": "merged", "code": dup, "status": "closed"} in merged["links"]
    gone = ok(client.get(f"{API}/{dup}", headers=agent))
    assert (gone["status"], gone["merged_into"]) == ("closed", keep)
    answer = client.post(f"{API}/{dup}/reply", json={"body": "Trả lời"}, headers=agent)
    assert keep in refused(answer, 409, "request_merged")["message"]
    refused(
        client.post(f"{API}/{keep}/merge", json={"other": keep}, headers=agent), 422, "request_merge_self"
    )
    refused(
        client.post(f"{API}/{keep}/merge", json={"other": "YC-2026-999999"}, headers=agent),
        404,
        "request_not_found",
    )

    follow = open_request(subject="Hỏi tiếp")
    linked = ok(client.post(f"{API}/{keep}/link", json={"other": follow, "kind": "follow_up"}, headers=agent))
    assert {"kind": "follow_up", "code": follow, "status": "new"} in linked["links"]
    refused(client.post(f"{API}/{keep}/link", json={"other": keep}, headers=agent), 422, "request_link_self")
    hidden = open_request(province="01", team="BHXH-01")
    _, hcm_agent = staff("agent", unit="BHXH-79")
    mine = open_request(province="79", team="BHXH-79")
    refused(
        client.post(f"{API}/{mine}/link", json={"other": hidden}, headers=hcm_agent),
        403,
        "request_not_visible",
    )


def test_attachments_are_checked_stored_and_served_only_to_who_may_see_them(client, staff, db):
    _, agent = staff("agent", unit="BHXH-79")
    _, stranger = staff("agent", unit="BHXH-48")
    image = png()
    files = [
        ("files", ("Giấy xác nhận.pdf", PDF, "application/pdf")),
        ("files", ("ảnh.png", image, "image/png")),
    ]
    data = {"data": json.dumps(CALL | {"province": "79"})}
    created = ok(client.post(API, data=data, files=files, headers=agent), 201)
    attachments = created["messages"][0]["attachments"]
    assert [(a["filename"], a["content_type"], a["size"]) for a in attachments] == [
        ("Giấy xác nhận.pdf", "application/pdf", len(PDF)), ("ảnh.png", "image/png", len(image)),
    ]  # fmt: skip

    pdf = client.get(attachments[0]["url"], headers=agent)
    assert pdf.status_code == 200 and pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-content-type-options"] == "nosniff"
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="Giay xac nhan.pdf"; '
        "filename*=UTF-8''Gi%E1%BA%A5y%20x%C3%A1c%20nh%E1%BA%ADn.pdf"
    )
    assert client.get(attachments[1]["url"], headers=agent).content == image
    refused(client.get(attachments[0]["url"], headers=stranger), 404, "attachment_not_found")
    refused(client.get(f"{API}/attachments/999999", headers=agent), 404, "attachment_not_found")
    refused(client.get(f"{API}/attachments/abc", headers=agent), 404, "attachment_not_found")
    refused(client.get(attachments[0]["url"]), 401, "not_authenticated")
    assert len(audit_rows(db, "requests.attachment_download")) == 2

    code = created["code"]
    program = b"MZ\x90\x00\x03" + b"\x00" * 200
    lying = [("files", ("hop-dong.pdf", program, "application/pdf"))]
    body = {"data": json.dumps({"body": "Gửi anh giấy tờ."})}
    refused(client.post(f"{API}/{code}/reply", data=body, files=lying, headers=agent), 415, "attachment_type")
    huge = [("files", ("lon.pdf", PDF + b"0" * MAX_FILE, "application/pdf"))]
    too_large = refused(
        client.post(f"{API}/{code}/note", data=body, files=huge, headers=agent), 413, "attachment_too_large"
    )
    assert "lon.pdf" in too_large["message"]
    many = [("files", (f"{i}.pdf", PDF, "application/pdf")) for i in range(6)]
    refused(
        client.post(f"{API}/{code}/note", data=body, files=many, headers=agent), 413, "attachment_too_many"
    )
    refused(client.post(f"{API}/{code}/note", data={}, files=files, headers=agent), 422, "validation_error")
    detail = ok(client.get(f"{API}/{code}", headers=agent))
    assert len(detail["messages"]) == 1  # nothing refused was kept

    replied = ok(client.post(f"{API}/{code}/reply", data=body, files=files[1:], headers=agent))
    [sent] = replied["messages"][-1]["attachments"]
    assert client.get(sent["url"], headers=agent).content == image


def test_customer_looks_up_with_code_and_phone_and_learns_nothing_else(client, staff, db, open_request):
    code = open_request()
    _, agent = staff("agent")
    ok(client.post(f"{API}/{code}/note", json={"body": "Nội bộ: khách khó tính"}, headers=agent))
    ok(client.post(f"{API}/{code}/reply", json={"body": "Chúng tôi đã nhận hồ sơ."}, headers=agent))

    found = ok(client.post(f"{API}/lookup", json={"code": code.lower(), "phone": "+84 912 345 678"}))
    assert (found["code"], found["status"], found["status_label"]) == (code, "open", "Đang xử lý")
    bodies = [m["body"] for m in found["messages"]]
    assert "Chúng tôi đã nhận hồ sơ." in bodies and not any("Nội bộ" in b for b in bodies)
    assert set(found["messages"][0]) == {"kind", "body", "at"}
    client.cookies.set("vsscare_lang", "en")
    english = ok(client.post(f"{API}/lookup", json={"code": code, "phone": CITIZEN_PHONE}))
    client.cookies.clear()
    assert english["status_label"] == "Being handled"

    wrong_phone = refused(
        client.post(f"{API}/lookup", json={"code": code, "phone": "0987654321"}), 404, "request_lookup_failed"
    )
    wrong_code = client.post(f"{API}/lookup", json={"code": "YC-2026-999999", "phone": CITIZEN_PHONE})
    assert refused(wrong_code, 404, "request_lookup_failed") == wrong_phone
    nonsense = client.post(f"{API}/lookup", json={"code": "../../etc\x00", "phone": CITIZEN_PHONE})
    assert refused(nonsense, 404, "request_lookup_failed") == wrong_phone
    refused(client.post(f"{API}/lookup", json={"code": code, "phone": "12"}), 422, "request_bad_phone")
    refused(client.post(f"{API}/lookup", json={"code": code}), 422, "validation_error")

    rows = audit_rows(db, "requests.lookup")
    assert [(r.outcome, r.object_id) for r in rows] == [
        ("ok", code), ("ok", code), ("denied", code), ("denied", "YC-2026-999999"), ("denied", None),
        ("denied", code),
    ]  # fmt: skip
    assert rows[-1].details == {"reason": "request_bad_phone"}
    assert all("912" not in str(r.details) and "987" not in str(r.details) for r in rows)


def test_bad_input_gets_a_structured_refusal_never_a_500(client, staff, open_request):
    code = open_request()
    _, agent = staff("agent")
    bad_queries = [
        {"status": "open,archived"}, {"channel": "fax"}, {"sort": "random"}, {"limit": 201}, {"limit": 0},
        {"q": "thất\x00nghiệp"}, {"cursor": "!!"}, {"cursor": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},
        {"created_from": "0001-01-01"}, {"created_to": "2026-02-30"}, {"assignee": "x\x00"},
        {"escalated": "maybe"},
    ]  # fmt: skip
    for params in bad_queries:
        refused(client.get(API, params=params, headers=agent), 422, "validation_error")
    first = ok(client.get(API, params={"limit": 1}, headers=agent))
    assert ok(client.get(API, params={"limit": 1, "cursor": first["next_cursor"] or "MQ"}, headers=agent))

    for path in (f"{API}/..%2F..%2Fetc", f"{API}/YC-2026-999999", f"{API}/%00", f"{API}/{'9' * 300}"):
        assert client.get(path, headers=agent).status_code == 404
    refused(client.get(f"{API}/YC-2026-999999", headers=agent), 404, "request_not_found")
    refused(client.post(f"{API}/..%2F..%2Fetc/reply", json={"body": "x"}, headers=agent), 404, "not_found")

    bad_bodies = [
        CALL | {"channel": "fax"}, CALL | {"subject": 12}, CALL | {"subject": "   "},
        CALL | {"contact_phone": "12"},
        CALL | {"external_ref": "zalo:\x00"}, CALL | {"customer_id": 2**70}, CALL | {"body": "x" * 20_001},
        CALL | {"unexpected": 1}, CALL | {"tags": ["không hợp lệ!"]}, [CALL], "x",
    ]  # fmt: skip
    for body in bad_bodies:
        refused(client.post(API, json=body, headers=agent), 422, "validation_error")
    not_json = client.post(API, content=b"{nope", headers=agent | {"content-type": "application/json"})
    refused(not_json, 422, "validation_error")
    huge = client.post(API, content=b" " * (300 * 1024), headers=agent | {"content-type": "application/json"})
    refused(huge, 413, "request_body_too_large")

    nul = ok(client.post(f"{API}/{code}/note", json={"body": "ghi\x00 chú"}, headers=agent))
    assert nul["messages"][-1]["body"] == "ghi chú"
    for path, body in (
        ("reply", {"body": "x", "version": "one"}), ("reply", {"body": "x", "then": "closed"}),
        ("status", {"status": "resolved"}), ("assign", {"assignee": "a\x00b"}), ("triage", {"topic": "nope"}),
        ("transfer", {"unit": "BHXH-79", "summary": "x", "due_at": "9999-12-31T00:00:00Z"}),
        ("transfer", {"unit": "BHXH-\x0079", "summary": "x"}), ("merge", {"other": "../../etc"}),
        ("escalate", {"level": "god", "reason": "x"}),
    ):  # fmt: skip
        refused(client.post(f"{API}/{code}/{path}", json=body, headers=agent), 422, "validation_error")
    past = {"unit": "BHXH-79", "summary": "x", "due_at": "2020-01-01T00:00:00"}
    refused(client.post(f"{API}/{code}/transfer", json=past, headers=agent), 422, "request_deadline_past")
    _, supervisor = staff("supervisor")
    refused(
        client.post(f"{API}/{code}/complaint/accept", json={"complex": "very"}, headers=supervisor),
        422,
        "validation_error",
    )
    refused(
        client.post(f"{API}/{code}/complaint/accept", json={}, headers=supervisor),
        409,
        "request_not_complaint",
    )
    refused(
        client.put("/api/v1/agents/me/skills", json={"skills": ["nope"]}, headers=agent),
        422,
        "validation_error",
    )


def test_a_browser_session_needs_its_csrf_token_and_a_token_does_not(client, make_user, staff):
    username = make_user("agent")
    login(client, username)
    refused(client.post(API, json=CALL), 403, "csrf_failed")
    token = page_csrf(client)
    created = ok(client.post(API, json=CALL, headers={"X-CSRF-Token": token}), 201)
    assert ok(client.get(f"{API}/{created['code']}"))["code"] == created["code"]
    form = {"data": json.dumps({"body": "Ghi chú kèm tệp"}), "csrf_token": token}
    noted = ok(
        client.post(
            f"{API}/{created['code']}/note", data=form, files=[("files", ("a.pdf", PDF, "application/pdf"))]
        )
    )
    assert noted["messages"][-1]["attachments"][0]["filename"] == "a.pdf"
    refused(client.put("/api/v1/agents/me/presence", json={"presence": "online"}), 403, "csrf_failed")
    client.cookies.clear()
    _, headers = staff("agent")
    assert ok(client.post(API, json=CALL, headers=headers), 201)["code"] != created["code"]


def test_agents_set_their_skills_and_keep_their_own_views(client, staff):
    me, agent = staff("agent")
    _, other = staff("agent")
    skills = ok(
        client.put(
            "/api/v1/agents/me/skills",
            json={"skills": ["bhtn", "bhyt", "bhtn"], "max_open": 12},
            headers=agent,
        )
    )
    assert (skills["username"], skills["skills"], skills["max_open"], skills["presence"]) == (
        me,
        ["bhtn", "bhyt"],
        12,
        "offline",
    )
    assert ok(client.put("/api/v1/agents/me/presence", json={"presence": "away"}, headers=agent))[
        "skills"
    ] == ["bhtn", "bhyt"]

    view = {
        "name": "Của tôi, quá hạn",
        "filters": {"status": "open,reopened", "assignee": "me", "sla": "breached"},
    }
    saved = ok(client.post(f"{API}/views", json=view, headers=agent), 201)
    assert saved["filters"] == {"status": "open,reopened", "assignee": "me", "sla": "breached"}
    refused(client.post(f"{API}/views", json=view, headers=agent), 409, "view_name_taken")
    for filters in ({"colour": "red"}, {"status": "archived"}, {"limit": "5"}):
        refused(
            client.post(f"{API}/views", json={"name": "Khác", "filters": filters}, headers=agent),
            422,
            "validation_error",
        )
    assert [v["name"] for v in ok(client.get(f"{API}/views", headers=agent))] == ["Của tôi, quá hạn"]
    assert ok(client.get(f"{API}/views", headers=other)) == []
    assert (
        client.delete(f"{API}/views/{saved['id']}", headers=other).status_code == 204
    )  # not theirs: nothing
    assert len(ok(client.get(f"{API}/views", headers=agent))) == 1
    assert client.delete(f"{API}/views/{saved['id']}", headers=agent).status_code == 204
    assert ok(client.get(f"{API}/views", headers=agent)) == []
    refused(client.delete(f"{API}/views/abc", headers=agent), 422, "validation_error")


def test_the_queue_pages_by_cursor_and_shows_only_what_the_caller_may_see(client, staff, open_request):
    codes = [open_request(subject=f"Thẻ bảo hiểm y tế số {i}", topic="bhyt", province="79") for i in range(5)]
    hanoi = open_request(province="01", team="BHXH-01", topic="bhyt")
    _, hcm_agent = staff("agent", unit="BHXH-79")
    _, leader = staff("leader", unit="VSS")
    seen, cursor = [], None
    while True:
        page = ok(
            client.get(
                API,
                params={"topic": "bhyt", "limit": 2} | ({"cursor": cursor} if cursor else {}),
                headers=hcm_agent,
            )
        )
        seen += [r["code"] for r in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == codes[::-1]
    oldest = ok(client.get(API, params={"topic": "bhyt", "sort": "oldest", "limit": 200}, headers=leader))
    assert [r["code"] for r in oldest["items"]] == [*codes, hanoi]
    assert ok(client.get(API, params={"province": "01"}, headers=hcm_agent))["items"] == []
    assert [
        r["code"] for r in ok(client.get(API, params={"q": "bao hiem y te so 3"}, headers=leader))["items"]
    ] == [codes[3]]
    due = ok(client.get(API, params={"sort": "due", "limit": 2, "province": "79"}, headers=leader))
    assert len(due["items"]) == 2 and due["next_cursor"]
    assert (
        len(
            ok(
                client.get(
                    API,
                    params={"sort": "due", "cursor": due["next_cursor"], "province": "79"},
                    headers=leader,
                )
            )["items"]
        )
        == 3
    )
