"""The agent workspace in Chromium: queue filters over HTMX, keyboard navigation, the reply box,
the transfer dialog and the "assign to me" shortcut."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff_ui import sign_in
from tests.conftest import PASSWORD
from tests.requests.conftest import new_request
from vsscare.core.events import Actor
from vsscare.requests import actions

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/vsscare-workspace.png"


@pytest.fixture
def open_request(db, ring):
    """``open_request(**fields)`` → the code of a new, unassigned request."""

    def make(**fields) -> str:
        with db.session() as session:
            return actions.create(
                session, Actor.system("tests"), new_request(**fields), auto_assign=False, ring=ring
            ).code

    return make


@pytest.fixture
def problems(page) -> list[str]:
    """Console errors and page errors (a CSP violation shows up here)."""
    page.set_default_timeout(10_000)  # on a busy machine a page can take longer than the default 5 s
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: found.append(str(exc)))
    return found


def open_signed_in(page, path: str, username: str) -> None:
    page.goto(path)
    sign_in(page, username, PASSWORD)
    page.wait_for_url(f"**{path}")


def test_filter_search_without_diacritics_and_open_with_the_keyboard(page, problems, make_user, open_request):
    agent = make_user("agent")
    wanted = open_request(topic="bhtn", subject="Trợ cấp thất nghiệp chưa nhận")
    open_request(topic="bhtn", subject="Đăng ký lại tài khoản", body="Tôi quên mật khẩu VssID.")
    open_request(topic="bhyt", subject="Thẻ bảo hiểm y tế sai ngày sinh", body="Thẻ sai ngày sinh.")
    open_signed_in(page, "/console/requests", agent)
    rows = page.locator("[data-queue] tr[data-href]")
    expect(rows).to_have_count(3)

    with page.expect_request(lambda r: "topic=bhtn" in r.url and r.headers.get("hx-request") == "true"):
        page.get_by_label("Chủ đề", exact=True).select_option("bhtn")
    expect(rows).to_have_count(2)
    assert "topic=bhtn" in page.url  # the address follows the filters
    page.get_by_label("Tìm kiếm").fill("tro cap that nghiep")
    page.get_by_label("Tìm kiếm").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted)

    page.keyboard.press("Escape")  # leave the search box: shortcuts do not fire while typing
    page.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile("is-selected"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/requests/{wanted}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trợ cấp thất nghiệp chưa nhận")
    assert problems == [], problems


def test_reply_appears_on_the_timeline(page, problems, make_user, open_request):
    agent = make_user("agent")
    code = open_request()
    open_signed_in(page, f"/console/requests/{code}", agent)
    page.keyboard.press("r")  # focuses the reply box
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.type("Chào anh, hồ sơ hưởng trợ cấp gồm đề nghị theo mẫu và quyết định nghỉ việc.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.wait_for_url("**?done=replied")
    reply = page.locator("#timeline .tl-outbound").last
    expect(reply).to_contain_text("hồ sơ hưởng trợ cấp gồm đề nghị theo mẫu")
    expect(reply).to_contain_text("Đang chờ gửi")
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == [], problems


def test_transfer_through_the_dialog(page, problems, make_user, open_request):
    agent = make_user("agent")
    code = open_request()
    open_signed_in(page, f"/console/requests/{code}", agent)
    page.get_by_role("link", name="Chuyển đơn vị giải quyết").click()
    dialog = page.locator("#dlg-transfer")
    expect(dialog).to_be_visible()
    assert page.url.endswith(f"/console/requests/{code}")  # a dialog, not the no-JavaScript page
    expect(dialog.get_by_label("Tóm tắt vấn đề gửi đơn vị")).to_have_value(
        re.compile("Hỏi về trợ cấp thất nghiệp")
    )
    dialog.get_by_label("Đơn vị giải quyết").fill("BHXH-79")
    dialog.get_by_role("button", name="Chuyển đơn vị").click()
    page.wait_for_url("**?done=transferred")
    expect(page.locator("#request-status")).to_have_text("Chờ đơn vị")
    expect(page.locator("#timeline")).to_contain_text("Chuyển đơn vị BHXH-79 giải quyết")
    assert problems == [], problems


def test_a_assigns_the_request_to_me(page, problems, make_user, open_request):
    agent = make_user("agent")
    code = open_request()
    open_signed_in(page, f"/console/requests/{code}", agent)
    expect(page.locator("#request-assignee")).to_have_text("Chưa phân công")
    page.keyboard.press("a")
    page.wait_for_url("**?done=assigned")
    expect(page.locator("#request-assignee")).to_have_text(agent)
    expect(page.locator("#request-status")).to_have_text("Đang xử lý")
    page.keyboard.press("?")
    expect(page.locator("#dlg-shortcuts")).to_be_visible()
    assert problems == [], problems
