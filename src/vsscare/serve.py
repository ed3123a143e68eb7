"""``vsscare serve``: uvicorn in front of ``create_app``, optionally with a worker thread."""

from __future__ import annotations

import signal
from contextlib import nullcontext

import typer
import uvicorn

from vsscare.core.cli import database, settings
from vsscare.core.i18n import _
from vsscare.core.logging import setup_logging


def serve(
    host: str = typer.Option("127.0.0.1", help=_("Địa chỉ lắng nghe")),
    port: int = typer.Option(8000, help=_("Cổng")),
    workers: int = typer.Option(1, min=1, help=_("Số tiến trình web")),
    with_worker: bool = typer.Option(
        False, "--with-worker", help=_("Chạy kèm bộ xử lý tác vụ nền trong tiến trình này (một máy)")
    ),
) -> None:
    cfg = settings()
    setup_logging(cfg.log_level, cfg.log_json)
    background = nullcontext()
    if with_worker:
        from vsscare.core.worker import in_background

        background = in_background(database(), cfg)
    # uvicorn re-raises the stop signal once it has shut down; a handler of ours receives it, so
    # the worker thread is stopped cleanly and the process exits 0 after a graceful stop.
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with background:
            uvicorn.run(
                "vsscare.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_config=None,
                proxy_headers=True,
                timeout_graceful_shutdown=20,
            )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
