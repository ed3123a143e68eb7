"""Customers on both backends: identifiers stored encrypted and masked, found by blind index,
identities linked, duplicates refused, reveals audited, provinces enforced."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.audit import AuditEntry
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.customers import actions, queries
from vsscare.customers.models import Customer
from vsscare.customers.schemas import EmployerIn, IdentityIn, PersonIn

AGENT = Actor("user", "7", "agent.an")
CARD = "001085012345"  # Hà Nội, male, born 1985


def principal(provinces: set[str] | None = None) -> Principal:
    return Principal(
        user_id=7, username="agent.an", full_name="An", locale="vi", roles=frozenset({"agent"}),
        permissions=frozenset({"customers.view"}), org_unit_id=None,
        provinces=None if provinces is None else frozenset(provinces),
    )  # fmt: skip


@pytest.fixture
def ring(settings):
    return crypto.keyring(settings)


def person(**overrides) -> PersonIn:
    values = {
        "name": "Nguyễn Văn An", "birth_date": date(1985, 3, 15), "gender": "male", "si_code": "0123 456 789",
        "cccd": CARD, "phone": "0912 345 678", "email": "an.nguyen@example.com", "province": "01",
    }  # fmt: skip
    return PersonIn.model_validate(values | overrides)


def test_identifiers_are_stored_encrypted_masked_and_found_by_blind_index(db: Database, ring):
    with db.session() as session:
        created = actions.create_person(session, AGENT, person(), ring)
        cid = created.id
    with db.session() as session:
        raw = session.execute(
            text("SELECT si_code_enc, cccd_enc, phone_enc, si_code_masked, cccd_masked, phone_masked "
                 "FROM customers WHERE id = :id"), {"id": cid}
        ).one()  # fmt: skip
        assert not any(clear in " ".join(raw[:3]) for clear in ("0123456789", CARD, "912345678"))
        assert raw[3:] == ("0123****89", "0010******45", "+8491*****78")
        for found in (
            queries.find(session, principal(), ring, si_code="0123456789"),
            queries.find(session, principal(), ring, cccd="0010 8501 2345"),
            queries.find(session, principal(), ring, phone="+84 912 345 678"),
        ):
            assert [c.id for c in found] == [cid]
        assert queries.find(session, principal(), ring, si_code="0123456780") == []
        shown = queries.view(session.get_one(Customer, cid), queries.identities_of(session, cid))
        assert (shown.si_code, shown.cccd, shown.email) == (
            "0123****89",
            "0010******45",
            "a******n@example.com",
        )
        assert {kind for kind, _ in shown.identities} == {"phone", "email"}
        lookups = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.lookup")).all()
        assert [e.details["by"] for e in lookups] == ["si_code", "cccd", "phone", "si_code"]
        assert all("0123456789" not in str(e.details) for e in lookups)


def test_bad_identifiers_and_duplicates_are_refused_with_reasons(db: Database, ring):
    with db.session() as session:
        actions.create_person(session, AGENT, person(), ring)
    cases = [
        (person(si_code="01234"), "customer_si_code_length"),
        (person(cccd="001085012345", birth_date=date(2001, 1, 1), si_code=None), "customer_cccd_birth"),
        (person(phone="12345", si_code=None, cccd=None), "customer_phone_invalid"),
        (person(name="Trần Thị Bình", cccd=None), "customer_duplicate"),
    ]
    for data, code in cases:
        with db.session() as session, pytest.raises(AppError) as err:
            actions.create_person(session, AGENT, data, ring)
        assert err.value.code == code, (data, err.value.as_dict())
    assert "0123****89" in err.value.message  # the duplicate is named by its masked form only
    with db.read() as session:
        assert session.scalar(select(Customer.id).where(Customer.name == "Trần Thị Bình")) is None


def test_identities_link_once_and_belong_to_one_customer(db: Database, ring):
    with db.session() as session:
        an = actions.create_person(session, AGENT, person(), ring).id
        shop = actions.create_employer(
            session,
            AGENT,
            EmployerIn(name="Công ty TNHH Ánh Dương", unit_code="ya0123a", tax_code="0101234567"),
            ring,
        ).id
    with db.session() as session:
        first = actions.link_identity(
            session, AGENT, an, IdentityIn(kind="zalo", value="8447123300112233"), ring
        )
        again = actions.link_identity(
            session, AGENT, an, IdentityIn(kind="zalo", value="8447123300112233"), ring
        )
        assert first.id == again.id and first.value_masked == "844***********33"
    with db.session() as session, pytest.raises(AppError) as err:
        actions.link_identity(session, AGENT, shop, IdentityIn(kind="phone", value="0912345678"), ring)
    assert err.value.code == "customer_identity_taken"
    with db.session() as session:
        assert [c.id for c in queries.search(session, principal(), "YA0123A")] == [shop]
        assert [c.id for c in queries.search(session, principal(), "nguyen van")] == [an]
        assert [c.id for c in queries.search(session, principal(), "Nguyễn Văn")] == [an]
    with db.session() as session, pytest.raises(AppError) as dup:
        actions.create_employer(session, AGENT, EmployerIn(name="Khác", unit_code="YA0123A"), ring)
    assert dup.value.code == "customer_employer_duplicate"


def test_another_province_sees_nothing(db: Database, ring):
    with db.session() as session:
        cid = actions.create_person(session, AGENT, person(), ring).id  # province 01
    hcm = principal({"79"})
    with db.session() as session:
        assert queries.find(session, hcm, ring, si_code="0123456789") == []
        assert queries.search(session, hcm, "nguyen") == []
        with pytest.raises(AppError) as err:
            queries.get_visible(session, hcm, cid)
        assert err.value.code == "customer_not_found"
        assert queries.get_visible(session, principal({"01"}), cid).id == cid


def test_reveal_needs_a_reason_and_is_audited(db: Database, ring):
    with db.session() as session:
        cid = actions.create_person(session, AGENT, person(), ring).id
    with db.session() as session, pytest.raises(AppError) as err:
        actions.reveal(session, AGENT, cid, "cccd", " ", ring)
    assert err.value.code == "customer_reason_required"
    with db.session() as session:
        assert actions.reveal(session, AGENT, cid, "cccd", "Khách yêu cầu đọc lại số CCCD", ring) == CARD
    with db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.reveal")).one()
        assert (entry.object_id, entry.details["field"], entry.actor) == (str(cid), "cccd", AGENT.ref)
        assert CARD not in str(entry.details)
