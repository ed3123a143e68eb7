"""The customers API: masked by default, audited, province-scoped, clear errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import TEST_ACTOR
from vsscare.accounts import actions as accounts
from vsscare.core.audit import AuditEntry

PERSON = {
    "name": "Phạm Minh Châu", "birth_date": "1992-07-09", "gender": "female", "si_code": "0192345678",
    "cccd": "001192004567", "phone": "0903 123 456", "province": "01",
}  # fmt: skip


@pytest.fixture
def staff(db, make_user):
    def make(*roles: str, unit: str | None = "CCC") -> dict[str, str]:
        username = make_user(*roles, unit=unit)
        with db.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return make


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json()


def test_an_agent_records_finds_and_reads_a_customer_masked(client, staff, db):
    agent = staff("agent", unit="BHXH-01")  # Hà Nội's office: the customer's province
    created = ok(client.post("/api/v1/customers/people", json=PERSON, headers=agent), 201)
    assert (created["si_code"], created["cccd"], created["phone"]) == (
        "0192****78",
        "0011******67",
        "+8490*****56",
    )
    assert "0192345678" not in str(created)
    cid = created["id"]
    found = ok(client.get("/api/v1/customers/lookup", params={"cccd": "0011 9200 4567"}, headers=agent))
    assert [c["id"] for c in found] == [cid]
    assert ok(client.get("/api/v1/customers", params={"q": "pham minh"}, headers=agent))[0]["id"] == cid
    linked = ok(
        client.post(
            f"/api/v1/customers/{cid}/identities", json={"kind": "zalo", "value": "77001234"}, headers=agent
        ),
        201,
    )
    assert ("zalo", "770***34") in [tuple(i) for i in linked["identities"]]
    ok(client.get(f"/api/v1/customers/{cid}", headers=agent))
    with db.read() as session:
        actions = [
            a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.object_type == "customer"))
        ]
    assert sorted(actions) == ["customer.lookup", "customer.search", "customer.view"], actions


def test_clear_values_need_the_permission_and_a_reason(client, staff, db):
    agent, admin = staff("agent", unit="BHXH-01"), staff("admin")
    cid = ok(client.post("/api/v1/customers/people", json=PERSON, headers=agent), 201)["id"]
    refused = client.post(
        f"/api/v1/customers/{cid}/reveal", json={"field": "cccd", "reason": "đọc lại"}, headers=agent
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    short = client.post(
        f"/api/v1/customers/{cid}/reveal", json={"field": "cccd", "reason": "x"}, headers=admin
    )
    assert short.status_code == 422
    shown = ok(
        client.post(
            f"/api/v1/customers/{cid}/reveal",
            json={"field": "cccd", "reason": "Khách yêu cầu đọc lại"},
            headers=admin,
        )
    )
    assert shown == {"field": "cccd", "value": "001192004567"}
    with db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.reveal")).one()
        assert entry.details == {"field": "cccd", "reason": "Khách yêu cầu đọc lại"}


def test_another_province_cannot_see_the_customer(client, staff):
    cid = ok(
        client.post("/api/v1/customers/people", json=PERSON, headers=staff("agent", unit="BHXH-01")), 201
    )["id"]
    hcm = staff("agent", unit="BHXH-79")
    missing = client.get(f"/api/v1/customers/{cid}", headers=hcm)
    assert missing.status_code == 404 and missing.json()["code"] == "customer_not_found"
    assert ok(client.get("/api/v1/customers/lookup", params={"si_code": "0192345678"}, headers=hcm)) == []
    assert ok(client.get("/api/v1/customers", params={"q": "Phạm"}, headers=hcm)) == []


@pytest.mark.parametrize(
    ("change", "code", "detail"),
    [
        ({"si_code": "01923"}, "customer_si_code_length", "5"),
        ({"cccd": "999192004567"}, "customer_cccd_province", "999"),
        ({"cccd": "001092004567"}, "customer_cccd_gender", None),
        ({"phone": "abc"}, "customer_phone_invalid", None),
    ],
)
def test_bad_identifiers_are_explained(client, staff, change, code, detail):
    response = client.post("/api/v1/customers/people", json=PERSON | change, headers=staff("agent"))
    body = response.json()
    assert response.status_code == 422 and body["code"] == code, body
    assert body["message"] and body["message_en"] and body["message"] != body["message_en"]
    if detail:
        assert detail in body["message"] and detail in body["message_en"]


def test_lookup_and_paths_refuse_nonsense_without_a_server_error(client, staff):
    agent = staff("agent")
    both = client.get(
        "/api/v1/customers/lookup", params={"si_code": "0192345678", "cccd": "001192004567"}, headers=agent
    )
    assert both.status_code == 422 and both.json()["code"] == "customer_lookup_one_field"
    assert client.get("/api/v1/customers/99999", headers=agent).status_code == 404
    assert client.get("/api/v1/customers/0", headers=agent).status_code == 422
    assert (
        client.get("/api/v1/customers/lookup", params={"si_code": "x" * 41}, headers=agent).status_code == 422
    )
    assert client.get("/api/v1/customers/1").status_code == 401
