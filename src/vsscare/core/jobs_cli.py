"""``vsscare worker`` and ``vsscare jobs`` (placeholder until the worker lands)."""

import typer

from vsscare.core.i18n import _

jobs_app = typer.Typer(help=_("Hàng đợi tác vụ nền."), no_args_is_help=True)


def worker() -> None:
    raise typer.Exit(1)
