"""Console pages: users, audit log, permission denials, security headers."""

from __future__ import annotations

from tests.conftest import login
from tests.web.helpers import audit_rows
from vsscare.console import sections
from vsscare.core.audit import record_now
from vsscare.core.events import Actor


def test_agent_is_refused_the_audit_log_and_it_is_recorded(client, make_user, db):
    agent = make_user("agent")
    login(client, agent)
    page = client.get("/console/audit")
    assert page.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in page.text
    assert agent.title() in page.text  # the header still knows who is signed in
    rows = audit_rows(db, "permission.denied")
    assert len(rows) == 1
    assert rows[0].outcome == "denied" and rows[0].actor_name == agent
    assert rows[0].details["permission"] == "audit.view" and rows[0].details["path"] == "/console/audit"
    assert client.get("/console/users").status_code == 403


def test_users_page_lists_scoped_users(client, make_user):
    admin = make_user("provincial_admin", unit="BHXH-79")
    local = make_user("agent", unit="BHXH-79-THUDUC")
    elsewhere = make_user("agent", unit="BHXH-01")
    login(client, admin)
    page = client.get("/console/users")
    assert page.status_code == 200
    assert f"<code>{local}</code>" in page.text and f"<code>{elsewhere}</code>" not in page.text
    assert "BHXH-79-THUDUC" in page.text and "Điện thoại viên / tư vấn viên" in page.text
    assert "Hoạt động" in page.text and "Chưa đăng nhập" in page.text


def test_audit_log_filters_and_scope(client, make_user, db):
    admin = make_user("admin")
    hcm_admin = make_user("provincial_admin", unit="BHXH-79")
    hanoi = make_user("agent", unit="BHXH-01")
    record_now(db, "customer.view", Actor("user", "999999", "someone-else"), outcome="ok")
    login(client, admin)

    everything = client.get("/console/audit").text
    assert "customer.view" in everything and "user.create" in everything
    denied_only = client.get("/console/audit", params={"outcome": "denied"}).text
    assert "<code>user.create</code>" not in denied_only
    by_action = client.get("/console/audit", params={"action": "user."}).text
    assert "<code>user.create</code>" in by_action and "<code>login</code>" not in by_action
    by_actor = client.get("/console/audit", params={"actor": "someone"}).text
    assert "<code>customer.view</code>" in by_actor and "<code>user.create</code>" not in by_actor
    # A filter value that means nothing special to SQL LIKE.
    assert "Không có mục nào" in client.get("/console/audit", params={"actor": "%_"}).text

    client.cookies.clear()
    login(client, hcm_admin)
    scoped = client.get("/console/audit").text
    assert "<code>customer.view</code>" not in scoped  # an actor outside the province
    assert "<code>login</code>" in scoped  # their own sign-in
    assert hanoi not in scoped


def test_security_headers_and_vendored_assets(bare_client):
    client = bare_client
    for path in ("/login", "/static/css/app.css", "/static/vendor/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "htmx" in client.get("/static/vendor/htmx.min.js").text[:200]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui/swagger-ui.css").status_code == 200
    assert "<svg" in client.get("/static/favicon.svg").text
    assert "X-CSRF-Token" in client.get("/static/js/app.js").text
    login_page = client.get("/login").text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in login_page
    assert '<script src="/static/vendor/htmx.min.js' in login_page


def test_pages_have_no_inline_scripts_or_styles(client, make_user):
    login(client, make_user("admin"))
    for path in ("/", "/console/users", "/console/audit", "/account/password", "/nope"):
        response = client.get(path)
        html = response.text
        assert " style=" not in html and "<style" not in html, path
        assert "<script>" not in html and "<script " not in html.replace('<script src="/static/', ""), path
        assert "https://" not in html, path  # nothing from a CDN
        assert response.headers["x-frame-options"] == "DENY"


def test_section_registry_is_consistent():
    codes = [s.code for s in sections.SECTIONS]
    assert len(codes) == len(set(codes))
    for section in sections.SECTIONS:
        assert section.title and section.title_en and section.description and section.description_en
        assert section.url.startswith("/")
