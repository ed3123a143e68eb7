"""``vsscare demo``: a ready-to-try installation on the embedded database."""

from __future__ import annotations

import secrets

import typer
import yaml
from rich.panel import Panel

from vsscare.accounts import actions as accounts
from vsscare.accounts import queries as account_queries
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.cli import console, database, settings
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.knowledge import entries, legal
from vsscare.orgunits import actions as orgunits

DEMO = Actor("system", None, "demo")


def _password() -> str:
    # Letters and digits, easy to type from the terminal.
    return secrets.token_urlsafe(9).replace("-", "x").replace("_", "y") + "7"


def _ensure_user(
    session, username: str, name: str, roles: list[str], unit: str | None, password: str
) -> None:
    if account_queries.user_by_username(session, username) is None:
        accounts.create_user(
            session,
            DEMO,
            username=username,
            full_name=name,
            password=password,
            roles=roles,
            org_unit_code=unit,
        )
    else:
        accounts.enable_user(session, DEMO, username)
        accounts.reset_password(session, DEMO, username, password)


def _import_bank(session, full_corpus: bool) -> None:
    """The shipped Q&A bank cites articles the bundled legal sample lacks: only with a full corpus."""
    if not full_corpus:
        console.print(
            _("Ngân hàng hỏi đáp: bỏ qua vì chỉ có kho văn bản mẫu (đặt VSSCARE_LEGAL_CORPUS để nạp).")
        )
        return
    try:
        bank = entries.import_bank(session, DATA_DIR / "knowledge", DEMO)
    except AppError as exc:  # checked before any write: nothing was imported
        console.print(_("Ngân hàng hỏi đáp: bỏ qua — {reason}").format(reason=exc.message), highlight=False)
        return
    console.print(_("Ngân hàng hỏi đáp: {summary}").format(summary=bank.summary()))


def prepare() -> dict[str, str]:
    """Upgrade the schema, load reference and demo data, (re)set demo logins. Returns the logins."""
    db = database()
    upgrade_and_seed(db)
    admin_password, staff_password = _password(), _password()
    with db.session() as session:
        report = orgunits.load_file(session, DATA_DIR / "orgunits.yaml", DEMO)
        console.print(_("Đơn vị: {summary}").format(summary=report.summary()))
        # The full statute corpus when this machine has it, else the bundled sample.
        sample = DATA_DIR / "legal-sample.jsonl"
        corpus = legal_corpus() or sample
        legal_report = legal.import_corpus(session, corpus, DEMO)
        console.print(_("Văn bản pháp luật: {summary}").format(summary=legal_report.summary()))
        _import_bank(session, full_corpus=corpus.resolve() != sample.resolve())
        _ensure_user(session, "admin", "Quản trị hệ thống", ["admin"], "CCC", admin_password)
        staff = yaml.safe_load((DATA_DIR / "demo" / "staff.yaml").read_text("utf-8"))
        for person in staff:
            _ensure_user(
                session,
                person["username"],
                person["name"],
                person["roles"],
                person.get("unit"),
                staff_password,
            )
    return {
        "admin": admin_password,
        "staff": staff_password,
        "staff_users": ", ".join(p["username"] for p in staff),
    }


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help=_("Chỉ chuẩn bị dữ liệu, không chạy máy chủ")),
    host: str = typer.Option("127.0.0.1", help=_("Địa chỉ lắng nghe")),
    port: int = typer.Option(8000, help=_("Cổng")),
) -> None:
    logins = prepare()
    url = settings().base_url if port == 8000 else f"http://{host}:{port}"
    console.print(
        Panel.fit(
            "\n".join(
                [
                    _("Địa chỉ: {url}").format(url=f"[bold]{url}[/bold]"),
                    _("Quản trị: {login}").format(
                        login=f"[bold]admin[/bold] / [bold]{logins['admin']}[/bold]"
                    ),
                    _("Nhân viên mẫu ({users}): mật khẩu {password}").format(
                        users=logins["staff_users"], password=f"[bold]{logins['staff']}[/bold]"
                    ),
                ]
            ),
            title="vsscare demo",
        )
    )
    if not no_serve:
        from vsscare.serve import serve

        serve(host=host, port=port, workers=1, with_worker=True)
