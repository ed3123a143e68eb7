"""``vsscare customers``: data-subject requests from the command line (export everything held about
a person) and the retention run (anonymise records past their retention period)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from vsscare.core import crypto
from vsscare.core.cli import console, database, fail, settings
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.customers import privacy

CLI = Actor("system", None, "cli")
customers_app = typer.Typer(
    help=_("Dữ liệu khách hàng: xuất theo yêu cầu của chủ thể dữ liệu, xóa định danh khi hết hạn lưu trữ."),
    no_args_is_help=True,
)


@customers_app.command("export", help=_("Xuất mọi dữ liệu về một khách hàng (JSON), có ghi nhật ký."))
def export(
    customer_id: int = typer.Argument(..., help=_("Số hồ sơ khách hàng")),
    reason: str = typer.Option(..., "--reason", help=_("Lý do (được ghi nhật ký)")),
    output: Path | None = typer.Option(None, "--output", help=_("Tệp kết quả; mặc định: in ra màn hình")),
) -> None:
    try:
        with database().session() as session:
            document = privacy.export(session, CLI, customer_id, crypto.keyring(settings()), reason=reason)
    except AppError as exc:
        raise fail(exc) from exc
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text, encoding="utf-8")
    output.chmod(0o600)  # personal data: readable by its owner only
    console.print(_("Đã ghi {path} ({n} yêu cầu).").format(path=output, n=len(document["requests"])))


@customers_app.command(
    "retention", help=_("Ẩn danh các hồ sơ đã quá thời hạn lưu trữ (5 năm không phát sinh).")
)
def retention(
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Chỉ đếm, không thay đổi")),
    batch: int = typer.Option(500, "--batch", min=1, max=10_000, help=_("Số hồ sơ mỗi giao dịch")),
) -> None:
    db = database()
    if dry_run:
        with db.read() as session:
            due = privacy.due_for_retention(session, limit=10**9)
        console.print(_("{n} hồ sơ đã quá thời hạn lưu trữ.").format(n=len(due)))
        return
    total = 0
    while True:
        with db.session() as session:  # one batch per transaction: an interruption loses nothing
            done = privacy.retention_run(session, Actor.system("retention"), limit=batch)
        total += done
        if done < batch:
            break
    console.print(_("Đã ẩn danh {n} hồ sơ quá thời hạn lưu trữ.").format(n=total))
