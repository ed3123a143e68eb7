"""Customers made in bulk from registry people are stored exactly as the actions store them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.db import Database
from vsscare.customers import queries
from vsscare.customers.generate import customers_from_registry
from vsscare.customers.models import Customer, CustomerIdentity
from vsscare.customers.registry_models import RegistryPerson

EVERYWHERE = Principal(1, "t", "T", "vi", frozenset(), frozenset(), None, None)
PEOPLE = [
    ("0100000001", "Nguyễn Văn Bảo", date(1980, 1, 2), "male", "001080000001", "+84912000001"),
    ("0100000002", "Trần Thị Cúc", date(2001, 6, 7), "female", "001301000002", None),
    ("7900000003", "Lê Hoàng Dũng", date(1975, 9, 9), "male", None, "+84387000003"),
    ("7900000004", "Lê Thị Em", date(1978, 2, 3), "female", None, "+84387000003"),  # the family's phone
]


def test_registry_people_become_findable_customers_once(db: Database, settings):
    ring = crypto.keyring(settings)
    with db.session() as session:
        session.execute(
            insert(RegistryPerson),
            [
                {"si_code": si, "full_name": name, "birth_date": born, "gender": gender, "cccd": card,
                 "province_code": si[:2], "phone": phone, "book_status": "active"}
                for si, name, born, gender, card, phone in PEOPLE
            ],
        )  # fmt: skip
    seen: list[int] = []
    assert customers_from_registry(db, ring, batch=2, progress=seen.append) == 4
    assert sum(seen) == 4
    assert customers_from_registry(db, ring) == 0  # already customers: nothing twice
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CustomerIdentity)) == 2
        found = queries.find(session, EVERYWHERE, ring, cccd="001301000002")
        assert [c.name for c in found] == ["Trần Thị Cúc"]
        by_phone = queries.find(session, EVERYWHERE, ring, phone="0387 000 003")
        assert [c.si_code_masked for c in by_phone] == ["7900****03", "7900****04"]
        dung = session.scalars(select(Customer).where(Customer.name_folded == "le hoang dung")).one()
        assert dung.cccd_enc is None and dung.phone_masked == "+8438*****03"
