"""``vsscare users``: staff accounts and API tokens from the command line."""

from __future__ import annotations

import getpass

import typer
from rich.table import Table

from vsscare.accounts import actions, queries
from vsscare.core.cli import console, database
from vsscare.core.events import Actor
from vsscare.core.i18n import _

users_app = typer.Typer(help=_("Tài khoản nhân viên và mã truy cập API."), no_args_is_help=True)
CLI_ACTOR = Actor("system", None, "cli")


def _password(given: str | None) -> str:
    if given:
        return given
    first = getpass.getpass(_("Mật khẩu: "))
    if first != getpass.getpass(_("Nhập lại mật khẩu: ")):
        console.print(_("Hai lần nhập mật khẩu không khớp."))
        raise typer.Exit(1)
    return first


@users_app.command("create", help=_("Tạo tài khoản nhân viên."))
def create(
    username: str,
    full_name: str = typer.Option(..., "--name", help=_("Họ và tên")),
    role: list[str] = typer.Option(..., "--role", help=_("Vai trò (lặp lại để gán nhiều vai trò)")),
    unit: str | None = typer.Option(None, "--unit", help=_("Mã đơn vị công tác")),
    email: str | None = typer.Option(None, "--email"),
    password: str | None = typer.Option(None, "--password", help=_("Bỏ trống để nhập ẩn")),
    locale: str = typer.Option("vi", "--locale", help=_("Ngôn ngữ giao diện: vi hoặc en")),
) -> None:
    secret = _password(password)
    with database().session() as session:
        user = actions.create_user(
            session,
            CLI_ACTOR,
            username=username,
            full_name=full_name,
            password=secret,
            roles=role,
            email=email,
            org_unit_code=unit,
            locale=locale,
        )
        console.print(_("Đã tạo người dùng {username} (#{id}).").format(username=user.username, id=user.id))


@users_app.command("list", help=_("Liệt kê người dùng."))
def list_(
    active_only: bool = typer.Option(False, "--active", help=_("Chỉ tài khoản đang hoạt động")),
) -> None:
    with database().read() as session:
        table = Table(
            _("Tên đăng nhập"),
            _("Họ tên"),
            _("Vai trò"),
            _("Đơn vị"),
            _("Trạng thái"),
            _("Đăng nhập gần nhất"),
        )
        units = queries.unit_codes(session)
        for user in queries.list_users(session, include_disabled=not active_only):
            unit = units.get(user.org_unit_id) if user.org_unit_id else None
            table.add_row(
                user.username,
                user.full_name,
                ", ".join(sorted(r.role_code for r in user.roles)),
                unit or "",
                _("hoạt động") if user.is_active else _("đã khoá"),
                user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "",
            )
        console.print(table)


@users_app.command("disable", help=_("Khoá tài khoản: kết thúc mọi phiên và thu hồi mã truy cập."))
def disable(username: str) -> None:
    with database().session() as session:
        actions.disable_user(session, CLI_ACTOR, username)
    console.print(_("Đã khoá {username}.").format(username=username))


@users_app.command("enable", help=_("Mở khoá tài khoản."))
def enable(username: str) -> None:
    with database().session() as session:
        actions.enable_user(session, CLI_ACTOR, username)
    console.print(_("Đã mở khoá {username}.").format(username=username))


@users_app.command("set-password", help=_("Đặt lại mật khẩu (kết thúc mọi phiên của người dùng)."))
def set_password(username: str, password: str | None = typer.Option(None, "--password")) -> None:
    secret = _password(password)
    with database().session() as session:
        actions.reset_password(session, CLI_ACTOR, username, secret)
    console.print(_("Đã đặt lại mật khẩu cho {username}.").format(username=username))


@users_app.command("set-roles", help=_("Thay toàn bộ vai trò của người dùng."))
def set_roles(username: str, role: list[str] = typer.Option(..., "--role")) -> None:
    with database().session() as session:
        actions.set_roles(session, CLI_ACTOR, username, role)
    console.print(_("Đã cập nhật vai trò của {username}.").format(username=username))


@users_app.command("token", help=_("Tạo mã truy cập API cho tích hợp; mã chỉ hiện một lần."))
def token(
    username: str,
    name: str = typer.Option(..., "--name", help=_("Tên hệ thống tích hợp")),
    days: int | None = typer.Option(None, "--days", min=1, help=_("Hết hạn sau số ngày")),
) -> None:
    with database().session() as session:
        _row, raw = actions.create_api_token(session, CLI_ACTOR, username, name, days)
    console.print(raw, soft_wrap=True)


@users_app.command("revoke-token", help=_("Thu hồi mã truy cập API theo tiền tố."))
def revoke_token(prefix: str) -> None:
    with database().session() as session:
        actions.revoke_api_token(session, CLI_ACTOR, prefix)
    console.print(_("Đã thu hồi mã {prefix}.").format(prefix=prefix))


@users_app.command("roles", help=_("Liệt kê vai trò và quyền."))
def roles() -> None:
    with database().read() as session:
        table = Table(_("Vai trò"), _("Tên"), _("Quyền"))
        perms = queries.role_grants(session)
        for role in queries.roles(session):
            table.add_row(role.code, role.name, ", ".join(perms.get(role.code, [])))
        console.print(table)
