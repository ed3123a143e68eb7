"""The customer console pages (both backends): find, the 360 page, identities, reveal with a
reason, the industry database on demand, province scoping and audit rows."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from tests.conftest import TEST_ACTOR, login
from tests.requests.conftest import new_request
from tests.web.helpers import audit_rows, page_csrf
from vsscare.core.events import Actor
from vsscare.customers import actions as customers
from vsscare.customers.registry_generate import generate
from vsscare.customers.registry_models import RegistryPerson
from vsscare.customers.schemas import PersonIn
from vsscare.requests import actions as requests

HANOI = {"name": "Phạm Minh Châu", "birth_date": "1992-07-09", "gender": "female", "si_code": "0192345678",
         "cccd": "001192004567", "phone": "0903 123 456", "province": "01"}  # fmt: skip
SAIGON = {"name": "Lê Văn Sáu", "birth_date": "1980-02-01", "gender": "male", "si_code": "7912345670",
          "province": "79"}  # fmt: skip


@pytest.fixture
def people(db, ring) -> dict[str, int]:
    with db.session() as session:
        made = {key: customers.create_person(session, TEST_ACTOR, PersonIn.model_validate(data), ring).id
                for key, data in (("hanoi", HANOI), ("saigon", SAIGON))}  # fmt: skip
        for channel in ("phone", "zalo"):
            requests.create(
                session, Actor.system("tests"), new_request(channel=channel, customer_id=made["hanoi"],
                                                            contact_phone=None), auto_assign=False, ring=ring,
            )  # fmt: skip
        # A web request from the same number, not linked to the record: found by the phone's index.
        requests.create(session, Actor.system("tests"), new_request(channel="web", contact_phone="0903123456",
                        subject="Hỏi từ cổng thông tin"), auto_assign=False, ring=ring)  # fmt: skip
    return made


def _as(app, make_user, *roles: str, unit: str = "CCC") -> TestClient:
    client = TestClient(app)
    client.__enter__()
    return login(client, make_user(*roles, unit=unit))


def test_find_by_name_and_by_identifier(app, make_user, people, db):
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    by_name = agent.get("/console/customers", params={"q": "pham minh"})
    assert by_name.status_code == 200 and f"/console/customers/{people['hanoi']}" in by_name.text
    assert "0192345678" not in by_name.text and "0192****78" in by_name.text
    by_cccd = agent.get("/console/customers", params={"by": "cccd", "value": "001192004567"})
    assert f"/console/customers/{people['hanoi']}" in by_cccd.text
    invalid = agent.get("/console/customers", params={"by": "cccd", "value": "12345"})
    assert (
        invalid.status_code == 200 and "12 chữ số" in invalid.text and 'aria-invalid="true"' in invalid.text
    )
    nobody = agent.get("/console/customers", params={"by": "si_code", "value": "0100000001"})
    assert "Không tìm thấy khách hàng" in nobody.text
    assert [r.details["by"] for r in audit_rows(db, "customer.lookup")] == ["cccd", "si_code"]
    assert len(audit_rows(db, "customer.search")) == 1


def test_the_360_page_is_masked_lists_requests_on_every_channel_and_is_audited(app, make_user, people, db):
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    page = agent.get(f"/console/customers/{people['hanoi']}")
    assert page.status_code == 200
    text = page.text
    assert "0192****78" in text and "0011******67" in text and "0192345678" not in text
    assert "001192004567" not in text and "903123456" not in text
    assert text.count("/console/requests/YC-") == 3  # phone and Zalo by record, web by the phone number
    assert "Hỏi từ cổng thông tin" in text and "Hiện đầy đủ" not in text  # agents cannot reveal
    assert [r.object_id for r in audit_rows(db, "customer.view")] == [str(people["hanoi"])]


def test_identities_are_linked_by_agents_only(app, make_user, people):
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    path = f"/console/customers/{people['hanoi']}"
    token = page_csrf(agent, path)
    linked = agent.post(f"{path}/identities", data={"kind": "zalo", "value": "77001234", "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert linked.status_code == 303
    assert "770***34" in agent.get(path).text
    bad = agent.post(f"{path}/identities", data={"kind": "phone", "value": "12", "csrf_token": token})
    assert bad.status_code == 422 and "điện thoại" in bad.text
    handler = _as(app, make_user, "unit_handler", unit="BHXH-01")
    refused = handler.post(f"{path}/identities", data={"kind": "zalo", "value": "1", "csrf_token":
                                                       page_csrf(handler, path)})  # fmt: skip
    assert refused.status_code == 403


def test_reveal_needs_the_permission_and_a_reason_and_is_audited(app, make_user, people, db):
    path = f"/console/customers/{people['hanoi']}"
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    denied = agent.post(f"{path}/reveal", data={"field": "cccd", "reason": "Khách hỏi lại",
                                                "csrf_token": page_csrf(agent, path)})  # fmt: skip
    assert denied.status_code == 403
    officer = _as(app, make_user, "data_protection", unit="BHXH-01")
    token = page_csrf(officer, path)
    assert "Hiện đầy đủ" in officer.get(path).text
    short = officer.post(f"{path}/reveal", data={"field": "cccd", "reason": "x", "csrf_token": token},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert short.status_code == 422 and "001192004567" not in short.text
    reason = {"field": "cccd", "reason": "Khách yêu cầu đọc lại", "csrf_token": token}
    shown = officer.post(f"{path}/reveal", data=reason, headers={"HX-Request": "true"})
    assert shown.status_code == 200 and "001192004567" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    whole = officer.post(f"{path}/reveal", data={"field": "phone", "reason": "Gọi lại cho khách",
                                                 "csrf_token": token})  # fmt: skip
    assert "+84903123456" in whole.text and "0192345678" not in whole.text
    reasons = [(r.details["field"], r.details["reason"]) for r in audit_rows(db, "customer.reveal")]
    assert reasons == [("cccd", "Khách yêu cầu đọc lại"), ("phone", "Gọi lại cho khách")]


def test_the_registry_record_on_demand_and_when_the_registry_is_down(app, make_user, db, ring, settings):
    generate(db, 50, seed=3)
    with db.read() as session:
        who = session.scalars(select(RegistryPerson).where(RegistryPerson.province_code == "01")).first()
    with db.session() as session:
        data = PersonIn(name=who.full_name, birth_date=who.birth_date, gender=who.gender, si_code=who.si_code,
                        province=who.province_code)  # fmt: skip
        cid = customers.create_person(session, TEST_ACTOR, data, ring).id
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    assert "Tra cứu cơ sở dữ liệu ngành" in agent.get(f"/console/customers/{cid}").text
    panel = agent.get(f"/console/customers/{cid}/registry", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "Sổ BHXH" in panel.text and who.si_code not in panel.text
    assert [r.outcome for r in audit_rows(db, "registry.lookup")] == ["ok"]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = {"registry_url": f"http://127.0.0.1:{port}", "registry_token": SecretStr("t0ken")}
    app.state.settings = settings.model_copy(update=down)
    failed = agent.get(f"/console/customers/{cid}/registry", headers={"HX-Request": "true"})
    assert failed.status_code == 200 and "registry-panel" in failed.text and "alert" in failed.text
    assert [r.outcome for r in audit_rows(db, "registry.lookup")] == ["ok", "failed"]


def test_another_provinces_customer_is_out_of_reach(app, make_user, people):
    agent = _as(app, make_user, "agent", unit="BHXH-01")
    assert agent.get(f"/console/customers/{people['saigon']}").status_code == 404
    assert agent.get(f"/console/customers/{people['saigon']}/registry").status_code == 404
    assert "Lê Văn Sáu" not in agent.get("/console/customers", params={"q": "le van sau"}).text
    found = agent.get("/console/customers", params={"by": "si_code", "value": "7912345670"})
    assert "/console/customers/" + str(people["saigon"]) not in found.text
