"""``vsscare orgunits``: load the unit tree, list units, show days off, compute due times."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table

from vsscare.core.cli import console, database, err_console, fail
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _, current_locale, pick
from vsscare.orgunits import actions, errors, queries
from vsscare.orgunits.calendar import VN_TZ

orgunits_app = typer.Typer(help=_("Đơn vị, lịch làm việc và ngày nghỉ."), no_args_is_help=True)
CLI_ACTOR = Actor("system", None, "cli")
_WEEKDAYS = {
    "vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def weekday(moment: date | datetime) -> str:
    return _WEEKDAYS.get(current_locale(), _WEEKDAYS["vi"])[moment.weekday()]


@orgunits_app.command(
    "load", help=_("Nạp cây đơn vị và lịch ngày nghỉ từ tệp YAML (chạy lại nhiều lần an toàn).")
)
def load(
    file: Path = typer.Argument(..., help=_("Tệp YAML, ví dụ data/orgunits.yaml")),
    keep_missing: bool = typer.Option(
        False, "--keep-missing", help=_("Không ngừng hoạt động đơn vị và không xoá ngày vắng mặt trong tệp")
    ),
) -> None:
    try:
        with console.status(_("Đang nạp {file}…").format(file=file)), database().session() as session:
            report = actions.load_file(session, file, CLI_ACTOR, prune=not keep_missing)
    except AppError as exc:
        for problem in exc.details.get("errors", [])[:50]:
            where = problem.get("where", "")
            unit = f" ({problem['unit']})" if problem.get("unit") else ""
            line = _(", dòng {line}").format(line=problem["line"]) if problem.get("line") else ""
            err_console.print(
                f"  [yellow]{where}{unit}{line}[/yellow]: {problem.get('message')}", highlight=False
            )
        # The problems are listed above; the summary line need not repeat them.
        raise fail(AppError(exc.error, **exc.params) if exc.details.get("errors") else exc) from exc
    console.print(_("Đơn vị: {summary}").format(summary=report.summary()))
    for label, codes in (
        (_("Mới"), report.created_codes),
        (_("Thay đổi"), report.updated_codes),
        (_("Ngừng hoạt động"), report.deactivated_codes),
    ):
        if codes:
            console.print(f"  {label}: {', '.join(codes)}", highlight=False)


@orgunits_app.command("list", help=_("Liệt kê đơn vị."))
def list_(
    kind: str | None = typer.Option(
        None, "--kind", help=_("Loại đơn vị: root, department, centre, province, grassroots")
    ),
    province: str | None = typer.Option(None, "--province", help=_("Mã tỉnh 2 chữ số")),
    q: str | None = typer.Option(None, "--q", help=_("Tìm theo tên hoặc mã, có dấu hay không dấu")),
    include_inactive: bool = typer.Option(False, "--all", help=_("Kể cả đơn vị ngừng hoạt động")),
) -> None:
    with database().read() as session:
        total, units = queries.list_units(
            session, kind=kind, province=province, q=q, include_inactive=include_inactive
        )
        codes = queries.parent_codes(session)
        table = Table(_("Mã"), _("Tên"), _("Loại"), _("Tỉnh"), _("Trực thuộc"), _("Điện thoại"))
        for unit in units:
            name = pick(unit.name, unit.name_en)
            if not unit.is_active:
                name = _("{name} (ngừng hoạt động)").format(name=name)
            table.add_row(
                unit.code,
                name,
                unit.kind,
                unit.province_code or "",
                codes.get(unit.parent_id, ""),
                unit.phone or "",
            )
    console.print(table)
    console.print(_("{count} đơn vị.").format(count=total))


@orgunits_app.command("holidays", help=_("In ngày nghỉ lễ, Tết, ngày nghỉ thêm và ngày làm bù của một năm."))
def holidays_(
    year: int | None = typer.Argument(None, help=_("Năm; mặc định năm nay"), min=1990, max=2100),
    province: str | None = typer.Option(None, "--province", help=_("Mã tỉnh 2 chữ số hoặc mã đơn vị")),
) -> None:
    year = year or datetime.now(VN_TZ).year
    with database().read() as session:
        calendar = queries.calendar_for(session, province)
    table = Table(_("Ngày"), _("Thứ"), _("Loại"), _("Tên"), _("Nguồn"), title=str(year))
    sources = {"law": _("ngày lễ theo luật"), "nationwide": _("toàn quốc"), "province": _("tỉnh")}
    for day in calendar.special_days(year):
        table.add_row(
            day.day.strftime("%d/%m/%Y"),
            weekday(day.day),
            _("nghỉ") if day.kind == "off" else _("làm bù"),
            pick(day.name, day.name_en),
            sources[day.source] + (f" {day.province_code}" if day.province_code else ""),
        )
    console.print(table)


def _parse_start(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise AppError(errors.BAD_TIME, value=value) from exc
    if not 1990 <= moment.year <= 2100:
        raise AppError(errors.BAD_TIME, value=value)
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


@orgunits_app.command("due", help=_("Tính hạn sau một số giờ làm việc, ví dụ: due 2026-02-13T16:00 8."))
def due(
    start: str = typer.Argument(
        ..., help=_("Thời điểm bắt đầu (ISO 8601; không ghi múi giờ là giờ Việt Nam)")
    ),
    hours: float = typer.Argument(..., min=0, max=10000, help=_("Số giờ làm việc")),
    unit: str | None = typer.Option(None, "--unit", help=_("Mã đơn vị hoặc mã tỉnh 2 chữ số")),
) -> None:
    try:
        begin = _parse_start(start)
        with database().read() as session:
            calendar = queries.calendar_for(session, unit)
        result = calendar.add(begin, hours)
    except AppError as exc:
        raise fail(exc) from exc
    except ValueError as exc:
        raise fail(AppError(errors.NO_WORKING_TIME, details={"reason": str(exc)})) from exc
    local = result.astimezone(VN_TZ)
    console.print(
        _("Hạn: {local} (giờ Việt Nam) · {utc} UTC").format(
            local=f"{weekday(local)} {local:%d/%m/%Y %H:%M}", utc=result.isoformat(timespec="minutes")
        ),
        highlight=False,
    )
