"""``vsscare keys``: the keys protecting personal data at rest (status, a new key, rotation)."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from vsscare.core import crypto
from vsscare.core.cli import console, database, fail, settings
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.customers import keys

keys_app = typer.Typer(
    help=_("Khóa mã hóa dữ liệu cá nhân: tình trạng, tạo khóa mới, xoay vòng."), no_args_is_help=True
)
CLI = Actor("system", None, "cli")


def _ring() -> crypto.Keyring:
    try:
        return crypto.keyring(settings())
    except AppError as exc:
        raise fail(exc) from exc


@keys_app.command("status", help=_("Số giá trị được mã hóa bằng từng khóa, theo cột."))
def status() -> None:
    ring = _ring()
    table = Table(_("Cột"), _("Khóa"), _("Số giá trị"))
    for label, counts in keys.key_use(database(), ring).items():
        for kid, n in sorted(counts.items()):
            mark = _(" (hiện hành)") if kid == ring.current else ""
            table.add_row(label, f"{kid}{mark}", f"{n:,}")
    console.print(table)
    console.print(
        _("Khóa hiện hành: {kid}; đã cấu hình: {all}").format(kid=ring.current, all=", ".join(ring.key_ids))
    )


@keys_app.command("generate", help=_("In một khóa mới để thêm vào đầu VSSCARE_DATA_KEYS."))
def generate(name: str = typer.Argument(..., help=_("Tên khóa, ví dụ k2"))) -> None:
    try:
        entry = crypto.new_key(name)
    except AppError as exc:
        raise fail(exc) from exc
    console.print(entry, soft_wrap=True, highlight=False)
    configured = settings().data_keys.get_secret_value() or crypto.DERIVED
    names = ",".join(part.split(":")[0].strip() for part in configured.split(",") if part.strip())
    hint = _("Đặt VSSCARE_DATA_KEYS=\"{entry},{others}\" (giữ các khóa cũ) cho mọi tiến trình, "
             "khởi động lại, rồi chạy `vsscare keys rotate`.")  # fmt: skip
    console.print(hint.format(entry=f"{name}:…", others=names), highlight=False)


@keys_app.command(
    "rotate", help=_("Mã hóa lại mọi giá trị chưa dùng khóa hiện hành (chạy lại được nếu bị ngắt).")
)
def rotate(batch: int = typer.Option(500, min=1, max=10_000, help=_("Số giá trị mỗi giao dịch"))) -> None:
    ring, db = _ring(), database()
    pending = sum(
        n for counts in keys.key_use(db, ring).values() for kid, n in counts.items() if kid != ring.current
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(_("Mã hóa lại"), total=pending)
        try:
            done = keys.rotate(db, ring, CLI, batch=batch, progress=lambda n: bar.advance(task, n))
        except AppError as exc:
            raise fail(exc) from exc
    console.print(_("Đã mã hóa lại {n} giá trị bằng khóa {kid}.").format(n=f"{done:,}", kid=ring.current))
