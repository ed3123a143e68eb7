"""The agent workspace in the console: queue, intake form, request page and its actions, on SQLite
and PostgreSQL, through the pages' own forms."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.requests.conftest import actor_of, load
from tests.web.helpers import audit_rows, page_csrf
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.requests import actions, views
from vsscare.requests.models import AgentProfile, CannedResponse, RequestMessage, RequestTransfer, SavedView

BASE = "/console/requests"
VERSION = re.compile(r'name="version" value="(\d+)"')


def act(client: TestClient, code: str, action: str, data: dict, files=None, version: int | None = None):
    """Post an action form of the request page, with the CSRF token and version it renders."""
    page = client.get(f"{BASE}/{code}")
    token = page_csrf(client, f"{BASE}/{code}")
    if version is None:
        found = VERSION.search(page.text)
        version = int(found.group(1)) if found else 1
    form = {"csrf_token": token, "version": str(version)} | data
    return client.post(f"{BASE}/{code}/act/{action}", data=form, files=files, follow_redirects=False)


def rows(html: str) -> list[str]:
    return re.findall(r'data-href="/console/requests/(YC-\d{4}-\d+)"', html)


# -- pages ------------------------------------------------------------------------------------------


def test_every_page_renders_for_an_agent(as_user, open_request):
    client, _ = as_user("agent")
    code = open_request(subject="Hỏi về trợ cấp thất nghiệp")
    queue = client.get(BASE)
    assert queue.status_code == 200
    assert code in queue.text and "Hỏi về trợ cấp thất nghiệp" in queue.text
    assert 'id="presence-select"' in queue.text and "Tiếp nhận cuộc gọi" in queue.text
    assert client.get(f"{BASE}/new").status_code == 200
    page = client.get(f"{BASE}/{code}")
    assert page.status_code == 200
    assert "Tôi nghỉ việc tháng trước" in page.text  # the customer's message on the timeline
    assert "Thông báo tự động cho khách hàng" in page.text  # the "received" notice
    assert 'id="reply-form"' in page.text and 'id="dlg-transfer"' in page.text
    assert "Phản hồi đầu tiên" in page.text  # SLA deadlines in the header
    assert 'id="presence-select"' in page.text  # the presence poll runs while working on a request too
    for action in ("assign", "triage", "transfer", "escalate", "merge", "link", "resolve", "wait"):
        assert client.get(f"{BASE}/{code}/act/{action}").status_code == 200, action
    assert client.get(f"{BASE}/{code}/act/nonsense").status_code == 404
    assert client.get(f"{BASE}/{code.lower()}").status_code == 200  # codes are case-insensitive
    assert client.get(f"{BASE}/YC-2026-999999").status_code == 404
    client.get("/lang/en")  # remembered for the user
    english = client.get(f"{BASE}/{code}")
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert client.get(BASE).status_code == 200


def test_reading_needs_the_view_permission_and_acting_the_work_permission(as_user, open_request):
    code = open_request()
    editor, _ = as_user("knowledge_editor")
    assert editor.get(BASE).status_code == 403
    admin_dn, _ = as_user("provincial_admin", unit="BHXH-48")  # may view, may not work
    assert admin_dn.get(f"{BASE}/{code}").status_code == 200
    assert admin_dn.get(f"{BASE}/new").status_code == 403
    assert 'id="reply-form"' not in admin_dn.get(f"{BASE}/{code}").text
    assert act(admin_dn, code, "resolve", {}).status_code == 403


def test_a_handler_of_another_province_may_not_open_the_request(as_user, open_request):
    code = open_request(province="01")
    handler, _ = as_user("unit_handler", unit="BHXH-79")
    page = handler.get(f"{BASE}/{code}")
    assert page.status_code == 403
    assert "Bạn không có quyền xem yêu cầu" in page.text
    assert code not in handler.get(BASE).text
    assert handler.get(BASE, params={"q": code}).status_code == 403  # a code search does not open it


# -- the queue ---------------------------------------------------------------------------------------


def test_filters_and_full_text_search_with_or_without_diacritics(as_user, open_request):
    client, _ = as_user("agent")
    jobless = open_request(topic="bhtn", subject="Trợ cấp thất nghiệp chưa nhận")
    card = open_request(topic="bhyt", subject="Thẻ bảo hiểm y tế bị sai ngày sinh", body="Thẻ BHYT sai.")
    urgent = open_request(topic="bhyt", priority="urgent", subject="Cấp lại thẻ gấp", body="Cần gấp.")
    assert set(rows(client.get(BASE, params={"topic": "bhyt"}).text)) == {card, urgent}
    assert rows(client.get(BASE, params={"topic": "bhyt", "priority": "urgent"}).text) == [urgent]
    for q in ("thất nghiệp", "that nghiep", "THAT NGHIEP", "that ngh"):
        assert rows(client.get(BASE, params={"q": q}).text) == [jobless], q
    assert rows(client.get(BASE, params={"q": "bao hiem y te", "topic": "bhyt"}).text) == [card]
    assert rows(client.get(BASE, params={"status": "new,open"}).text) == [urgent, card, jobless]
    assert rows(client.get(BASE, params={"status": "resolved"}).text) == []
    assert rows(client.get(BASE, params={"sort": "oldest"}).text) == [jobless, card, urgent]
    assert rows(client.get(BASE, params={"assignee": "none"}).text) == [urgent, card, jobless]
    assert rows(client.get(BASE, params={"assignee": "me"}).text) == []


def test_keyset_pages_go_forward_and_back_to_the_first(as_user, open_request, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client, _ = as_user("agent")
    codes = [open_request(subject=f"Câu hỏi số {n}") for n in range(5)]
    first = client.get(BASE, params={"topic": "bhtn"})
    assert rows(first.text) == [codes[4], codes[3]]
    next_url = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_url).query)["topic"] == ["bhtn"]  # the filters stay
    second = client.get(next_url)
    assert rows(second.text) == [codes[2], codes[1]]
    assert "Về trang đầu" in second.text
    third = client.get(re.search(r'rel="next" href="([^"]+)"', second.text).group(1).replace("&amp;", "&"))
    assert rows(third.text) == [codes[0]] and 'rel="next"' not in third.text
    back = re.search(r'href="([^"]+)"[^>]*>← Về trang đầu', third.text).group(1).replace("&amp;", "&")
    assert rows(client.get(back).text) == [codes[4], codes[3]]


def test_changing_a_filter_over_htmx_returns_only_the_results(as_user, open_request):
    client, _ = as_user("agent")
    code = open_request()
    headers = {"hx-request": "true", "hx-target": "queue-results"}
    fragment = client.get(BASE, params={"topic": "bhtn"}, headers=headers)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="queue-results"')
    assert code in fragment.text and "<html" not in fragment.text
    assert 'name="query" value="topic=bhtn"' in fragment.text  # "save this view" follows the filters


def test_searching_a_request_code_opens_it(as_user, open_request):
    client, _ = as_user("agent")
    code = open_request()
    for typed in (code, f"  {code.lower()} "):
        found = client.get(BASE, params={"q": typed}, follow_redirects=False)
        assert found.status_code == 303 and found.headers["location"] == f"{BASE}/{code}"
    over_htmx = client.get(
        BASE, params={"q": code}, headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert over_htmx.headers["hx-redirect"] == f"{BASE}/{code}"
    missing = client.get(BASE, params={"q": "YC-2026-999999"})
    assert missing.status_code == 404 and "Không có yêu cầu YC-2026-999999" in missing.text
    swapped = client.get(
        BASE, params={"q": "YC-2026-999999"}, headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert swapped.status_code == 200 and "Không có yêu cầu YC-2026-999999" in swapped.text


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense,,open", "channel": "pigeon", "topic": "x" * 300, "type": "'; drop table"},
        {"priority": "0", "province": "abc", "unit": "<script>", "team": "a b", "assignee": "Ö"},
        {"sla": "late", "escalated": "maybe", "tag": "Không hợp lệ", "sort": "random"},
        {"created_from": "2026-13-45", "created_to": "yesterday", "cursor": "%%%"},
        {"created_from": "0001-01-01", "created_to": "9999-12-31"},  # would overflow the time zone
        {"cursor": "bm90LWEtbnVtYmVy", "sort": "due"},  # base64 of garbage
        {"cursor": "MjAyNi0xMy0wMXw1", "sort": "due"},  # a due cursor with a bad date
        {"q": "\x00\x01 ' OR 1=1 --", "created_from": "2026-01-01", "created_to": "2026-12-31"},
        {"q": '"*^(', "unit": "BHXH-79", "team": "CCC", "assignee": "nobody"},
    ],
)
def test_garbage_filters_are_ignored_not_a_500(as_user, open_request, params):
    client, _ = as_user("agent")
    open_request()
    response = client.get(BASE, params=params)
    assert response.status_code == 200, response.text[-500:]


def test_tag_filter(as_user, open_request):
    client, _ = as_user("agent")
    tagged = open_request(tags=["vip"])
    open_request()
    assert rows(client.get(BASE, params={"tag": "vip"}).text) == [tagged]


# -- saved views and presence --------------------------------------------------------------------------


def test_saved_views_are_kept_per_user_and_names_are_unique(as_user, db: Database):
    client, _ = as_user("agent")
    token = page_csrf(client, BASE)
    saved = client.post(
        f"{BASE}/views",
        data={"csrf_token": token, "name": "Thất nghiệp của tôi", "query": "topic=bhtn&assignee=me&bad=1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    queue = client.get(BASE)
    assert "Thất nghiệp của tôi" in queue.text
    link = re.search(r'href="/console/requests\?([^"]+)">Thất nghiệp của tôi', queue.text).group(1)
    assert parse_qs(link.replace("&amp;", "&")) == {"topic": ["bhtn"], "assignee": ["me"]}
    again = client.post(
        f"{BASE}/views", data={"csrf_token": token, "name": "Thất nghiệp của tôi", "query": "topic=bhyt"}
    )
    assert again.status_code == 409 and "Bạn đã có bộ lọc tên" in again.text
    assert 'value="Thất nghiệp của tôi"' in again.text  # the name typed comes back
    blank = client.post(f"{BASE}/views", data={"csrf_token": token, "name": "  ", "query": "topic=bhyt"})
    assert blank.status_code == 422
    with db.read() as session:
        view = session.scalar(select(SavedView))
        assert view.filters == {"topic": "bhtn", "assignee": "me"}
    other, _ = as_user("agent")
    assert "Thất nghiệp của tôi" not in other.get(BASE).text
    other_token = page_csrf(other, BASE)
    other.post(f"{BASE}/views/{view.id}/delete", data={"csrf_token": other_token})
    assert "Thất nghiệp của tôi" in client.get(BASE).text  # nobody deletes another's view
    client.post(f"{BASE}/views/{view.id}/delete", data={"csrf_token": token})
    assert "Thất nghiệp của tôi" not in client.get(BASE).text


def test_presence_is_set_and_refreshed_by_the_poll(as_user, db: Database):
    client, username = as_user("agent")
    token = page_csrf(client, BASE)
    uid = int(actor_of(db, username).id)
    assert (
        client.post(f"{BASE}/presence", data={"csrf_token": token, "presence": "online"}).status_code == 200
    )
    with db.read() as session:
        first = session.get(AgentProfile, uid)
        assert first.presence == "online"
        seen = first.seen_at
    poll = client.post(
        f"{BASE}/presence", data={"presence": "online"}, headers={"hx-request": "true", "x-csrf-token": token}
    )
    assert poll.status_code == 200 and 'hx-trigger="change, every 60s"' in poll.text
    with db.read() as session:
        assert session.get(AgentProfile, uid).seen_at > seen
    client.post(f"{BASE}/presence", data={"csrf_token": token, "presence": "asleep"})  # unknown: kept
    with db.read() as session:
        assert session.get(AgentProfile, uid).presence == "online"
    assert client.post(f"{BASE}/presence", data={"presence": "away"}).status_code == 403  # no CSRF token


# -- a request typed in during a phone call ----------------------------------------------------------------


def test_a_phone_request_gets_a_code_to_read_to_the_caller(as_user, db: Database, ring):
    client, username = as_user("agent")
    token = page_csrf(client, f"{BASE}/new")
    form = {
        "csrf_token": token,
        "channel": "phone",
        "type": "question",
        "topic": "huu_tri",
        "priority": "normal",
        "subject": "Hỏi điều kiện nghỉ hưu",
        "body": "Ông hỏi năm nay 60 tuổi đã đủ điều kiện hưởng lương hưu chưa.",
        "contact_name": "Trần Văn Bình",
        "contact_phone": "0987 654 321",
        "contact_email": "",
        "province": "79",
        "assign_to_me": "on",
    }
    created = client.post(f"{BASE}/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    code = re.search(r"(YC-\d{4}-\d+)\?done=created", created.headers["location"]).group(1)
    page = client.get(created.headers["location"])
    assert "Đọc mã này cho người gọi" in page.text and code in page.text
    request = load(db, code)
    assert (request.channel, request.topic, request.province_code) == ("phone", "huu_tri", "79")
    assert request.contact_phone_masked == "098****321"
    assert ring.decrypt(request.contact_phone_enc, context="customers.phone") == "+84987654321"
    assert request.assignee_id == int(actor_of(db, username).id)
    assert "Ghi nhận qua điện thoại bởi" in page.text

    bad = client.post(f"{BASE}/new", data=form | {"contact_phone": "12345", "subject": "Hỏi lại"})
    assert bad.status_code == 422
    assert "Số điện thoại không hợp lệ" in bad.text
    assert 'value="Hỏi lại"' in bad.text and "Ông hỏi năm nay 60 tuổi" in bad.text  # what was typed stays
    assert 'value="12345"' in bad.text and 'aria-invalid="true"' in bad.text
    empty = client.post(f"{BASE}/new", data=form | {"subject": " ", "channel": "pigeon"})
    assert empty.status_code == 422 and "Không được để trống." in empty.text


# -- actions through the page's forms ----------------------------------------------------------------------


def test_reply_with_a_file_then_a_note(as_user, open_request, db: Database):
    client, username = as_user("agent")
    code = open_request()
    files = [("files", ("huong-dan.txt", "Hồ sơ gồm tờ khai mẫu 03.".encode(), "text/plain"))]
    sent = act(client, code, "message", {"kind": "reply", "body": "Chào anh, hồ sơ gồm…", "then": ""}, files)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=replied")
    page = client.get(sent.headers["location"])
    assert "Chào anh, hồ sơ gồm…" in page.text and "Đã gửi trả lời" in page.text
    link = re.search(r'href="/api/v1/requests/attachments/(\d+)"[^>]*>📎 huong-dan.txt', page.text)
    assert link, "the attachment is linked from the timeline"
    request = load(db, code)
    assert request.status == "open" and request.assignee_id == int(actor_of(db, username).id)
    noted = act(client, code, "message", {"kind": "note", "body": "Đã gọi lại, khách hẹn mai gửi bổ sung."})
    assert noted.headers["location"].endswith("?done=noted")
    page = client.get(f"{BASE}/{code}")
    assert "tl-note" in page.text and "Đã gọi lại, khách hẹn mai gửi bổ sung." in page.text
    with db.read() as session:
        kinds = [m.kind for m in session.scalars(select(RequestMessage).order_by(RequestMessage.id))]
    assert kinds == ["inbound", "outbound", "outbound", "note"]  # notice, reply, note
    waiting = act(
        client,
        code,
        "message",
        {"kind": "reply", "body": "Anh gửi giúp bản chụp.", "then": "pending_customer"},
    )
    assert waiting.status_code == 303 and load(db, code).status == "pending_customer"
    assert "Tạm dừng, chờ khách hàng" in client.get(f"{BASE}/{code}").text


def test_a_refused_file_or_empty_reply_keeps_what_was_typed(as_user, open_request, db: Database):
    client, _ = as_user("agent")
    code = open_request()
    program = [("files", ("bang-luong.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"))]
    refused = act(client, code, "message", {"kind": "reply", "body": "Nội dung dài đã gõ"}, program)
    assert refused.status_code == 415
    assert "không được nhận" in refused.text and "Nội dung dài đã gõ</textarea>" in refused.text
    empty = act(client, code, "message", {"kind": "note", "body": "   "})
    assert empty.status_code == 422 and 'id="kind-note" name="kind" value="note" checked' in empty.text
    with db.read() as session:
        assert session.scalar(select(RequestMessage).where(RequestMessage.kind == "note")) is None
    assert load(db, code).status == "new"  # nothing of the refused reply stayed


def test_assign_to_me_a_teammate_and_back_to_the_queue(as_user, open_request, make_user, db: Database):
    client, username = as_user("agent")
    mate = make_user("agent")
    outsider = make_user("agent", unit="BHXH-79")
    code = open_request()
    assert act(client, code, "assign", {"assignee": "me"}).headers["location"].endswith("?done=assigned")
    assert load(db, code).assignee_id == int(actor_of(db, username).id)
    assert act(client, code, "assign", {"assignee": mate}).status_code == 303
    assert load(db, code).assignee_id == int(actor_of(db, mate).id)
    refused = act(client, code, "assign", {"assignee": outsider})  # another team: a supervisor's call
    assert refused.status_code == 403 and "Bạn không có quyền" in refused.text
    assert audit_rows(db, "permission.denied")[-1].details["permission"] == "requests.assign"
    supervisor, _ = as_user("supervisor")
    assert act(supervisor, code, "assign", {"assignee": outsider}).status_code == 303
    assert act(supervisor, code, "assign", {"assignee": ""}).status_code == 303
    assert load(db, code).assignee_id is None
    assert "Trả về hàng chờ chung" in client.get(f"{BASE}/{code}").text


def test_triage_transfer_and_answer_the_unit(as_user, open_request, db: Database, make_user):
    client, _ = as_user("agent")
    code = open_request()
    triaged = act(
        client, code, "triage",
        {"topic": "bhyt", "type": "lookup", "priority": "high", "subject": "Sai ngày sinh trên thẻ",
         "province": "79", "tags": "the-bhyt, can-goi-lai"},
    )  # fmt: skip
    assert triaged.headers["location"].endswith("?done=triaged")
    request = load(db, code)
    assert (request.topic, request.type, request.priority, request.province_code) == (
        "bhyt",
        "lookup",
        "high",
        "79",
    )
    assert request.tags == ["the-bhyt", "can-goi-lai"]
    assert "Cập nhật phân loại" in client.get(f"{BASE}/{code}").text
    bad_tags = act(client, code, "triage", {"tags": "không hợp lệ!"})
    assert bad_tags.status_code == 422 and "Nhãn chỉ gồm" in bad_tags.text

    form = client.get(f"{BASE}/{code}/act/transfer").text
    assert "Sai ngày sinh trên thẻ" in form and "Tôi nghỉ việc tháng trước" in form  # summary prefilled
    assert "5 ngày làm việc" in form and '<option value="BHXH-79">' in form
    # The request page leaves its dialogs empty; opening one fetches just the form.
    page = client.get(f"{BASE}/{code}").text
    assert f'data-src="{BASE}/{code}/act/transfer"' in page and '<option value="BHXH-79">' not in page
    fragment = client.get(f"{BASE}/{code}/act/transfer", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["cache-control"] == "no-store"
    assert '<option value="BHXH-79">' in fragment.text and "<html" not in fragment.text
    assert 'name="csrf_token"' in fragment.text
    unknown = act(client, code, "transfer", {"unit": "BHXH-99", "summary": "Tóm tắt đã gõ"})
    assert unknown.status_code == 422 and "Tóm tắt đã gõ</textarea>" in unknown.text
    past = act(client, code, "transfer", {"unit": "BHXH-79", "summary": "Tóm tắt", "due_at": "2020-01-01"})
    assert past.status_code == 422 and "Hạn giải quyết phải sau" in past.text
    sent = act(
        client, code, "transfer", {"unit": "BHXH-79 — BHXH TP. Hồ Chí Minh", "summary": "Kiểm tra ngày sinh"}
    )
    assert sent.headers["location"].endswith("?done=transferred")
    page = client.get(f"{BASE}/{code}")
    assert "Chờ đơn vị" in page.text and "Chuyển đơn vị BHXH-79 giải quyết" in page.text
    assert 'id="dlg-transfer"' not in page.text  # one open transfer at a time

    handler = actor_of(db, make_user("unit_handler", unit="BHXH-79"))
    from vsscare.requests import unit_actions

    with db.session() as session:
        unit_actions.ask_info(session, handler, code, "Đề nghị cung cấp mã số BHXH.", None)
    page = client.get(f"{BASE}/{code}")
    assert "hỏi thêm thông tin" in page.text and 'id="dlg-provide_info"' in page.text
    answered = act(client, code, "provide_info", {"answer": "Mã số BHXH 0123456789."})
    assert answered.headers["location"].endswith("?done=info_provided")
    with db.read() as session:
        assert session.scalar(select(RequestTransfer)).status == "pending"
    assert "Trả lời đơn vị BHXH-79" in client.get(f"{BASE}/{code}").text


def test_escalate_resolve_reopen_and_complaints(as_user, open_request, db: Database):
    client, _ = as_user("agent")
    code = open_request(type="complaint", topic="khieu_nai")
    denied = act(client, code, "escalate", {"level": "leadership", "reason": "Gấp"})
    assert denied.status_code == 403  # only supervisors take a case to leadership
    assert act(client, code, "escalate", {"level": "supervisor", "reason": ""}).status_code == 422
    up = act(client, code, "escalate", {"level": "supervisor", "reason": "Khách phản ánh nhiều lần."})
    assert up.headers["location"].endswith("?done=escalated")
    assert load(db, code).escalation_level == "supervisor"
    assert act(client, code, "accept_complaint", {"complex": "1"}).status_code == 403
    supervisor, _ = as_user("supervisor")
    needs_summary = act(supervisor, code, "escalate", {"level": "leadership", "reason": "Quá hạn"})
    assert needs_summary.status_code == 422 and "Cần nội dung tóm tắt" in needs_summary.text
    accepted = act(supervisor, code, "accept_complaint", {"complex": "1", "remote": "1"})
    assert accepted.headers["location"].endswith("?done=complaint_accepted")
    request = load(db, code)
    assert request.complaint_complex and request.complaint_remote and request.complaint_due is not None
    page = supervisor.get(f"{BASE}/{code}")
    assert "Giải quyết khiếu nại" in page.text and "vùng sâu, vùng xa" in page.text
    case = {"summary": "Khách khiếu nại lần thứ ba.", "proposal": "Chỉ đạo BHXH tỉnh giải quyết ngay."}
    lead = act(supervisor, code, "escalate", {"level": "leadership", "reason": "Quá hạn"} | case)
    assert lead.status_code == 303 and load(db, code).escalation_level == "leadership"
    page = supervisor.get(f"{BASE}/{code}")
    assert "Tóm tắt: Khách khiếu nại lần thứ ba." in page.text and 'id="dlg-escalate"' not in page.text
    assert act(client, code, "resolve", {}).headers["location"].endswith("?done=resolved")
    assert load(db, code).status == "resolved"
    assert act(client, code, "resolve", {}).status_code == 409  # already resolved: the page says why
    assert act(client, code, "reopen", {}).headers["location"].endswith("?done=reopened")
    assert load(db, code).status == "reopened"


def test_merge_and_link(as_user, open_request, db: Database):
    client, _ = as_user("agent")
    first, duplicate, related = open_request(), open_request(), open_request()
    assert act(client, duplicate, "merge", {"other": duplicate}).status_code == 422  # not into itself
    assert act(client, duplicate, "merge", {"other": "not-a-code"}).status_code == 422
    merged = act(client, duplicate, "merge", {"other": first.lower()})
    assert merged.status_code == 303 and merged.headers["location"] == f"{BASE}/{first}?done=merged"
    assert load(db, duplicate).merged_into_id == load(db, first).id
    target = client.get(merged.headers["location"]).text
    assert f"Gộp {duplicate} vào yêu cầu này" in target
    source = client.get(f"{BASE}/{duplicate}").text
    assert "đã được gộp vào" in source and 'id="reply-form"' not in source
    linked = act(client, first, "link", {"other": related, "kind": "related"})
    assert linked.headers["location"].endswith("?done=linked")
    assert f"Liên kết với {related}" in client.get(f"{BASE}/{first}").text


def test_a_stale_version_shows_the_current_state_and_keeps_the_typed_text(
    as_user, open_request, db: Database
):
    client, _ = as_user("agent")
    code = open_request()
    page = client.get(f"{BASE}/{code}").text
    seen = int(VERSION.search(page).group(1))
    with db.session() as session:  # someone else takes the request meanwhile
        actions.triage(session, Actor.system("colleague"), code, {"priority": "urgent"})
    stale = act(
        client, code, "message", {"kind": "reply", "body": "Câu trả lời tôi đã soạn rất lâu"}, version=seen
    )
    assert stale.status_code == 409
    assert "Người khác vừa thay đổi yêu cầu này; dưới đây là tình trạng hiện tại." in stale.text
    assert "Câu trả lời tôi đã soạn rất lâu</textarea>" in stale.text
    assert "Khẩn cấp" in stale.text  # the current state
    assert int(VERSION.search(stale.text).group(1)) > seen  # sending again now works
    moved = act(client, code, "transfer", {"unit": "BHXH-79", "summary": "Tóm tắt cho đơn vị"}, version=seen)
    assert moved.status_code == 409 and "Tóm tắt cho đơn vị</textarea>" in moved.text
    assert (
        'id="dlg-transfer" class="ws-dialog" aria-labelledby="dlg-transfer-title" open data-modal'
        in moved.text
    )
    with db.read() as session:
        assert session.scalar(select(RequestTransfer)) is None
        assert session.scalar(select(RequestMessage).where(RequestMessage.author.like("user:%"))) is None


# -- customer panel -----------------------------------------------------------------------------------------


def test_contact_details_are_masked_and_unmasking_is_audited(as_user, open_request, db: Database):
    code = open_request(contact_email="an.nguyen@example.com")
    agent, _ = as_user("agent")
    page = agent.get(f"{BASE}/{code}").text
    assert "091****678" in page and "N. V. A." in page and "a***@example.com" in page
    assert "0912 345 678" not in page and "Nguyễn Văn An" not in page
    assert "Hiện thông tin" not in page
    token = page_csrf(agent, f"{BASE}/{code}")
    assert agent.post(f"{BASE}/{code}/unmask", data={"csrf_token": token}).status_code == 403
    assert audit_rows(db, "requests.unmask") == []

    admin, admin_name = as_user("admin")
    page = admin.get(f"{BASE}/{code}").text
    assert "Hiện thông tin" in page and "091****678" in page
    token = page_csrf(admin, f"{BASE}/{code}")
    shown = admin.post(f"{BASE}/{code}/unmask", data={"csrf_token": token})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert (
        "0912 345 678" in shown.text
        and "Nguyễn Văn An" in shown.text
        and "an.nguyen@example.com" in shown.text
    )
    panel = admin.post(f"{BASE}/{code}/unmask", headers={"hx-request": "true", "x-csrf-token": token})
    assert panel.text.lstrip().startswith('<section class="panel ws-panel" id="customer-panel"')
    rows_ = audit_rows(db, "requests.unmask")
    assert len(rows_) == 2 and rows_[0].object_id == code and rows_[0].actor_name == admin_name
    assert rows_[0].details == {"fields": ["contact_name", "contact_phone", "contact_email"]}


def test_other_requests_of_the_customer_are_listed(as_user, open_request):
    client, _ = as_user("agent")
    earlier = open_request(subject="Hỏi lần trước về thẻ BHYT")
    stranger = open_request(contact_phone="0903000111", subject="Người khác hỏi")
    code = open_request()
    page = client.get(f"{BASE}/{code}").text
    assert f"/console/requests/{earlier}" in page and "Hỏi lần trước về thẻ BHYT" in page
    assert stranger not in page


# -- reply helpers -------------------------------------------------------------------------------------------


def test_canned_responses_topic_first_with_placeholders_filled(as_user, open_request, db: Database):
    greeting = CannedResponse(
        code="chung", title="Lời chào chung", body="Chào {name}, yêu cầu {code} đã nhận."
    )
    jobless = CannedResponse(
        code="bhtn-hs", title="Hồ sơ thất nghiệp", body="Hồ sơ gồm đề nghị hưởng ({code}).", topic="bhtn"
    )
    card = CannedResponse(code="bhyt-the", title="Cấp lại thẻ", body="Thẻ BHYT cấp lại.", topic="bhyt")
    old = CannedResponse(code="cu", title="Mẫu cũ", body="Không dùng nữa.", topic="bhtn", is_active=False)
    with db.session() as session:
        session.add_all([greeting, jobless, card, old])
    client, _ = as_user("agent")
    code = open_request(topic="bhtn")
    page = client.get(f"{BASE}/{code}").text
    order = [page.index(title) for title in ("Hồ sơ thất nghiệp", "Lời chào chung", "Cấp lại thẻ")]
    assert order == sorted(order)
    assert f"Hồ sơ gồm đề nghị hưởng ({code})." in page
    assert "Mẫu cũ" not in page
    # Agents do not see the name: {name} stays in the text and the reply fills it on sending.
    assert f"Chào {{name}}, yêu cầu {code} đã nhận." in page and "Nguyễn Văn An" not in page
    sent = act(client, code, "message", {"kind": "reply", "body": f"Chào {{name}}, yêu cầu {code} đã nhận."})
    assert sent.status_code == 303
    with db.read() as session:
        reply = session.scalars(select(RequestMessage).order_by(RequestMessage.id.desc())).first()
        assert reply.body == f"Chào Nguyễn Văn An, yêu cầu {code} đã nhận."


def test_suggestions_with_an_empty_bank_say_there_are_none(as_user, open_request):
    client, _ = as_user("agent")
    code = open_request()
    assert f'hx-get="/console/requests/{code}/suggestions"' in client.get(f"{BASE}/{code}").text
    panel = client.get(f"{BASE}/{code}/suggestions", headers={"hx-request": "true"})
    assert panel.status_code == 200 and "Không có gợi ý phù hợp trong ngân hàng hỏi đáp." in panel.text
    assert "<html" not in panel.text
    plain = client.get(f"{BASE}/{code}/suggestions")  # without JavaScript: a page of its own
    assert plain.status_code == 200 and "<html" in plain.text


def test_suggestions_offer_the_published_answer_to_insert(as_user, open_request, legal_sample):
    from tests.knowledge.conftest import UNEMPLOYMENT, create

    create(legal_sample, publish=True, **UNEMPLOYMENT)
    client, _ = as_user("agent")
    code = open_request(body="Cho hỏi mức hưởng trợ cấp thất nghiệp hằng tháng là bao nhiêu?")
    panel = client.get(f"{BASE}/{code}/suggestions", headers={"hx-request": "true"}).text
    assert UNEMPLOYMENT["question"] in panel
    assert f'data-insert="{UNEMPLOYMENT["short_answer"]}"' in panel
    assert "74/2025/QH15#39" in panel
