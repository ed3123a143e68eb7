"""The Q&A editor in Chromium: picker, counter, preview, four-eyes review, search, diff."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff_ui import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

QUESTION = "Khi nào được hưởng bảo hiểm xã hội một lần?"
SHORT = "Khi đủ điều kiện theo Luật BHXH 2024."
SCREENSHOT = "/tmp/vsscare-kb-editor.png"


def switch_user(page, username: str) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    sign_in(page, username, PASSWORD)
    page.wait_for_url("**/")


def test_write_review_publish_find_and_compare(page, make_user, legal_sample):
    editor, approver = make_user("knowledge_editor"), make_user("knowledge_approver")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto("/console/knowledge/new")
    sign_in(page, editor, PASSWORD)
    page.wait_for_url("**/console/knowledge/new")
    page.get_by_label("Chủ đề", exact=True).select_option("bhxh_mot_lan")
    page.get_by_label("Câu hỏi", exact=True).fill(QUESTION)
    page.get_by_label("Trả lời ngắn", exact=True).fill(SHORT)
    expect(page.locator("#f-short_answer-count")).to_have_text(f"{len(SHORT)}/300 ký tự")
    page.get_by_label("Trả lời đầy đủ", exact=True).fill("Theo **Điều 70** Luật BHXH số 41/2024/QH15.")
    expect(page.locator("#preview-full_answer strong")).to_have_text("Điều 70")  # HTMX preview

    page.get_by_label("Tìm điều luật").fill("tro cap")
    add = page.locator("#picker-results").get_by_role("button", name="Thêm").first
    expect(add).to_be_visible()
    key = add.get_attribute("data-add-basis")
    add.click()
    add.click()  # twice: still once in the list
    expect(page.locator("#f-legal_bases")).to_have_value(key)
    page.get_by_label("Tìm điều luật").press("Enter")  # searches, does not save the form
    assert page.url.endswith("/console/knowledge/new")
    page.get_by_role("button", name="Tạo bản nháp").click()
    page.wait_for_url("**/console/knowledge/bhxh_mot_lan-001?done=created")
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_url("**?done=submitted")

    switch_user(page, approver)
    page.goto("/console/knowledge/review")
    page.get_by_role("link", name=QUESTION).first.click()
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_url("**?done=approved")
    page.get_by_role("button", name="Công bố ngay").click()
    page.wait_for_url("**?done=published")

    page.goto("/console/knowledge")
    page.get_by_label("Từ khóa").fill("bao hiem xa hoi mot lan")
    page.get_by_role("button", name="Tìm").click()
    row = page.get_by_role("row", name=re.compile("bhxh_mot_lan-001"))
    expect(row).to_contain_text("Đã công bố")

    switch_user(page, editor)
    page.goto("/console/knowledge/bhxh_mot_lan-001")
    page.get_by_role("link", name="Sửa nội dung").click()
    page.get_by_label("Trả lời ngắn", exact=True).fill("Khi đủ điều kiện tại Điều 70 Luật BHXH 2024.")
    page.get_by_role("button", name="Lưu phiên bản mới").click()
    page.wait_for_url("**?done=saved")
    expect(page.locator(".lead")).to_contain_text("đang công bố v1")
    page.get_by_role("link", name="so với v1").click()
    expect(page.locator("td.diff-text ins").first).to_have_text("tại Điều 70")
    expect(page.locator("td.diff-text del").first).to_have_text("theo")
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert not problems, problems  # no CSP violations, no script errors
