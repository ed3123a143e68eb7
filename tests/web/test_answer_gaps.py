"""The learning loop of the answering engine: the gaps queue, staff verdicts, new phrasings, the
try-out page (both backends)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import login
from tests.knowledge import conftest as bank_content
from tests.knowledge.conftest import create
from tests.web.helpers import audit_rows, page_csrf
from vsscare.answering.models import AnswerLog
from vsscare.answering.service import answerer
from vsscare.core import events
from vsscare.knowledge import entry_queries

GAPS = "/console/knowledge/gaps"
TRY = "/console/knowledge/try"
ONE_TIME = "bhxh_mot_lan-001"
UNEMPLOYMENT = "bhtn-001"
PERSONAL = "tro cap that nghiep cua toi bi tru, ma so 4812345678"
MASKED = "tro cap that nghiep cua toi bi tru, ma so [mã số]"


@pytest.fixture
def bank(legal_sample):
    create(legal_sample, publish=True)  # bhxh_mot_lan-001
    # One phrasing and a bold article: the tests check the added phrasing and the rendering.
    only_one = {
        "phrasings": ["muc huong tro cap that nghiep"],
        "full_answer": "Theo **Điều 39** Luật Việc làm 2025 …",
    }
    create(legal_sample, publish=True, **bank_content.UNEMPLOYMENT | only_one)
    return legal_sample


@pytest.fixture
def as_user(app, make_user, bank):
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


def ask(db, question: str, channel: str = "web") -> int:
    _result, log_id = answerer(db).ask(question, channel=channel)
    assert log_id is not None
    return log_id


def post(client: TestClient, log_id: int, action: str, **fields: str):
    token = page_csrf(client, GAPS)
    return client.post(
        f"{GAPS}/{log_id}/{action}", data=fields | {"csrf_token": token}, follow_redirects=False
    )


def logged(db, log_id: int) -> AnswerLog:
    with db.read() as session:
        row = session.get(AnswerLog, log_id)
        session.expunge(row)
        return row


def history(db, log_id: int) -> list[tuple[str, dict]]:
    with db.read() as session:
        return [(e.type, e.data) for e in events.history(session, "answer_log", log_id)]


def test_handed_over_question_is_listed_masked(db, as_user):
    personal = ask(db, PERSONAL)
    answered = ask(db, "Khi nào được hưởng bảo hiểm xã hội một lần?")
    assert logged(db, personal).decision == "handover" and logged(db, answered).decision == "answer"
    agent = as_user("agent")
    page = agent.get(GAPS)
    assert page.status_code == 200
    assert MASKED in page.text and "4812345678" not in page.text
    assert "hỏi về hồ sơ cá nhân" in page.text and f"Số {personal}" in page.text
    assert f"Số {answered}" not in page.text  # answered, nobody complained: not a gap
    assert "Xử lý câu hỏi số" not in page.text  # agents read the queue, editors act on it
    assert MASKED not in agent.get(GAPS, params={"decision": "clarify"}).text
    assert MASKED in agent.get(GAPS, params={"reason": "personal_record", "channel": "web"}).text
    assert MASKED not in agent.get(GAPS, params={"channel": "zalo"}).text
    editor = as_user("knowledge_editor")
    page = editor.get(GAPS)
    assert f"Xử lý câu hỏi số {personal}" in page.text
    assert "/console/knowledge/new?question=tro%20cap%20that%20nghiep" in page.text


def test_editor_marks_wrong_with_the_right_entry(db, as_user):
    log_id = ask(db, PERSONAL)
    editor = as_user("knowledge_editor")
    done = post(editor, log_id, "mark", verdict="wrong", correct_entry=f" {UNEMPLOYMENT.upper()} ")
    assert done.status_code == 303
    assert done.headers["location"] == f"{GAPS}?done=wrong&entry={UNEMPLOYMENT}"
    row = logged(db, log_id)
    assert (row.verdict, row.correct_entry, row.gap_status) == ("wrong", UNEMPLOYMENT, "open")
    assert row.feedback_by.startswith("user:") and row.feedback_at is not None
    assert history(db, log_id) == [
        (
            "answer.feedback",
            {
                "verdict": "wrong",
                "entry_code": None,
                "correct_entry": UNEMPLOYMENT,
                "previous": None,
                "gap_status": "open",
            },
        )
    ]
    page = editor.get(done.headers["location"])
    assert "Đã ghi nhận câu trả lời sai" in page.text and "Nhân viên đánh dấu sai" in page.text
    # "right" on the answer given closes the gap
    right = post(editor, log_id, "mark", verdict="right")
    assert right.status_code == 303
    row = logged(db, log_id)
    assert (row.verdict, row.correct_entry, row.gap_status) == ("right", None, "resolved")
    assert history(db, log_id)[-1][1]["previous"] == "wrong"


def test_unknown_entry_code_is_refused_and_nothing_changes(db, as_user):
    log_id = ask(db, PERSONAL)
    editor = as_user("knowledge_editor")
    refused = post(editor, log_id, "mark", verdict="wrong", correct_entry="khong-co-999")
    assert refused.status_code == 422
    assert "Không có hỏi đáp mã khong-co-999" in refused.text
    assert f"Câu hỏi số {log_id}:" in refused.text and 'value="khong-co-999"' in refused.text
    row = logged(db, log_id)
    assert (row.verdict, row.correct_entry, row.feedback_by, row.gap_status) == (None, None, None, "open")
    assert history(db, log_id) == []
    assert post(editor, log_id, "phrasing", entry_code="khong-co-999").status_code == 422
    assert post(editor, log_id, "mark", verdict="maybe").status_code == 422
    assert post(editor, log_id, "close", status="deleted").status_code == 422
    assert post(editor, 999_999, "close", status="resolved").status_code == 404
    assert history(db, log_id) == [] and logged(db, log_id).gap_status == "open"


def test_add_phrasing_drafts_a_new_version_and_resolves_the_gap(db, as_user):
    log_id = ask(db, PERSONAL)
    editor = as_user("knowledge_editor")
    done = post(editor, log_id, "phrasing", entry_code=UNEMPLOYMENT)
    assert done.status_code == 303, done.text
    assert "done=phrasing" in done.headers["location"] and "version=2" in done.headers["location"]
    with db.read() as session:
        entry = entry_queries.get_entry(session, UNEMPLOYMENT)
        assert (entry.status, entry.version, entry.published_version) == ("draft", 2, 1)
        assert entry.phrasings == ["muc huong tro cap that nghiep", MASKED]
        latest = entry_queries.versions(session, entry)[0]
        assert latest.version == 2 and MASKED in latest.snapshot["phrasings"]
        assert f"câu hỏi số {log_id}" in latest.note
    row = logged(db, log_id)
    assert (row.gap_status, row.correct_entry) == ("resolved", UNEMPLOYMENT)
    assert [t for t, _d in history(db, log_id)] == ["answer.phrasing_added", "answer.gap_closed"]
    page = editor.get(done.headers["location"])
    assert "bản nháp phiên bản 2" in page.text and "phê duyệt và công bố" in page.text
    assert MASKED not in page.text  # resolved: out of the open list
    again = post(editor, log_id, "phrasing", entry_code=UNEMPLOYMENT)
    assert again.status_code == 409 and "đã có câu hỏi hoặc cách hỏi này" in again.text


def test_resolve_and_ignore_take_questions_out_of_the_open_list(db, as_user):
    first = ask(db, PERSONAL)
    second = ask(db, "toi muon khieu nai can bo bhxh huyen vi thai do phuc vu")
    editor = as_user("knowledge_editor")
    done = post(
        editor, first, "close", status="resolved", note="Đã soạn hỏi đáp mới.", next=f"{GAPS}?channel=web"
    )
    assert done.status_code == 303 and done.headers["location"] == f"{GAPS}?channel=web&done=resolved"
    assert post(editor, second, "close", status="ignored", next="https://evil.example/").status_code == 303
    assert (logged(db, first).gap_status, logged(db, second).gap_status) == ("resolved", "ignored")
    assert history(db, first) == [
        ("answer.gap_closed", {"status": "resolved", "note": "Đã soạn hỏi đáp mới."})
    ]
    open_list = editor.get(GAPS).text
    assert f"Số {first}" not in open_list and f"Số {second}" not in open_list
    assert f"Số {first}" in editor.get(GAPS, params={"status": "resolved"}).text
    assert f"Số {second}" in editor.get(GAPS, params={"status": "all"}).text
    closed = post(editor, first, "close", status="ignored")
    assert closed.status_code == 409 and "không còn chờ xử lý" in closed.text


def test_agent_views_but_cannot_act(db, as_user):
    log_id = ask(db, PERSONAL)
    agent = as_user("agent")
    assert agent.get(GAPS).status_code == 200
    for action, fields in [
        ("mark", {"verdict": "wrong", "correct_entry": UNEMPLOYMENT}),
        ("phrasing", {"entry_code": UNEMPLOYMENT}),
        ("close", {"status": "resolved"}),
    ]:
        refused = post(agent, log_id, action, **fields)
        assert refused.status_code == 403 and "không có quyền" in refused.text
    row = logged(db, log_id)
    assert (row.verdict, row.gap_status) == (None, "open") and history(db, log_id) == []
    assert audit_rows(db, "permission.denied")[-1].details["permission"] == "knowledge.edit"
    with db.read() as session:
        assert entry_queries.get_entry(session, UNEMPLOYMENT).version == 1


def test_try_page_answers_from_published_entries_without_logging(db, as_user):
    agent = as_user("agent")
    form = agent.get(TRY)
    assert form.status_code == 200 and 'name="q"' in form.text and "Kết quả" not in form.text
    for question in ["Khi nào được hưởng bảo hiểm xã hội một lần?", "khi nao duoc huong bhxh mot lan"]:
        page = agent.get(TRY, params={"q": question})
        assert page.status_code == 200
        assert "Đã trả lời" in page.text, question
        assert "Khi đủ điều kiện theo Điều 70 Luật BHXH 2024." in page.text
        assert "<strong>Điều 70</strong>" in page.text  # the full answer, rendered
        assert f'href="/console/knowledge/{ONE_TIME}"' in page.text
        assert "41/2024/QH15%2370" in page.text and "Còn hiệu lực" in page.text
        assert " ms" in page.text
    personal = agent.get(TRY, params={"q": PERSONAL})
    assert "Chuyển cho người trả lời" in personal.text and "hỏi về hồ sơ cá nhân" in personal.text
    too_long = agent.get(TRY, params={"q": "bảo hiểm " * 600})
    assert too_long.status_code == 422 and "Câu hỏi dài quá" in too_long.text
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AnswerLog)) == 0


def test_links_and_new_entry_prefill(db, as_user):
    editor = as_user("knowledge_editor")
    listing = editor.get("/console/knowledge")
    assert f'href="{GAPS}"' in listing.text and f'href="{TRY}"' in listing.text
    form = editor.get("/console/knowledge/new", params={"question": "Sinh viên có phải đóng BHYT không?"})
    assert form.status_code == 200 and "Sinh viên có phải đóng BHYT không?</textarea>" in form.text
