"""Changing one's own password from the account page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, login
from tests.web.helpers import audit_rows, page_csrf
from vsscare.accounts.models import StaffSession

NEW = "Doi-matkhau-2026"


def change(client: TestClient, current: str, new: str, confirm: str, token: str | None = None):
    token = token if token is not None else page_csrf(client, "/account/password")
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": confirm, "csrf_token": token},
        follow_redirects=False,
    )


def test_password_page_needs_a_session(client):
    response = client.get("/account/password", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount%2Fpassword"


def test_password_change_errors_rerender_the_form(client, make_user, db):
    login(client, make_user("agent"))
    wrong = change(client, "not-my-password-1", NEW, NEW)
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    failed = [row for row in audit_rows(db, "user.change_password") if row.outcome == "failed"]
    assert len(failed) == 1  # the refused attempt is on the record

    mismatch = change(client, PASSWORD, NEW, NEW + "x")
    assert mismatch.status_code == 422 and "Hai lần nhập mật khẩu mới không khớp." in mismatch.text
    weak = change(client, PASSWORD, "short1", "short1")
    assert weak.status_code == 422 and "Mật khẩu cần ít nhất 10 ký tự" in weak.text
    forged = change(client, PASSWORD, NEW, NEW, token="forged")
    assert forged.status_code == 403
    assert audit_rows(db, "user.password_change") == []  # nothing changed


def test_password_change_keeps_this_session_and_ends_the_others(app, make_user, db):
    username = make_user("agent")
    with TestClient(app) as mine, TestClient(app) as other:
        login(mine, username)
        login(other, username)
        response = change(mine, PASSWORD, NEW, NEW)
        assert response.status_code == 303 and response.headers["location"] == "/account/password?changed=1"
        assert "Đã đổi mật khẩu" in mine.get(response.headers["location"]).text
        assert mine.get("/", follow_redirects=False).status_code == 200
        assert other.get("/", follow_redirects=False).status_code == 303
        with db.read() as session:
            live = session.scalar(
                select(func.count()).select_from(StaffSession).where(StaffSession.revoked_at.is_(None))
            )
        assert live == 1
        mine.cookies.clear()
        login(mine, username, NEW)  # the new password works
