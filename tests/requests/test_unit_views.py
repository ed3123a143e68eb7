"""Console pages of units, leadership and supervisors: the unit queue and its actions, decisions,
agents' skills, canned responses and the SLA page, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import login
from tests.requests.conftest import actor_of, load
from tests.web.helpers import audit_rows, page_csrf
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.requests import canned, unit_actions
from vsscare.requests.models import (
    AgentProfile,
    CannedResponse,
    Request,
    RequestEscalation,
    RequestMessage,
    RequestTransfer,
)
from vsscare.requests.view_page import addressee

SYSTEM = Actor.system("tests")
QUEUE = "/console/unit-queue"


@pytest.fixture
def transferred(db: Database, open_request, make_user):
    """``transferred("BHXH-79", **fields)`` → the code of a new request an agent sent to that unit."""
    agent = actor_of(db, make_user("agent"))

    def make(unit: str, summary: str = "Chưa nhận trợ cấp tháng 10, cần kiểm tra.", **fields) -> str:
        code = open_request(**fields)
        with db.session() as session:
            unit_actions.transfer(session, agent, code, unit, summary)
        return code

    return make


def post(client: TestClient, path: str, page: str, **fields):
    data = {k: v for k, v in fields.items()} | {"csrf_token": page_csrf(client, page)}
    return client.post(path, data=data, follow_redirects=False)


def transfer_of(db: Database, code: str) -> RequestTransfer:
    request = load(db, code)
    with db.read() as session:
        row = session.scalar(
            select(RequestTransfer)
            .where(RequestTransfer.request_id == request.id)
            .order_by(RequestTransfer.id.desc())
        )
        session.expunge(row)
        return row


def test_each_page_opens_for_its_roles_and_is_refused_to_others(as_user, client: TestClient):
    pages = {
        QUEUE: ("unit_handler", "agent"),
        "/console/decisions": ("leader", "agent"),
        "/console/agents": ("supervisor", "agent"),
        "/console/agents/me": ("agent", "unit_handler"),
        "/console/canned": ("agent", "unit_handler"),
        "/console/canned/new": ("supervisor", "agent"),
        "/console/sla": ("agent", "knowledge_editor"),
    }
    signed: dict[str, TestClient] = {}
    for path, (allowed, refused) in pages.items():
        for role, status in ((allowed, 200), (refused, 403)):
            user = signed.get(role) or as_user(role)[0]
            signed[role] = user
            response = user.get(path)
            assert response.status_code == status, (path, role, response.text[:300])
            if status == 403:
                assert "Bạn không có quyền thực hiện thao tác này." in response.text
            else:
                assert "<h1>" in response.text and "csp" not in response.text.lower()
    # supervisors follow the decisions up; the queue is open to them too
    supervisor = as_user("supervisor")[0]
    assert supervisor.get("/console/decisions").status_code == 200
    assert supervisor.get(QUEUE).status_code == 200
    response = client.get(QUEUE, follow_redirects=False)  # not signed in
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_handler_sees_their_units_transfers_and_no_other(db: Database, as_user, transferred):
    ours = transferred(
        "BHXH-79",
        summary="Kiểm tra quá trình đóng, mã số 7912345678.",
        body="Gọi lại cho tôi số 0987 654 321 hoặc an.nguyen@gmail.com, mã số BHXH 7912345678.",
        contact_email="an.nguyen@gmail.com",
    )
    theirs = transferred("BHXH-01", subject="Cấp lại thẻ BHYT ở Hà Nội")
    handler, _ = as_user("unit_handler", unit="BHXH-79")

    queue = handler.get(QUEUE).text
    assert ours in queue and theirs not in queue and "Cấp lại thẻ BHYT ở Hà Nội" not in queue
    assert re.search(r'Chờ xử lý <span class="count">1</span>', queue)

    page = handler.get(f"{QUEUE}/{ours}")
    assert page.status_code == 200
    # personal data masked as in the workspace; the customer's words are there
    assert "091****678" in page.text and "0912345678" not in page.text
    assert "098****321" in page.text and "791****678" in page.text and "a***@gmail.com" in page.text
    assert "Gọi lại cho tôi số" in page.text and "an.nguyen@gmail.com" not in page.text
    # the agent's summary is written for the unit: the SI code it needs stays readable
    assert "Kiểm tra quá trình đóng, mã số 7912345678." in page.text
    assert f'href="/console/requests/{ours}"' in page.text

    other = handler.get(f"{QUEUE}/{theirs}")
    assert other.status_code == 404 and "transfer_not_found" in other.text
    refused = post(handler, f"{QUEUE}/{theirs}/accept", QUEUE)
    assert refused.status_code == 404
    assert transfer_of(db, theirs).status == "pending"
    assert handler.get(f"{QUEUE}/YC-2026-999999").status_code == 404  # unknown: the same answer

    # a supervisor of every province sees both and may narrow to one unit
    watcher, _ = as_user("supervisor", "leader")
    everything = watcher.get(QUEUE).text
    assert ours in everything and theirs in everything
    narrowed = watcher.get(QUEUE, params={"unit": "BHXH-01"}).text
    assert theirs in narrowed and ours not in narrowed
    watched = watcher.get(f"{QUEUE}/{ours}").text
    assert "Nội dung chuyển đơn vị" in watched
    assert f'action="{QUEUE}/{ours}/' not in watched  # no units.work: no action forms
    assert post(watcher, f"{QUEUE}/{ours}/accept", QUEUE).status_code == 403


def test_accept_ask_answer_and_settle_through_the_forms(db: Database, as_user, transferred, make_user):
    code = transferred("BHXH-79")
    handler, _ = as_user("unit_handler", unit="BHXH-79")
    page = f"{QUEUE}/{code}"

    accepted = post(handler, f"{page}/accept", page)
    assert (
        accepted.status_code == 303 and accepted.headers["location"] == f"{QUEUE}?done=accepted&code={code}"
    )
    notice = handler.get(accepted.headers["location"]).text
    assert f"Đã tiếp nhận yêu cầu {code}" in notice
    assert transfer_of(db, code).status == "accepted"

    asked = post(handler, f"{page}/ask_info", page, text="Xin số sổ BHXH của người lao động.")
    assert asked.status_code == 303
    assert transfer_of(db, code).question == "Xin số sổ BHXH của người lao động."
    assert code not in handler.get(QUEUE).text
    assert code in handler.get(QUEUE, params={"tab": "info"}).text

    # settling while the unit waits for an answer is refused; what was typed stays
    early = post(handler, f"{page}/settle", page, text="Kết quả viết sớm")
    assert early.status_code == 409 and "transfer_bad_status" not in early.text
    assert "không thể trả kết quả giải quyết" in early.text and "Kết quả viết sớm" in early.text  # kept
    assert transfer_of(db, code).status == "info_requested"

    agent = actor_of(db, make_user("agent"))
    with db.session() as session:
        unit_actions.provide_info(session, agent, code, "Số sổ 7912345678.")
    exchange = handler.get(page).text
    assert "Tổng đài bổ sung thông tin" in exchange and "Số sổ 7912345678." in exchange

    result = "Đã chi trả trợ cấp tháng 10 ngày 20/11 vào tài khoản của Quý khách."
    form = handler.get(page).text
    assert "được gửi nguyên văn cho khách hàng" in form and "Đã giải quyết" in form
    settled = post(handler, f"{page}/settle", page, text=result)
    assert settled.status_code == 303 and "done=settled" in settled.headers["location"]
    request = load(db, code)
    assert request.status == "resolved"
    with db.read() as session:
        outbound = session.scalars(
            select(RequestMessage.body).where(
                RequestMessage.request_id == request.id, RequestMessage.kind == "outbound"
            )
        ).all()
    assert result in outbound
    assert code not in handler.get(QUEUE).text
    settled_tab = handler.get(QUEUE, params={"tab": "settled"}).text
    assert code in settled_tab and "Đã chi trả trợ cấp" in settled_tab


def test_return_needs_a_reason_and_an_empty_one_changes_nothing(db: Database, as_user, transferred):
    code = transferred("BHXH-79")
    handler, _ = as_user("unit_handler", unit="BHXH-79")
    page = f"{QUEUE}/{code}"
    before = load(db, code)

    empty = post(handler, f"{page}/return", page, text="   \n ")
    assert empty.status_code == 422
    assert "Cần nhập nội dung." in empty.text and 'aria-invalid="true"' in empty.text
    after = load(db, code)
    assert after.status == "pending_unit" and after.version == before.version
    assert transfer_of(db, code).status == "pending" and transfer_of(db, code).reason is None

    forged = handler.post(f"{page}/return", data={"text": "Không có mã CSRF"}, follow_redirects=False)
    assert forged.status_code == 403 and transfer_of(db, code).status == "pending"
    missing = post(handler, f"{page}/promote", page, text="x")
    assert missing.status_code == 404

    returned = post(handler, f"{page}/return", page, text="Không thuộc thẩm quyền của tỉnh.")
    assert returned.status_code == 303
    assert (
        load(db, code).status == "open" and transfer_of(db, code).reason == "Không thuộc thẩm quyền của tỉnh."
    )
    tab = handler.get(QUEUE, params={"tab": "returned"}).text
    assert code in tab and "Không thuộc thẩm quyền của tỉnh." in tab
    assert handler.get(QUEUE, params={"tab": "nonsense"}).status_code == 200  # unknown tab: the default


def test_leadership_records_a_decision_and_supervisors_follow_it(db: Database, as_user, open_request):
    code = open_request(type="complaint", subject="Khiếu nại về truy thu BHXH")
    with db.session() as session:
        unit_actions.escalate(
            session, SYSTEM, code, "leadership", "Vượt thẩm quyền tổng đài",
            summary="Doanh nghiệp bị truy thu 3 năm do sai mức đóng.", proposal="Giao Ban Thu kiểm tra lại.",
        )  # fmt: skip
    leader, _ = as_user("leader")
    supervisor, _ = as_user("supervisor")

    page = leader.get("/console/decisions").text
    assert "Doanh nghiệp bị truy thu 3 năm" in page and "Giao Ban Thu kiểm tra lại." in page
    assert f"/console/decisions/{code}" in page
    follow = supervisor.get("/console/decisions").text
    assert "Doanh nghiệp bị truy thu 3 năm" in follow and f'action="/console/decisions/{code}"' not in follow
    assert (
        post(supervisor, f"/console/decisions/{code}", "/console/decisions", decision="x").status_code == 403
    )

    empty = post(leader, f"/console/decisions/{code}", "/console/decisions", decision=" ")
    assert empty.status_code == 422 and "Cần nhập nội dung." in empty.text
    decided = post(leader, f"/console/decisions/{code}", "/console/decisions", decision="Đồng ý đề xuất.")
    assert decided.status_code == 303
    shown = leader.get(decided.headers["location"]).text
    assert f"Đã ghi quyết định cho yêu cầu {code}" in shown and "Đồng ý đề xuất." in shown
    with db.read() as session:
        row = session.scalar(select(RequestEscalation))
        assert row.decision == "Đồng ý đề xuất." and row.decided_by.startswith("user:")
    again = post(leader, f"/console/decisions/{code}", "/console/decisions", decision="Lần nữa")
    assert again.status_code == 404 and "không có đề xuất nào chờ Lãnh đạo" in again.text
    assert (
        post(leader, "/console/decisions/YC-2026-999999", "/console/decisions", decision="x").status_code
        == 404
    )


def test_supervisors_edit_their_agents_skills_and_agents_their_own(db: Database, as_user, make_user):
    supervisor, _ = as_user("supervisor")
    ours = make_user("agent")
    elsewhere = make_user("agent", unit="BHXH-79")

    page = supervisor.get("/console/agents").text
    assert ours in page and elsewhere not in page
    saved = post(
        supervisor, f"/console/agents/{ours}", "/console/agents", skills=["bhtn", "bhyt"], max_open="12"
    )
    assert saved.status_code == 303
    assert f"Đã lưu chủ đề và mức tối đa của {ours}" in supervisor.get(saved.headers["location"]).text
    uid = int(actor_of(db, ours).id)
    with db.read() as session:
        profile = session.get(AgentProfile, uid)
        assert profile.skills == ["bhtn", "bhyt"] and profile.max_open == 12
    assert audit_rows(db, "requests.agent_skills")[-1].object_id == ours

    bad = post(
        supervisor, f"/console/agents/{ours}", "/console/agents", skills=["bhtn", "no_such"], max_open="0"
    )
    assert bad.status_code == 422
    assert "a whole number from 1 to 500" in bad.text and 'value="0"' in bad.text
    with db.read() as session:
        assert session.get(AgentProfile, uid).max_open == 12
    other = post(supervisor, f"/console/agents/{elsewhere}", "/console/agents", skills=["bhtn"], max_open="5")
    assert other.status_code == 404  # not on this supervisor's team

    agent = TestClient(supervisor.app)
    with agent:
        login(agent, ours)
        assert agent.get("/console/agents").status_code == 403
        mine = post(agent, "/console/agents/me", "/console/agents/me", skills=["huu_tri"])
        assert (
            mine.status_code == 303 and "Đã lưu chủ đề bạn xử lý." in agent.get(mine.headers["location"]).text
        )
    with db.read() as session:
        profile = session.get(AgentProfile, uid)
        assert profile.skills == ["huu_tri"] and profile.max_open == 12  # the limit stays the supervisor's


def test_canned_responses_are_created_refused_when_duplicated_and_deactivated(db: Database, as_user):
    supervisor, _ = as_user("supervisor")
    agent, _ = as_user("agent")
    decomposed = unicodedata.normalize("NFD", "Kính gửi {name}, yêu cầu {code} đã được tiếp nhận.")
    fields = {
        "code": " BHTN.Nhan-HS ",
        "title": "Đã nhận hồ sơ",
        "body": decomposed,
        "body_en": "",
        "topic": "bhtn",
    }

    created = post(supervisor, "/console/canned/new", "/console/canned/new", **fields)
    assert created.status_code == 303 and "code=bhtn.nhan-hs" in created.headers["location"]
    with db.read() as session:
        row = session.scalar(select(CannedResponse))
        assert row.code == "bhtn.nhan-hs" and row.body_en is None
        assert row.body == unicodedata.normalize("NFC", row.body) and "{code}" in row.body
    assert "Đã nhận hồ sơ" in agent.get("/console/canned").text
    assert (
        "Đã nhận hồ sơ" in agent.get("/console/canned", params={"q": "da nhan ho so"}).text
    )  # no diacritics
    assert "Đã nhận hồ sơ" not in agent.get("/console/canned", params={"topic": "bhyt"}).text
    nameless = Request(code="YC-2026-000001", lang="vi", contact_name=None)
    assert canned.fill(row.body, {"code": nameless.code, "name": addressee(nameless)}).startswith(
        "Kính gửi Quý khách, yêu cầu YC-2026"
    )

    duplicate = post(
        supervisor, "/console/canned/new", "/console/canned/new", **(fields | {"title": "Bản khác"})
    )
    assert duplicate.status_code == 409
    assert "đã được dùng cho mẫu trả lời khác" in duplicate.text and 'value="Bản khác"' in duplicate.text
    unknown = post(
        supervisor, "/console/canned/new", "/console/canned/new", **(fields | {"code": "x", "body": "{ma}"})
    )
    assert unknown.status_code == 422 and "{ma}" in unknown.text
    assert post(agent, "/console/canned/new", "/console/canned", **fields).status_code == 403

    edited = post(
        supervisor, "/console/canned/bhtn.nhan-hs/edit", "/console/canned/bhtn.nhan-hs/edit",
        **(fields | {"code": "bhtn.nhan-hs", "title": "Đã nhận hồ sơ hưởng BHTN"}),
    )  # fmt: skip
    assert edited.status_code == 303
    off = post(supervisor, "/console/canned/bhtn.nhan-hs/deactivate", "/console/canned")
    assert off.status_code == 303
    assert "Đã nhận hồ sơ hưởng BHTN" not in agent.get("/console/canned").text
    assert "Đã nhận hồ sơ hưởng BHTN" in supervisor.get("/console/canned", params={"show": "all"}).text
    assert [r.details["change"] for r in audit_rows(db, canned.AUDIT_ACTION)] == [
        "created",
        "updated",
        "deactivated",
    ]
    assert supervisor.get("/console/canned/nope/edit").status_code == 404


def test_sla_page_lists_policies_and_counts_across_a_weekend(as_user):
    agent, _ = as_user("agent")
    page = agent.get("/console/sla").text
    assert "Tiêu chuẩn" in page and "02/2011/QH13#28" in page and "45 ngày" in page

    # Friday 15:00 + 4 working hours: 1.5 h on Friday, then Monday 07:30–10:00
    friday = agent.get("/console/sla", params={"unit": "CCC", "start": "2026-12-11T15:00", "hours": "4"})
    assert friday.status_code == 200
    due = re.search(r'id="calc-due"><strong>(.*?)</strong>', friday.text, re.S)
    assert due and "Thứ Hai, 14/12/2026 10:00" in due.group(1)
    assert "12/12/2026: cuối tuần" in friday.text and "13/12/2026: cuối tuần" in friday.text

    bad = agent.get("/console/sla", params={"unit": "CCC", "start": "hôm qua", "hours": "-1"})
    assert bad.status_code == 422 and "YYYY-MM-DDTHH:MM" in bad.text
    assert (
        agent.get(
            "/console/sla", params={"unit": "NOPE", "start": "2026-12-11T15:00", "hours": "4"}
        ).status_code
        == 422
    )
