"""The customer's status lookup page on the portal."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.requests.conftest import CITIZEN_PHONE, actor_of
from tests.web.helpers import audit_rows
from vsscare.core.db import Database
from vsscare.requests import actions


def test_lookup_shows_status_and_public_messages_only(
    client: TestClient, db: Database, open_request, make_user
):
    code = open_request()
    agent = actor_of(db, make_user("agent", username="agent.lan"))
    with db.session() as session:
        actions.note(session, agent, code, "Ghi chú nội bộ: không cho khách xem")
        actions.reply(session, agent, code, "Quý khách nộp hồ sơ tại BHXH cơ sở.")
    assert client.get("/tra-cuu-yeu-cau").status_code == 200
    page = client.post("/tra-cuu-yeu-cau", data={"code": code.lower(), "phone": "0912 345 678"})
    assert page.status_code == 200
    assert code in page.text and "Đang xử lý" in page.text
    assert "Quý khách nộp hồ sơ tại BHXH cơ sở." in page.text
    assert "Ghi chú nội bộ" not in page.text and "agent.lan" not in page.text
    assert [r.outcome for r in audit_rows(db, "requests.lookup")] == ["ok"]


def test_a_wrong_phone_and_a_wrong_code_read_the_same(client: TestClient, db: Database, open_request):
    code = open_request()
    wrong_phone = client.post("/tra-cuu-yeu-cau", data={"code": code, "phone": "0987654321"})
    wrong_code = client.post("/tra-cuu-yeu-cau", data={"code": "YC-2026-999999", "phone": CITIZEN_PHONE})
    assert wrong_phone.status_code == wrong_code.status_code == 404
    same = wrong_phone.text.replace(code, "YC-2026-999999").replace("0987654321", CITIZEN_PHONE)
    assert same == wrong_code.text
    bad = client.post("/tra-cuu-yeu-cau", data={"code": code, "phone": "abc"})
    assert bad.status_code == 422 and 'value="abc"' in bad.text
    rows = audit_rows(db, "requests.lookup")
    assert [r.outcome for r in rows] == ["denied"] * 3 and all("phone" not in r.details for r in rows)


def test_english_page(client: TestClient, open_request):
    code = open_request()
    client.cookies.set("vsscare_lang", "en")
    page = client.post("/tra-cuu-yeu-cau", data={"code": code, "phone": CITIZEN_PHONE})
    assert page.status_code == 200 and "Received" in page.text
