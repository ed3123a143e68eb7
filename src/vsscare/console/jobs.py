"""Staff page for the job queue: what waits, what failed, and retrying the dead letter."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from vsscare.accounts import auth
from vsscare.accounts.principal import Principal
from vsscare.core import jobs
from vsscare.core.db import utcnow
from vsscare.core.web import read_session, render, write_session

router = APIRouter(prefix="/console/jobs", include_in_schema=False)
PAGE_SIZE = 100


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    status: str | None = Query(None, max_length=12),
    kind: str | None = Query(None, max_length=80),
    principal: Principal = Depends(auth.require("jobs.manage")),
    session: Session = Depends(read_session),
) -> HTMLResponse:
    status = status if status in jobs.STATUSES else None
    kind = (kind or "").strip() or None
    stats = jobs.stats(session)
    by_status = {s: 0 for s in jobs.STATUSES}
    for (_kind, job_status), count in stats.counts.items():
        by_status[job_status] = by_status.get(job_status, 0) + count
    return render(
        request,
        "console/jobs.html",
        {
            "principal": principal,
            "jobs": jobs.list_jobs(session, status=status, kind=kind, limit=PAGE_SIZE),
            "by_status": by_status,
            "stats": stats,
            "lag_seconds": int((utcnow() - stats.oldest_due).total_seconds()) if stats.oldest_due else 0,
            "filters": {"status": status or "", "kind": kind or ""},
            "kinds": sorted({k for k, _s in stats.counts} | set(jobs.registered_kinds())),
            "retried": request.query_params.get("retried"),
            "limit": PAGE_SIZE,
        },
    )


@router.post("/retry")
def retry(
    request: Request,
    _csrf: None = Depends(auth.csrf_protect),
    principal: Principal = Depends(auth.require("jobs.manage")),
    job_id: int | None = Form(None),
    all_dead: bool = Form(False),
    session: Session = Depends(write_session, scope="function"),
) -> RedirectResponse:
    """Dead jobs back to the queue: one (``job_id``) or all (``all_dead``)."""
    ids = jobs.retry(session, [job_id] if job_id else [], all_dead=all_dead, actor=principal.actor)
    return RedirectResponse(f"/console/jobs?status=queued&retried={len(ids)}", status_code=303)
