import typer

from vsscare.core.i18n import _

orgunits_app = typer.Typer(help=_("Đơn vị, lịch làm việc và ngày nghỉ."), no_args_is_help=True)
