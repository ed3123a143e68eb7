"""``vsscare requests``: SLA policies (load, list, what-if due times), the queue and one request.

The command line is the machine's operator: it sees every province, with the permissions an
administrator has. Contact details are masked unless ``--unmask`` is given, which is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.accounts.models import Permission
from vsscare.accounts.principal import Principal
from vsscare.core import audit
from vsscare.core.cli import console, database, fail, settings
from vsscare.core.crypto import keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.core.i18n import _, pick
from vsscare.orgunits import errors as orgunit_errors
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import errors, queries, sla
from vsscare.requests.contact import phone as contact_phone
from vsscare.requests.labels import (
    CHANNEL_LABELS,
    SLA_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    TYPE_LABELS,
    label,
)
from vsscare.requests.masking import mask_email
from vsscare.requests.models import SLA_STATES, STATUSES, SlaPolicy
from vsscare.requests.queries import MAX_LIMIT, SORTS, Filters

CLI_ACTOR = Actor("system", None, "cli")
BAD_OPTION = ErrorCode(
    "requests_cli_bad_option",
    "Giá trị {value} không hợp lệ cho {option}; chọn một trong: {allowed}.",
    "{value} is not a valid {option}; choose one of: {allowed}.",
    422,
)
requests_app = typer.Typer(
    help=_("Yêu cầu của khách hàng: hàng đợi, chi tiết, chính sách SLA."), no_args_is_help=True
)
sla_app = typer.Typer(help=_("Chính sách SLA: nạp từ tệp, xem, tính thử hạn xử lý."), no_args_is_help=True)
requests_app.add_typer(sla_app, name="sla")


def _local(moment: datetime | None) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def _choice(option: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise AppError(BAD_OPTION, option=option, value=value[:40], allowed=", ".join(allowed))
    return value


# -- SLA -------------------------------------------------------------------------------------------


@sla_app.command("load", help=_("Thay các chính sách SLA bằng chính sách trong tệp YAML."))
def sla_load(file: Path = typer.Argument(..., help=_("Tệp YAML, ví dụ data/requests/sla.yaml"))) -> None:
    try:
        with database().session() as session:
            codes = sla.load_policies(session, file)
            audit.record(session, "sla.load", CLI_ACTOR, details={"file": str(file), "policies": codes})
    except AppError as exc:
        raise fail(exc) from exc
    console.print(_("Đã nạp {count} chính sách: {codes}").format(count=len(codes), codes=", ".join(codes)))


@sla_app.command("list", help=_("Liệt kê chính sách SLA, theo thứ tự áp dụng."))
def sla_list() -> None:
    with database().read() as session:
        policies = list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.sort_order, SlaPolicy.code)))
    table = Table(
        _("Mã"), _("Tên"), _("Loại"), _("Ưu tiên"), _("Kênh"), _("Phản hồi đầu (giờ)"), _("Giải quyết (giờ)"),
        _("Cảnh báo"), _("Leo thang"), _("Hiệu lực"),
    )  # fmt: skip
    for p in policies:
        table.add_row(
            p.code, pick(p.name, p.name_en), p.type or "*", p.priority or "*", p.channel or "*",
            f"{p.first_response_hours:g}" if p.first_response_hours else "", f"{p.resolution_hours:g}",
            f"{p.warn_percent} %", p.escalate_to or "", _("có") if p.is_active else _("không"),
        )  # fmt: skip
    console.print(table)
    console.print(_("{count} chính sách. Giờ là giờ làm việc của đơn vị xử lý.").format(count=len(policies)))


def _start(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise AppError(orgunit_errors.BAD_TIME, value=value[:40]) from exc
    if not 1990 <= moment.year <= 2100:
        raise AppError(orgunit_errors.BAD_TIME, value=value[:40])
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


@sla_app.command(
    "due",
    help=_(
        "Tính thử hạn: một yêu cầu đến đơn vị lúc --from thì hạn phản hồi và giải quyết theo từng chính "
        "sách là khi nào (hoặc hạn sau --hours giờ làm việc)."
    ),
)
def sla_due(
    unit: str = typer.Option("CCC", "--unit", help=_("Mã đơn vị xử lý")),
    start: str | None = typer.Option(
        None,
        "--from",
        help=_("Thời điểm đến (ISO 8601; không ghi múi giờ là giờ Việt Nam); mặc định bây giờ"),
    ),
    hours: float | None = typer.Option(None, "--hours", help=_("Số giờ làm việc (chỉ tính một hạn)")),
) -> None:
    try:
        begin = _start(start)
        if hours is not None and not 0 < hours <= 10_000:
            raise AppError(BAD_OPTION, option="--hours", value=f"{hours:g}", allowed="0 < giờ ≤ 10000")
        with database().read() as session:
            found = session.scalar(
                select(OrgUnit).where(OrgUnit.code == unit.strip().upper(), OrgUnit.is_active)
            )
            if found is None:
                raise AppError(errors.UNIT_NOT_FOUND, unit=unit[:40])
            cal = sla.calendar(session, found.id)
            policies = list(
                session.scalars(select(SlaPolicy).where(SlaPolicy.is_active).order_by(SlaPolicy.sort_order))
            )
    except AppError as exc:
        raise fail(exc) from exc
    console.print(
        _("Đến lúc {moment} tại {unit}").format(moment=_local(begin), unit=found.code), highlight=False
    )
    if hours is not None:
        console.print(
            _("Hạn sau {hours:g} giờ làm việc: {due}").format(hours=hours, due=_local(cal.add(begin, hours)))
        )
        return
    table = Table(_("Chính sách"), _("Phản hồi đầu"), _("Giải quyết"), _("Cảnh báo giải quyết"))
    for p in policies:
        first = _local(cal.add(begin, p.first_response_hours)) if p.first_response_hours else ""
        warn = _local(cal.add(begin, p.resolution_hours * p.warn_percent / 100))
        table.add_row(
            f"{p.code} ({pick(p.name, p.name_en)})", first, _local(cal.add(begin, p.resolution_hours)), warn
        )
    console.print(table)
    last_day = (sla.legal_deadline(cal, begin, sla.COMPLAINT_ACK_DAYS) - timedelta(seconds=1)).astimezone(
        VN_TZ
    )
    console.print(
        _("Khiếu nại: thụ lý chậm nhất hết ngày {day} (Luật Khiếu nại, điều 27).").format(
            day=last_day.strftime("%d/%m/%Y")
        )
    )


# -- requests --------------------------------------------------------------------------------------


def _operator(session: Session) -> Principal:
    """Every province and every permission: the command line is the machine's administrator."""
    permissions = frozenset(session.scalars(select(Permission.code)))
    return Principal(0, "cli", "Command line", "vi", frozenset({"admin"}), permissions, None, None)


@requests_app.command("list", help=_("Liệt kê yêu cầu theo bộ lọc (mới nhất trước)."))
def list_(
    status: str | None = typer.Option(
        None, "--status", help=_("Trạng thái, nhiều giá trị cách nhau dấu phẩy")
    ),
    q: str = typer.Option("", "--q", help=_("Tìm theo từ, có dấu hay không dấu")),
    topic: str | None = typer.Option(None, "--topic", help=_("Chủ đề")),
    province: str | None = typer.Option(None, "--province", help=_("Mã tỉnh 2 chữ số")),
    assignee: str | None = typer.Option(None, "--assignee", help=_("Tên đăng nhập, hoặc none")),
    sla_state: str | None = typer.Option(None, "--sla", help=_("ok, warning hoặc breached")),
    sort: str = typer.Option("newest", "--sort", help=_("newest, oldest hoặc due")),
    limit: int = typer.Option(20, "--limit", help=_("Số dòng, tối đa 200")),
    cursor: str | None = typer.Option(None, "--cursor", help=_("Tiếp sau trang trước")),
) -> None:
    try:
        statuses = tuple(s.strip() for s in (status or "").split(",") if s.strip())
        for value in statuses:
            _choice("--status", value, STATUSES)
        _choice("--sla", sla_state, SLA_STATES)
        _choice("--sort", sort, SORTS)
        if not 1 <= limit <= MAX_LIMIT:
            raise AppError(BAD_OPTION, option="--limit", value=str(limit), allowed=f"1–{MAX_LIMIT}")
        filters = Filters(q=q, status=statuses, topic=topic, province=province, assignee=assignee,
                          sla=sla_state, sort=sort)  # fmt: skip
        with database().read() as session:
            page = queries.list_requests(session, _operator(session), filters, limit=limit, cursor=cursor)
    except AppError as exc:
        raise fail(exc) from exc
    table = Table(_("Mã"), _("Trạng thái"), _("Kênh"), _("Chủ đề"), _("Tỉnh"), _("Người xử lý"), _("SLA"),
                  _("Tiếp nhận"), _("Tiêu đề"))  # fmt: skip
    for r in page.items:
        table.add_row(
            r.code, label(STATUS_LABELS, r.status), label(CHANNEL_LABELS, r.channel),
            label(TOPIC_LABELS, r.topic), r.province_code or "", page.names.get(r.assignee_id or 0, ""),
            label(SLA_LABELS, r.sla_state),
            _local(r.created_at), escape(r.subject[:60]),
        )  # fmt: skip
    console.print(table)
    console.print(_("{count} yêu cầu.").format(count=len(page.items)))
    if page.next_cursor:
        console.print(_("Trang sau: --cursor {cursor}").format(cursor=page.next_cursor), highlight=False)


def _masked(email: str | None, unmask: bool) -> str:
    if not email or unmask:
        return email or ""
    return mask_email(email)


@requests_app.command("show", help=_("Xem một yêu cầu: thông tin, hội thoại và dòng thời gian."))
def show(
    code: str = typer.Argument(..., help=_("Mã yêu cầu, ví dụ YC-2026-000123")),
    unmask: bool = typer.Option(
        False, "--unmask", help=_("Hiện đủ số điện thoại, e-mail (được ghi nhật ký)")
    ),
) -> None:
    try:
        with database().session() as session:
            request = queries.get_visible(session, _operator(session), code)
            detail = queries.detail(session, request)
            if unmask:
                audit.record(
                    session, "request.unmask", CLI_ACTOR, object_type="request", object_id=request.id
                )
    except AppError as exc:
        raise fail(exc) from exc
    r = detail.request
    head = Table(show_header=False, box=None, title=f"{r.code} — {escape(r.subject)}")
    phone = contact_phone(keyring(settings()), r) if unmask else r.contact_phone_masked
    contact = (r.contact_name, phone or "", _masked(r.contact_email, unmask))
    places = (r.province_code, detail.units.get(r.team_unit_id or 0), detail.units.get(r.unit_id or 0))
    due = _("hạn giải quyết {due}").format(due=_local(r.resolution_due))
    for name, value in (
        (_("Trạng thái"), label(STATUS_LABELS, r.status)),
        (_("Loại · chủ đề"), f"{label(TYPE_LABELS, r.type)} · {label(TOPIC_LABELS, r.topic)}"),
        (_("Kênh · ưu tiên"), f"{label(CHANNEL_LABELS, r.channel)} · {r.priority}"),
        (_("Khách hàng"), " · ".join(x for x in contact if x)),
        (_("Tỉnh · nhóm · đơn vị"), " · ".join(x for x in places if x)),
        (_("Người xử lý"), detail.names.get(r.assignee_id or 0, "")),
        (_("SLA"), f"{r.sla_policy or ''} · {label(SLA_LABELS, r.sla_state)} · {due}"),
        (_("Tiếp nhận · cập nhật"), f"{_local(r.created_at)} · {_local(r.updated_at)}"),
    ):
        head.add_row(name, escape(value))
    console.print(head)
    talk = Table(_("Lúc"), _("Loại"), _("Người viết"), _("Nội dung"), title=_("Hội thoại"))
    for m in detail.messages:
        talk.add_row(_local(m.created_at), m.kind, escape(m.author_name or m.author or ""), escape(m.body))
    console.print(talk)
    timeline = Table(_("Lúc"), _("Sự kiện"), _("Ai"), _("Chi tiết"), title=_("Dòng thời gian"))
    for e in detail.history:
        data = ", ".join(
            f"{k}={v}" for k, v in e.data.items() if k != "code" and v not in (None, False, [], "")
        )
        timeline.add_row(_local(e.occurred_at), e.type.removeprefix("request."), e.actor or "", escape(data))
    console.print(timeline)
