"""Fixtures: every storage test runs on SQLite and on PostgreSQL.

A migrated, seeded template is built once per backend per test process; each test gets its own
copy (a file copy for SQLite, CREATE DATABASE … TEMPLATE for PostgreSQL).
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from vsscare.accounts import actions as accounts
from vsscare.accounts import passwords
from vsscare.app import create_app
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core import crypto
from vsscare.core.config import Settings
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.core.paths import DATA_DIR
from vsscare.devtools.pgcluster import PgCluster
from vsscare.orgunits import actions as orgunits

TEST_ACTOR = Actor("system", None, "tests")
PASSWORD = "Matkhau-2026-test"
_counter = itertools.count()


# Argon2id at its smallest cost: tests check the flows, not the strength of the hash.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_FAST_DUMMY = FAST_HASHER.hash("vsscare-dummy-password-1")


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", FAST_HASHER)
    monkeypatch.setattr(passwords, "_dummy", lambda: _FAST_DUMMY)


def _seed(db: Database) -> None:
    upgrade_and_seed(db)
    with db.session() as session:
        orgunits.load_file(session, DATA_DIR / "orgunits.yaml", TEST_ACTOR)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster().start()
    yield cluster
    cluster.stop("immediate")


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    url = pg_cluster.create_database("vsscare_template")
    db = Database(url)
    _seed(db)
    db.dispose()
    return "vsscare_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    db = Database(f"sqlite:///{path}")
    _seed(db)
    db.dispose()
    with sqlite3.connect(path) as conn:  # fold the WAL into the file so a plain copy is complete
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "vsscare.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    name = f"t{next(_counter)}"
    yield cluster.create_database(name, template=template)
    cluster.drop_database(name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-not-for-production",
        log_json=False,
    )


@pytest.fixture
def ring(settings: Settings) -> crypto.Keyring:
    """The data keys of ``settings`` (and so of ``app``)."""
    return crypto.keyring(settings)


@pytest.fixture
def app(settings: Settings, db: Database):
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(db: Database):
    """Create a staff user: ``make_user("agent", unit="BHXH-79")`` → username (password ``PASSWORD``)."""

    def make(*roles: str, unit: str | None = "CCC", username: str | None = None) -> str:
        username = username or f"{(roles or ('user',))[0].replace('_', '')}{next(_counter)}"
        with db.session() as session:
            accounts.create_user(
                session,
                TEST_ACTOR,
                username=username,
                full_name=username.title(),
                password=PASSWORD,
                roles=list(roles),
                org_unit_code=unit,
            )
        return username

    return make


@pytest.fixture
def run_cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``run_cli("users", "list")``: the real ``vsscare`` command in-process, on this test's database.

    Leaves logging as it found it (``vsscare worker`` sets it up for its process)."""
    import logging

    from typer.testing import CliRunner

    from vsscare.cli import app as cli_app
    from vsscare.core import cli as core_cli

    monkeypatch.setenv("VSSCARE_DATABASE_URL", db_url)
    monkeypatch.setenv("VSSCARE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VSSCARE_LANG", "vi")
    monkeypatch.setenv("VSSCARE_LOG_JSON", "false")
    monkeypatch.setenv("COLUMNS", "200")
    core_cli.settings.cache_clear()
    core_cli.database.cache_clear()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli_app, list(args), input=input, catch_exceptions=False)

    yield run
    core_cli.database().dispose()
    core_cli.settings.cache_clear()
    core_cli.database.cache_clear()
    root.handlers[:], level = saved
    root.setLevel(level)


@pytest.fixture
def legal_sample(db: Database) -> Database:
    """The database with the bundled legal sample (``data/legal-sample.jsonl``) imported."""
    from vsscare.knowledge import legal

    with db.session() as session:
        legal.import_corpus(session, DATA_DIR / "legal-sample.jsonl", TEST_ACTOR)
    return db


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the real form (with its CSRF cookie)."""
    page = client.get("/login")
    assert page.status_code == 200
    token = client.cookies.get("vsscare_csrf")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client
