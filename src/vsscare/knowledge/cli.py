"""``vsscare legal``: import the statute corpus, search articles, show one article."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vsscare.core.cli import console, database, err_console, fail
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.core.paths import legal_corpus
from vsscare.knowledge import errors, legal
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.legal_status import article_status

legal_app = typer.Typer(
    help=_("Văn bản pháp luật: nạp kho điều luật, tìm và xem điều luật."), no_args_is_help=True
)
CLI_ACTOR = Actor("system", None, "cli")


def _print_problems(exc: AppError) -> None:
    for problem in exc.details.get("errors", [])[:50]:
        key = f" ({problem['key']})" if problem.get("key") else ""
        line = _("dòng {line}").format(line=problem.get("line"))
        err_console.print(f"  [yellow]{escape(line + key)}[/yellow]: {escape(problem['message'])}")
    hidden = exc.details.get("count", 0) - min(50, len(exc.details.get("errors", [])))
    if hidden > 0:
        err_console.print("  " + _("… và {count} lỗi khác").format(count=hidden))


@legal_app.command("import", help=_("Nạp kho điều luật từ tệp JSONL (chạy lại nhiều lần an toàn)."))
def import_(
    path: Path | None = typer.Argument(
        None, help=_("Tệp articles.jsonl; mặc định là kho đầy đủ nếu có trên máy (VSSCARE_LEGAL_CORPUS)")
    ),
) -> None:
    path = path or legal_corpus()
    if path is None:
        raise fail(AppError(errors.NO_CORPUS))
    labels = {"check": _("Kiểm tra"), "write": _("Ghi")}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(labels["check"], total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=labels[phase], completed=done, total=total)

            with database().session() as session:
                report = legal.import_corpus(session, path, CLI_ACTOR, progress=progress)
    except AppError as exc:
        _print_problems(exc)
        # The problems are listed above; the summary line need not repeat their details.
        raise fail(AppError(exc.error, **exc.params) if exc.details.get("errors") else exc) from exc
    console.print(_("Đã nạp {file}").format(file=path), highlight=False)
    table = Table(_("Mục"), _("Số lượng"), _("Chi tiết"))
    table.add_row(_("Văn bản mới"), str(len(report.documents_new)), ", ".join(report.documents_new))
    table.add_row(
        _("Văn bản thay đổi"), str(len(report.documents_changed)), ", ".join(report.documents_changed)
    )
    superseded = ", ".join(f"{n} → {by}" for n, by in report.documents_superseded.items())
    table.add_row(_("Văn bản mới hết hiệu lực"), str(len(report.documents_superseded)), superseded)
    table.add_row(_("Điều mới"), str(report.articles_new), "")
    table.add_row(
        _("Điều thay đổi"), str(len(report.articles_changed)), ", ".join(report.articles_changed[:20])
    )
    table.add_row(_("Điều sửa nội dung"), str(len(report.text_changed)), ", ".join(report.text_changed[:20]))
    table.add_row(_("Điều không đổi"), str(report.articles_unchanged), "")
    if report.articles_not_in_file:
        table.add_row(
            _("Điều có trong CSDL, không có trong tệp (giữ nguyên)"), str(report.articles_not_in_file), ""
        )
    console.print(table)
    console.print(report.summary(), highlight=False)


@legal_app.command("search", help=_("Tìm điều luật theo từ khóa, có dấu hay không dấu."))
def search(
    words: list[str] = typer.Argument(..., help=_("Từ khóa, ví dụ: tro cap that nghiep")),
    document: str | None = typer.Option(None, "--document", help=_("Chỉ tìm trong văn bản số này")),
    in_force: bool = typer.Option(False, "--in-force", help=_("Chỉ văn bản còn hiệu lực")),
    limit: int = typer.Option(20, "--limit", min=1, max=queries.MAX_LIMIT, help=_("Số kết quả tối đa")),
) -> None:
    try:
        with database().read() as session:
            result = queries.search_articles(
                session, " ".join(words), document=document, in_force=in_force, limit=limit
            )
            table = Table(_("Khóa"), _("Tiêu đề"), _("Hiệu lực"))
            for hit in result.hits:
                table.add_row(hit.article.key, hit.article.title or "", hit.status.label)
    except AppError as exc:
        raise fail(exc) from exc
    console.print(table)
    console.print(_("{shown}/{total} điều.").format(shown=len(result.hits), total=result.total))


@legal_app.command("show", help=_("In một điều luật theo khóa, ví dụ 41/2024/QH15#60."))
def show(key: str = typer.Argument(..., help=_("Khóa SỐ_VĂN_BẢN#ĐIỀU"))) -> None:
    try:
        with database().read() as session:
            article = queries.get_article(session, key)
            document = article.document
            status = article_status(article)
            header = f"[bold]{escape(article.key)}[/bold] · {escape(document.title)}"
            console.print(header)
            if article.chapter:
                console.print(escape(article.chapter), style="dim")
            style = "green" if status.in_force else "yellow"
            console.print(f"[{style}]{escape(status.label)}[/{style}]")
            console.print()
            console.print(article.text, highlight=False, markup=False)
    except AppError as exc:
        raise fail(exc) from exc
