import pytest
from sqlalchemy import inspect, text

from vsscare.core import migrate
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.models import metadata


def test_template_is_at_head_and_matches_models(db: Database):
    assert migrate.current(db) == migrate.head()
    tables = set(inspect(db.engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_downgrade_to_base_and_back(db: Database):
    migrate.downgrade(db, "base")
    assert migrate.current(db) is None
    assert "jobs" not in inspect(db.engine).get_table_names()
    migrate.upgrade(db)
    assert migrate.current(db) == migrate.head()


def test_newer_schema_is_refused_and_nothing_changes(db: Database):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(AppError) as err:
        migrate.upgrade(db)
    assert err.value.code == "schema_too_new"
    assert "9999_from_the_future" in err.value.message and "newer" in err.value.message_en
    assert migrate.current(db) == "9999_from_the_future"
    with pytest.raises(AppError):
        migrate.downgrade(db, "base")
    assert "jobs" in inspect(db.engine).get_table_names()


def test_unknown_target_revision_is_a_clear_error(db: Database):
    with pytest.raises(AppError) as err:
        migrate.upgrade(db, "nope")
    assert err.value.code == "bad_revision"
    assert migrate.current(db) == migrate.head()


def test_models_and_migrations_agree(db: Database):
    """Every model change comes with a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": migrate.include_name}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    assert diff == []


def _request_with_phone(db: Database, phone: str | None) -> None:
    """A request row as revision 0008 stored it: the contact phone in clear."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO requests (code, channel, type, topic, priority, status, subject, lang, "
                "contact_phone, tags, sla_paused_seconds, sla_state, sla_marks, complaint_complex, "
                "complaint_remote, escalation_level, created_by, created_at, updated_at, version) VALUES "
                "(:code, 'phone', 'question', 'bhxh', 'normal', 'new', 'Hỏi', 'vi', :phone, '[]', 0, 'ok', "
                "'[]', false, false, 0, 'system', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ),
            {"code": f"YC-2026-{abs(hash(phone)) % 10**6:06d}", "phone": phone},
        )


def test_request_phones_are_encrypted_by_the_upgrade_and_restored_by_the_downgrade(db: Database, ring):
    migrate.downgrade(db, "0008")
    _request_with_phone(db, "+84912345678")
    _request_with_phone(db, None)
    with pytest.raises(AppError) as err:
        migrate.upgrade(db)  # without the data keys: refused, nothing changed
    assert err.value.code == "migration_keys_needed" and migrate.current(db) == "0008"

    migrate.upgrade(db, keyring=ring)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT contact_phone_enc, contact_phone_bi, contact_phone_masked FROM requests ORDER BY id")
        ).all()
    assert "contact_phone" not in {c["name"] for c in inspect(db.engine).get_columns("requests")}
    (enc, bi, masked), empty = rows
    assert "912345678" not in enc and masked == "091****678"
    assert ring.decrypt(enc, context="customers.phone") == "+84912345678"
    assert bi == ring.blind_index("+84912345678", context="customers.phone")
    assert empty == (None, None, None)

    migrate.downgrade(db, "0008", keyring=ring)
    with db.engine.connect() as conn:
        phones = conn.execute(text("SELECT contact_phone FROM requests ORDER BY id")).scalars().all()
    assert phones == ["+84912345678", None]
    migrate.upgrade(db, keyring=ring)
    assert migrate.current(db) == migrate.head()
