"""The Q&A bank as an Excel workbook, for editors: one row per entry, the bank file's columns.

Every text cell is stored as a string, never a formula (a text starting with "=" stays text);
list fields hold one item per line and dates ISO text. :func:`read_xlsx` gives rows back in the
bank file's shape, so :mod:`vsscare.knowledge.entry_file` validates them like JSONL lines.
Known limit of the format: a carriage return in a text comes back as a plain line break.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from vsscare.core.errors import AppError
from vsscare.knowledge import errors
from vsscare.knowledge.content import AUDIENCES, STATUSES, TOPICS
from vsscare.knowledge.entry_file import FIELDS

__all__ = ["GUIDE", "SHEET", "SheetRow", "read_xlsx", "write_xlsx"]

SHEET = "Hỏi đáp"
GUIDE = "Hướng dẫn"
LISTS = ("audiences", "phrasings", "legal_bases")
DATES = ("effective_from", "effective_to", "next_review_at")
CODES = ("id", "status", "topic")  # spaces around a code are never meant: trimmed on reading
WIDTHS = {"id": 16, "status": 12, "topic": 18, "audiences": 20, "legal_bases": 20, "version": 9}
WIDTHS |= dict.fromkeys(DATES, 14) | {"question": 50, "short_answer": 50, "full_answer": 80}
LAST_ROW = 1_048_576  # Excel's last row: drop-down lists also cover rows editors add

# column → (Vietnamese, English) description for the guide sheet
GUIDE_TEXT = {
    "id": ("Mã hỏi đáp, duy nhất: chữ thường, số, - _ .", "Entry code, unique: lower case, digits, - _ ."),
    "status": ("Trạng thái", "Status"),
    "topic": ("Chủ đề", "Topic"),
    "audiences": ("Đối tượng, mỗi dòng một mục (Alt+Enter)", "Audiences, one per line (Alt+Enter)"),
    "question": ("Câu hỏi chuẩn", "The question, in Vietnamese"),
    "phrasings": ("Các cách hỏi khác, mỗi dòng một cách", "Other phrasings, one per line"),
    "short_answer": ("Trả lời ngắn, tối đa 300 ký tự", "Short answer, at most 300 characters"),
    "full_answer": ("Trả lời đầy đủ (Markdown)", "Full answer (Markdown)"),
    "question_en": ("Câu hỏi tiếng Anh; ba cột _en điền đủ cả ba hoặc để trống",
                    "English question; the three _en columns go together or stay empty"),
    "short_answer_en": ("Trả lời ngắn tiếng Anh", "English short answer"),
    "full_answer_en": ("Trả lời đầy đủ tiếng Anh", "English full answer"),
    "legal_bases": ("Căn cứ pháp lý, mỗi dòng một điều, ví dụ 41/2024/QH15#70",
                    "Legal bases, one article per line, e.g. 41/2024/QH15#70"),
    "effective_from": ("Áp dụng từ ngày (YYYY-MM-DD)", "In effect from (YYYY-MM-DD)"),
    "effective_to": ("Áp dụng đến ngày (YYYY-MM-DD)", "In effect until (YYYY-MM-DD)"),
    "next_review_at": ("Ngày rà soát tiếp theo (YYYY-MM-DD)", "Next review date (YYYY-MM-DD)"),
    "version": ("Phiên bản; hệ thống tự tăng khi nội dung đổi", "Version; the system counts changes"),
}  # fmt: skip
ALLOWED = {"status": STATUSES, "topic": TOPICS, "audiences": AUDIENCES}


def _text(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # never a formula, whatever the text starts with


def _cell_value(name: str, value: Any) -> Any:
    if name in LISTS:
        return "\n".join(value or [])
    if name == "version":
        return value
    return "" if value is None else str(value)


def _header(ws: Any, names: list[str]) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(names, 1):
        cell = ws.cell(1, column)
        _text(cell, name)
        cell.font, cell.fill = bold, fill
    ws.freeze_panes = "A2"


def _dropdown(ws: Any, name: str) -> None:
    letter = get_column_letter(FIELDS.index(name) + 1)
    check = DataValidation(
        type="list",
        formula1='"' + ",".join(ALLOWED[name]) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=name,
        error="Chọn một giá trị trong danh sách / choose a value from the list",
    )
    check.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.add_data_validation(check)


def _guide(wb: Workbook) -> None:
    ws = wb.create_sheet(GUIDE)
    _header(ws, ["Cột / Column", "Mô tả", "Description", "Giá trị cho phép / Allowed values"])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, name in enumerate(FIELDS, 2):
        values = (name, *GUIDE_TEXT[name], "\n".join(ALLOWED.get(name, ())))
        for column, value in enumerate(values, 1):
            cell = ws.cell(row, column)
            _text(cell, value)
            cell.alignment = wrap
    for column, width in enumerate((18, 50, 50, 28), 1):
        ws.column_dimensions[get_column_letter(column)].width = width


def write_xlsx(rows: list[dict[str, Any]], target: str | Path | IO[bytes]) -> None:
    """Write bank rows (the file shape, as :func:`entries.export_bank` gives) to a workbook."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _header(ws, list(FIELDS))
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, data in enumerate(rows, 2):
        for column, name in enumerate(FIELDS, 1):
            cell = ws.cell(number, column)
            value = _cell_value(name, data[name])
            try:
                if isinstance(value, str):
                    _text(cell, value)
                    cell.number_format = "@"  # Excel keeps what an editor types as text
                else:
                    cell.value = value
            except IllegalCharacterError as exc:
                raise AppError(errors.XLSX_CHARACTER, id=data["id"], field=name) from exc
            cell.alignment = wrap
        ws.row_dimensions[number].height = 60  # a few lines; the whole text is in the cell
    for column, name in enumerate(FIELDS, 1):
        ws.column_dimensions[get_column_letter(column)].width = WIDTHS.get(name, 40)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FIELDS))}{len(rows) + 1}"
    _dropdown(ws, "status")
    _dropdown(ws, "topic")
    _guide(wb)
    wb.save(target)


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    row: int  # the spreadsheet's row number
    data: dict[str, Any]  # the bank file's shape, still to be validated


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float
    return str(value)


def _field(name: str, value: Any) -> Any:
    if name in LISTS:
        items = _plain(value).split("\n")
        if name != "phrasings":
            items = [item.strip() for item in items]
        return [item for item in items if item.strip()]
    if name == "version":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return (value.strip() or None) if isinstance(value, str) else value
    text = _plain(value)
    if name in DATES:
        return text.strip() or None
    return text.strip() if name in CODES else text


def _columns(header: tuple[Any, ...]) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Column index → field, and the header's problems (field, reason)."""
    names = [_plain(value).strip() for value in header]
    if not set(names) & set(FIELDS):
        wanted = ", ".join(FIELDS[:3])
        return {}, [("-", f"dòng 1 phải là tên các cột ({wanted}, …) / row 1 must name the columns")]
    problems = [(n, "thiếu cột / missing column") for n in FIELDS if n not in names]
    columns: dict[int, str] = {}
    for index, name in enumerate(names):
        if not name:
            continue  # an unnamed column (an editor's notes) is not part of the bank
        if name not in FIELDS:
            problems.append((name, "cột không có trong định dạng / unknown column"))
        elif name in columns.values():
            problems.append((name, "cột trùng / duplicate column"))
        else:
            columns[index] = name
    return columns, problems


def _sheet_cells(path: Path) -> list[tuple[Any, ...]]:
    """Every row of the bank's sheet as cells; raises ValueError if this is not a workbook."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise ValueError(str(exc)) from exc
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # other tools write wrong or no sizes; read every cell there is
        return [tuple(row) for row in ws.iter_rows()]
    except (KeyError, IndexError, SyntaxError, zipfile.BadZipFile) as exc:  # SyntaxError: bad XML
        raise ValueError(str(exc)) from exc
    finally:
        wb.close()


def read_xlsx(path: Path) -> tuple[list[SheetRow], list[tuple[int, str, str]]]:
    """The non-empty data rows of the bank's sheet (named ``Hỏi đáp``, else the first), and the
    problems found before validation as (row, field, reason): a file that is not a workbook, the
    header's, and cells holding formulas."""
    try:
        cells = _sheet_cells(path)
    except ValueError:
        return [], [(1, "-", "không phải tệp Excel .xlsx hợp lệ / not a valid Excel .xlsx file")]
    if not cells:
        return [], [(1, "-", "thiếu dòng tiêu đề / no header row")]
    columns, header_problems = _columns(tuple(cell.value for cell in cells[0]))
    if header_problems:
        return [], [(1, field, reason) for field, reason in header_problems]
    rows: list[SheetRow] = []
    problems: list[tuple[int, str, str]] = []
    for number, row in enumerate(cells[1:], 2):
        found = {name: row[i] for i, name in columns.items() if i < len(row)}
        if all(_plain(cell.value).strip() == "" for cell in found.values()):
            continue
        for name, cell in found.items():
            if cell.data_type == "f":
                problems.append((number, name, "ô chứa công thức; hãy nhập chữ / the cell holds a formula"))
        data = {name: _field(name, found[name].value if name in found else None) for name in FIELDS}
        rows.append(SheetRow(number, data))
    return rows, problems
