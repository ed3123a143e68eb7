"""Job handlers of the Q&A bank: scheduled publication."""

from __future__ import annotations

from datetime import date
from typing import Any

from vsscare.core.events import Actor
from vsscare.core.jobs import JobContext, handler
from vsscare.knowledge import actions

SCHEDULER = Actor.system("scheduler")


@handler(actions.PUBLISH_JOB)
def publish(ctx: JobContext, payload: dict[str, Any]) -> None:
    actions.publish_scheduled(
        ctx.session, payload["code"], int(payload["version"]), date.fromisoformat(payload["on"]), SCHEDULER
    )
