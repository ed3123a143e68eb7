"""``vsscare kb``: import and export the Q&A bank, check that it cites law in force, and measure
the answering engine on labelled questions (``kb eval``)."""

from __future__ import annotations

import io
import json
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


@kb_app.command(
    "eval",
    help=_(
        "Đo chất lượng trả lời tự động trên tệp câu hỏi có nhãn (JSONL): Hit@1, Hit@3, MRR, độ chính "
        "xác quyết định, độ trễ. Không ghi vào nhật ký trả lời."
    ),
)
def eval_(
    path: Path = typer.Argument(..., help=_("Tệp .jsonl, ví dụ ../shared/data/eval/dev.jsonl")),
    as_json: bool = typer.Option(False, "--json", help=_("In kết quả dạng JSON, kèm từng câu hỏi")),
) -> None:
    from vsscare.answering import evaluation  # the engine's dependencies load only for this command
    from vsscare.answering.service import answerer

    try:
        questions = evaluation.read_questions(path)
    except AppError as exc:
        _print_problems(exc)
        raise fail(AppError(exc.error, **exc.params) if exc.details.get("errors") else exc) from exc
    engine = answerer(database())
    report = evaluation.evaluate((q, engine.ask(q.question, record=False)[0]) for q in questions)
    if as_json:
        sys.stdout.write(json.dumps({"file": str(path)} | report.as_dict(), ensure_ascii=False) + "\n")
        return
    _print_evaluation(report)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_evaluation(report) -> None:
    table = Table(_("Nhóm"), _("Số câu"), _("Có căn cứ"), "Hit@1", "Hit@3", "MRR", _("Quyết định đúng"))

    def add(label: str, m) -> None:
        mrr = "—" if m.mrr is None else f"{m.mrr:.3f}"
        table.add_row(label, str(m.questions), str(m.answerable), _percent(m.hit_at_1),
                      _percent(m.hit_at_3), mrr, _percent(m.decision_accuracy))  # fmt: skip

    add(f"[bold]{escape(_('Tất cả'))}[/bold]", report.overall)
    table.add_section()
    for name, m in report.by_style.items():
        add(_("kiểu {style}").format(style=escape(name)), m)
    table.add_section()
    for name, m in report.by_lang.items():
        add(_("ngôn ngữ {lang}").format(lang=escape(name)), m)
    console.print(table)
    for expected, decided in report.overall.decisions.items():
        counts = ", ".join(f"{d} {n}" for d, n in decided.items())
        console.print(
            _("Mong đợi {expected}: {counts} (đúng {recall})").format(
                expected=expected, counts=counts, recall=_percent(report.overall.recall[expected])
            ),
            highlight=False,
        )
    latency = report.latency_ms
    console.print(
        _("Độ trễ: p50 {p50} ms, p95 {p95} ms").format(p50=latency["p50"], p95=latency["p95"]),
        highlight=False,
    )
    misses = [r for r in report.rows if not r.correct or (r.retrieval and r.rank != 1)]
    if misses:
        shown = Table(_("Câu"), _("Mong đợi"), _("Quyết định"), _("Hạng"), _("Hỏi đáp đứng đầu"))
        for r in misses[:SHOWN]:
            decided = r.decision if r.correct else f"[red]{r.decision}[/red]"
            shown.add_row(r.id, r.expected, decided, str(r.rank or "—"), ", ".join(r.top))
        console.print(_("Câu chưa đạt (quyết định sai, hoặc căn cứ đúng không đứng đầu):"))
        console.print(shown)
