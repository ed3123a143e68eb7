"""``POST /api/v1/answers`` and the feedback on an answer, over a small published bank (both backends)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.knowledge.conftest import HEALTH, UNEMPLOYMENT, create
from vsscare.answering.models import AnswerLog

URL = "/api/v1/answers"
FIELDS = {
    "decision", "answer", "sources", "confidence", "topic", "candidates", "handover_reason", "lang",
    "latency_ms", "note", "log_id", "self_service",
}  # fmt: skip


@pytest.fixture
def bank(legal_sample):
    create(legal_sample, publish=True)  # bhxh_mot_lan-001
    create(
        legal_sample, publish=True, **UNEMPLOYMENT | {"legal_bases": ["74/2025/QH15#39", "74/2025/QH15#38"]}
    )
    create(legal_sample, publish=True, **HEALTH)
    return legal_sample


def ask(client, question, **body):
    response = client.post(URL, json={"question": question} | body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == FIELDS
    return data


def logged(db, log_id) -> AnswerLog:
    with db.read() as session:
        row = session.scalar(select(AnswerLog).where(AnswerLog.id == log_id))
        session.expunge(row)
        return row


def test_accented_and_abbreviated_questions_get_the_same_answer_with_its_legal_bases(bank, client):
    accented = ask(client, "Trợ cấp thất nghiệp mỗi tháng được bao nhiêu?", channel="web")
    short = ask(client, "tctn 1 thang dc bn tien", channel="zalo")
    for data in (accented, short):
        assert data["candidates"][0]["entry_id"] == "bhtn-001"
        assert data["candidates"][0]["sources"] == ["74/2025/QH15#39", "74/2025/QH15#38"]
        assert set(data["candidates"][0]) == {"entry_id", "question", "score", "sources"}
    assert accented["decision"] == "answer" and accented["handover_reason"] is None
    assert accented["answer"]["entry_id"] == "bhtn-001"
    assert accented["answer"]["short"].startswith("Bằng 60%") and accented["answer"]["full"]
    assert accented["sources"] == [
        {"key": "74/2025/QH15#39", "title": "Mức hưởng, thời gian hưởng, thời điểm hưởng và hồ sơ, trình tự, "
         "thủ tục hưởng trợ cấp thất nghiệp", "in_force": True},
        {"key": "74/2025/QH15#38", "title": "Điều kiện hưởng", "in_force": True},
    ]  # fmt: skip
    assert accented["topic"] == "bhtn" and accented["lang"] == "vi" and accented["latency_ms"] >= 0
    row = logged(bank, accented["log_id"])
    assert (row.channel, row.decision, row.entry_code, row.gap_status) == ("web", "answer", "bhtn-001", None)


def test_an_si_code_goes_to_a_person_and_is_not_stored(bank, client):
    data = ask(client, "tro cap that nghiep cua toi bi tru, ma so 4812345678", conversation_id="zalo:u-1.2")
    assert (data["decision"], data["handover_reason"], data["answer"]) == (
        "handover",
        "personal_record",
        None,
    )
    row = logged(bank, data["log_id"])
    assert "4812345678" not in row.question and "[mã số]" in row.question
    assert (row.conversation_id, row.gap_status) == ("zalo:u-1.2", "open")


OUTSIDE = [
    "thủ tục sang tên sổ đỏ nhà đất",
    "' OR 1=1 --",
    "'; DROP TABLE answer_log; --",
    "<script>alert(1)</script>",
    "😀🎉🙏",
    "ﷺ 中文 русский",
    "{{7*7}} ${jndi:ldap://x}",
]
BAD = [
    ({"question": ""}, "answer_question_empty"),
    ({"question": " \t\n "}, "answer_question_empty"),
    ({"question": "\x00\x01\x7f"}, "answer_question_empty"),
    ({"question": "bảo hiểm " * 500}, "answer_question_too_long"),
    ({}, "validation_error"),
    ({"question": 5}, "validation_error"),
    ({"question": "bhxh", "channel": "telegram"}, "validation_error"),
    ({"question": "bhxh", "lang": "fr"}, "validation_error"),
    ({"question": "bhxh", "conversation_id": "a b"}, "validation_error"),
    ({"question": "bhxh", "conversation_id": "x" * 101}, "validation_error"),
    ({"question": "bhxh", "extra": 1}, "validation_error"),
]


def test_questions_outside_insurance_are_out_of_scope(bank, client):
    for question in OUTSIDE:
        began = time.perf_counter()
        data = ask(client, question)
        assert data["decision"] == "out_of_scope" and data["answer"] is None and data["sources"] == [], (
            question
        )
        assert time.perf_counter() - began < 5.0  # no slow path; speed itself is bench/answering.py's
        assert logged(bank, data["log_id"]).question == question


def test_bad_input_is_refused_with_a_reason(bank, client):
    for body, code in BAD:
        response = client.post(URL, json=body)
        assert response.status_code == 422, body
        error = response.json()
        assert error["code"] == code and error["message"] and error["message_en"], body
    with bank.read() as session:
        assert session.scalar(select(AnswerLog.id)) is None  # nothing refused was logged


def test_control_characters_and_lone_surrogates_are_removed(bank, client):
    data = ask(client, "tro cap\x00 that\x1b nghiep\tmoi thang duoc bao nhieu\x85")
    assert data["candidates"][0]["entry_id"] == "bhtn-001"
    assert logged(bank, data["log_id"]).question == "tro cap that nghiep moi thang duoc bao nhieu"
    raw = '{"question": "rut bhxh 1 lan \\ud800 duoc khong"}'
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["candidates"][0]["entry_id"] == "bhxh_mot_lan-001"
    exactly = ask(client, "a" * 3990 + " bhxh")  # 3,995 characters: allowed, the engine reads the start
    assert exactly["decision"] in ("handover", "out_of_scope", "clarify")


def test_feedback_once_per_answer(bank, client):
    good = ask(client, "Trợ cấp thất nghiệp mỗi tháng được bao nhiêu?")["log_id"]
    bad = ask(client, "rút bhxh một lần khi nào được")["log_id"]
    response = client.post(f"{URL}/{good}/feedback", json={"helpful": True})
    assert response.status_code == 200
    assert response.json() == {"log_id": good, "rating": "helpful", "gap_status": None}
    again = client.post(f"{URL}/{good}/feedback", json={"helpful": False})
    assert again.status_code == 409 and again.json()["code"] == "answer_feedback_given"
    assert logged(bank, good).rating == "helpful"

    response = client.post(f"{URL}/{bad}/feedback", json={"helpful": False})
    assert response.json() == {"log_id": bad, "rating": "unhelpful", "gap_status": "open"}
    row = logged(bank, bad)
    assert (row.rating, row.gap_status) == ("unhelpful", "open") and row.rated_at is not None

    for unknown in (bad + 1000, 0, 2**70, "abc", "-1"):
        response = client.post(f"{URL}/{unknown}/feedback", json={"helpful": True})
        assert response.status_code == 404 and response.json()["code"] == "answer_not_found", unknown
    assert client.post(f"{URL}/{bad}/feedback", json={"helpful": "maybe"}).status_code == 422
    assert client.post(f"{URL}/{bad}/feedback", json={}).status_code == 422


def test_a_published_entry_is_answered_without_restarting(bank, client):
    question = "Lương hưu hằng tháng được tính như thế nào?"
    first = ask(client, question)
    assert first["decision"] != "answer"
    code = create(
        bank,
        publish=True,
        topic="huu_tri",
        question="Mức lương hưu hằng tháng được tính như thế nào?",
        phrasings=["cach tinh luong huu hang thang"],
        short_answer="Bằng 45% mức bình quân tiền lương, cộng 2% mỗi năm đóng thêm.",
        full_answer="Theo Điều 66 Luật BHXH 2024 …",
        legal_bases=["41/2024/QH15#66"],
    )
    deadline = time.monotonic() + 2
    while True:
        data = ask(client, question)
        if data["decision"] == "answer" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert data["decision"] == "answer" and data["answer"]["entry_id"] == code
    assert [(s["key"], s["in_force"]) for s in data["sources"]] == [("41/2024/QH15#66", True)]


def test_the_api_is_public_and_documented(client):
    data = ask(client, "bhyt trai tuyen")  # nobody signed in; an empty bank still decides
    assert data["decision"] in ("handover", "out_of_scope") and data["candidates"] == []
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths[URL] and "post" in paths[URL + "/{log_id}/feedback"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(st.characters(exclude_categories=()), max_size=60))
def test_no_question_gives_a_server_error(client, question):
    body = json.dumps({"question": question, "channel": "chat"})  # ASCII escapes carry lone surrogates
    response = client.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["code"] == "answer_question_empty"
    else:
        assert response.json()["decision"] in ("answer", "clarify", "handover", "out_of_scope")
