"""``vsscare demo``: a ready-to-try installation on the embedded database; ``vsscare demo
generate`` fills it with many realistic requests (:mod:`vsscare.requests.generate`)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import typer
import yaml
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import select

from vsscare.accounts import actions as accounts
from vsscare.accounts import queries as account_queries
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core import crypto
from vsscare.core.cli import console, counting, database, fail, settings
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.i18n import _
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.knowledge import entries, legal
from vsscare.orgunits import actions as orgunits

if TYPE_CHECKING:
    from vsscare.requests.generate import Report

DEMO = Actor("system", None, "demo")
DEMO_REQUESTS = 1000
DEMO_PEOPLE = 2000


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
    upgrade_and_seed(db, keyring=crypto.keyring(settings()))
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
    _sample_requests(db)
    _sample_registry(db)
    return {
        "admin": admin_password,
        "staff": staff_password,
        "staff_users": ", ".join(p["username"] for p in staff),
    }


def _sample_requests(db: Database) -> None:
    """A first install gets requests of the last three months to work on; later runs add none."""
    from vsscare.requests.generate import generate as make_requests
    from vsscare.requests.queries import any_request

    with db.read() as session:
        if any_request(session):
            return
    report = make_requests(db, DEMO_REQUESTS, ring=crypto.keyring(settings()), years=0.25, processes=False)
    console.print(
        _("Yêu cầu mẫu: {count} ({first} … {last})").format(
            count=f"{report.requests:,}", first=report.first_code, last=report.last_code
        )
    )


def _sample_registry(db: Database) -> None:
    """A first install gets a small synthetic industry database, and its people as customers."""
    from vsscare.core import crypto
    from vsscare.customers.generate import customers_from_registry
    from vsscare.customers.registry_generate import generate as make_people
    from vsscare.customers.registry_models import RegistryPerson

    with db.read() as session:
        if session.scalar(select(RegistryPerson.si_code).limit(1)) is not None:
            return
    people = make_people(db, DEMO_PEOPLE).people
    customers = customers_from_registry(db, crypto.keyring(settings()))
    console.print(_("Người tham gia mẫu: {people}; khách hàng: {customers}").format(
        people=f"{people:,}", customers=f"{customers:,}"))  # fmt: skip


demo_app = typer.Typer(
    help=_("Chuẩn bị dữ liệu trình diễn, in thông tin đăng nhập rồi chạy máy chủ."),
    no_args_is_help=False,
)


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    no_serve: bool = typer.Option(False, "--no-serve", help=_("Chỉ chuẩn bị dữ liệu, không chạy máy chủ")),
    host: str = typer.Option("127.0.0.1", help=_("Địa chỉ lắng nghe")),
    port: int = typer.Option(8000, help=_("Cổng")),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
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


@demo_app.command(
    "generate",
    help=_(
        "Sinh thêm nhiều yêu cầu giống thật (kênh, chủ đề, tỉnh, trạng thái theo thời gian, tin nhắn, "
        "sự kiện, chuyển đơn vị, SLA) để trình diễn và đo hiệu năng. Chạy lại sẽ thêm yêu cầu mới."
    ),
)
def generate(
    requests: int = typer.Option(..., "--requests", help=_("Số yêu cầu cần sinh")),
    messages_per_request: float = typer.Option(
        5.0, "--messages-per-request", help=_("Số tin nhắn trung bình mỗi yêu cầu")
    ),
    seed: int = typer.Option(1, "--seed", help=_("Hạt giống ngẫu nhiên: cùng hạt giống cho cùng dữ liệu")),
    years: float = typer.Option(2.0, "--years", help=_("Trải yêu cầu trên bấy nhiêu năm gần nhất")),
) -> None:
    try:
        report = _generate(database(), requests, messages_per_request, seed, years)
    except AppError as exc:
        raise fail(exc) from exc
    _print_report(report)


def _generate(db: Database, count: int, messages: float, seed: int, years: float) -> Report:
    """Schema current, units there (the shipped tree only into an empty database), then the rows."""
    from vsscare.orgunits.models import OrgUnit
    from vsscare.requests.generate import generate as make_requests

    ring = crypto.keyring(settings())
    upgrade_and_seed(db, keyring=ring)
    with db.session() as session:
        if session.scalar(select(OrgUnit.id).limit(1)) is None:
            report = orgunits.load_file(session, DATA_DIR / "orgunits.yaml", DEMO)
            console.print(_("Đơn vị: {summary}").format(summary=report.summary()))
    with counting(_("Sinh yêu cầu"), count, _("{rate} yêu cầu/giây")) as advance:
        return make_requests(
            db, count, ring=ring, messages_per_request=messages, seed=seed, years=years, progress=advance
        )


def _print_report(report: Report) -> None:
    from vsscare.requests.generate import database_size

    table = Table(show_header=False, box=None)
    rows = (
        (_("Yêu cầu"), f"{report.requests:,} ({report.first_code} … {report.last_code})"),
        (_("Tin nhắn"), _("{count:,} ({each:.1f} mỗi yêu cầu)").format(
            count=report.messages, each=report.messages / max(report.requests, 1))),
        (_("Sự kiện"), f"{report.events:,}"),
        (_("Chuyển đơn vị · leo thang"), f"{report.transfers:,} · {report.escalations:,}"),
        (_("Điện thoại viên mới tạo"), f"{report.agents_created}"),
        (_("Thời gian"), f"{report.seconds:,.1f} s"),
        (_("Tốc độ"), _("{rows:,.0f} dòng/giây ({requests:,.0f} yêu cầu/giây)").format(
            rows=report.rows_per_second, requests=report.requests / max(report.seconds, 1e-9))),
        (_("Cơ sở dữ liệu"), f"{database_size(database()) / 1e6:,.1f} MB"),
    )  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
