"""``vsscare serve``: uvicorn in front of ``create_app``."""

from __future__ import annotations

import typer
import uvicorn

from vsscare.core.cli import settings
from vsscare.core.i18n import _
from vsscare.core.logging import setup_logging


def serve(
    host: str = typer.Option("127.0.0.1", help=_("Địa chỉ lắng nghe")),
    port: int = typer.Option(8000, help=_("Cổng")),
    workers: int = typer.Option(1, min=1, help=_("Số tiến trình web")),
) -> None:
    cfg = settings()
    setup_logging(cfg.log_level, cfg.log_json)
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
