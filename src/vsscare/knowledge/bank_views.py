"""Console import of a bank file (.jsonl or .xlsx) for approvers who work in Excel.

An import writes entries in the statuses the file gives, like ``vsscare kb import``: it is a bulk
path for approvers, audited as ``kb.import``. The upload is checked whole before anything is
written; a file with errors lists every bad row (row, field, reason) and changes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.core.errors import AppError
from vsscare.core.web import render, write_session
from vsscare.knowledge import entries, errors

router = APIRouter(prefix="/console/knowledge", include_in_schema=False)
Approver = Annotated[Principal, Depends(require("knowledge.approve"))]
MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".jsonl", ".xlsx")
SHOWN = 200


def _page(request: Request, principal: Principal, status: int = 200, **context: object) -> HTMLResponse:
    context = {
        "principal": principal,
        "report": None,
        "error": None,
        "problems": [],
        "shown": SHOWN,
    } | context
    response = render(request, "knowledge/import.html", context)
    response.status_code = status
    return response


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, principal: Approver) -> HTMLResponse:
    return _page(request, principal)


@router.post("/import", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def import_upload(
    request: Request,
    principal: Approver,
    session: Annotated[Session, Depends(write_session, scope="function")],
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    name = Path(file.filename or "").name
    suffix = Path(name).suffix.lower()
    try:
        if suffix not in SUFFIXES:
            raise AppError(errors.UPLOAD_TYPE, file=name or "-")
        data = file.file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise AppError(errors.UPLOAD_TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
        with tempfile.TemporaryDirectory(prefix="vsscare-kb-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            with session.begin_nested():
                report = entries.import_bank(session, path, principal.actor)
    except AppError as exc:
        # Problems name the temporary file: show the uploaded file's name instead.
        problems = [p | {"file": name} for p in exc.details.get("errors", [])]
        return _page(request, principal, exc.status, error=exc, problems=problems, file=name)
    return _page(request, principal, report=report, file=name)
