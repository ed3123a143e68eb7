"""The request workflow through its actions, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.requests.conftest import CITIZEN_PHONE, actor_of, load, new_request
from tests.web.helpers import audit_rows
from vsscare.accounts.models import User
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.core.events import Actor, history
from vsscare.core.jobs import Job
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.orgunits.queries import unit_and_below
from vsscare.requests import actions, contact, queries, unit_actions, workflow
from vsscare.requests.lookup import MAX_FAILURES, lookup
from vsscare.requests.models import Request, RequestLink, RequestMessage, RequestTransfer
from vsscare.requests.queries import Filters

SYSTEM = Actor.system("tests")


def _types(db: Database, code: str) -> list[str]:
    request = load(db, code)
    with db.read() as session:
        return [e.type for e in history(session, "request", request.id)]


def _jobs(db: Database, kind: str) -> list[Job]:
    with db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def test_create_gives_a_yearly_code_targets_and_a_notice(ring, db: Database, open_request):
    monday = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    first = open_request(now=monday)
    second = open_request(now=monday)
    assert re.fullmatch(r"YC-2026-\d{6}", first)
    assert int(second[-6:]) == int(first[-6:]) + 1
    request = load(db, first)
    assert request.status == "new" and request.sla_policy == "standard"
    assert contact.phone(ring, request) == "+84912345678"
    assert request.contact_phone_masked == "091****678"
    # standard: first answer within 4 working hours (09:00–11:30, 13:00–14:30), resolution within 40
    # (7.5 working hours a day: Monday 6 h, Tuesday to Friday 30 h, then 07:30–11:30 next Monday)
    assert request.first_response_due == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert request.resolution_due == datetime(2026, 12, 14, 4, 30, tzinfo=UTC)
    assert _types(db, first)[:3] == [
        "request.created",
        "request.message_received",
        "request.customer_notified",
    ]
    with db.read() as session:
        notice = session.scalar(select(RequestMessage).where(RequestMessage.kind == "outbound"))
        assert first in notice.body and notice.delivery == "queued"
    assert len(_jobs(db, "requests.deliver")) == 2
    # the warning at 80 % of 4 h: 3 h 12 min of working time, 13:42 local
    assert _jobs(db, "requests.sla_check")[0].run_at == datetime(2026, 12, 7, 6, 42, tzinfo=UTC)


def test_a_channel_retry_of_the_same_message_is_a_no_op(ring, db: Database):
    with db.session() as session:
        one = actions.create(session, SYSTEM, new_request(channel="zalo", external_id="zmsg-1"), ring=ring)
    with db.session() as session:
        again = actions.create(session, SYSTEM, new_request(channel="zalo", external_id="zmsg-1"), ring=ring)
        assert again.code == one.code
        assert session.scalar(select(func.count()).select_from(Request)) == 1


def test_phone_request_by_an_agent_is_theirs_and_unknown_units_are_refused(ring, db: Database, make_user):
    agent = actor_of(db, make_user("agent"))
    with db.session() as session:
        request = actions.create(session, agent, new_request(channel="phone", assignee=agent.name), ring=ring)
        assert request.assignee_id == int(agent.id)
        assert request.province_code is None  # the CCC is national
    with db.session() as session, pytest.raises(AppError) as err:
        actions.create(session, agent, new_request(team="NO-SUCH-UNIT"), ring=ring)
    assert err.value.code == "request_unit_not_found"


def test_automatic_assignment_follows_skills_presence_and_load(ring, db: Database, make_user):
    names = [make_user("agent") for _ in range(3)]
    ids = [int(actor_of(db, n).id) for n in names]
    now = datetime.now(UTC)
    with db.session() as session:
        actions.set_skills(session, ids[0], ["bhyt"], 30)
        actions.set_skills(session, ids[1], [], 2)
        actions.set_skills(session, ids[2], ["bhtn"], 30)
        for uid in ids[:2]:
            actions.set_presence(session, uid, "online", now)
        actions.set_presence(session, ids[2], "offline", now)
    picked = []
    for _ in range(3):
        with db.session() as session:
            request = actions.create(session, SYSTEM, new_request(topic="bhtn"), ring=ring)
            picked.append(request.assignee_id)
    # only the generalist is online for BHTN, and they take two at most
    assert picked == [ids[1], ids[1], None]
    with db.session() as session:
        bhyt = actions.create(session, SYSTEM, new_request(topic="bhyt"), ring=ring)
        assert bhyt.assignee_id == ids[0] and bhyt.status == "open"


def test_reply_sends_through_the_outbox_and_marks_the_first_response(
    db: Database, make_user, open_request, settings
):
    from vsscare.core.worker import Worker

    code = open_request()
    agent = actor_of(db, make_user("agent"))
    with db.session() as session:
        actions.reply(session, agent, code, "Anh/chị nộp hồ sơ trong 3 tháng kể từ ngày nghỉ việc.")
    request = load(db, code)
    assert request.status == "open" and request.first_responded_at is not None
    assert request.assignee_id == int(agent.id)
    while Worker(db, settings).run_once():
        pass
    with db.read() as session:
        outbound = list(session.scalars(select(RequestMessage).where(RequestMessage.kind == "outbound")))
    assert {m.delivery for m in outbound} == {"portal"}  # no driver for web yet: read on the portal


def test_waiting_for_the_customer_stops_the_clock(db: Database, open_request):
    monday = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    code = open_request(now=monday)
    before = load(db, code).resolution_due
    with db.session() as session:
        request = actions.get(session, code)
        workflow.change_status(session, request, "pending_customer", SYSTEM, monday + timedelta(hours=1))
    with db.session() as session:
        request = actions.get(session, code)
        # back a day later at the same hour: eight working hours passed while waiting
        workflow.change_status(session, request, "open", SYSTEM, monday + timedelta(days=1, hours=1))
    after = load(db, code)
    assert after.sla_paused_seconds == int(7.5 * 3600)  # a whole working day
    assert after.resolution_due == before + timedelta(days=1)


def test_a_stale_version_is_a_conflict(db: Database, open_request):
    code = open_request()
    version = load(db, code).version
    with db.session() as session:
        actions.triage(session, SYSTEM, code, {"priority": "high"}, version=version)
    with db.session() as session, pytest.raises(AppError) as err:
        actions.triage(session, SYSTEM, code, {"topic": "bhyt"}, version=version)
    assert err.value.code == "request_conflict" and err.value.status == 409
    request = load(db, code)
    assert request.priority == "high" and request.topic == "bhtn" and request.sla_policy == "high"


def test_transfer_to_a_unit_and_its_settlement_reach_the_customer(db: Database, make_user, open_request):
    code = open_request()
    agent = actor_of(db, make_user("agent"))
    handler = actor_of(db, make_user("unit_handler", unit="BHXH-79"))
    with db.session() as session:
        row = unit_actions.transfer(
            session, agent, code, "BHXH-79", "Chưa nhận trợ cấp tháng 10, cần kiểm tra."
        )
        assert row.due_at > datetime.now(UTC)
    assert load(db, code).status == "pending_unit"
    with db.read() as session:
        units = unit_and_below(session, session.get_one(User, int(handler.id)).org_unit_id)
        assert [i.request.code for i in queries.unit_queue(session, units)] == [code]
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.transfer(session, agent, code, "BHXH-01", "again")
    assert err.value.code == "transfer_pending"
    with db.session() as session:
        unit_actions.accept_transfer(session, handler, code, units)
        unit_actions.ask_info(session, handler, code, "Xin số sổ BHXH của người lao động.", units)
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.settle(session, handler, code, "too early", units)
    assert err.value.code == "transfer_bad_status"
    with db.session() as session:
        unit_actions.provide_info(session, agent, code, "Số sổ 7912345678.")
        unit_actions.settle(session, handler, code, "Đã chi trả trợ cấp tháng 10 ngày 20/11.", units)
    request = load(db, code)
    assert request.status == "resolved"
    with db.read() as session:
        bodies = [
            m.body for m in session.scalars(select(RequestMessage).where(RequestMessage.kind == "outbound"))
        ]
    assert "Đã chi trả trợ cấp tháng 10 ngày 20/11." in bodies
    assert [t for t in _types(db, code) if t.startswith("request.transfer") or t in ("request.settled",)] == [
        "request.transferred", "request.transfer_accepted", "request.settled",
    ]  # fmt: skip


def test_unit_returns_with_a_reason_and_other_units_cannot_touch_it(db: Database, make_user, open_request):
    code = open_request()
    agent = actor_of(db, make_user("agent"))
    with db.session() as session:
        unit_actions.transfer(session, agent, code, "BHXH-79", "Kiểm tra quá trình đóng.")
        other = {session.scalar(select(OrgUnit.id).where(OrgUnit.code == "BHXH-01"))}
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.accept_transfer(session, agent, code, other)
    assert err.value.code == "transfer_not_found"
    with db.session() as session:
        unit_actions.return_transfer(session, agent, code, "Không thuộc thẩm quyền tỉnh.", None)
    request = load(db, code)
    assert request.status == "open" and request.unit_id is None
    with db.read() as session:
        assert session.scalar(select(RequestTransfer.reason)) == "Không thuộc thẩm quyền tỉnh."


def test_closed_requests_cannot_be_transferred_and_unknown_units_are_named(db: Database, open_request):
    code = open_request()
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.transfer(session, SYSTEM, code, "BHXH-99-NOPE", "x")
    assert err.value.code == "request_unit_not_found" and "BHXH-99-NOPE" in err.value.message
    with db.session() as session:
        actions.resolve(session, SYSTEM, code)
        actions.close(session, SYSTEM, code)
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.transfer(session, SYSTEM, code, "BHXH-79", "x")
    assert err.value.code == "request_bad_status"


def test_merge_moves_messages_and_refuses_replies_to_the_duplicate(db: Database, open_request):
    keep, dup = open_request(), open_request(subject="Hỏi lại về thất nghiệp", tags=["goi-lai"])
    with db.session() as session:
        actions.merge(session, SYSTEM, dup, keep)
    with db.read() as session:
        target = actions.get(session, keep)
        assert (
            session.scalar(
                select(func.count())
                .select_from(RequestMessage)
                .where(RequestMessage.request_id == target.id, RequestMessage.kind == "inbound")
            )
            == 2
        )
        assert session.scalar(select(RequestLink.kind)) == "merged"
        assert target.tags == ["goi-lai"]
    assert load(db, dup).status == "closed"
    with db.session() as session, pytest.raises(AppError) as err:
        actions.reply(session, SYSTEM, dup, "Trả lời")
    assert err.value.code == "request_merged" and keep in err.value.message
    with db.session() as session, pytest.raises(AppError) as err:
        actions.merge(session, SYSTEM, keep, keep)
    assert err.value.code == "request_merge_self"


def test_customer_reopens_within_the_window_and_starts_anew_after_it(db: Database, open_request):
    code = open_request()
    with db.session() as session:
        actions.resolve(session, SYSTEM, code)
    with db.session() as session:
        request, message = actions.receive(
            session, actions.get(session, code), "Tôi vẫn chưa nhận được.", SYSTEM
        )
        assert request.code == code and message is not None
    assert load(db, code).status == "reopened"
    with db.session() as session:
        actions.resolve(session, SYSTEM, code)
    later = datetime.now(UTC) + timedelta(days=actions.REOPEN_DAYS + 1)
    with db.session() as session:
        new, _ = actions.receive(
            session, actions.get(session, code), "Lại có vấn đề khác.", SYSTEM, now=later
        )
        assert new.code != code
    with db.read() as session:
        assert session.scalar(select(RequestLink.kind)) == "follow_up"


def test_autoclose_closes_only_what_is_still_resolved(db: Database, open_request):
    code = open_request()
    with db.session() as session:
        request = actions.resolve(session, SYSTEM, code)
        resolved_at, rid = request.resolved_at, request.id
    (job,) = _jobs(db, actions.AUTOCLOSE_JOB)
    assert job.run_at == resolved_at + timedelta(days=actions.AUTOCLOSE_DAYS)
    with db.session() as session:
        actions.reopen(session, SYSTEM, code)
    with db.session() as session:
        assert actions.autoclose(session, rid, resolved_at) is False
        actions.resolve(session, SYSTEM, code)
    again = load(db, code)
    with db.session() as session:
        assert actions.autoclose(session, rid, again.resolved_at) is True
    assert load(db, code).status == "closed"
    assert _types(db, code)[-1] == "request.closed"


def test_sla_checkpoints_warn_breach_and_escalate(db: Database, open_request):
    from vsscare.requests.jobs import check

    monday = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    code = open_request(now=monday, priority="high")  # high: escalates to a supervisor on breach
    with db.session() as session:
        request = actions.get(session, code, lock=True)
        fired = check(session, request, monday + timedelta(hours=1, minutes=40))
        assert [c.mark for c in fired] == ["first_response:warning"]
        assert request.sla_state == "warning"
    with db.session() as session:
        request = actions.get(session, code, lock=True)
        fired = check(session, request, monday + timedelta(days=3))
        assert {c.mark for c in fired} == {
            "first_response:breached",
            "resolution:warning",
            "resolution:breached",
        }
        assert request.sla_state == "breached" and request.escalation_level == "supervisor"
    assert "request.escalated" in _types(db, code)
    with db.session() as session:
        assert check(session, actions.get(session, code, lock=True), monday + timedelta(days=4)) == []


def test_complaints_follow_the_law_on_complaints(db: Database, open_request):
    # received Friday 2026-01-30: accept by the end of Monday 9 Feb (10 days on Monday);
    # accepted then, settlement within 30 days: by the end of 11 March.
    friday = datetime(2026, 1, 30, 3, 0, tzinfo=UTC)
    code = open_request(now=friday, type="complaint", topic="khieu_nai")
    request = load(db, code)
    assert request.sla_policy == "complaint"
    assert request.complaint_ack_due == datetime(2026, 2, 9, 17, 0, tzinfo=UTC)  # 24:00 local, 9 Feb
    with db.session() as session:
        request = unit_actions.accept_complaint(session, SYSTEM, code)
        accepted = request.complaint_accepted_at
        assert request.complaint_due is not None
    with db.session() as session:
        request = unit_actions.accept_complaint(session, SYSTEM, code, complex=True, remote=True)
        assert request.complaint_accepted_at == accepted
        assert request.complaint_due - accepted >= timedelta(days=60)
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.accept_complaint(session, SYSTEM, open_request())
    assert err.value.code == "request_not_complaint"


def test_complaint_deadline_ending_on_tet_moves_to_the_next_working_day(db: Database, open_request):
    # 10 days after 2026-02-07 is 17 Feb, in the Tết holiday (14–22 Feb 2026): the next working day
    code = open_request(now=datetime(2026, 2, 7, 3, 0, tzinfo=UTC), type="complaint")
    due = load(db, code).complaint_ack_due.astimezone(VN_TZ)
    assert due.date() > datetime(2026, 2, 17).date() and due.weekday() < 5


def test_escalation_to_leadership_needs_a_summary_and_gets_a_decision(db: Database, open_request):
    code = open_request(type="complaint")
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.escalate(session, SYSTEM, code, "leadership", "Quá hạn", summary="", proposal="")
    assert err.value.code == "request_summary_required"
    with db.session() as session:
        unit_actions.escalate(session, SYSTEM, code, "supervisor", "Khách hàng bức xúc")
        unit_actions.escalate(
            session,
            SYSTEM,
            code,
            "leadership",
            "Vượt thẩm quyền",
            summary="Tóm tắt vụ việc",
            proposal="Đề xuất",
        )
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.escalate(session, SYSTEM, code, "supervisor", "again")
    assert err.value.code == "request_already_escalated"
    with db.session() as session:
        row = unit_actions.decide(session, SYSTEM, code, "Đồng ý, giao Ban Thực hiện chính sách xử lý.")
        assert row.decided_at is not None
    with db.session() as session, pytest.raises(AppError) as err:
        unit_actions.decide(session, SYSTEM, code, "again")
    assert err.value.code == "escalation_not_found"


def test_status_lookup_needs_the_right_phone_and_says_nothing_more(ring, db: Database, open_request):
    code = open_request()
    with db.session() as session:
        actions.note(session, SYSTEM, code, "Ghi chú nội bộ: khách khó tính")
    with db.session() as session:
        found = lookup(session, ring, code.lower(), "+84 912 345 678")
        assert found.error is None and found.request.code == code
        assert all(m.kind != "note" for m in found.messages)
        wrong = [
            lookup(session, ring, wrong_code, phone).error.as_dict()
            for wrong_code, phone in (
                (code, "0987654321"),
                ("YC-2026-999999", CITIZEN_PHONE),
                ("../x\x00", CITIZEN_PHONE),
            )
        ]
        assert wrong[0] == wrong[1] == wrong[2] and wrong[0]["code"] == "request_lookup_failed"
        assert lookup(session, ring, code, "12").error.code == "request_bad_phone"
    assert [r.outcome for r in audit_rows(db, "requests.lookup")] == [
        "ok",
        "denied",
        "denied",
        "denied",
        "denied",
    ]


def test_a_code_guessed_at_too_often_answers_nothing_for_an_hour(ring, db: Database, open_request):
    code = open_request()
    for _ in range(MAX_FAILURES):
        with db.session() as session:
            assert lookup(session, ring, code, "0987654321").error.code == "request_lookup_failed"
    with db.session() as session:
        assert lookup(session, ring, code, CITIZEN_PHONE).error.code == "request_lookup_locked"
    with db.session() as session:
        assert (
            lookup(session, ring, open_request(), CITIZEN_PHONE).error is None
        )  # other codes are not affected


def test_search_with_and_without_diacritics_and_keyset_pages(db: Database, open_request, make_user):
    from vsscare.accounts import queries as accounts

    codes = [open_request(subject=f"Thẻ bảo hiểm y tế số {i}", topic="bhyt") for i in range(5)]
    other = open_request(subject="Lương hưu tháng này", topic="huu_tri")
    with db.read() as session:
        admin = accounts.principal_for(session, accounts.user_by_username(session, make_user("admin")))
        for q in ("bảo hiểm y tế", "bao hiem y te", "BAO HIEM Y T"):
            page = queries.list_requests(session, admin, Filters(q=q), limit=50)
            assert [r.code for r in page.items] == codes[::-1], q
        first = queries.list_requests(session, admin, Filters(topic="bhyt"), limit=2)
        second = queries.list_requests(
            session, admin, Filters(topic="bhyt"), limit=2, cursor=first.next_cursor
        )
        third = queries.list_requests(
            session, admin, Filters(topic="bhyt"), limit=2, cursor=second.next_cursor
        )
        assert [r.code for r in first.items + second.items + third.items] == codes[::-1]
        assert third.next_cursor is None
        assert [r.code for r in queries.list_requests(session, admin, Filters(q="luong huu")).items] == [
            other
        ]


def test_search_pages_are_the_same_when_postgresql_looks_at_the_newest_ids_first(
    db: Database, open_request, make_user, monkeypatch
):
    from vsscare.accounts import queries as accounts

    codes = [open_request(subject=f"Thẻ bảo hiểm y tế số {i}", topic="bhyt") for i in range(5)]
    open_request(subject="Lương hưu tháng này", topic="huu_tri")  # the newest id, not a match
    monkeypatch.setattr(queries, "SEARCH_WINDOW", 2)  # too few ids for a page: the whole index then
    with db.read() as session:
        admin = accounts.principal_for(session, accounts.user_by_username(session, make_user("admin")))
        whole = queries.list_requests(session, admin, Filters(q="bao hiem y te"), limit=50)
        assert [r.code for r in whole.items] == codes[::-1]
        pages, cursor = [], None
        for _ in range(3):
            page = queries.list_requests(session, admin, Filters(q="bao hiem y te"), limit=2, cursor=cursor)
            pages += [r.code for r in page.items]
            cursor = page.next_cursor
        assert pages == codes[::-1] and cursor is None


def test_staff_see_their_province_their_team_and_their_transfers(db: Database, make_user, open_request):
    from vsscare.accounts import queries as accounts

    hanoi = open_request(province="01")
    hcm = open_request(province="79")
    handler_name = make_user("unit_handler", unit="BHXH-79")
    stranger_name = make_user("unit_handler", unit="BHXH-48")
    with db.session() as session:
        unit_actions.transfer(session, SYSTEM, hanoi, "BHXH-79", "Người lao động làm việc tại TP HCM.")
    with db.read() as session:
        handler = accounts.principal_for(session, accounts.user_by_username(session, handler_name))
        seen = {r.code for r in queries.list_requests(session, handler, Filters()).items}
        assert {hanoi, hcm} <= seen
        stranger = accounts.principal_for(session, accounts.user_by_username(session, stranger_name))
        seen = {r.code for r in queries.list_requests(session, stranger, Filters()).items}
        assert hanoi not in seen and hcm not in seen
        with pytest.raises(AppError) as err:
            queries.get_visible(session, stranger, hcm)
        assert err.value.status == 403


def test_resolving_without_the_unit_cancels_its_transfer(db: Database, open_request):
    code = open_request()
    with db.session() as session:
        unit_actions.transfer(session, SYSTEM, code, "BHXH-79", "Kiểm tra hồ sơ.")
        actions.resolve(session, SYSTEM, code)
    with db.read() as session:
        assert session.scalar(select(RequestTransfer.status)) == "cancelled"
        assert queries.unit_queue(session, None) == []
