"""The customer pages in Chromium: look a person up by SI code, open the 360 page, read the
industry database on demand and reveal the phone with a reason (HTMX, no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_staff_ui import sign_in
from tests.conftest import PASSWORD, TEST_ACTOR
from vsscare.customers import actions as customers
from vsscare.customers.registry_generate import generate
from vsscare.customers.registry_models import RegistryPerson
from vsscare.customers.schemas import PersonIn

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/vsscare-customer-360.png"


def test_look_up_open_read_the_registry_and_reveal_the_phone(page, db, ring, make_user):
    generate(db, 30, seed=5)
    with db.read() as session:
        who = session.scalars(select(RegistryPerson).where(RegistryPerson.phone.is_not(None))).first()
    with db.session() as session:
        data = PersonIn(name=who.full_name, birth_date=who.birth_date, gender=who.gender, si_code=who.si_code,
                        phone=who.phone)  # fmt: skip
        customers.create_person(session, TEST_ACTOR, data, ring)
    officer = make_user("agent", "data_protection", unit="CCC")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_default_timeout(10_000)

    page.goto("/console/customers")
    sign_in(page, officer, PASSWORD)
    page.wait_for_url("**/console/customers")
    page.get_by_label("Tra theo").select_option("si_code")
    page.get_by_label("Số", exact=True).fill(who.si_code)
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_role("link", name=who.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(who.full_name)
    expect(page.locator("body")).not_to_contain_text(who.si_code)

    page.get_by_role("link", name="Tra cứu cơ sở dữ liệu ngành").click()
    expect(page.locator("#registry-panel")).to_contain_text("Sổ BHXH")

    phone = page.locator("dd", has=page.locator("#reveal-phone"))
    phone.locator("summary").click()
    phone.get_by_label("Lý do (được ghi nhật ký)").fill("Gọi lại cho khách theo hẹn")
    phone.get_by_role("button", name="Hiện").click()
    expect(page.locator("#reveal-phone")).to_contain_text(who.phone)
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == []
