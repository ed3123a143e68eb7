"""``vsscare worker`` and ``vsscare jobs list|retry|purge|stats|ping``.

On SQLite a second ``vsscare worker`` is refused (see :func:`~vsscare.core.worker.sqlite_single_worker`):
SQLite has one writer, so a second worker would only queue for the same lock. On PostgreSQL run as
many as you like, on as many machines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum

import typer
from rich.table import Table
from sqlalchemy import select

from vsscare.core import jobs as jobs_
from vsscare.core import migrate
from vsscare.core.cli import console, database, fail, settings
from vsscare.core.db import Checkpointer, utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor, EventRecord
from vsscare.core.i18n import _
from vsscare.core.logging import setup_logging
from vsscare.core.system_jobs import PING, enqueue_ping
from vsscare.core.worker import DEFAULT_BATCH, Worker, graceful_signals, sqlite_single_worker

jobs_app = typer.Typer(help=_("Hàng đợi tác vụ nền."), no_args_is_help=True)
CLI_ACTOR = Actor("system", None, "cli")

SCHEMA_NOT_CURRENT = ErrorCode(
    "schema_not_current",
    "Lược đồ cơ sở dữ liệu chưa ở phiên bản mới nhất; chạy `vsscare db upgrade` trước.",
    "The database schema is not current; run `vsscare db upgrade` first.",
    409,
)
WORKER_NOT_RESPONDING = ErrorCode(
    "worker_not_responding",
    "Không có tiến trình xử lý nào chạy tác vụ ping #{id} trong {seconds} giây. "
    "Hãy kiểm tra `vsscare worker` có đang chạy không.",
    "No worker ran ping job #{id} within {seconds} seconds. Check that `vsscare worker` is running.",
    503,
)


class Status(StrEnum):
    queued = jobs_.QUEUED
    running = jobs_.RUNNING
    done = jobs_.DONE
    dead = jobs_.DEAD


class Finished(StrEnum):
    done = jobs_.DONE
    dead = jobs_.DEAD


@contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except AppError as exc:
        raise fail(exc) from exc


def worker(
    burst: bool = typer.Option(False, "--burst", help=_("Chạy hết các tác vụ đến hạn rồi thoát")),
    worker_id: str | None = typer.Option(None, "--id", help=_("Tên tiến trình xử lý (mặc định: máy:pid)")),
    batch: int = typer.Option(DEFAULT_BATCH, "--batch", min=1, max=5000, help=_("Số tác vụ nhận mỗi lượt")),
    poll: float = typer.Option(
        1.0, "--poll", min=0.05, help=_("Số giây chờ trước khi hỏi lại khi hàng đợi trống")
    ),
) -> None:
    cfg = settings()
    setup_logging(cfg.log_level, cfg.log_json)
    db = database()
    stop = threading.Event()
    with _reported():
        if not migrate.is_current(db):
            raise AppError(SCHEMA_NOT_CURRENT)
        runner = Worker(db, cfg, worker_id, batch_size=batch, poll_interval=poll)
        with sqlite_single_worker(db), Checkpointer(db), graceful_signals(stop):
            mode = _("chạy hết hàng đợi rồi thoát") if burst else _("dừng bằng Ctrl+C hoặc SIGTERM")
            console.print(
                _(
                    "Tiến trình xử lý {id} bắt đầu: {backend}, lô {batch}, {kinds} loại tác vụ ({mode})."
                ).format(
                    id=runner.id,
                    backend=db.engine.dialect.name,
                    batch=batch,
                    kinds=len(jobs_.registered_kinds()),
                    mode=mode,
                ),
                highlight=False,
                soft_wrap=True,
            )
            runner.run(stop, burst=burst)


@jobs_app.command("list", help=_("Liệt kê tác vụ, mới nhất trước."))
def list_(
    status: Status | None = typer.Option(None, "--status", help=_("Chỉ tác vụ ở trạng thái này")),
    kind: str | None = typer.Option(None, "--kind", help=_("Chỉ tác vụ loại này, ví dụ system.ping")),
    limit: int = typer.Option(50, "--limit", min=1, help=_("Số dòng tối đa")),
) -> None:
    tz = settings().tz
    with database().read() as session:
        rows = jobs_.list_jobs(session, status=status.value if status else None, kind=kind, limit=limit)
    table = Table(_("Số"), _("Loại"), _("Trạng thái"), _("Lần thử"), _("Chạy lúc"), _("Lỗi gần nhất"))
    for job in rows:
        limit_ = job.max_attempts or settings().job_max_attempts
        error = (job.last_error or "").splitlines()[0][:100] if job.last_error else ""
        table.add_row(
            str(job.id),
            job.kind,
            job.status,
            f"{job.attempts}/{limit_}",
            job.run_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            error,
        )
    console.print(table)


@jobs_app.command(
    "retry", help=_("Đưa tác vụ hỏng hoặc đang chờ thử lại về hàng đợi, chạy ngay, đếm lại lần thử.")
)
def retry(
    ids: list[int] = typer.Argument(None, help=_("Số của các tác vụ")),
    dead: bool = typer.Option(False, "--dead", help=_("Mọi tác vụ hỏng (dead)")),
    kind: str | None = typer.Option(None, "--kind", help=_("Cùng --dead: chỉ tác vụ loại này")),
) -> None:
    if not ids and not dead:
        raise typer.BadParameter(_("Cho số tác vụ hoặc --dead."))
    with _reported(), database().session() as session:
        chosen = jobs_.retry(session, ids or (), all_dead=dead, kind=kind, actor=CLI_ACTOR)
    console.print(_("Đã đưa {count} tác vụ về hàng đợi.").format(count=len(chosen)), highlight=False)


@jobs_app.command("purge", help=_("Xoá tác vụ đã xong (hoặc hỏng) cũ."))
def purge(
    older_than: int = typer.Option(30, "--older-than", min=0, help=_("Chỉ tác vụ kết thúc quá số ngày này")),
    status: Finished = typer.Option(Finished.done, "--status", help=_("done hoặc dead")),
) -> None:
    with database().session() as session:
        count = jobs_.purge(
            session, status=status.value, older_than=timedelta(days=older_than), actor=CLI_ACTOR
        )
    console.print(
        _("Đã xoá {count} tác vụ {status} kết thúc quá {days} ngày.").format(
            count=count, status=status.value, days=older_than
        ),
        highlight=False,
    )


@jobs_app.command("stats", help=_("Số tác vụ theo loại và trạng thái, độ trễ của hàng đợi."))
def stats() -> None:
    with database().read() as session:
        result = jobs_.stats(session)
    table = Table(_("Loại"), *jobs_.STATUSES, _("Tổng"))
    kinds = sorted({kind for kind, _status in result.counts})
    totals = dict.fromkeys(jobs_.STATUSES, 0)
    for kind in kinds:
        row = [result.counts.get((kind, s), 0) for s in jobs_.STATUSES]
        for s, n in zip(jobs_.STATUSES, row, strict=True):
            totals[s] += n
        table.add_row(kind, *map(str, row), str(sum(row)))
    table.add_row(
        _("Tổng"), *(str(totals[s]) for s in jobs_.STATUSES), str(sum(totals.values())), style="bold"
    )
    console.print(table)
    lag = (utcnow() - result.oldest_due).total_seconds() if result.oldest_due else 0.0
    console.print(_("Tác vụ đến hạn chờ lâu nhất: {seconds:.1f} giây.").format(seconds=lag), highlight=False)
    if result.expired_leases:
        console.print(
            _("{count} tác vụ có tiến trình xử lý đã dừng; sẽ được chạy lại.").format(
                count=result.expired_leases
            ),
            highlight=False,
        )


@jobs_app.command("ping", help=_("Gửi một tác vụ ping và chờ tiến trình xử lý chạy nó."))
def ping(
    timeout: float = typer.Option(10.0, "--timeout", min=0, help=_("Số giây chờ; 0 để chỉ xếp hàng")),
) -> None:
    db = database()
    with db.session() as session:
        job = enqueue_ping(session)
    if timeout == 0:
        console.print(_("Đã xếp tác vụ ping #{id}.").format(id=job.id), highlight=False)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as session:
            status = session.get(jobs_.Job, job.id).status
            if status == jobs_.DONE:
                event = session.scalar(
                    select(EventRecord).where(EventRecord.type == PING, EventRecord.subject_id == str(job.id))
                )
                data = event.data if event else {}
                console.print(
                    _("Tiến trình {worker} đã chạy ping #{id} sau {ms} ms.").format(
                        worker=data.get("worker", "?"), id=job.id, ms=data.get("latency_ms", "?")
                    ),
                    highlight=False,
                )
                return
        time.sleep(0.1)
    raise fail(AppError(WORKER_NOT_RESPONDING, id=job.id, seconds=f"{timeout:g}"))
