"""Merging duplicates and data-subject requests (export, anonymise, retention), through the API,
the actions and the CLI, on both backends."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from tests.conftest import TEST_ACTOR
from tests.requests.conftest import new_request
from vsscare.accounts import actions as accounts
from vsscare.core.audit import AuditEntry
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor, EventRecord
from vsscare.customers import actions, privacy
from vsscare.customers.jobs import RETENTION_JOB, next_run
from vsscare.customers.models import Customer, CustomerIdentity
from vsscare.customers.schemas import IdentityIn, PersonIn
from vsscare.requests import actions as requests
from vsscare.requests.models import Request, RequestMessage, RequestSearch

AN = {
    "name": "Nguyễn Văn An",
    "birth_date": "1985-03-15",
    "gender": "male",
    "si_code": "0123456789",
    "cccd": "001085012345",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "province": "01",
}
AN_AGAIN = {
    "name": "Nguyễn Văn An",
    "birth_date": "1985-03-15",
    "gender": "male",
    "phone": "0987654321",
    "province": "01",
    "address": "12 Kim Mã, Ba Đình",
}


@pytest.fixture
def staff(db, make_user):
    def make(*roles: str, unit: str = "CCC") -> dict[str, str]:
        username = make_user(*roles, unit=unit)
        with db.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def an(db, ring) -> tuple[int, int, str]:
    """Two records of one person (the second made from a call) and a request of each, with the
    person's identifiers in the messages; (first, second, code of the first's request)."""
    with db.session() as session:
        first = actions.create_person(session, TEST_ACTOR, PersonIn.model_validate(AN), ring)
        second = actions.create_person(session, TEST_ACTOR, PersonIn.model_validate(AN_AGAIN), ring)
        actions.link_identity(session, TEST_ACTOR, second.id, IdentityIn(kind="zalo", value="77001234"), ring)
        body = "Tôi là Nguyễn Văn An, mã số BHXH 0123456789, CCCD 001085012345, gọi 0912 345 678."
        mine = requests.create(
            session,
            Actor.system("tests"),
            new_request(
                customer_id=first.id,
                contact_name="Nguyễn Văn An",
                contact_phone="0912345678",
                body=body,
                contact_email="an.nguyen@example.vn",
            ),
            auto_assign=False,
            ring=ring,
        )
        requests.note(session, TEST_ACTOR, mine.code, "Ghi chú nội bộ: đã gọi lại")
        requests.create(
            session,
            Actor.system("tests"),
            new_request(channel="zalo", customer_id=second.id, contact_phone="0987654321"),
            auto_assign=False,
            ring=ring,
        )
        return first.id, second.id, mine.code


def test_merge_moves_identities_and_requests_fills_gaps_and_keeps_history(client, db, staff, an):
    first, second, _code = an
    agent = staff("agent", unit="BHXH-01")
    short = client.post(
        "/api/v1/customers/merge",
        json={"source_id": second, "target_id": first, "reason": "x"},
        headers=agent,
    )
    assert short.status_code == 422
    merged = client.post(
        "/api/v1/customers/merge",
        headers=agent,
        json={"source_id": second, "target_id": first, "reason": "Cùng một người"},
    )
    assert merged.status_code == 200, merged.text
    kept = merged.json()
    assert kept["id"] == first and kept["address"] == "12 Kim Mã, Ba Đình"
    assert ("zalo", "770***34") in [tuple(i) for i in kept["identities"]]
    with db.read() as session:
        assert session.scalar(select(func.count()).where(Request.customer_id == first)) == 2
        source = session.get(Customer, second)
        assert (source.status, source.merged_into_id) == ("merged", first)
        events = session.execute(
            select(EventRecord.subject_id, EventRecord.data).where(EventRecord.type == "customer.merged")
        ).all()
        assert {s for s, _d in events} == {str(first), str(second)}
        data = events[0][1]
        assert data["requests_moved"] == 1 and "address" in data["filled"] and "phone" in data["conflicts"]
        assert session.scalar(select(AuditEntry.details).where(AuditEntry.action == "customer.merge"))
    # the duplicate's phone now finds the record kept
    found = client.get("/api/v1/customers/lookup", params={"phone": "0987654321"}, headers=agent).json()
    assert [c["id"] for c in found] == [first]
    again = client.post(
        "/api/v1/customers/merge",
        headers=agent,
        json={"source_id": second, "target_id": first, "reason": "Lần nữa"},
    )
    assert again.status_code == 409 and again.json()["code"] == "customer_merge_inactive"
    itself = client.post(
        "/api/v1/customers/merge",
        headers=agent,
        json={"source_id": first, "target_id": first, "reason": "Cùng một người"},
    )
    assert itself.status_code == 422 and itself.json()["code"] == "customer_merge_same"
    elsewhere = staff("agent", unit="BHXH-79")
    hidden = client.post(
        "/api/v1/customers/merge",
        headers=elsewhere,
        json={"source_id": first, "target_id": second, "reason": "Cùng một người"},
    )
    assert hidden.status_code == 404


def test_export_gives_the_person_their_data_in_clear_without_internal_notes(client, db, staff, an):
    first, _second, code = an
    officer = staff("data_protection", unit="BHXH-01")
    agent = staff("agent", unit="BHXH-01")
    denied = client.post(
        f"/api/v1/customers/{first}/export", json={"reason": "Yêu cầu của khách"}, headers=agent
    )
    assert denied.status_code == 403
    no_reason = client.post(f"/api/v1/customers/{first}/export", json={}, headers=officer)
    assert no_reason.status_code == 422
    got = client.post(
        f"/api/v1/customers/{first}/export", json={"reason": "Đơn yêu cầu ngày 2/3"}, headers=officer
    )
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
    assert "attachment" in got.headers["content-disposition"]
    doc = got.json()
    assert doc["customer"]["si_code"] == "0123456789" and doc["customer"]["cccd"] == "001085012345"
    assert doc["customer"]["phone"] == "+84912345678"
    assert [r["code"] for r in doc["requests"]] == [code]
    assert doc["requests"][0]["contact"]["phone"] == "+84912345678"
    assert all(m["from"] in ("customer", "vss") for m in doc["requests"][0]["messages"])
    assert "Ghi chú nội bộ" not in got.text and doc["not_included"]
    html = client.post(
        f"/api/v1/customers/{first}/export",
        json={"reason": "Bản in cho khách", "format": "html"},
        headers=officer,
    )
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Nguyễn Văn An" in html.text and "0123456789" in html.text and "<script" not in html.text
    with db.read() as session:
        reasons = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "customer.export")
        ).all()
    assert [r["reason"] for r in reasons] == ["Đơn yêu cầu ngày 2/3", "Bản in cho khách"]


def _everything(db) -> str:
    """Every customer, identity, request, message and search row, as one text."""
    with db.engine.connect() as conn:
        parts = []
        for table in ("customers", "customer_identities", "requests", "request_messages", "request_search"):
            parts += [str(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(parts)


def test_anonymise_erases_identity_keeps_statistics_and_is_final(client, db, staff, an, ring):
    first, second, code = an
    with db.session() as session:
        actions.merge(session, TEST_ACTOR, second, first, reason="Cùng một người")
    officer = staff("data_protection", unit="BHXH-01")
    unconfirmed = client.post(
        f"/api/v1/customers/{first}/anonymise", json={"reason": "Khách yêu cầu xóa"}, headers=officer
    )
    assert unconfirmed.status_code == 422
    done = client.post(
        f"/api/v1/customers/{first}/anonymise",
        headers=officer,
        json={"reason": "Khách yêu cầu xóa", "confirm": True},
    )
    assert done.status_code == 200, done.text
    assert done.json()["requests"] == 2 and done.json()["identities"] >= 3
    everything = _everything(db)
    for secret in (
        "0123456789",
        "001085012345",
        "912345678",
        "987654321",
        "Nguyễn Văn An",
        "nguyen van an",
        "an.nguyen@example.vn",
        "Kim Mã",
        "77001234",
    ):
        assert secret not in everything, secret
    with db.read() as session:
        kept = session.get(Customer, first)
        assert (kept.status, kept.kind, kept.province_code, kept.gender) == (
            "anonymised",
            "person",
            "01",
            "male",
        )
        assert kept.birth_date.year == 1985 and kept.name == f"Đã ẩn danh #{first}"
        assert session.scalar(select(func.count()).select_from(CustomerIdentity)) == 0
        topics = session.execute(select(Request.topic, Request.channel, Request.province_code)).all()
        assert len(topics) == 2 and all(t.topic == "bhtn" for t in topics)
        assert session.scalar(select(Request.status).where(Request.code == code)) is not None
        assert session.scalar(select(func.count()).select_from(RequestMessage)) >= 2
        assert session.scalar(select(func.count()).select_from(RequestSearch)) == 2
    again = client.post(
        f"/api/v1/customers/{first}/anonymise",
        headers=officer,
        json={"reason": "Khách yêu cầu xóa", "confirm": True},
    )
    assert again.status_code == 409 and again.json()["code"] == "customer_anonymised"
    export = client.post(f"/api/v1/customers/{first}/export", json={"reason": "Sau khi xóa"}, headers=officer)
    assert export.status_code == 409


def test_retention_anonymises_only_records_past_their_period_in_batches(db, ring):
    old = utcnow() - privacy.RETENTION - timedelta(days=1)
    with db.session() as session:
        ids = []
        for n in range(5):
            data = PersonIn(
                name=f"Người Cũ {n}",
                birth_date="1960-01-01",
                gender="female",
                province="79",
                si_code=f"79000000{n:02d}",
            )
            ids.append(actions.create_person(session, TEST_ACTOR, data, ring).id)
        fresh = actions.create_person(session, TEST_ACTOR, PersonIn(name="Người Mới", province="79"), ring).id
        session.execute(update(Customer).where(Customer.id.in_(ids)).values(updated_at=old))
        # one old record still has a request that is not closed: kept
        requests.create(
            session, Actor.system("tests"), new_request(customer_id=ids[0]), auto_assign=False, ring=ring
        )
    with db.session() as session:
        assert privacy.retention_run(session, TEST_ACTOR, limit=3) == 3
    with db.session() as session:
        assert privacy.retention_run(session, TEST_ACTOR, limit=3) == 1
        assert privacy.retention_run(session, TEST_ACTOR, limit=3) == 0  # idempotent
    with db.read() as session:
        states = {cid: status for cid, status in session.execute(select(Customer.id, Customer.status))}
    assert [states[i] for i in ids] == ["active"] + ["anonymised"] * 4 and states[fresh] == "active"


def test_a_worker_queues_the_nightly_retention_run_once(db, settings):
    import threading

    from vsscare.core.worker import Worker

    stop = threading.Event()
    stop.set()  # start, queue the nightly jobs, stop
    for _ in range(2):
        Worker(db, settings, worker_id="w1").run(stop)
    with db.read() as session:
        rows = session.execute(text("SELECT key, run_at FROM jobs WHERE kind = :k"), {"k": RETENTION_JOB})
        queued = rows.all()
    assert len(queued) == 1 and queued[0][0].startswith(RETENTION_JOB)
    later = next_run(utcnow())
    assert (later.hour, later.minute) == (2, 0) and later > utcnow()


def test_cli_export_and_retention(run_cli, db, ring, settings, monkeypatch, tmp_path, an):
    first, _second, _code = an
    monkeypatch.setenv("VSSCARE_SECRET_KEY", settings.secret_key.get_secret_value())
    target = tmp_path / "an.json"
    done = run_cli("customers", "export", str(first), "--reason", "Đơn yêu cầu", "--output", str(target))
    assert done.exit_code == 0, done.output
    assert json.loads(target.read_text("utf-8"))["customer"]["cccd"] == "001085012345"
    assert oct(target.stat().st_mode)[-3:] == "600"
    missing = run_cli("customers", "export", "999999", "--reason", "Đơn yêu cầu")
    assert missing.exit_code != 0 and "999999" in missing.output
    dry = run_cli("customers", "retention", "--dry-run")
    assert dry.exit_code == 0 and "0" in dry.output


def test_actions_refuse_without_a_reason(db, ring, an):
    first, second, _code = an
    with db.session() as session, pytest.raises(AppError) as no_reason:
        privacy.anonymise(session, TEST_ACTOR, first, reason=" ")
    assert no_reason.value.code == "customer_reason_required"
    with db.session() as session, pytest.raises(AppError):
        actions.merge(session, TEST_ACTOR, second, first, reason="")
