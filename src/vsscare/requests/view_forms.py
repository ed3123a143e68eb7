"""What the agent workspace's pages receive: queue filters from the address bar, the phone intake
form, and the fields of the request page's action forms.

Filters are a search: values that make no sense are dropped, never refused. Forms are validated
by the domain's schemas; a :class:`pydantic.ValidationError` becomes one :class:`AppError` whose
details list each problem by field, worded for agents, so the page can show it next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import FormData, UploadFile

from vsscare.core.errors import VALIDATION, AppError
from vsscare.core.i18n import _
from vsscare.knowledge.content import TOPICS
from vsscare.orgunits.calendar import VN_TZ
from vsscare.requests import attachments, errors
from vsscare.requests.models import CHANNELS, PRIORITIES, SLA_STATES, STATUSES, TYPES
from vsscare.requests.queries import SORTS, Filters
from vsscare.requests.schemas import CODE_PATTERN, NewRequest

GUARD = 100_000  # abuse guard on raw form fields; the schemas give the real limits and messages
_CODE = re.compile(CODE_PATTERN)
_PROVINCE = re.compile(r"^\d{2}$")
_UNIT = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
_TAG = re.compile(r"^[0-9a-z_-]{1,40}$")
_CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


# -- queue filters ---------------------------------------------------------------------------------


def _one(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _day(value: str | None) -> date | None:
    """A day of the queue's date filters; far-off years (which overflow time zones) are ignored."""
    try:
        day = date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    return day if day is not None and 2000 <= day.year <= 2999 else None


def filters_from(params: Mapping[str, str] | Any) -> Filters:
    """Filters from query parameters (``status`` repeated or comma-separated); bad values dropped."""
    get = params.get
    raw_status = params.getlist("status") if hasattr(params, "getlist") else [get("status") or ""]
    statuses = [s for part in raw_status for s in part.split(",") if s in STATUSES]
    unit, team = (get("unit") or "").strip().upper(), (get("team") or "").strip().upper()
    assignee = (get("assignee") or "").strip().lower()
    tag = (get("tag") or "").strip().lower()
    province = (get("province") or "").strip()
    return Filters(
        q=(get("q") or "").strip()[:200],
        status=tuple(dict.fromkeys(statuses)),
        channel=_one(get("channel"), CHANNELS),
        topic=_one(get("topic"), TOPICS),
        type=_one(get("type"), TYPES),
        priority=_one(get("priority"), PRIORITIES),
        province=province if _PROVINCE.match(province) else None,
        unit=unit if _UNIT.match(unit) else None,
        team=team if _UNIT.match(team) else None,
        assignee=assignee if _USERNAME.match(assignee) else None,
        sla=_one(get("sla"), SLA_STATES),
        escalated=(get("escalated") or "") in ("1", "true", "on"),
        tag=tag if _TAG.match(tag) else None,
        created_from=_day(get("created_from")),
        created_to=_day(get("created_to")),
        sort=get("sort") if get("sort") in SORTS else "newest",
    )


def cursor_of(value: str | None) -> str | None:
    return value if value and _CURSOR.match(value) else None


def request_code(text: str) -> str | None:
    """The request code when the search box holds exactly one (``yc-2026-000123`` too)."""
    code = text.strip().upper()
    return code if _CODE.match(code) else None


# -- field problems ----------------------------------------------------------------------------------


def _reason(field: str, error: dict[str, Any]) -> str:
    kind = error["type"]
    if field == "contact_phone":
        return _("Số điện thoại không hợp lệ: cần số Việt Nam, ví dụ 0912 345 678.")
    if field == "contact_email":
        return _("Địa chỉ e-mail không hợp lệ, ví dụ ten@example.com.")
    if field == "tags":
        return _("Nhãn chỉ gồm chữ không dấu, số, dấu - và _; cách nhau bằng dấu phẩy.")
    if field in ("other", "province") or kind in ("literal_error", "string_pattern_mismatch"):
        return {
            "other": _("Mã yêu cầu có dạng YC-2026-000123."),
            "province": _("Chọn tỉnh, thành phố trong danh sách."),
        }.get(field, _("Giá trị không hợp lệ; hãy chọn trong danh sách."))
    if kind in ("missing", "string_too_short") or "blank" in str(error.get("msg", "")):
        return _("Không được để trống.")
    if kind == "string_too_long":
        return _("Dài quá %(n)s ký tự.") % {"n": error["ctx"]["max_length"]}
    if kind.startswith(("datetime", "date")):
        return _("Ngày không hợp lệ.")
    return str(error.get("msg", "")).removeprefix("Value error, ")


def invalid(exc: ValidationError) -> AppError:
    """One error for the form, its details listing ``{field, reason}`` for each problem."""
    found: list[dict[str, str]] = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "-"
        found.append({"field": field, "reason": _reason(field, dict(error))})
    return AppError(VALIDATION, details={"errors": found})


def problems(error: AppError | None) -> dict[str, list[str]]:
    """Field → reasons, from an error made by :func:`invalid` (empty for other errors)."""
    out: dict[str, list[str]] = {}
    if error is not None:
        for item in error.details.get("errors", []):
            if isinstance(item, dict) and "field" in item:
                out.setdefault(str(item["field"]), []).append(str(item.get("reason", "")))
    return out


# -- the phone intake form ---------------------------------------------------------------------------


class IntakeForm(BaseModel):
    """What the new-request form posts; strings as typed, so they come back on an error."""

    channel: str = Field("phone", max_length=40)
    type: str = Field("question", max_length=40)
    topic: str = Field("other", max_length=40)
    priority: str = Field("normal", max_length=40)
    subject: str = Field("", max_length=GUARD)
    body: str = Field("", max_length=GUARD)
    contact_name: str = Field("", max_length=GUARD)
    contact_phone: str = Field("", max_length=GUARD)
    contact_email: str = Field("", max_length=GUARD)
    province: str = Field("", max_length=40)
    assign_to_me: bool = False

    def validated(self, username: str) -> NewRequest:
        data = {
            "channel": self.channel,
            "type": self.type,
            "topic": self.topic,
            "priority": self.priority,
            "subject": self.subject,
            "body": self.body,
            "contact_name": self.contact_name.strip() or None,
            "contact_phone": self.contact_phone.strip() or None,
            "contact_email": self.contact_email.strip() or None,
            "province": self.province.strip() or None,
            "assignee": username if self.assign_to_me else None,
        }
        try:
            return NewRequest.model_validate(data)
        except ValidationError as exc:
            raise invalid(exc) from exc


# -- action forms --------------------------------------------------------------------------------------


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:GUARD] if isinstance(value, str) else ""


def version(form: FormData) -> int | None:
    value = text(form, "version").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 10 else None


def checked(form: FormData, name: str) -> bool:
    return text(form, name) in ("1", "on", "true")


def typed(form: FormData) -> dict[str, str]:
    """The text fields as posted, to put back into the form when the action is refused."""
    return {k: v[:GUARD] for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}


def uploads(form: FormData) -> list[attachments.Upload]:
    """Files of a multipart form (an empty file input sends a part without a name: skipped)."""
    found = []
    for value in form.getlist("files"):
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        name = attachments.clean_name(value.filename)
        if value.size is not None and value.size > attachments.MAX_FILE:
            raise AppError(
                errors.ATTACHMENT_TOO_LARGE,
                name=name,
                size=attachments.human_size(value.size),
                limit=attachments.human_size(attachments.MAX_FILE),
            )
        value.file.seek(0)
        found.append(attachments.Upload(name, value.file.read(attachments.MAX_FILE + 1)))
    return found


def deadline(value: str) -> datetime | None:
    """A unit's deadline typed as a day: the end of that day in Việt Nam; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        reason = _("Ngày không hợp lệ.")
        raise AppError(VALIDATION, details={"errors": [{"field": "due_at", "reason": reason}]}) from exc
    return datetime.combine(day, time(23, 59), VN_TZ)


def tag_list(value: str) -> list[str]:
    return [t.strip() for t in value.replace(";", ",").split(",") if t.strip()]


def validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from exc
