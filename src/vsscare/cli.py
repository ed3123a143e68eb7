"""The ``vsscare`` command. Help and messages follow VSSCARE_LANG / LANG (vi by default, en)."""

from __future__ import annotations

from vsscare.core import i18n

i18n._locale.set(i18n.cli_locale())  # before the commands below build their help texts

import typer  # noqa: E402

from vsscare.accounts.cli import users_app  # noqa: E402
from vsscare.core.cli import db_app, run_guarded  # noqa: E402
from vsscare.core.i18n import _  # noqa: E402
from vsscare.core.jobs_cli import jobs_app, worker  # noqa: E402
from vsscare.demo import demo  # noqa: E402
from vsscare.orgunits.cli import orgunits_app  # noqa: E402
from vsscare.serve import serve  # noqa: E402

app = typer.Typer(
    name="vsscare",
    help=_("vsscare — hệ thống chăm sóc khách hàng của BHXH Việt Nam. Đặt LANG=en để xem tiếng Anh."),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(orgunits_app, name="orgunits")
app.add_typer(jobs_app, name="jobs")
app.command("worker", help=_("Chạy tác vụ nền từ hàng đợi."))(worker)
app.command("serve", help=_("Chạy máy chủ web."))(serve)
app.command("demo", help=_("Chuẩn bị dữ liệu trình diễn, in thông tin đăng nhập rồi chạy máy chủ."))(demo)


def main() -> None:
    run_guarded(app)
