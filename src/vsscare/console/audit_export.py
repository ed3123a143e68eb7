"""The audit log as a file an auditor keeps or opens in Excel: CSV (UTF-8 with a BOM, so Excel
reads Vietnamese) or XLSX (bold frozen header, Vietnam time)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from vsscare.core.audit import AuditEntry
from vsscare.orgunits.calendar import VN_TZ

HEADERS = ("id", "thời điểm (giờ VN)", "người thực hiện", "mã người thực hiện", "thao tác", "kết quả",
           "đối tượng", "mã đối tượng", "địa chỉ IP", "mã yêu cầu HTTP", "chi tiết")  # fmt: skip
WIDTHS = (10, 20, 24, 14, 24, 10, 14, 16, 16, 34, 60)


def _row(e: AuditEntry) -> list[object]:
    return [
        e.id, e.at.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name or "", e.actor, e.action,
        e.outcome, e.object_type or "", e.object_id or "", e.ip or "", e.correlation_id or "",
        json.dumps(e.details or {}, ensure_ascii=False),
    ]  # fmt: skip


def to_csv(entries: Iterable[AuditEntry]) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    count = 0
    for entry in entries:
        writer.writerow(_row(entry))
        count += 1
    return ("\ufeff" + out.getvalue()).encode("utf-8"), count


def to_xlsx(entries: Iterable[AuditEntry]) -> tuple[bytes, int]:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Nhat ky kiem toan"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    count = 0
    for entry in entries:
        sheet.append(_row(entry))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
