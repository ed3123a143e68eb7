"""The staff UI in Chromium: sign-in, home, language, audit filter over HTMX, sign-out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/vsscare-home.png"
SCREENSHOT_PHONE = "/tmp/vsscare-home-390.png"
EXPECTED = "status of 401"  # the refused sign-in answers 401, which Chromium logs


def sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_sign_in_language_and_sign_out(page, make_user):
    username = make_user("admin")
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type == "error" and EXPECTED not in msg.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto("/")
    assert page.url.endswith("/login?next=%2F")
    sign_in(page, username, "not-the-password-1")
    alert = page.get_by_role("alert")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in alert.inner_text()
    assert page.get_by_label("Tên đăng nhập").input_value() == username

    sign_in(page, username, PASSWORD)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Xin chào, {username.title()}"
    nav = page.get_by_role("navigation", name="Chức năng")
    assert nav.get_by_role("link", name="Người dùng").is_visible()
    assert nav.get_by_role("link", name="Nhật ký kiểm toán").is_visible()
    assert page.locator(".who-name").inner_text() == username.title()
    assert page.evaluate("typeof window.htmx") == "object"  # served locally, allowed by the CSP
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hello, {username.title()}"
    assert page.get_by_role("navigation", name="Sections").get_by_role("link", name="Audit log").is_visible()

    # The audit filter runs over HTMX, which sends the CSRF header and swaps only the results.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Audit log").click()
    with page.expect_request(lambda r: "/console/audit?" in r.url) as sent:
        page.get_by_label("Action").fill("login")
        page.get_by_role("button", name="Filter").click()
    assert sent.value.headers.get("x-csrf-token")
    assert sent.value.headers.get("hx-request") == "true"
    page.wait_for_url("**/console/audit?action=login**")
    assert page.locator("#audit-results code", has_text="login").count() >= 2  # failed + succeeded

    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_label("Thao tác")).to_have_value("login")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    page.goto("/console/users")
    assert "/login?next=" in page.url  # the session is gone
    assert not problems, problems  # no CSP violations, no script errors


def test_home_on_a_phone(page, make_user):
    username = make_user("agent")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    sign_in(page, username, PASSWORD)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=SCREENSHOT_PHONE, full_page=True)
