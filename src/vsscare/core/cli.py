"""Shared pieces of the command line: settings, database, error reporting; ``vsscare db``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from vsscare.core import migrate
from vsscare.core.config import Settings
from vsscare.core.crypto import keyring
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.core.i18n import _


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # Piped output (scripts, logs) keeps whole table rows instead of wrapping at 80 columns.
    return Console(stderr=stderr, width=None if stream.isatty() else 200)


console = _console()
err_console = _console(stderr=True)


@cache
def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        err_console.print("[red]Cấu hình không hợp lệ / Invalid configuration:[/red]\n" + "\n".join(lines))
        raise typer.Exit(2) from exc


@cache
def database() -> Database:
    return Database(settings().database_url)


def fail(exc: AppError) -> typer.Exit:
    err_console.print(f"[red]Lỗi[/red] {escape(f'[{exc.code}]')}: {escape(exc.message)}")
    err_console.print(f"[dim]Error: {escape(exc.message_en)}[/dim]")
    if exc.details:
        err_console.print(f"[dim]{escape(str(exc.details))}[/dim]")
    return typer.Exit(1)


@contextmanager
def counting(description: str, total: int, rate_label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar for a long generation; yields ``advance(n)``. ``rate_label`` is a translated
    format string with ``{rate}``, e.g. ``_("{rate} người/giây")``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
    )  # fmt: skip
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, rate=rate_label.format(rate="…"))
        started = time.perf_counter()

        def advance(done: int) -> None:
            bar.advance(task, done)
            rate = bar.tasks[0].completed / max(time.perf_counter() - started, 1e-6)
            bar.update(task, rate=rate_label.format(rate=f"{rate:,.0f}"))

        yield advance


db_app = typer.Typer(help=_("Lược đồ cơ sở dữ liệu (Alembic)."), no_args_is_help=True)


@db_app.command("upgrade", help=_("Nâng cấp lược đồ cơ sở dữ liệu và nạp vai trò, quyền mặc định."))
def db_upgrade(revision: str = typer.Argument("head", help=_("Phiên bản đích"))) -> None:
    from vsscare.bootstrap import upgrade_and_seed

    upgrade_and_seed(database(), revision, keyring=keyring(settings()))
    console.print(_("Lược đồ ở phiên bản {rev}.").format(rev=migrate.current(database())))


@db_app.command("downgrade", help=_("Hạ cấp lược đồ cơ sở dữ liệu."))
def db_downgrade(revision: str = typer.Argument(..., help=_("Phiên bản đích, ví dụ -1 hoặc base"))) -> None:
    migrate.downgrade(database(), revision, keyring=keyring(settings()))
    console.print(_("Lược đồ ở phiên bản {rev}.").format(rev=migrate.current(database()) or "base"))


@db_app.command("current", help=_("In phiên bản lược đồ hiện tại."))
def db_current() -> None:
    current = migrate.current(database())
    head = migrate.head()
    state = _("mới nhất") if current == head else _("cần nâng cấp lên {head}").format(head=head)
    console.print(f"{current or 'base'} ({state})")


def run_guarded(fn, *args, **kwargs):
    """Run a CLI entry point, turning known errors into readable messages and exit codes."""
    from sqlalchemy.exc import OperationalError

    try:
        return fn(*args, **kwargs)
    except AppError as exc:
        raise fail(exc) from exc
    except OperationalError as exc:
        err_console.print(
            "[red]Không kết nối được cơ sở dữ liệu[/red] / Cannot reach the database: "
            f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}"
        )
        sys.exit(1)
