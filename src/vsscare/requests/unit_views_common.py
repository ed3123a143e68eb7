"""What the unit, leadership and supervisor pages share: dependencies, rendering, the names of
codes and personal data masked the way the agent workspace masks it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts import queries as accounts
from vsscare.accounts.auth import csrf_protect, current_principal, deny
from vsscare.accounts.principal import Principal
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.i18n import _
from vsscare.core.web import read_session, render, write_session
from vsscare.knowledge.content import explain
from vsscare.orgunits.calendar import DAYS, VN_TZ
from vsscare.requests.masking import mask_email, mask_name, mask_text
from vsscare.requests.view_labels import Labels

Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
TEXT_LIMIT = 10_000  # what a question, a reason, a result or a decision may hold

TRANSFER_BADGE = {
    "pending": "info",
    "accepted": "neutral",
    "info_requested": "warning",
    "returned": "neutral",
    "settled": "success",
    "cancelled": "neutral",
}
DEADLINE_BADGE = {"overdue": "danger", "soon": "warning", "ok": "neutral"}
PRESENCE_BADGE = {"online": "success", "away": "warning", "offline": "neutral"}

FORM_INVALID = ErrorCode(
    "form_invalid",
    "Thông tin nhập chưa hợp lệ ({count} lỗi), ví dụ {first}",
    "The form is not valid ({count} problems), e.g. {first}",
    422,
)


class UnitLabels(Labels):
    """The workspace's names plus those of these pages, handed to templates as ``rq``."""

    transfer_badge = TRANSFER_BADGE
    deadline_badge = DEADLINE_BADGE
    presence_badge = PRESENCE_BADGE

    @staticmethod
    def deadline(state: str) -> str:
        return {"overdue": _("Quá hạn"), "soon": _("Sắp đến hạn"), "ok": _("Trong hạn")}.get(state, state)

    @staticmethod
    def presence(state: str) -> str:
        return {"online": _("Trực tuyến"), "away": _("Vắng mặt"), "offline": _("Ngoại tuyến")}.get(
            state, state
        )

    @staticmethod
    def weekday(day: date | str) -> str:
        """The day of the week of a date or moment (in Việt Nam), or of a code such as ``mon``."""
        if isinstance(day, datetime):
            day = day.astimezone(VN_TZ).date()
        index = DAYS.index(day) if isinstance(day, str) else day.weekday()
        names = (
            _("Thứ Hai"),
            _("Thứ Ba"),
            _("Thứ Tư"),
            _("Thứ Năm"),
            _("Thứ Sáu"),
            _("Thứ Bảy"),
            _("Chủ nhật"),
        )
        return names[index]

    @staticmethod
    def tab(code: str) -> str:
        return {
            "waiting": _("Chờ xử lý"),
            "info": _("Chờ bổ sung thông tin"),
            "settled": _("Đã giải quyết (30 ngày)"),
            "returned": _("Đã trả lại (30 ngày)"),
        }.get(code, code)


def require_any(*permissions: str) -> Callable[[Request], Principal]:
    """Dependency: the signed-in principal, holding at least one of ``permissions``."""

    def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if not any(principal.has(p) for p in permissions):
            raise deny(request, principal, " | ".join(permissions))
        return principal

    dependency.__name__ = "require_any_" + "_".join(p.replace(".", "_") for p in permissions)
    return dependency


def refuse_unless(request: Request, principal: Principal, permission: str) -> None:
    if not principal.has(permission):
        raise deny(request, principal, permission)


def page(
    request: Request, name: str, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    context = {"principal": principal, "rq": UnitLabels, **context}
    return render(request, name, context, status_code=status, headers={"cache-control": "no-store"})


def form_error(exc: Any, reasons: dict[str, str] | None = None) -> AppError:
    """A pydantic ValidationError of a form, as one error listing every field's problem;
    ``reasons`` words a field's problem for people where pydantic's wording is too technical."""
    reasons = reasons or {}
    problems = [{"field": f, "reason": reasons.get(f, r)} for f, r in explain(exc)]
    first = f"{problems[0]['field']}: {problems[0]['reason']}"
    return AppError(FORM_INVALID, details={"errors": problems}, count=len(problems), first=first)


def field_problems(error: AppError | None) -> dict[str, list[str]]:
    """Reasons per form field, for ``aria-invalid`` and the messages under each field."""
    found: dict[str, list[str]] = {}
    for problem in error.details.get("errors", []) if error else []:
        found.setdefault(str(problem.get("field") or "-"), []).append(str(problem.get("reason", "")))
    return found


def staff_names(session: Session, *groups: Iterable[str | None]) -> dict[str, str]:
    """Actor refs (``user:12``) → full names."""
    return accounts.names(session, [ref for group in groups for ref in group])


def local_input(moment: datetime) -> str:
    """The value of a ``datetime-local`` input in Việt Nam time."""
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


# -- personal data ------------------------------------------------------------------------------------


class Contact:
    """The customer's name, phone and e-mail masked as the workspace masks them by default.

    Units see no more than that here; staff allowed to see personal data unmask it, audited, on
    the request's own page."""

    def __init__(self, name: str | None, phone_masked: str | None, email: str | None) -> None:
        self.name = mask_name(name)
        self.phone = phone_masked or ""
        self.email = mask_email(email)

    @staticmethod
    def text(body: str) -> str:
        return mask_text(body)
