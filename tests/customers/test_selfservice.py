"""Self-service lookups after verification, through the API a channel gateway or the IVR calls
(both backends, the embedded registry, codes read from the development SMS and mail files), and
e-mail sent through a real SMTP server."""

from __future__ import annotations

import email
import json
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import select

from tests.conftest import TEST_ACTOR
from vsscare.accounts import actions as accounts
from vsscare.core.audit import AuditEntry
from vsscare.core.errors import AppError
from vsscare.core.mail import SmtpMailer
from vsscare.customers import actions as customers
from vsscare.customers.identifiers import mask
from vsscare.customers.registry_generate import generate
from vsscare.customers.registry_models import RegistryCard, RegistryClaim, RegistryDossier, RegistryPerson
from vsscare.customers.schemas import PersonIn
from vsscare.customers.selfservice import detect, mask_card, money

CONV, OTHER = "zalo:conv-0001", "zalo:conv-0002"


@pytest.fixture
def gateway(db, make_user):
    """Headers of a channel gateway's API token (role channel_service)."""
    username = make_user("channel_service")
    with db.session() as session:
        _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "zalo gateway")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def person(db):
    """A registry person with a phone, a health card, claims and a dossier of their own."""
    generate(db, 200, seed=11)
    with db.read() as session:
        claimed = set(session.scalars(select(RegistryClaim.si_code)))
        carded = set(session.scalars(select(RegistryCard.si_code)))
        dossiers = {d.si_code: d.receipt_code for d in session.scalars(select(RegistryDossier)) if d.si_code}
        people = session.scalars(select(RegistryPerson).where(RegistryPerson.phone.is_not(None))).all()
        chosen = next(p for p in people if p.si_code in claimed & carded and p.si_code in dossiers)
        other = next(code for si, code in dossiers.items() if si != chosen.si_code)
    return chosen, dossiers[chosen.si_code], other


def _free_port() -> int:
    """A port nobody listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _last(path, key: str = "text") -> str:
    line = path.read_text("utf-8").strip().splitlines()[-1]
    return re.search(r"\b(\d{6})\b", json.loads(line)[key]).group(1)


def _verify(client, settings, gateway, si: str, conversation: str = CONV) -> dict:
    sent = client.post(
        "/api/v1/self-service/verify/code",
        json={"conversation": conversation, "si_code": si},
        headers=gateway,
    )
    assert sent.status_code == 201, sent.text
    code = _last(settings.data_dir / "sms.jsonl")
    checked = client.post(
        f"/api/v1/self-service/verify/code/{sent.json()['id']}",
        json={"conversation": conversation, "code": code},
        headers=gateway,
    )
    assert checked.status_code == 200, checked.text
    return checked.json()


def _lookup(client, gateway, kind: str, conversation: str = CONV, **params):
    return client.get(
        f"/api/v1/self-service/lookup/{kind}",
        params={"conversation": conversation, **params},
        headers=gateway,
    )


def _audit(db) -> list[tuple[str, str, dict]]:
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "registry.lookup"))
        return [(a.outcome, a.object_type, a.details) for a in rows]


def test_nothing_is_disclosed_before_verification_and_the_refusal_is_audited(client, db, gateway, person):
    refused = _lookup(client, gateway, "contributions")
    assert refused.status_code == 403 and refused.json()["code"] == "selfservice_unverified"
    assert "xác thực" in refused.json()["message"]
    assert _audit(db) == [("denied", "self_service", {"kind": "contributions", "reason": "unverified"})]


def test_a_verified_person_reads_their_own_records(client, db, settings, gateway, person):
    who, receipt, others_receipt = person
    proof = _verify(client, settings, gateway, who.si_code)
    assert proof["status"] == "verified" and proof["valid_until"]

    paid = _lookup(client, gateway, "contributions")
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["data"]["paid_months"] > 0 and body["text"].startswith("Anh/chị đã có")
    assert who.si_code not in paid.text and (who.cccd or "-") not in paid.text

    card = _lookup(client, gateway, "health_card", lang="en").json()
    assert card["lang"] == "en" and card["data"]["state"] in ("valid", "expiring", "expired")
    assert card["data"]["number"].count("*") >= 9 and "Health insurance card" in card["text"]

    claims = _lookup(client, gateway, "claims").json()
    assert claims["data"]["total"] >= 1 and "Chế độ" in claims["text"]

    mine = _lookup(client, gateway, "dossier", receipt_code=receipt.lower())
    assert mine.status_code == 200 and mine.json()["data"]["receipt_code"] == receipt
    theirs = _lookup(client, gateway, "dossier", receipt_code=others_receipt)
    assert theirs.status_code == 404 and theirs.json()["code"] == "selfservice_no_record"
    missing = _lookup(client, gateway, "dossier")
    assert missing.status_code == 422 and missing.json()["code"] == "selfservice_receipt_required"

    elsewhere = _lookup(client, gateway, "contributions", conversation=OTHER)
    assert elsewhere.status_code == 403  # a proof holds for its own conversation only
    outcomes = [(outcome, details["kind"]) for outcome, _type, details in _audit(db)]
    assert outcomes.count(("ok", "contributions")) == 1 and ("denied", "dossier") in outcomes
    assert all(who.si_code not in json.dumps(d) for _o, _t, d in _audit(db))


def test_a_code_by_e_mail_to_the_address_on_the_customer_record(client, db, settings, ring, gateway, person):
    who, _receipt, _other = person
    asked = {"conversation": CONV, "si_code": who.si_code, "via": "email"}
    none = client.post("/api/v1/self-service/verify/code", json=asked, headers=gateway)
    assert none.status_code == 422 and none.json()["code"] == "verification_no_email"
    with db.session() as session:
        data = PersonIn(name=who.full_name, birth_date=who.birth_date, gender=who.gender, si_code=who.si_code,
                        email="an.nguyen@example.vn", province=who.province_code)  # fmt: skip
        customers.create_person(session, TEST_ACTOR, data, ring)
    sent = client.post("/api/v1/self-service/verify/code", json=asked, headers=gateway)
    assert sent.status_code == 201, sent.text
    assert sent.json()["sent_to"] == mask("email", "an.nguyen@example.vn") != "an.nguyen@example.vn"
    mail = json.loads((settings.data_dir / "mail.jsonl").read_text("utf-8").splitlines()[-1])
    assert mail["to"] == "an.nguyen@example.vn" and "Mã xác thực" in mail["subject"]
    code = _last(settings.data_dir / "mail.jsonl")
    wrong = client.post(
        f"/api/v1/self-service/verify/code/{sent.json()['id']}",
        json={"conversation": CONV, "code": "000000" if code != "000000" else "111111"},
        headers=gateway,
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "verification_wrong_code"
    right = client.post(
        f"/api/v1/self-service/verify/code/{sent.json()['id']}",
        json={"conversation": CONV, "code": code},
        headers=gateway,
    )
    assert right.status_code == 200 and right.json()["status"] == "verified"


def test_voice_questions_then_a_lookup(client, gateway, person):
    who, _receipt, _other = person
    if not who.cccd:
        pytest.skip("this registry person has no CCCD")
    born = who.birth_date.isoformat()
    asked = {"conversation": "call:abc-12345", "si_code": who.si_code, "birth_date": born,
             "cccd_last4": who.cccd[-4:]}  # fmt: skip
    ok = client.post("/api/v1/self-service/verify/questions", json=asked, headers=gateway)
    assert ok.status_code == 200 and ok.json()["method"] == "questions"
    assert _lookup(client, gateway, "health_card", conversation="call:abc-12345").status_code == 200


def test_bad_input_permissions_and_a_registry_that_does_not_answer(
    client, db, settings, gateway, make_user, app
):
    bad = client.post("/api/v1/self-service/verify/code", json={"conversation": "x", "si_code": "1"},
                      headers=gateway)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"]
    wrong_si = client.post(
        "/api/v1/self-service/verify/code", json={"conversation": CONV, "si_code": "12345"}, headers=gateway
    )
    assert wrong_si.status_code == 422 and "10" in wrong_si.json()["message"]
    assert _lookup(client, gateway, "pension").status_code == 422
    username = make_user("agent")
    with db.session() as session:
        _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "not a channel")
    denied = _lookup(client, {"Authorization": f"Bearer {raw}"}, "contributions")
    assert denied.status_code == 403

    port = _free_port()
    down_registry = {"registry_url": f"http://127.0.0.1:{port}", "registry_token": SecretStr("t0ken")}
    app.state.settings = settings.model_copy(update=down_registry)
    down = client.post(
        "/api/v1/self-service/verify/code",
        json={"conversation": CONV, "si_code": "0123456789"},
        headers=gateway,
    )
    assert down.status_code == 503 and down.json()["code"] == "registry_unavailable"


def test_intents_money_and_card_masks():
    assert detect("thẻ bảo hiểm y tế của tôi còn hạn không") == "health_card"
    assert detect("qua trinh dong bhxh cua toi") == "contributions"
    assert detect("ho so cua toi den dau roi") == "dossier"
    assert detect("xin chào") is None
    assert money(4_960_000, "vi") == "4.960.000 đồng" and money(4_960_000, "en") == "VND 4,960,000"
    assert mask_card("DN4797912345678") == "DN4*********678"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def test_smtp_mailer_sends_a_proper_vietnamese_message_once_per_key():
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = SmtpMailer("127.0.0.1", port, "no-reply@baohiemxahoi.gov.vn", security="none")
        first = mailer.send("dan@example.vn", "Mã xác thực BHXH", "Mã của anh/chị là 123456.", key="v-1")
        again = mailer.send("dan@example.vn", "Mã xác thực BHXH", "Mã của anh/chị là 123456.", key="v-1")
    finally:
        controller.stop()
    assert first == again and len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert sender == "no-reply@baohiemxahoi.gov.vn" and recipients == ["dan@example.vn"]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Mã xác thực BHXH" and parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"] == first and "123456" in parsed.get_content()


def test_an_smtp_server_that_is_down_is_a_clear_error():
    with pytest.raises(AppError) as down:
        SmtpMailer("127.0.0.1", _free_port(), "no-reply@example.vn", security="none", timeout=2).send(
            "a@example.vn", "x", "y", key="k"
        )
    assert down.value.code == "mail_unavailable"
