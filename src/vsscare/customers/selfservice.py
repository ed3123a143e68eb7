"""Self-service lookups for a verified person: "quá trình đóng BHXH của tôi", "thẻ BHYT của tôi còn
hạn không", "hồ sơ của tôi đến đâu rồi", "chế độ của tôi đã được giải quyết chưa".

The answering engine tells which lookup a question asks for (:func:`detect`); a channel or the IVR
then proves who is on the conversation (``verification``) and calls :func:`lookup`, which answers
only for the person proven on that conversation. Every disclosure and every refusal is audited
(the kind of lookup, never an identifier); a refusal commits its audit row before it
is raised, as verification's refusals do.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal, NoReturn

import yaml
from sqlalchemy.orm import Session

from vsscare.core import audit
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.text import fold
from vsscare.customers.registry import BenefitClaim, ContributionMonth, Dossier, HealthCard, Registry, SiBook
from vsscare.customers.verification import verified_subject
from vsscare.orgunits.calendar import VN_TZ

Kind = Literal["contributions", "health_card", "dossier", "claims"]
KINDS: tuple[Kind, ...] = ("contributions", "health_card", "dossier", "claims")
EXPIRING_WITHIN = timedelta(days=30)
RECENT_CLAIMS = 3

UNVERIFIED = ErrorCode(
    "selfservice_unverified",
    "Để xem thông tin cá nhân, anh/chị cần xác thực danh tính trong cuộc hội thoại này trước "
    "(mã gửi qua tin nhắn, hoặc ngày sinh và 4 số cuối CCCD khi gọi điện).",
    "To see personal information, please verify your identity in this conversation first (a code by "
    "text message, or your date of birth and the last 4 CCCD digits on the phone).",
    403,
)
NO_RECORD = ErrorCode(
    "selfservice_no_record",
    "Không tìm thấy {what} của anh/chị trong cơ sở dữ liệu ngành.",
    "No {what_en} of yours was found in the social insurance database.",
    404,
)
RECEIPT_REQUIRED = ErrorCode(
    "selfservice_receipt_required",
    "Vui lòng cho biết mã hồ sơ (mã biên nhận trên giấy hẹn trả kết quả).",
    "Please give the dossier code (the receipt code on your appointment slip).",
    422,
)
_RECEIPT = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{5,39}$")
_WHAT = {
    "contributions": ("quá trình đóng BHXH", "contribution history"),
    "health_card": ("thẻ BHYT", "health insurance card"),
    "dossier": ("hồ sơ có mã này", "dossier with this code"),
    "claims": ("hồ sơ hưởng chế độ", "benefit claim"),
}
_SCHEME = {"compulsory": ("bắt buộc", "compulsory"), "voluntary": ("tự nguyện", "voluntary")}
_DOSSIER_STATUS = {
    "received": ("đã tiếp nhận", "received"),
    "processing": ("đang giải quyết", "being processed"),
    "additional_info": ("cần bổ sung giấy tờ", "waiting for more documents"),
    "done": ("đã có kết quả", "done, the result is ready"),
    "returned": ("đã trả lại", "returned"),
}
CLAIM_KINDS = {
    "sickness": ("ốm đau", "sickness"), "maternity": ("thai sản", "maternity"),
    "unemployment": ("trợ cấp thất nghiệp", "unemployment benefit"), "pension": ("lương hưu", "pension"),
    "lump_sum": ("BHXH một lần", "lump-sum payment"), "survivor": ("tử tuất", "survivor benefit"),
    "accident": ("tai nạn lao động, bệnh nghề nghiệp", "work accident or occupational disease"),
}  # fmt: skip
CLAIM_STATUSES = {
    "received": ("đã tiếp nhận", "received"), "processing": ("đang giải quyết", "being processed"),
    "approved": ("đã duyệt, chờ chi trả", "approved, awaiting payment"), "paid": ("đã chi trả", "paid"),
    "rejected": ("không được giải quyết", "not granted"),
}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """What to tell the person: ``text`` for a chat bubble or a voice prompt, ``data`` for a card."""

    kind: Kind
    lang: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


# -- which lookup a question asks for --------------------------------------------------------------


@cache
def _phrases() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(resources.files("vsscare.customers").joinpath("selfservice.yaml").read_text("utf-8"))
    return {kind: tuple(f" {fold(p).strip()} " for p in raw.get(kind, [])) for kind in KINDS}


def detect(question: str) -> Kind | None:
    """The lookup a question about the person's own records asks for, or None."""
    padded = f" {' '.join(re.findall(r'[0-9a-z]+', fold(question)))} "
    scores = {kind: sum(p in padded for p in phrases) for kind, phrases in _phrases().items()}
    best = max(KINDS, key=lambda kind: (scores[kind], -KINDS.index(kind)))
    return best if scores[best] else None


# -- the lookup --------------------------------------------------------------------------------------


def lookup(
    session: Session,
    ring: Keyring,
    registry: Registry,
    *,
    conversation: str,
    kind: Kind,
    receipt_code: str | None = None,
    lang: str = "vi",
    now: datetime | None = None,
    actor: Actor = SYSTEM,
) -> Answer:
    """The answer for the person proven on ``conversation``; refused before verification. A registry
    that does not answer raises its own error (``registry_unavailable``), audited, nothing shown."""
    now = now or utcnow()
    lang = "en" if lang == "en" else "vi"
    where = {"kind": kind}  # conversation ids may hold a caller's number: not in the log
    si_code = verified_subject(session, ring, conversation, now=now)
    if si_code is None:
        _refuse(session, actor, where, "unverified", AppError(UNVERIFIED))
    receipt = None
    if kind == "dossier":
        receipt = (receipt_code or "").strip().upper()
        if not _RECEIPT.match(receipt):
            _refuse(session, actor, where, "no_receipt", AppError(RECEIPT_REQUIRED))
    try:
        answer = _answer(registry, si_code, kind, receipt, lang, now.astimezone(VN_TZ).date())
    except AppError as exc:
        _refuse(session, actor, where, exc.code, exc)
    audit.record(session, "registry.lookup", actor, object_type="self_service", details=where)
    return answer


def _refuse(session: Session, actor: Actor, where: dict[str, str], reason: str, error: AppError) -> NoReturn:
    audit.record(
        session, "registry.lookup", actor, outcome="denied", object_type="self_service",
        details=where | {"reason": reason},
    )  # fmt: skip
    session.commit()
    raise error


def _none(kind: str) -> AppError:
    what, what_en = _WHAT[kind]
    return AppError(NO_RECORD, what=what, what_en=what_en)


def _answer(registry: Registry, si: str, kind: Kind, receipt: str | None, lang: str, today: date) -> Answer:
    if kind == "contributions":
        book = registry.si_book(si)
        if book is None:
            raise _none(kind)
        return contributions_answer(book, registry.contributions(si), lang, today)
    if kind == "health_card":
        card = registry.health_card(si)
        if card is None:
            raise _none(kind)
        return health_card_answer(card, lang, today)
    if kind == "dossier":
        dossier = registry.dossier(receipt or "")
        if dossier is None or dossier.si_code != si:  # another person's dossier is not shown
            raise _none(kind)
        return dossier_answer(dossier, lang)
    claims = registry.claims(si)
    if not claims:
        raise _none(kind)
    return claims_answer(claims, lang)


# -- the words ---------------------------------------------------------------------------------------


def _day(value: date | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.strftime("%d %b %Y")


def _month(value: date | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%m/%Y") if lang == "vi" else value.strftime("%b %Y")


def money(amount: int, lang: str) -> str:
    """1234000 → "1.234.000 đồng" (Vietnamese thousands separator) or "VND 1,234,000"."""
    return f"{amount:,}".replace(",", ".") + " đồng" if lang == "vi" else f"VND {amount:,}"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _months_back(today: date, count: int) -> list[date]:
    """The first days of the ``count`` whole months before this one, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(date(year, month, 1))
    return out[::-1]


def contributions_answer(book: SiBook, months: list[ContributionMonth], lang: str, today: date) -> Answer:
    last = months[-1] if months else None
    paid = {m.month for m in months}
    missing = [m for m in _months_back(today, 12) if m not in paid]
    unemployment = sum(m.unemployment for m in months)
    current = last if last is not None and last.month in _months_back(today, 3) else None
    data = {
        "book_status": book.status, "paid_months": book.paid_months,
        "first_month": book.first_month.isoformat() if book.first_month else None,
        "last_month": book.last_month.isoformat() if book.last_month else None,
        "scheme": last.kind if last else None, "employer": current.employer_name if current else None,
        "salary_base": current.salary_base if current else None, "unemployment_months": unemployment,
        "missing_last_12": [m.isoformat() for m in missing],
        "recent": [asdict(m) | {"month": m.month.isoformat()} for m in months[-12:]],
    }  # fmt: skip
    scheme = _pick(_SCHEME[last.kind], lang) if last else None
    first, final = _month(book.first_month, lang), _month(book.last_month, lang)
    if lang == "en":
        parts = [
            f"You have {book.paid_months} months of social insurance contributions ({first} to {final})."
        ]
        if current is not None:
            who = current.employer_name or "voluntary contributions"
            parts.append(f"Currently: {scheme}, {who}, salary base {money(current.salary_base, lang)}.")
        parts.append(f"Unemployment insurance: {unemployment} months.")
        if missing:
            parts.append(f"Months without contributions in the last 12: {len(missing)}.")
    else:
        parts = [f"Anh/chị đã có {book.paid_months} tháng đóng BHXH (từ {first} đến {final})."]
        if current is not None:
            who = current.employer_name or "tự đóng"
            parts.append(f"Hiện đang đóng BHXH {scheme}: {who}, mức đóng {money(current.salary_base, lang)}.")
        parts.append(f"Thời gian đóng BHTN: {unemployment} tháng.")
        if missing:
            parts.append(f"Trong 12 tháng gần nhất có {len(missing)} tháng chưa đóng.")
    return Answer("contributions", lang, " ".join(parts), data)


def mask_card(number: str) -> str:
    """DN4797912345678 → DN4*********678: the group and level stay readable."""
    return number[:3] + "*" * max(0, len(number) - 6) + number[-3:] if len(number) > 6 else "*" * len(number)


def health_card_answer(card: HealthCard, lang: str, today: date) -> Answer:
    left = (card.valid_to - today).days
    state = "expired" if left < 0 else "expiring" if left <= EXPIRING_WITHIN.days else "valid"
    data = {
        "number": mask_card(card.number), "valid_from": card.valid_from.isoformat(),
        "valid_to": card.valid_to.isoformat(), "days_left": max(left, 0), "state": state,
        "facility_code": card.facility_code, "facility_name": card.facility_name,
        "benefit_level": card.benefit_level,
    }  # fmt: skip
    number, until = mask_card(card.number), _day(card.valid_to, lang)
    if lang == "en":
        head = {
            "expired": f"Health insurance card {number} expired on {until}; please renew it.",
            "expiring": f"Health insurance card {number} is valid until {until}: only {left} days left.",
            "valid": f"Health insurance card {number} is valid until {until} ({left} days left).",
        }[state]
        text = f"{head} Registered primary care: {card.facility_name}. Benefit level {card.benefit_level}."
    else:
        head = {
            "expired": f"Thẻ BHYT số {number} đã hết hạn từ {until}; anh/chị cần gia hạn thẻ.",
            "expiring": f"Thẻ BHYT số {number} có giá trị đến {until}, chỉ còn {left} ngày.",
            "valid": f"Thẻ BHYT số {number} còn giá trị đến {until} (còn {left} ngày).",
        }[state]
        text = f"{head} Nơi đăng ký KCB ban đầu: {card.facility_name}. Mức hưởng {card.benefit_level}."
    return Answer("health_card", lang, text, data)


def dossier_answer(dossier: Dossier, lang: str) -> Answer:
    status = _pick(_DOSSIER_STATUS.get(dossier.status, (dossier.status, dossier.status)), lang)
    data = {
        "receipt_code": dossier.receipt_code, "procedure": dossier.procedure, "status": dossier.status,
        "received_on": dossier.received_on.isoformat(), "due_on": dossier.due_on.isoformat(),
        "office": dossier.office, "note": dossier.note,
    }  # fmt: skip
    received, due = _day(dossier.received_on, lang), _day(dossier.due_on, lang)
    if lang == "en":
        text = (
            f"Dossier {dossier.receipt_code} ({dossier.procedure}), received on {received} by "
            f"{dossier.office}: {status}. Result due on {due}."
        )
    else:
        text = (
            f"Hồ sơ {dossier.receipt_code} ({dossier.procedure}) tiếp nhận ngày {received} tại "
            f"{dossier.office}: {status}. Hẹn trả kết quả ngày {due}."
        )
    if dossier.note:
        text += f" {'Note' if lang == 'en' else 'Ghi chú'}: {dossier.note}."
    return Answer("dossier", lang, text, data)


def claims_answer(claims: list[BenefitClaim], lang: str) -> Answer:
    shown = claims[:RECENT_CLAIMS]
    lines = []
    for c in shown:
        kind = _pick(CLAIM_KINDS.get(c.kind, (c.kind, c.kind)), lang)
        status = _pick(CLAIM_STATUSES.get(c.status, (c.status, c.status)), lang)
        amount = f", {money(c.amount, lang)}" if c.amount else ""
        filed = _day(c.filed_on, lang)
        if lang == "en":
            lines.append(f"{kind} (filed {filed}, {c.paying_office}): {status}{amount}.")
        else:
            lines.append(f"Chế độ {kind} (nộp ngày {filed}, {c.paying_office}): {status}{amount}.")
    data = {"claims": [asdict(c) | {"filed_on": c.filed_on.isoformat(),
                                    "decided_on": c.decided_on.isoformat() if c.decided_on else None}
                       for c in shown], "total": len(claims)}  # fmt: skip
    return Answer("claims", lang, " ".join(lines), data)
