"""Helpers for the requests tests: a new request in one call, actors for staff users."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import login
from vsscare.accounts.models import User
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.requests import actions
from vsscare.requests.models import Request
from vsscare.requests.schemas import NewRequest

CITIZEN_PHONE = "0912345678"


def new_request(**overrides) -> NewRequest:
    data = {
        "channel": "web",
        "type": "question",
        "topic": "bhtn",
        "subject": "Hỏi về trợ cấp thất nghiệp",
        "body": "Tôi nghỉ việc tháng trước, muốn hỏi thủ tục hưởng bảo hiểm thất nghiệp.",
        "contact_name": "Nguyễn Văn An",
        "contact_phone": CITIZEN_PHONE,
    }
    return NewRequest.model_validate(data | overrides)


def actor_of(db: Database, username: str) -> Actor:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor("user", str(user.id), user.username)


@pytest.fixture
def open_request(db: Database, ring):
    """``open_request(**fields)`` → the new request's code (created by the system, not assigned)."""

    def make(now: datetime | None = None, **overrides) -> str:
        with db.session() as session:
            request = actions.create(
                session,
                Actor.system("tests"),
                new_request(**overrides),
                auto_assign=False,
                now=now,
                ring=ring,
            )
            return request.code

    return make


def load(db: Database, code: str) -> Request:
    with db.read() as session:
        return session.scalar(select(Request).where(Request.code == code))


@pytest.fixture
def as_user(app, make_user):
    """``as_user("unit_handler", unit="BHXH-79")`` → (a signed-in client of its own, username)."""
    clients: list[TestClient] = []

    def make(*roles: str, unit: str = "CCC") -> tuple[TestClient, str]:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        username = make_user(*roles, unit=unit)
        return login(client, username), username

    yield make
    for client in clients:
        client.__exit__(None, None, None)
