"""The unit handler's queue in Chromium: sign in, open a transferred request, settle it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.requests.conftest import actor_of, new_request
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.requests import actions, unit_actions

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/vsscare-unit-request.png"


def _transferred(db: Database, ring, agent: Actor, unit: str, subject: str) -> str:
    with db.session() as session:
        request = actions.create(
            session, Actor.system("tests"), new_request(subject=subject), auto_assign=False, ring=ring
        )
        unit_actions.transfer(session, agent, request.code, unit, "Chưa nhận trợ cấp tháng 10, cần kiểm tra.")
        return request.code


def test_a_handler_settles_a_transferred_request(page, db: Database, ring, make_user):
    agent = actor_of(db, make_user("agent"))
    code = _transferred(db, ring, agent, "BHXH-79", "Chưa nhận trợ cấp thất nghiệp tháng 10")
    other = _transferred(db, ring, agent, "BHXH-79", "Hỏi về thẻ BHYT hộ gia đình")
    handler = make_user("unit_handler", unit="BHXH-79")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto("/console/unit-queue")
    page.get_by_label("Tên đăng nhập").fill(handler)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/console/unit-queue")
    queue = page.get_by_role("region", name="Chờ xử lý")
    expect(queue.get_by_role("link", name=code)).to_be_visible()
    expect(queue.get_by_role("link", name=other)).to_be_visible()

    queue.get_by_role("link", name="Chưa nhận trợ cấp thất nghiệp tháng 10").click()
    page.wait_for_url(f"**/console/unit-queue/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chưa nhận trợ cấp thất nghiệp tháng 10")
    expect(page.get_by_text("091****678")).to_be_visible()
    page.get_by_label("Kết quả giải quyết").fill("Đã chi trả trợ cấp tháng 10 ngày 20/11.")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("button", name="Gửi kết quả cho khách hàng").click()

    page.wait_for_url("**/console/unit-queue?done=settled**")
    expect(page.get_by_role("status").first).to_contain_text(f"Đã giải quyết yêu cầu {code}")
    waiting = page.get_by_role("region", name="Chờ xử lý")
    expect(waiting.get_by_role("link", name=other)).to_be_visible()
    expect(waiting.get_by_role("link", name=code)).to_have_count(0)
    page.get_by_role("link", name="Đã giải quyết (30 ngày)").click()
    expect(
        page.get_by_role("region", name="Đã giải quyết (30 ngày)").get_by_role("link", name=code)
    ).to_be_visible()
    assert not problems, problems  # no CSP violations, no script errors
