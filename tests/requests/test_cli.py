"""``vsscare requests …`` and ``vsscare demo generate``, in-process on each backend."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from vsscare.core.audit import AuditEntry
from vsscare.core.db import Database
from vsscare.requests.models import Request, SlaPolicy

POLICIES = """
policies:
  - code: fast
    name: [Nhanh, Fast]
    priority: urgent
    first_response_hours: 0.5
    resolution_hours: 4
  - code: everything
    name: [Mọi yêu cầu, Everything else]
    first_response_hours: 4
    resolution_hours: 40
"""


def _failed(result, code: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"[{code}]" in result.output and "Error:" in result.output


def test_sla_list_load_and_due(run_cli, db: Database, tmp_path: Path):
    listed = run_cli("requests", "sla", "list")
    assert listed.exit_code == 0 and "standard" in listed.output and "Khiếu nại" in listed.output
    file = tmp_path / "sla.yaml"
    file.write_text(POLICIES, "utf-8")
    loaded = run_cli("requests", "sla", "load", str(file))
    assert loaded.exit_code == 0 and "fast, everything" in loaded.output
    with db.read() as session:
        assert list(session.scalars(select(SlaPolicy.code).order_by(SlaPolicy.sort_order))) == [
            "fast",
            "everything",
        ]
    file.write_text("policies:\n  - code: Bad Code\n    name: [x]\n    resolution_hours: 1\n", "utf-8")
    _failed(run_cli("requests", "sla", "load", str(file)), "sla_file_invalid")
    _failed(run_cli("requests", "sla", "load", str(tmp_path / "missing.yaml")), "sla_file_invalid")

    # Friday 13 February 2026, 16:00; the HCMC office works until 17:00, then Tết until Monday the 23rd
    due = run_cli("requests", "sla", "due", "--unit", "BHXH-79", "--from", "2026-02-13T16:00")
    assert due.exit_code == 0, due.output
    assert "fast" in due.output and "13/02/2026 16:30" in due.output  # half an hour, before closing
    assert "23/02/2026 10:30" in due.output  # 4 working hours: 1 h on Friday, 3 h after Tết
    one = run_cli("requests", "sla", "due", "--from", "2026-02-13T16:00", "--hours", "8")
    assert one.exit_code == 0 and "23/02/2026 16:30" in one.output
    _failed(run_cli("requests", "sla", "due", "--from", "yesterday"), "bad_time")
    _failed(run_cli("requests", "sla", "due", "--unit", "NOWHERE"), "request_unit_not_found")
    _failed(run_cli("requests", "sla", "due", "--hours", "-1"), "requests_cli_bad_option")


def test_demo_generate_then_list_and_show(run_cli, db: Database):
    made = run_cli("demo", "generate", "--requests", "50", "--seed", "3")
    assert made.exit_code == 0, made.output
    assert "50" in made.output and "Điện thoại viên mới tạo" in made.output
    with db.read() as session:
        codes = list(session.scalars(select(Request.code).order_by(Request.id.desc())))
        phone_code = session.scalar(
            select(Request.code)
            .where(Request.contact_phone_bi.is_not(None))
            .order_by(Request.id.desc())
            .limit(1)
        )
    assert len(codes) == 50

    listed = run_cli("requests", "list", "--limit", "5")
    assert listed.exit_code == 0 and codes[0] in listed.output and "--cursor" in listed.output
    cursor = re.search(r"--cursor (\S+)", listed.output).group(1)
    following = run_cli("requests", "list", "--limit", "5", "--cursor", cursor)
    assert codes[5] in following.output and codes[0] not in following.output
    closed = run_cli("requests", "list", "--status", "closed", "--limit", "200")
    assert closed.exit_code == 0 and "Đang xử lý" not in closed.output
    _failed(run_cli("requests", "list", "--status", "open,bogus"), "requests_cli_bad_option")
    _failed(run_cli("requests", "list", "--limit", "1000"), "requests_cli_bad_option")

    shown = run_cli("requests", "show", phone_code)
    assert shown.exit_code == 0, shown.output
    assert "created" in shown.output and "message_received" in shown.output and "***" in shown.output
    unmasked = run_cli("requests", "show", phone_code.lower(), "--unmask")
    assert unmasked.exit_code == 0 and re.search(r"\+84\d{9}", unmasked.output)
    with db.read() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "request.unmask"))
    _failed(run_cli("requests", "show", "YC-2000-000001"), "request_not_found")

    again = run_cli("demo", "generate", "--requests", "20", "--seed", "3")
    assert again.exit_code == 0
    with db.read() as session:
        all_codes = list(session.scalars(select(Request.code)))
    assert len(all_codes) == len(set(all_codes)) == 70
    _failed(run_cli("demo", "generate", "--requests", "0"), "generate_bad_arguments")


def test_demo_gives_a_new_installation_requests_to_work_on(run_cli, db: Database):
    from vsscare import demo

    made = run_cli("demo", "--no-serve")
    assert made.exit_code == 0, made.output
    assert "Yêu cầu mẫu: 1,000" in made.output and "admin /" in made.output
    assert "Người tham gia mẫu: 2,000; khách hàng: 2,000" in made.output  # the registry and its customers
    with db.read() as session:
        statuses = set(session.scalars(select(Request.status)))
        assert len(session.scalars(select(Request.id)).all()) == demo.DEMO_REQUESTS
    assert {"open", "closed"} <= statuses  # a queue to work on, and history
    demo._sample_requests(db)  # a second run keeps what is there
    with db.read() as session:
        assert len(session.scalars(select(Request.id)).all()) == demo.DEMO_REQUESTS
