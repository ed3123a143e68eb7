"""Key rotation: values written under the old key are re-encrypted under the new one, stay
readable throughout, and the commands explain themselves."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from vsscare.core import crypto
from vsscare.core.audit import AuditEntry
from vsscare.core.config import Settings
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.customers import actions, keys
from vsscare.customers.models import Customer
from vsscare.customers.schemas import IdentityIn, PersonIn

SECRET = "rotation-test-secret-0123456789"
AGENT = Actor("user", "7", "agent.an")


def _customer(db: Database, ring: crypto.Keyring) -> int:
    data = PersonIn(
        name="Lê Thị Hoa", birth_date=date(1990, 5, 2), gender="female", si_code="7912345678",
        cccd="079190001234", phone="0987654321", province="79",
    )  # fmt: skip
    with db.session() as session:
        customer = actions.create_person(session, AGENT, data, ring)
        actions.link_identity(
            session, AGENT, customer.id, IdentityIn(kind="zalo", value="5512345678901"), ring
        )
        return customer.id


def test_rotation_re_encrypts_everything_under_the_new_key(db: Database, tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("VSSCARE_SECRET_KEY", SECRET)
    old = crypto.keyring(Settings(secret_key=SECRET, data_dir=tmp_path))
    cid = _customer(db, old)

    entry = crypto.new_key("k1")
    monkeypatch.setenv("VSSCARE_DATA_KEYS", f"{entry},k0")
    ring = crypto.keyring(Settings(secret_key=SECRET, data_dir=tmp_path, data_keys=f"{entry},k0"))
    before = keys.key_use(db, ring)
    assert before["customers.cccd_enc"] == {"k0": 1} and before["customer_identities.value_enc"] == {"k0": 2}

    status = run_cli("keys", "status")
    assert status.exit_code == 0 and "k0" in status.output and "k1" in status.output
    rotated = run_cli("keys", "rotate", "--batch", "1")
    assert rotated.exit_code == 0, rotated.output
    assert "5" in rotated.output  # si_code, cccd, phone and two identities

    after = keys.key_use(db, ring)
    assert all(set(counts) == {"k1"} for counts in after.values() if counts)
    # readable with k1 alone now: k0 can be dropped from the settings
    only_new = crypto.keyring(Settings(secret_key=SECRET, data_dir=tmp_path, data_keys=entry))
    with db.session() as session:
        assert (
            actions.reveal(session, AGENT, cid, "cccd", "Kiểm tra sau khi xoay khóa", only_new)
            == "079190001234"
        )
        assert session.get_one(Customer, cid).cccd_masked == "0791******34"  # masks and indexes unchanged
    with db.read() as session:
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "keys.rotate")).all()
        assert sum(a.details["values"] for a in audits) == 5
    again = run_cli("keys", "rotate")
    assert again.exit_code == 0 and "0" in again.output


def test_generate_prints_a_usable_key_and_refuses_bad_names(run_cli):
    made = run_cli("keys", "generate", "k2")
    assert made.exit_code == 0
    line = made.output.splitlines()[0].strip()
    assert crypto.parse_keys(line, b"unused")[0][0] == "k2"
    bad = run_cli("keys", "generate", "bad name")
    assert bad.exit_code == 1 and "data_keys_invalid" in bad.output
