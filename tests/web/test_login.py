"""Sign-in, sign-out and sessions through the real pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import PASSWORD, login
from tests.web.helpers import audit_rows, page_csrf
from vsscare.accounts.models import StaffSession, User
from vsscare.accounts.views import after_login, safe_next
from vsscare.core.db import utcnow


def sections(html: str) -> set[str]:
    return set(re.findall(r'<li class="card" data-section="([a-z_]+)">', html))


def test_login_leads_home_with_only_permitted_sections(client, make_user):
    agent = make_user("agent")
    login(client, agent)
    home = client.get("/")
    assert home.status_code == 200
    assert agent.title() in home.text  # the user's name in the header and greeting
    assert "Điện thoại viên / tư vấn viên" in home.text  # role name
    agent_sections = sections(home.text)
    assert "users" not in agent_sections and "audit" not in agent_sections
    assert 'href="/console/audit"' not in home.text

    client.cookies.clear()
    admin = make_user("admin")
    login(client, admin)
    admin_home = client.get("/").text
    assert {"users", "audit"} <= sections(admin_home)
    assert 'href="/console/users"' in admin_home and 'href="/console/audit"' in admin_home
    assert 'href="/console/requests"' in admin_home
    # Sections whose pages do not exist yet are listed as coming, never linked.
    assert 'data-section="wallboard"' in admin_home and 'href="/console/wallboard"' not in admin_home


def test_login_cookie_attributes_and_next(client, make_user, settings):
    user = make_user("admin")
    client.get("/login")
    csrf_cookie = client.cookies.get("vsscare_csrf")
    response = client.post(
        "/login",
        data={
            "username": user,
            "password": PASSWORD,
            "csrf_token": csrf_cookie,
            "next": "/console/users?x=1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/users?x=1"
    set_cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("vsscare_session="))
    lowered = set_cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert f"max-age={settings.session_max_hours * 3600}" in lowered
    assert "secure" not in lowered  # plain http base URL in tests


def test_login_page_sets_csrf_cookie(client):
    response = client.get("/login")
    assert response.status_code == 200
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("vsscare_csrf="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    token = client.cookies.get("vsscare_csrf")
    assert f'name="csrf_token" value="{token}"' in response.text


def test_wrong_password_rerenders_form(client, make_user):
    user = make_user("agent")
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": user,
            "password": "wrong-password-1",
            "csrf_token": client.cookies.get("vsscare_csrf"),
        },
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert f'value="{user}"' in response.text  # the username is kept
    assert "wrong-password-1" not in response.text  # the password is not
    assert "vsscare_session" not in client.cookies
    assert not any(v.startswith("vsscare_session=") for v in response.headers.get_list("set-cookie"))


def test_five_failures_lock_the_account(client, make_user, db):
    user = make_user("agent")
    client.get("/login")
    token = client.cookies.get("vsscare_csrf")
    for _ in range(5):
        response = client.post(
            "/login", data={"username": user, "password": "nope-nope-1", "csrf_token": token}
        )
        assert response.status_code == 401
    locked = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 423
    assert "Tài khoản tạm khoá" in locked.text
    assert "vsscare_session" not in client.cookies
    denied = [row for row in audit_rows(db, "login") if row.outcome == "denied"]
    assert denied and denied[-1].details == {"reason": "locked"}
    assert len([row for row in audit_rows(db, "login") if row.outcome == "failed"]) == 5
    with db.read() as session:
        assert session.scalar(select(User.locked_until).where(User.username == user)) is not None


def test_login_without_valid_csrf_is_refused(client, make_user, db):
    user = make_user("agent")
    client.get("/login")
    for sent in (None, "forged-token"):
        data = {"username": user, "password": PASSWORD}
        if sent:
            data["csrf_token"] = sent
        response = client.post("/login", data=data, headers={"accept": "application/json"})
        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"
        assert set(response.json()) == {"code", "message", "message_en", "details"}
        html = client.post("/login", data=data)
        assert html.status_code == 403 and "Phiên biểu mẫu đã hết hạn" in html.text
    assert "vsscare_session" not in client.cookies
    assert audit_rows(db, "login") == []  # nothing was even tried


def test_logout_requires_csrf_then_revokes_the_session(client, make_user, db):
    login(client, make_user("agent"))
    cookie = client.cookies.get("vsscare_session")
    refused = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and "Phiên biểu mẫu" in refused.text
    missing = client.post("/logout", follow_redirects=False)
    assert missing.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in

    token = page_csrf(client)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "vsscare_session" not in client.cookies
    with db.read() as session:
        assert session.scalar(select(StaffSession.revoked_at)) is not None
    client.cookies.set("vsscare_session", cookie)  # replaying the old cookie gets nowhere
    again = client.get("/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    assert len(audit_rows(db, "logout")) == 1


def test_dead_sessions_redirect_to_login(client, make_user, db):
    username = make_user("admin")
    kills = {
        "expired": {"expires_at": utcnow() - timedelta(minutes=1)},
        "revoked": {"revoked_at": utcnow()},
        "idle": {"last_seen_at": utcnow() - timedelta(days=1)},
    }
    for values in kills.values():
        client.cookies.clear()
        login(client, username)
        with db.session() as session:
            session.execute(update(StaffSession).values(**values))
        response = client.get("/console/users?page=2", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fconsole%2Fusers%3Fpage%3D2"
        page = client.get(response.headers["location"])
        assert page.status_code == 200 and "Phiên làm việc đã hết hạn" in page.text
        assert 'name="next" value="/console/users?page=2"' in page.text
        assert "vsscare_session" not in client.cookies  # the dead cookie is cleared
        client.cookies.set("vsscare_session", "stale")
        api = client.get("/api/v1/me")
        assert api.status_code == 401 and api.json()["code"] == "not_authenticated"


def test_anonymous_pages_redirect_and_htmx_gets_hx_redirect(bare_client):
    client = bare_client
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
    page = client.get("/login?next=/")
    assert "Phiên làm việc đã hết hạn" not in page.text  # no session cookie: nothing expired
    htmx = client.get("/console/audit", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["hx-redirect"] == "/login?next=%2Fconsole%2Faudit"


EVIL_NEXT = (
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/ok\r\nSet-Cookie: x=1",
)


def test_open_redirects_are_refused(client, make_user):
    user = make_user("agent")
    for evil in EVIL_NEXT:
        client.cookies.clear()
        client.get("/login")
        data = {
            "username": user,
            "password": PASSWORD,
            "csrf_token": client.cookies.get("vsscare_csrf"),
            "next": evil,
        }
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", evil
        switch = client.get("/lang/en", params={"next": evil}, follow_redirects=False)
        assert switch.status_code == 303 and switch.headers["location"] == "/", evil
    assert safe_next("/console/audit?actor=a%2Fb") == "/console/audit?actor=a%2Fb"
    assert after_login("/login?next=/x") == "/"


def test_signed_in_user_visiting_login_goes_home(client, make_user):
    login(client, make_user("agent"))
    response = client.get("/login?next=/account/password", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
