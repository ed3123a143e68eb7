"""Schema migrations with Alembic, driven from code (``vsscare db upgrade|downgrade|current``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from vsscare.core.crypto import Keyring
from vsscare.core.db import Database
from vsscare.core.errors import AppError, ErrorCode

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

SCHEMA_TOO_NEW = ErrorCode(
    "schema_too_new",
    "Cơ sở dữ liệu đang ở phiên bản lược đồ {revision}, mới hơn phiên bản phần mềm này biết. "
    "Hãy cập nhật vsscare; không có gì bị thay đổi.",
    "The database is at schema revision {revision}, newer than this version of vsscare knows. "
    "Upgrade vsscare; nothing was changed.",
    409,
)
KEYS_NEEDED = ErrorCode(
    "migration_keys_needed",
    "Bản nâng cấp này mã hóa dữ liệu cá nhân đã lưu và cần khóa dữ liệu; hãy chạy `vsscare db upgrade` "
    "với cấu hình của hệ thống. Không có gì bị thay đổi.",
    "This upgrade encrypts stored personal data and needs the data keys: run `vsscare db upgrade` with "
    "the installation's settings. Nothing was changed.",
    409,
)
BAD_REVISION = ErrorCode(
    "bad_revision",
    "Không có phiên bản lược đồ {revision}.",
    "There is no schema revision {revision}.",
)


def include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """What autogenerate compares: not the full-text indexes of request search, which the
    migration makes by hand (FTS5 tables on SQLite; a generated tsvector column and its GIN index
    on PostgreSQL)."""
    if type_ == "table" and name is not None and name.startswith("request_fts"):
        return False
    if type_ == "column" and name == "body_tsv":
        return False
    return not (type_ == "index" and name == "ix_request_search_fts")


def _config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _check_known(db: Database) -> None:
    revision = current(db)
    if revision is None:
        return
    try:
        known = ScriptDirectory(str(MIGRATIONS)).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise AppError(SCHEMA_TOO_NEW, revision=revision)


def _run(db: Database, fn, target: str, keyring: Keyring | None) -> None:
    cfg = _config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["keyring"] = keyring  # data migrations that encrypt or decrypt personal data
        try:
            fn(cfg, target)
        except CommandError as exc:
            raise AppError(BAD_REVISION, details={"alembic": str(exc)}, revision=target) from exc


def upgrade(db: Database, target: str = "head", *, keyring: Keyring | None = None) -> None:
    _check_known(db)
    _run(db, command.upgrade, target, keyring)


def downgrade(db: Database, target: str, *, keyring: Keyring | None = None) -> None:
    _check_known(db)
    _run(db, command.downgrade, target, keyring)


def is_current(db: Database) -> bool:
    return current(db) == head()
