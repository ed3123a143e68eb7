"""``vsscare kb``: import and export the Q&A bank, check that it cites law in force."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from vsscare.core.cli import console, database, err_console, fail
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.core.paths import DATA_DIR
from vsscare.knowledge import entries, errors
from vsscare.knowledge.entry_file import dump_line

kb_app = typer.Typer(
    help=_("Ngân hàng hỏi đáp: nạp, xuất và kiểm tra căn cứ pháp lý còn hiệu lực."), no_args_is_help=True
)
CLI_ACTOR = Actor("system", None, "cli")
SHOWN = 50  # problems listed before "… and N more"


def _print_problems(exc: AppError) -> None:
    listed = exc.details.get("errors", [])
    for problem in listed[:SHOWN]:
        where = _("{file}, dòng {line}").format(file=problem["file"], line=problem["line"])
        err_console.print(
            f"  [yellow]{escape(where)}[/yellow] {escape(problem['field'])}: {escape(problem['reason'])}"
        )
    hidden = exc.details.get("count", 0) - min(SHOWN, len(listed))
    if hidden > 0:
        err_console.print("  " + _("… và {count} lỗi khác").format(count=hidden))


@kb_app.command(
    "import",
    help=_("Nạp hỏi đáp từ tệp JSONL, tệp Excel (.xlsx) hoặc thư mục chứa tệp JSONL (chạy lại an toàn)."),
)
def import_(
    paths: list[Path] | None = typer.Argument(
        None, help=_("Tệp .jsonl, tệp .xlsx hoặc thư mục; mặc định là data/knowledge/")
    ),
) -> None:
    targets = paths or [DATA_DIR / "knowledge"]
    try:
        with database().session() as session:
            report = entries.import_bank(session, targets, CLI_ACTOR)
    except AppError as exc:
        _print_problems(exc)
        raise fail(AppError(exc.error, **exc.params) if exc.details.get("errors") else exc) from exc
    table = Table(_("Mục"), _("Số lượng"), _("Chi tiết"))
    table.add_row(_("Hỏi đáp mới"), str(len(report.new)), ", ".join(report.new[:20]))
    table.add_row(_("Hỏi đáp thay đổi"), str(len(report.changed)), ", ".join(report.changed[:20]))
    table.add_row(_("Hỏi đáp không đổi"), str(report.unchanged), "")
    console.print(table)
    console.print(report.summary(), highlight=False)


@kb_app.command("export", help=_("Xuất ngân hàng hỏi đáp ra tệp JSONL hoặc tệp Excel (.xlsx)."))
def export(
    status: str | None = typer.Option(
        None,
        "--status",
        help=_("Chỉ hỏi đáp ở trạng thái này (draft, in_review, approved, published, retired)"),
    ),
    format_: str = typer.Option("jsonl", "--format", help=_("Định dạng: jsonl hoặc xlsx")),
    output: str = typer.Option(
        "-", "--output", "-o", help=_("Tệp đích, hoặc - để in ra màn hình (xlsx: chỉ khi chuyển hướng)")
    ),
) -> None:
    if format_ not in ("jsonl", "xlsx"):
        raise fail(AppError(errors.EXPORT_FORMAT, format=format_))
    if format_ == "xlsx" and output == "-" and sys.stdout.isatty():
        raise fail(AppError(errors.EXPORT_TERMINAL))
    with database().read() as session:
        rows = entries.export_bank(session, status)
    if format_ == "jsonl":
        text = "".join(dump_line(row) + "\n" for row in rows)
        if output == "-":
            sys.stdout.write(text)
            return
        Path(output).write_text(text, "utf-8")
    else:
        data = _xlsx_bytes(rows)
        if output == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        Path(output).write_bytes(data)
    console.print(
        _("Đã xuất {count} hỏi đáp vào {file}").format(count=len(rows), file=output), highlight=False
    )


def _xlsx_bytes(rows: list[dict]) -> bytes:
    from vsscare.knowledge.entry_xlsx import write_xlsx  # openpyxl is slow to import; only needed here

    buffer = io.BytesIO()
    try:
        write_xlsx(rows, buffer)
    except AppError as exc:
        raise fail(exc) from exc
    return buffer.getvalue()


@kb_app.command("check", help=_("Kiểm tra hỏi đáp: căn cứ hết hiệu lực, đến hạn rà soát, cần rà soát."))
def check(
    today: str | None = typer.Option(None, "--date", help=_("Ngày kiểm tra YYYY-MM-DD; mặc định hôm nay")),
) -> None:
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise typer.BadParameter(_("Ngày phải có dạng YYYY-MM-DD"), param_hint="--date") from exc
    with database().read() as session:
        report = entries.check(session, day)
    table = Table(_("Loại"), _("Hỏi đáp"), _("Chi tiết"))
    for item in report.broken:
        table.add_row(f"[red]{escape(_('Căn cứ không còn hiệu lực'))}[/red]", item.code,
                      f"{item.article}: {item.label}")  # fmt: skip
    for flagged in report.stale:
        table.add_row(_("Cần rà soát"), flagged.code, flagged.detail)
    for flagged in report.due:
        table.add_row(_("Đến hạn rà soát"), flagged.code, flagged.detail)
    if report.broken or report.stale or report.due:
        console.print(table)
    console.print(
        _(
            "{broken} căn cứ không còn hiệu lực, {stale} cần rà soát, {due} đến hạn rà soát (ngày {day})."
        ).format(
            broken=len(report.broken),
            stale=len(report.stale),
            due=len(report.due),
            day=report.today.isoformat(),
        ),
        highlight=False,
    )
    if not report.ok:
        raise typer.Exit(1)
