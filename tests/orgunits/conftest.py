"""Fixtures for the orgunits tests: API tokens for users of a given role."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_ACTOR
from vsscare.accounts import actions as accounts


@pytest.fixture
def token_for(db, make_user):
    """``token_for("agent")`` → an ``Authorization`` header for a new user with those roles."""

    def make(*roles: str, unit: str | None = "CCC") -> dict[str, str]:
        username = make_user(*roles, unit=unit)
        with db.session() as session:
            _row, raw = accounts.create_api_token(session, TEST_ACTOR, username, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return make
