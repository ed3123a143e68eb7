"""``vsscare registry``: fill the embedded industry database with synthetic people, and show what
it holds about one of them (identifiers masked; each look is audited)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from vsscare.core import audit
from vsscare.core.cli import console, counting, database, fail
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.customers import identifiers
from vsscare.customers.registry_embedded import EmbeddedRegistry

if TYPE_CHECKING:  # the generator (and its phrase files) loads only for ``generate``
    from vsscare.customers.registry_generate import GenerateReport

CLI_ACTOR = Actor("system", None, "cli")
NOT_FOUND = ErrorCode(
    "registry_person_not_found",
    "Cơ sở dữ liệu ngành không có người mang mã số BHXH {code}.",
    "The registry has nobody with SI code {code}.",
    404,
)
registry_app = typer.Typer(
    help=_("Cơ sở dữ liệu ngành nhúng (dữ liệu tổng hợp): sinh dữ liệu, tra cứu một người."),
    no_args_is_help=True,
)
BOOK = {
    "active": _("đang đóng"),
    "paused": _("tạm dừng đóng"),
    "closed": _("đã chốt (hưu trí, hưởng một lần)"),
}
KIND = {"compulsory": _("bắt buộc"), "voluntary": _("tự nguyện")}
CLAIM = {
    "sickness": _("Ốm đau"), "maternity": _("Thai sản"), "unemployment": _("Trợ cấp thất nghiệp"),
    "pension": _("Lương hưu"), "lump_sum": _("BHXH một lần"), "survivor": _("Tử tuất"),
    "accident": _("Tai nạn lao động, bệnh nghề nghiệp"),
}  # fmt: skip
STATUS = {"received": _("đã tiếp nhận"), "processing": _("đang giải quyết"), "approved": _("đã duyệt"),
          "paid": _("đã chi trả"), "rejected": _("từ chối")}  # fmt: skip


@registry_app.command(
    "generate",
    help=_(
        "Sinh người tham gia giống thật (họ tên, mã số BHXH, CCCD, quá trình đóng, thẻ BHYT, chế độ, hồ "
        "sơ) vào cơ sở dữ liệu ngành nhúng. Chạy lại sẽ thêm người mới."
    ),
)
def generate(
    people: int = typer.Option(..., "--people", help=_("Số người cần sinh")),
    seed: int = typer.Option(1, "--seed", help=_("Hạt giống ngẫu nhiên: cùng hạt giống cho cùng dữ liệu")),
) -> None:
    from vsscare.bootstrap import upgrade_and_seed
    from vsscare.customers.registry_generate import generate as make_people

    db = database()
    try:
        upgrade_and_seed(db)
        with counting(_("Sinh người tham gia"), people, _("{rate} người/giây")) as advance:
            report = make_people(db, people, seed=seed, progress=advance)
    except AppError as exc:
        raise fail(exc) from exc
    _print_report(report)


def _print_report(report: GenerateReport) -> None:
    table = Table(show_header=False, box=None)
    for name, value in (
        (_("Người tham gia"), f"{report.people:,} ({report.first_si_code} … {report.last_si_code})"),
        (_("Giai đoạn đóng"), f"{report.periods:,}"),
        (_("Thẻ BHYT"), f"{report.cards:,}"),
        (_("Chế độ đã giải quyết hoặc đang giải quyết"), f"{report.claims:,}"),
        (_("Hồ sơ"), f"{report.dossiers:,}"),
        (_("Đơn vị sử dụng lao động"), f"{report.employers:,}"),
        (_("Thời gian"), f"{report.seconds:,.1f} s"),
        (_("Tốc độ"), _("{rate:,.0f} người/giây").format(rate=report.people_per_second)),
    ):
        table.add_row(name, value)
    console.print(table)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _money(amount: int | None) -> str:
    return f"{amount:,} đ".replace(",", ".") if amount is not None else ""


@registry_app.command("show", help=_("Xem một người trong cơ sở dữ liệu ngành (định danh được che bớt)."))
def show(si_code: str = typer.Argument(..., help=_("Mã số BHXH, 10 chữ số"))) -> None:
    registry = EmbeddedRegistry(database())
    try:
        code = identifiers.si_code(si_code)
        masked = identifiers.mask("si_code", code)
        person = registry.person(code)
        if person is None:
            raise AppError(NOT_FOUND, code=masked)
        with database().session() as session:
            audit.record(session, "registry.show", CLI_ACTOR, object_type="registry_person", object_id=masked)
    except AppError as exc:
        raise fail(exc) from exc
    book, card = registry.si_book(code), registry.health_card(code)
    months, claims = registry.contributions(code), registry.claims(code)
    gender = _("nữ") if person.gender == "female" else _("nam")
    head = Table(show_header=False, box=None, title=escape(f"{person.full_name} — {masked}"))
    for name, value in (
        (_("Mã số BHXH"), masked),
        (_("Ngày sinh · giới tính"), f"{_day(person.birth_date)} · {gender}"),
        (_("CCCD"), identifiers.mask("cccd", person.cccd) or _("chưa có")),
        (_("Điện thoại"), identifiers.mask("phone", person.phone) or _("chưa có")),
        (_("Tỉnh"), person.province_code),
    ):  # fmt: skip
        head.add_row(name, value)
    if book is not None:
        years, rest = divmod(book.paid_months, 12)
        span = (
            f"{book.first_month:%m/%Y} – {book.last_month:%m/%Y}"
            if book.first_month and book.last_month
            else ""
        )
        paid = _("{years} năm {months} tháng").format(years=years, months=rest)
        head.add_row(_("Sổ BHXH"), f"{BOOK.get(book.status, book.status)} · {paid} · {span}")
    if card is not None:
        number = card.number[:5] + (identifiers.mask("si_code", card.number[5:]) or "")
        left = (card.valid_to - date.today()).days
        state = _("đã hết hạn") if left < 0 else _("sắp hết hạn") if left <= 30 else _("còn hạn")
        head.add_row(_("Thẻ BHYT"), f"{number} · {_day(card.valid_from)} – {_day(card.valid_to)} ({state})")
        head.add_row(_("Nơi KCB ban đầu"), escape(f"{card.facility_code} {card.facility_name}"))
    console.print(head)
    if not months:
        console.print(_("Chưa có tháng đóng nào."))
    else:
        table = Table(_("Tháng"), _("Loại"), _("Đơn vị"), _("Mức đóng"), _("BHTN"),
                      title=_("12 tháng đóng gần nhất"))  # fmt: skip
        for m in months[-12:]:
            table.add_row(f"{m.month:%m/%Y}", KIND.get(m.kind, m.kind), escape(m.employer_name or ""),
                          _money(m.salary_base), _("có") if m.unemployment else _("không"))  # fmt: skip
        console.print(table)
    if not claims:
        console.print(_("Chưa có chế độ nào."))
        return
    table = Table(_("Chế độ"), _("Trạng thái"), _("Số tiền"), _("Nộp"), _("Giải quyết"), _("Nơi chi trả"),
                  title=_("Chế độ"))  # fmt: skip
    for c in claims:
        table.add_row(CLAIM.get(c.kind, c.kind), STATUS.get(c.status, c.status), _money(c.amount),
                      _day(c.filed_on), _day(c.decided_on), escape(c.paying_office))  # fmt: skip
    console.print(table)
