"""Fixtures for the web tests: an app with no database behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vsscare.app import create_app
from vsscare.core.config import Settings


@pytest.fixture
def bare_client(tmp_path: Path) -> Iterator[TestClient]:
    """The app over an empty SQLite file: enough for anonymous pages and static files."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/empty.db",
        data_dir=tmp_path,
        secret_key="test-secret",
        log_json=False,
    )
    with TestClient(create_app(settings)) as client:
        yield client
