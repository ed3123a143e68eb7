"""Proving who is on a conversation before personal data is disclosed: a one-time code sent to the
phone on record or to the e-mail on the customer record, or (voice) date of birth and CCCD digits.
A refusal that changes state (wrong code, lock, expiry) commits the session before raising, so the
count and its audit row survive."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vsscare.core import audit
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.mail import Mailer
from vsscare.customers import identifiers
from vsscare.customers.actions import context
from vsscare.customers.models import Customer, Verification
from vsscare.customers.registry import Person, Registry
from vsscare.customers.sms import SmsGateway
from vsscare.orgunits.calendar import VN_TZ

NO_PHONE = ErrorCode(
    "verification_no_phone",
    "Không có số điện thoại nào được đăng ký cho mã số này, vui lòng gọi 1900 9068.",
    "No phone number on record for this code, please call 1900 9068.",
    422,
)
NO_EMAIL = ErrorCode(
    "verification_no_email",
    "Không có địa chỉ thư điện tử nào được đăng ký cho mã số này; vui lòng nhận mã qua tin nhắn.",
    "No e-mail address on record for this code; please get the code by text message.",
    422,
)
NO_QUESTIONS = ErrorCode(
    "verification_no_questions",
    "Không thể xác thực bằng câu hỏi cho mã số này (hồ sơ chưa có số CCCD); vui lòng xác thực bằng "
    "mã gửi qua tin nhắn hoặc gọi 1900 9068.",
    "This code cannot be verified by questions (no CCCD on record); please use a code sent by SMS "
    "or call 1900 9068.",
    422,
)
ANSWER_INVALID = ErrorCode(
    "verification_answer_invalid",
    "Vui lòng nhập đúng 4 chữ số cuối của số CCCD.",
    "Please enter exactly the last 4 digits of the CCCD number.",
    422,
)
CODE_INVALID = ErrorCode(
    "verification_code_invalid", "Mã xác thực gồm 6 chữ số.", "A code has 6 digits.", 422
)
TOO_MANY = ErrorCode(
    "verification_too_many",
    "Đã gửi {count} mã xác thực trong {minutes} phút; vui lòng thử lại sau {until} (giờ Việt Nam).",
    "{count} codes were sent within {minutes} minutes; please try again after {until_en} (Vietnam time).",
    429,
)
LOCKED = ErrorCode(
    "verification_locked",
    "Đã nhập sai quá {count} lần; việc xác thực cho mã số này bị tạm khóa đến {until} (giờ Việt Nam).",
    "Too many wrong answers ({count}); verification for this code is locked until {until_en} (Vietnam time).",
    423,
)
NOT_FOUND = ErrorCode(
    "verification_not_found", "Không tìm thấy yêu cầu xác thực.", "No such verification.", 404
)
OTHER_CONVERSATION = ErrorCode(
    "verification_other_conversation",
    "Mã xác thực này thuộc một cuộc hội thoại khác.",
    "This verification belongs to another conversation.",
    403,
)
CLOSED = ErrorCode(
    "verification_closed",
    "Yêu cầu xác thực này đã kết thúc; vui lòng yêu cầu mã mới.",
    "This verification is over; please ask for a new code.",
    409,
)
EXPIRED = ErrorCode(
    "verification_expired",
    "Mã xác thực đã hết hiệu lực; vui lòng yêu cầu mã mới.",
    "The verification code has expired; please ask for a new one.",
    410,
)
WRONG_CODE = ErrorCode(
    "verification_wrong_code",
    "Mã xác thực không đúng. Còn {left} lần thử.",
    "Wrong verification code. {left} attempts left.",
    400,
)
WRONG_ANSWER = ErrorCode(
    "verification_wrong_answer",
    "Thông tin không khớp với hồ sơ. Còn {left} lần thử.",
    "The answers do not match our records. {left} attempts left.",
    400,
)

MAX_ATTEMPTS = 5
LOCK_FOR = timedelta(minutes=30)
MAX_CODES = 3
CODES_WINDOW = timedelta(minutes=15)
VALID_FOR = timedelta(minutes=30)  # how long a proof holds on its conversation
QUESTIONS_TTL = timedelta(minutes=10)
CODE_METHODS = ("sms", "email")
EMAIL_SUBJECT = "Mã xác thực BHXH Việt Nam / VSS verification code"
EMAIL_TEXT = (
    "Mã xác thực của anh/chị là {code}, hiệu lực {minutes} phút. Không chia sẻ mã này cho bất kỳ ai.\n"
    "Your verification code is {code}, valid for {minutes} minutes. Do not share it with anyone.\n\n"
    "Nếu anh/chị không yêu cầu mã này, vui lòng bỏ qua thư. / If you did not ask for it, ignore this e-mail."
)
SMS_TEXT = (
    "Mã xác thực BHXH của anh/chị là {code}, hiệu lực {minutes} phút. Không chia sẻ mã này cho bất kỳ ai."
)


def _when(moment: datetime) -> dict[str, str]:
    local = moment.astimezone(VN_TZ)
    return {"until": local.strftime("%H:%M ngày %d/%m/%Y"), "until_en": local.strftime("%H:%M on %d/%m/%Y")}


def _digits(value: str, count: int, error: ErrorCode) -> str:
    typed = "".join(value.split())
    if len(typed) != count or not typed.isascii() or not typed.isdigit():
        raise AppError(error)
    return typed


def _subject(ring: Keyring, si_code: str) -> tuple[str, str]:
    si = identifiers.si_code(si_code)
    return si, ring.blind_index(si, context=context("si_code"))


def _code_hash(ring: Keyring, verification_id: int, code: str) -> str:
    # Keyed and bound to the row: a leaked table gives neither the codes nor reusable hashes.
    return ring.blind_index(code, context=f"verification.{verification_id}")


def _audit(
    session: Session, outcome: str, actor: Actor, row: Verification | None, status: str = "ok", **details: Any
) -> None:
    audit.record(
        session, f"verification.{outcome}", actor, outcome=status, object_type="verification",
        object_id=None if row is None else row.id,
        details={"method": None if row is None else row.method} | details,
    )  # fmt: skip


def _refuse(session: Session, error: ErrorCode, **params: Any) -> NoReturn:
    session.commit()  # counts, locks and the audit trail must survive the caller's rollback
    raise AppError(error, **params)


def _locked_until(session: Session, subject_bi: str, now: datetime) -> datetime | None:
    # A failed row's expires_at is the moment it failed: the lock runs from there.
    failed = session.scalar(
        select(func.max(Verification.expires_at)).where(
            Verification.subject_bi == subject_bi, Verification.status == "failed"
        )
    )
    return failed + LOCK_FOR if failed is not None and failed + LOCK_FOR > now else None


def _refuse_locked(
    session: Session, actor: Actor, outcome: str, row: Verification | None, until: datetime, **details: Any
) -> NoReturn:
    _audit(session, outcome, actor, row, "denied", until=until.isoformat(), **details)
    _refuse(session, LOCKED, count=MAX_ATTEMPTS, **_when(until))


def _refuse_if_locked(session: Session, actor: Actor, subject_bi: str, now: datetime, method: str) -> None:
    until = _locked_until(session, subject_bi, now)
    if until is not None:
        _refuse_locked(session, actor, "refused", None, until, method=method, reason="locked")


def _lock(session: Session, actor: Actor, row: Verification, now: datetime) -> NoReturn:
    row.status, row.expires_at = "failed", now
    _refuse_locked(session, actor, "locked", row, now + LOCK_FOR, attempts=row.attempts)


def _verified(session: Session, actor: Actor, row: Verification, now: datetime) -> Verification:
    row.status, row.verified_at, row.valid_until = "verified", now, now + VALID_FOR
    _audit(session, "verified", actor, row, attempts=row.attempts, valid_until=row.valid_until.isoformat())
    return row


def _new(session: Session, ring: Keyring, si: str, subject_bi: str, **values: Any) -> Verification:
    row = Verification(
        subject_bi=subject_bi, subject_enc=ring.encrypt(si, context=context("si_code")), status="pending",
        attempts=0, **values,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _phone_of(person: Person | None) -> str | None:
    if person is None or not person.phone:
        return None
    try:
        return identifiers.phone(person.phone)
    except AppError:  # a malformed number on record is as good as none
        return None


def _email_of(session: Session, subject_bi: str) -> str | None:
    """The e-mail on the customer record of this SI code (the registry holds no e-mail)."""
    return session.scalar(
        select(Customer.email)
        .where(Customer.si_code_bi == subject_bi, Customer.status == "active", Customer.email.is_not(None))
        .limit(1)
    )


def start_otp(
    session: Session,
    ring: Keyring,
    registry: Registry,
    gateway: SmsGateway | None,
    *,
    conversation: str,
    si_code: str,
    via: str = "sms",
    mailer: Mailer | None = None,
    now: datetime | None = None,
    ttl: timedelta = timedelta(minutes=5),
    actor: Actor = SYSTEM,
) -> Verification:
    """Send a one-time code to the phone on record for this SI code (``via="sms"``) or to the
    e-mail on the customer record (``via="email"``); the pending verification. Codes sent either
    way count together against the resend limit."""
    now = now or utcnow()
    si, subject_bi = _subject(ring, si_code)
    _refuse_if_locked(session, actor, subject_bi, now, via)
    window = (Verification.subject_bi == subject_bi, Verification.created_at > now - CODES_WINDOW)
    recent = session.scalars(
        select(Verification.created_at).where(Verification.method.in_(CODE_METHODS), *window)
    ).all()
    if len(recent) >= MAX_CODES:
        until = min(recent) + CODES_WINDOW
        _audit(session, "refused", actor, None, "denied", method=via, reason="too_many")
        _refuse(session, TOO_MANY, count=len(recent), minutes=CODES_WINDOW.seconds // 60, **_when(until))
    if via == "email":
        address = _email_of(session, subject_bi)
        if address is None:
            _audit(session, "refused", actor, None, "denied", method=via, reason="no_email")
            _refuse(session, NO_EMAIL)
        masked = identifiers.mask("email", address)
    else:
        address = _phone_of(registry.person(si))
        if address is None:
            _audit(session, "refused", actor, None, "denied", method=via, reason="no_phone")
            _refuse(session, NO_PHONE)
        masked = identifiers.mask("phone", address)
    row = _new(
        session, ring, si, subject_bi, conversation=conversation, method=via, created_at=now,
        expires_at=now + ttl, sent_to_masked=masked,
    )  # fmt: skip
    code = f"{secrets.randbelow(10**6):06d}"
    row.code_hash = _code_hash(ring, row.id, code)
    _audit(session, "started", actor, row, sent_to=row.sent_to_masked, expires_at=row.expires_at.isoformat())
    minutes = max(1, int(ttl.total_seconds()) // 60)
    key = f"verification-{row.id}"
    if via == "email":
        assert mailer is not None, "a mailer is needed to send codes by e-mail"
        mailer.send(address, EMAIL_SUBJECT, EMAIL_TEXT.format(code=code, minutes=minutes), key=key)
    else:
        assert gateway is not None, "an SMS gateway is needed to send codes by SMS"
        gateway.send(address, SMS_TEXT.format(code=code, minutes=minutes), key=key)
    return row


def check_otp(
    session: Session,
    ring: Keyring,
    verification_id: int,
    code: str,
    *,
    conversation: str,
    now: datetime | None = None,
    actor: Actor = SYSTEM,
) -> Verification:
    """Check a code typed on the conversation the verification was started on."""
    now = now or utcnow()
    row = session.scalar(select(Verification).where(Verification.id == verification_id).with_for_update())
    if row is None or row.method not in CODE_METHODS or row.code_hash is None:
        raise AppError(NOT_FOUND)
    if row.conversation != conversation:
        _audit(session, "refused", actor, row, "denied", reason="other_conversation")
        _refuse(session, OTHER_CONVERSATION)
    _refuse_if_locked(session, actor, row.subject_bi, now, row.method)
    if row.status == "expired" or (row.status == "pending" and now >= row.expires_at):
        if row.status == "pending":
            row.status = "expired"
            _audit(session, "expired", actor, row, "failed", attempts=row.attempts)
        _refuse(session, EXPIRED)
    if row.status != "pending":
        raise AppError(CLOSED)
    typed = _digits(code, 6, CODE_INVALID)
    if hmac.compare_digest(row.code_hash, _code_hash(ring, row.id, typed)):
        return _verified(session, actor, row, now)
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        _lock(session, actor, row, now)
    left = MAX_ATTEMPTS - row.attempts
    _audit(session, "wrong_code", actor, row, "failed", attempts=row.attempts, left=left)
    _refuse(session, WRONG_CODE, left=left)


def check_questions(
    session: Session,
    ring: Keyring,
    registry: Registry,
    *,
    conversation: str,
    si_code: str,
    birth_date: date,
    cccd_last4: str,
    now: datetime | None = None,
    actor: Actor = SYSTEM,
) -> Verification:
    """Voice (DTMF): date of birth and the last 4 digits of the CCCD on record; wrong answers count
    per subject, across calls."""
    now = now or utcnow()
    si, subject_bi = _subject(ring, si_code)
    last4 = _digits(cccd_last4, 4, ANSWER_INVALID)
    _refuse_if_locked(session, actor, subject_bi, now, "questions")
    person = registry.person(si)
    if person is None or not person.cccd:
        _audit(session, "refused", actor, None, "denied", method="questions", reason="no_cccd")
        _refuse(session, NO_QUESTIONS)
    mine = (Verification.subject_bi == subject_bi, Verification.method == "questions")
    open_here = (Verification.conversation == conversation, Verification.status == "pending")
    row = session.scalar(
        select(Verification).where(*mine, *open_here, Verification.expires_at > now)
        .order_by(Verification.id.desc()).limit(1).with_for_update()
    )  # fmt: skip
    if row is None:
        row = _new(
            session, ring, si, subject_bi, conversation=conversation, method="questions", created_at=now,
            expires_at=now + QUESTIONS_TTL,
        )  # fmt: skip
    right_birth = birth_date == person.birth_date
    right_card = hmac.compare_digest(last4.encode(), person.cccd[-4:].encode())
    if right_birth and right_card:
        return _verified(session, actor, row, now)
    row.attempts += 1
    # Answers that led nowhere in the lock window, on any call: a new call does not reset them.
    wrong = session.scalar(
        select(func.coalesce(func.sum(Verification.attempts), 0)).where(
            *mine, Verification.status != "verified", Verification.created_at > now - LOCK_FOR
        )
    )
    if wrong >= MAX_ATTEMPTS:
        _lock(session, actor, row, now)
    left = MAX_ATTEMPTS - wrong
    _audit(session, "wrong_answer", actor, row, "failed", attempts=row.attempts, left=left)
    _refuse(session, WRONG_ANSWER, left=left)


def verified_subject(
    session: Session, ring: Keyring, conversation: str, *, now: datetime | None = None
) -> str | None:
    """The SI code proven on this conversation and still valid, else None. A proof holds for its
    conversation only."""
    now = now or utcnow()
    proven = (Verification.status == "verified", Verification.valid_until > now)
    row = session.scalar(
        select(Verification).where(Verification.conversation == conversation, *proven)
        .order_by(Verification.id.desc()).limit(1)
    )  # fmt: skip
    return None if row is None else ring.decrypt(row.subject_enc, context=context("si_code"))
