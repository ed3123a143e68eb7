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
