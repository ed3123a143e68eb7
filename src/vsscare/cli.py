"""The ``vsscare`` command. Help and messages follow VSSCARE_LANG / LANG (vi by default, en).

Each command's module is imported only when that command runs (or when help lists them), so
``vsscare serve`` starts without loading the other commands' dependencies.
"""

from __future__ import annotations

from importlib import import_module

from vsscare.core import i18n

i18n._locale.set(i18n.cli_locale())  # before any command module builds its help texts

import click  # noqa: E402
import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from vsscare.core.i18n import _  # noqa: E402

# name → (module, attribute): a Typer group, or a function registered as a single command.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("vsscare.demo", "demo_app"),
    "serve": ("vsscare.serve", "serve"),
    "worker": ("vsscare.core.jobs_cli", "worker"),
    "db": ("vsscare.core.cli", "db_app"),
    "users": ("vsscare.accounts.cli", "users_app"),
    "orgunits": ("vsscare.orgunits.cli", "orgunits_app"),
    "legal": ("vsscare.knowledge.cli", "legal_app"),
    "kb": ("vsscare.knowledge.kb_cli", "kb_app"),
    "ask": ("vsscare.answering.cli", "ask"),
    "jobs": ("vsscare.core.jobs_cli", "jobs_app"),
    "requests": ("vsscare.requests.cli", "requests_app"),
    "registry": ("vsscare.customers.cli", "registry_app"),
    "keys": ("vsscare.customers.keys_cli", "keys_app"),
    "customers": ("vsscare.customers.privacy_cli", "customers_app"),
}
COMMAND_HELP = {
    "serve": _("Chạy máy chủ web."),
    "worker": _("Chạy tác vụ nền từ hàng đợi."),
    "ask": _("Hỏi hệ thống trả lời tự động: một câu hỏi, hoặc mỗi dòng đầu vào chuẩn một câu."),
}


def load_command(name: str) -> click.Command:
    module, attr = COMMANDS[name]
    target = getattr(import_module(module), attr)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(add_completion=False)
        single.command(name, help=COMMAND_HELP[name])(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    name="vsscare",
    cls=LazyGroup,
    help=_("vsscare — hệ thống chăm sóc khách hàng của BHXH Việt Nam. Đặt LANG=en để xem tiếng Anh."),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root() -> None:
    pass


def main() -> None:
    from vsscare.core.cli import run_guarded

    run_guarded(app)
