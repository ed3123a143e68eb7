"""The auditor's audit log: search by object, reason, request and dates, pages, CSV and Excel
exports (themselves audited), the JSON API, and province scoping (both backends)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.conftest import TEST_ACTOR, login
from tests.web.helpers import audit_rows
from vsscare.accounts import actions as accounts
from vsscare.console import audit_queries
from vsscare.core.audit import AuditEntry, record_now
from vsscare.core.db import utcnow
from vsscare.core.events import Actor


@pytest.fixture
def trail(db):
    """Reads of customers 7 and 12 by one officer, one of them with a reason, a week ago and now."""
    officer = Actor("user", "424242", "Trần Kiểm Tra")
    record_now(db, "customer.view", officer, object_type="customer", object_id=7)
    record_now(db, "customer.lookup", officer, object_type="customer", object_id="3,12,40")
    record_now(db, "customer.reveal", officer, object_type="customer", object_id=12,
               details={"field": "cccd", "reason": "Khách gọi hỏi lại số thẻ"})  # fmt: skip
    with db.session() as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.object_id == "7").values(at=utcnow() - timedelta(days=7))
        )


def _codes(text: str) -> list[str]:
    return [part.split("</code>")[0] for part in text.split("<code>")[1:]]


def test_filters_find_who_read_a_customer_by_reason_and_by_date(client, make_user, db, trail):
    login(client, make_user("auditor"))
    about_12 = client.get("/console/audit", params={"object_type": "customer", "object_id": "12"}).text
    assert _codes(about_12) == ["customer.reveal", "customer.lookup"]  # the lookup listed 12 among others
    by_reason = client.get("/console/audit", params={"details": "số thẻ"}).text
    assert _codes(by_reason) == ["customer.reveal"]
    today = utcnow().date().isoformat()
    recent = client.get("/console/audit", params={"object_type": "customer", "since": today}).text
    assert "customer.view" not in _codes(recent)
    bad = client.get("/console/audit", params={"since": "31/12/2025"})
    assert bad.status_code == 200 and "Ngày không hợp lệ" in bad.text
    with db.read() as session:
        correlation = session.query(AuditEntry.correlation_id).filter(AuditEntry.correlation_id.is_not(None))
        one = correlation.first()
    if one:
        same = client.get("/console/audit", params={"correlation_id": one[0]})
        assert same.status_code == 200


def test_pages_go_back_in_time(client, make_user, db, monkeypatch):
    for n in range(7):
        record_now(db, "customer.view", TEST_ACTOR, object_type="customer", object_id=n)
    monkeypatch.setattr(audit_queries, "PAGE", 3)
    login(client, make_user("auditor"))
    first = client.get("/console/audit", params={"action": "customer.view"}).text
    assert first.count("<code>customer.view</code>") == 3 and "before=" in first
    older = first.split("before=")[1].split('"')[0]
    second = client.get("/console/audit", params={"action": "customer.view", "before": older}).text
    assert second.count("<code>customer.view</code>") == 3 and "Mới nhất" in second


def test_exports_open_in_excel_and_are_audited(client, make_user, db, trail):
    login(client, make_user("auditor"))
    got = client.get("/console/audit/export.csv", params={"object_type": "customer"})
    assert got.status_code == 200 and got.content.startswith("\ufeff".encode())
    assert "attachment" in got.headers["content-disposition"] and got.headers["x-rows"] == "3"
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and {r[4] for r in rows[1:]} == {
        "customer.view",
        "customer.lookup",
        "customer.reveal",
    }
    assert any("Khách gọi hỏi lại số thẻ" in r[10] for r in rows[1:]) and rows[1][2] == "Trần Kiểm Tra"
    xlsx = client.get("/console/audit/export.xlsx", params={"action": "customer.reveal"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][4] == "thao tác" and values[1][4] == "customer.reveal" and sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    exports = audit_rows(db, "audit.export")
    assert [(e.details["format"], e.details["rows"]) for e in exports] == [("csv", 3), ("xlsx", 1)]
    assert exports[0].details["filters"] == {"object_type": "customer"}


def test_the_api_pages_and_validates(client, make_user, db, trail):
    username = make_user("auditor")
    with db.session() as session:
        _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
    auditor = {"Authorization": f"Bearer {raw}"}
    first = client.get("/api/v1/audit", params={"object_type": "customer", "limit": 2}, headers=auditor)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [i["action"] for i in body["items"]] == ["customer.reveal", "customer.lookup"] and body[
        "next_before"
    ]
    rest = client.get("/api/v1/audit", params={"object_type": "customer", "before": body["next_before"]},
                      headers=auditor).json()  # fmt: skip
    assert [i["action"] for i in rest["items"]] == ["customer.view"] and rest["next_before"] is None
    bad = client.get("/api/v1/audit", params={"since": "yesterday"}, headers=auditor)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_agents_are_refused_and_provinces_see_only_their_staff(client, make_user, db, trail):
    agent = make_user("agent")
    with db.session() as session:
        _row, raw = accounts.create_api_token(session, TEST_ACTOR, agent, "tests")
    assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {raw}"}).status_code == 403
    login(client, make_user("provincial_admin", unit="BHXH-79"))
    assert "customer.reveal" not in client.get("/console/audit").text  # the officer is no staff of theirs
    exported = client.get("/console/audit/export.csv")
    assert "customer.reveal" not in exported.content.decode("utf-8-sig")
    denied = client.get("/console/audit/export.csv", params={"action": "customer."})
    assert denied.headers["x-rows"] == "0"
