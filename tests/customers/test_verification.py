"""Identity verification on both backends (one-time codes by SMS, questions on the phone, lockout,
expiry, resend limit, audit), and the SMS gateways (file, console, HTTP)."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text
from werkzeug import Request, Response

from vsscare.core import crypto
from vsscare.core.audit import AuditEntry
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.customers import sms
from vsscare.customers import verification as v
from vsscare.customers.models import Verification
from vsscare.customers.registry import Person

SI = "0123456789"
NO_PHONE_SI = "0123456780"
UNKNOWN_SI = "0999999999"
CARD = "001085012345"
BORN = date(1985, 3, 15)
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
CONV, OTHER = "zalo:conv-1", "zalo:conv-2"


class FakeRegistry:
    def __init__(self, *people: Person) -> None:
        self.people = {p.si_code: p for p in people}

    def person(self, si_code: str) -> Person | None:
        return self.people.get(si_code)

    def __getattr__(self, name: str):
        raise NotImplementedError(name)


class CapturingGateway:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to_e164: str, text: str, *, key: str) -> str:
        self.sent.append((to_e164, text, key))
        return f"m{len(self.sent)}"

    @property
    def last_code(self) -> str:
        match = re.search(r"là (\d{6})", self.sent[-1][1])
        assert match is not None
        return match.group(1)


REGISTRY = FakeRegistry(
    Person(SI, "Nguyễn Văn An", BORN, "male", CARD, "01", "+84912345678"),
    Person(NO_PHONE_SI, "Trần Thị Bình", date(1990, 1, 2), "female", None, "79", None),
)


@pytest.fixture
def ring(settings):
    return crypto.keyring(settings)


@pytest.fixture
def gateway() -> CapturingGateway:
    return CapturingGateway()


def start(db: Database, ring, gateway, *, si: str = SI, conv: str = CONV, now: datetime = NOW) -> int:
    with db.session() as session:
        row = v.start_otp(session, ring, REGISTRY, gateway, conversation=conv, si_code=si, now=now)
        return row.id


def check(db: Database, ring, vid: int, code: str, *, conv: str = CONV, now: datetime = NOW) -> Verification:
    with db.session() as session:
        return v.check_otp(session, ring, vid, code, conversation=conv, now=now)


def ask(
    db: Database, ring, *, birth: date = BORN, last4: str = CARD[-4:], conv: str = CONV, si: str = SI, now=NOW
):
    with db.session() as session:
        return v.check_questions(
            session,
            ring,
            REGISTRY,
            conversation=conv,
            si_code=si,
            birth_date=birth,
            cccd_last4=last4,
            now=now,
        )


def refused(code: str, call, *args, **kwargs) -> AppError:
    with pytest.raises(AppError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message_en
    return caught.value


def subject(db: Database, ring, conv: str, now: datetime) -> str | None:
    with db.read() as session:
        return v.verified_subject(session, ring, conv, now=now)


def test_code_from_the_sms_verifies_this_conversation_only(db: Database, ring, gateway):
    vid = start(db, ring, gateway)
    to, message, key = gateway.sent[0]
    assert (to, key) == ("+84912345678", f"verification-{vid}")
    assert message.startswith("Mã xác thực BHXH của anh/chị là ") and "hiệu lực 5 phút" in message
    refused("verification_other_conversation", check, db, ring, vid, gateway.last_code, conv=OTHER)
    assert subject(db, ring, CONV, NOW) is None
    done = check(db, ring, vid, gateway.last_code, now=NOW + timedelta(minutes=1))
    assert (done.status, done.verified_at) == ("verified", NOW + timedelta(minutes=1))
    assert subject(db, ring, CONV, NOW + timedelta(minutes=2)) == SI
    assert subject(db, ring, OTHER, NOW + timedelta(minutes=2)) is None
    assert subject(db, ring, CONV, NOW + timedelta(minutes=32)) is None  # past valid_until
    refused("verification_closed", check, db, ring, vid, gateway.last_code)


def test_the_clear_code_and_si_code_are_stored_nowhere(db: Database, ring, gateway):
    vid = start(db, ring, gateway)
    code = gateway.last_code
    with db.read() as session:
        raw = session.execute(text("SELECT * FROM customer_verifications WHERE id = :id"), {"id": vid}).one()
    values = " ".join(str(value) for value in raw)
    assert code not in values and SI not in values and "912345678" not in values
    row = raw._mapping
    assert row["sent_to_masked"] == "+8491*****78" and len(row["code_hash"]) == 32
    assert row["method"] == "sms" and row["status"] == "pending"


def test_wrong_codes_count_down_then_lock_the_subject(db: Database, ring, gateway):
    vid = start(db, ring, gateway)
    wrong = "000000" if gateway.last_code != "000000" else "111111"
    refused("verification_code_invalid", check, db, ring, vid, "12a45")  # does not count
    for left in (4, 3, 2, 1):
        error = refused("verification_wrong_code", check, db, ring, vid, wrong)
        assert f"Còn {left} lần thử" in error.message and f"{left} attempts left" in error.message_en
    error = refused("verification_locked", check, db, ring, vid, wrong, now=NOW + timedelta(minutes=1))
    assert "08:31 ngày 02/03/2026" in error.message  # 01:31 UTC + 7
    with db.read() as session:
        row = session.get_one(Verification, vid)
        assert (row.status, row.attempts) == ("failed", 5)
    refused("verification_locked", check, db, ring, vid, gateway.last_code, now=NOW + timedelta(minutes=2))
    later = NOW + timedelta(minutes=30)
    error = refused("verification_locked", start, db, ring, gateway, now=later, conv=OTHER)
    assert "08:31 on 02/03/2026 (Vietnam time)" in error.message_en
    refused("verification_locked", ask, db, ring, now=later)
    assert len(gateway.sent) == 1
    again = start(db, ring, gateway, now=NOW + timedelta(minutes=32))
    assert check(db, ring, again, gateway.last_code, now=NOW + timedelta(minutes=33)).status == "verified"


def test_an_expired_code_is_refused(db: Database, ring, gateway):
    vid = start(db, ring, gateway)
    for _ in range(2):
        refused(
            "verification_expired", check, db, ring, vid, gateway.last_code, now=NOW + timedelta(minutes=5)
        )
    with db.read() as session:
        assert session.get_one(Verification, vid).status == "expired"
    refused("verification_not_found", check, db, ring, vid + 1000, "123456")


def test_at_most_three_codes_per_subject_in_fifteen_minutes(db: Database, ring, gateway):
    for minute in (0, 2, 4):
        start(db, ring, gateway, now=NOW + timedelta(minutes=minute), conv=f"voice:{minute}")
    error = refused("verification_too_many", start, db, ring, gateway, now=NOW + timedelta(minutes=10))
    assert "08:15 ngày 02/03/2026" in error.message
    assert len(gateway.sent) == 3
    start(db, ring, gateway, now=NOW + timedelta(minutes=15, seconds=1))
    assert len(gateway.sent) == 4


def test_questions_verify_a_caller_with_date_of_birth_and_cccd_digits(db: Database, ring):
    error = refused("verification_wrong_answer", ask, db, ring, birth=date(1985, 3, 16), conv="voice:c1")
    assert "Còn 4 lần thử" in error.message
    done = ask(db, ring, last4="23 45", conv="voice:c1", now=NOW + timedelta(minutes=1))
    assert (done.method, done.status, done.attempts) == ("questions", "verified", 1)
    assert subject(db, ring, "voice:c1", NOW + timedelta(minutes=2)) == SI
    assert subject(db, ring, CONV, NOW + timedelta(minutes=2)) is None


def test_wrong_answers_count_per_subject_across_calls_then_lock(db: Database, ring, gateway):
    refused("verification_answer_invalid", ask, db, ring, last4="12")
    for left, conv in ((4, "voice:a"), (3, "voice:a"), (2, "voice:b"), (1, "voice:c")):
        error = refused("verification_wrong_answer", ask, db, ring, last4="0000", conv=conv)
        assert f"{left} attempts left" in error.message_en
    refused("verification_locked", ask, db, ring, last4="0000", conv="voice:d")
    refused("verification_locked", ask, db, ring, conv="voice:e", now=NOW + timedelta(minutes=29))
    refused("verification_locked", start, db, ring, gateway, now=NOW + timedelta(minutes=29))
    assert ask(db, ring, conv="voice:f", now=NOW + timedelta(minutes=31)).status == "verified"


def test_unknown_people_and_missing_records_give_the_same_clear_answer(db: Database, ring, gateway):
    unknown = refused("verification_no_phone", start, db, ring, gateway, si=UNKNOWN_SI)
    no_phone = refused("verification_no_phone", start, db, ring, gateway, si=NO_PHONE_SI)
    assert unknown.message == no_phone.message and "1900 9068" in unknown.message
    assert "No phone number on record for this code" in unknown.message_en
    refused("verification_no_questions", ask, db, ring, si=NO_PHONE_SI)
    refused("verification_no_questions", ask, db, ring, si=UNKNOWN_SI)
    refused("customer_si_code_length", start, db, ring, gateway, si="01234")
    assert gateway.sent == []
    with db.read() as session:
        assert session.scalars(select(Verification)).all() == []


def test_every_outcome_is_audited_without_codes_or_identifiers(db: Database, ring, gateway):
    first = start(db, ring, gateway)
    codes = [gateway.last_code]
    refused("verification_expired", check, db, ring, first, codes[0], now=NOW + timedelta(minutes=6))
    second = start(db, ring, gateway, now=NOW + timedelta(minutes=7))
    codes.append(gateway.last_code)
    wrong = next(c for c in ("000000", "111111", "222222") if c not in codes)
    refused("verification_wrong_code", check, db, ring, second, wrong, now=NOW + timedelta(minutes=8))
    check(db, ring, second, codes[1], now=NOW + timedelta(minutes=8))
    refused("verification_no_phone", start, db, ring, gateway, si=UNKNOWN_SI)
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "verification")).all()
        refusals = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "verification.refused")
        ).all()
    actions = [e.action for e in entries]
    assert {
        "verification.started",
        "verification.expired",
        "verification.wrong_code",
        "verification.verified",
    } <= set(actions)
    assert [e.details["reason"] for e in refusals] == ["no_phone"]
    started = next(e for e in entries if e.action == "verification.started")
    assert started.details["sent_to"] == "+8491*****78" and started.object_id == str(first)
    for entry in [*entries, *refusals]:
        shown = json.dumps(entry.details) + (entry.object_id or "")
        assert not any(secret in shown for secret in (*codes, SI, UNKNOWN_SI, "912345678", CARD))


def test_a_lock_is_audited(db: Database, ring, gateway):
    vid = start(db, ring, gateway)
    wrong = "000000" if gateway.last_code != "000000" else "111111"
    for _ in range(4):
        refused("verification_wrong_code", check, db, ring, vid, wrong)
    refused("verification_locked", check, db, ring, vid, wrong)
    refused("verification_locked", start, db, ring, gateway)
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("verification.%"))).all()
    outcomes = [(e.action, e.outcome) for e in entries]
    assert ("verification.locked", "denied") in outcomes
    assert ("verification.refused", "denied") in outcomes
    locked = next(e for e in entries if e.action == "verification.locked")
    assert locked.details["attempts"] == 5 and locked.object_id == str(vid)


# SMS gateways


def test_file_gateway_appends_one_json_line_per_message_once_per_key(tmp_path):
    path = tmp_path / "dev" / "sms.jsonl"
    gateway = sms.FileGateway(path)
    first = gateway.send("+84912345678", "Mã 123456", key="verification-1")
    assert gateway.send("+84912345678", "Mã 123456", key="verification-1") == first
    gateway.send("+84987654321", "Mã 654321", key="verification-2")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["to"], x["text"], x["key"]) for x in lines] == [
        ("+84912345678", "Mã 123456", "verification-1"),
        ("+84987654321", "Mã 654321", "verification-2"),
    ]
    assert lines[0]["message_id"] == first


def test_console_gateway_prints_the_message():
    out = io.StringIO()
    sms.ConsoleGateway(out).send("+84912345678", "Mã 123456", key="k1")
    assert "+84912345678" in out.getvalue() and "Mã 123456" in out.getvalue()


def test_http_gateway_sends_json_with_bearer_token(httpserver, caplog):
    httpserver.expect_request(
        "/sms", method="POST", headers={"Authorization": "Bearer secret-token"},
        json={"to": "+84912345678", "from": "BHXHVN", "text": "Mã 123456", "client_ref": "verification-7"},
    ).respond_with_json({"message_id": "p-1", "status": "accepted"})  # fmt: skip
    caplog.set_level("DEBUG", logger="vsscare.sms")
    with sms.HttpGateway(httpserver.url_for("/sms"), "secret-token") as gateway:
        assert gateway.send("+84912345678", "Mã 123456", key="verification-7") == "p-1"
    httpserver.check_assertions()
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "123456" not in logged and "secret-token" not in logged


def test_http_gateway_rejection_is_an_error(httpserver):
    httpserver.expect_request("/sms").respond_with_json({"error": "invalid_number"}, status=400)
    with sms.HttpGateway(httpserver.url_for("/sms"), "t") as gateway:
        error = refused("sms_rejected", gateway.send, "+84912345678", "Mã 123456", key="k")
    assert "invalid_number" in error.message and error.status == 502


def test_http_gateway_retries_once_after_a_server_error(httpserver):
    httpserver.expect_ordered_request("/sms").respond_with_data("busy", status=503)
    retry = {"to": "+84912345678", "from": "X", "text": "t", "client_ref": "k"}
    httpserver.expect_ordered_request("/sms", json=retry).respond_with_json(
        {"message_id": "p-2", "status": "accepted"}
    )
    with sms.HttpGateway(httpserver.url_for("/sms"), "t", sender="X") as gateway:
        assert gateway.send("+84912345678", "t", key="k") == "p-2"
    httpserver.check_assertions()


def test_http_gateway_gives_up_after_two_server_errors(httpserver):
    httpserver.expect_request("/sms").respond_with_data("down", status=500)
    with sms.HttpGateway(httpserver.url_for("/sms"), "t") as gateway:
        error = refused("sms_unavailable", gateway.send, "+84912345678", "t", key="k")
    assert error.status == 503 and len(httpserver.log) == 2


def test_http_gateway_timeout_is_unavailable(httpserver):
    def slow(_request: Request) -> Response:
        time.sleep(0.5)
        return Response('{"message_id": "late", "status": "accepted"}', content_type="application/json")

    httpserver.expect_request("/sms").respond_with_handler(slow)
    with sms.HttpGateway(httpserver.url_for("/sms"), "t", timeout=0.1) as gateway:
        error = refused("sms_unavailable", gateway.send, "+84912345678", "t", key="k")
    assert "timeout" in error.message_en


def test_http_gateway_connection_error_and_bad_answers():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with sms.HttpGateway("http://sms.invalid/send", "t", transport=httpx.MockTransport(refuse)) as gateway:
        refused("sms_unavailable", gateway.send, "+84912345678", "t", key="k")
    answers = {
        "sms_bad_response": httpx.Response(200, text="ok"),
        "sms_rejected": httpx.Response(200, json={"message_id": "p", "status": "blocked"}),
    }
    for code, answer in answers.items():
        transport = httpx.MockTransport(lambda _request, answer=answer: answer)
        with sms.HttpGateway("http://sms.invalid/send", "t", transport=transport) as gateway:
            refused(code, gateway.send, "+84912345678", "t", key="k")
