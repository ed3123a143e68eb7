"""Outbound e-mail for messages the system itself sends (one-time codes): SMTP in production, a
file of JSON lines in development. Bodies may hold codes: they are never logged."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode

MAIL_UNAVAILABLE = ErrorCode(
    "mail_unavailable",
    "Không gửi được thư điện tử: máy chủ thư tạm thời không phản hồi ({reason}). Vui lòng thử lại sau.",
    "The e-mail could not be sent: the mail server is not responding ({reason}). Please try again later.",
    503,
)
MAIL_REJECTED = ErrorCode(
    "mail_rejected",
    "Máy chủ thư từ chối địa chỉ nhận thư.",
    "The mail server refused the recipient's address.",
    502,
)
log = logging.getLogger("vsscare.mail")


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, *, key: str) -> str:
        """Send once per ``key``; the Message-ID."""
        ...


def _message(sender: str, to: str, subject: str, text: str, key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject  # encoded as RFC 2047 when it is not ASCII
    message["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2].rstrip(">") or "vsscare.local"
    message["Message-ID"] = make_msgid(idstring=key.replace("@", "-")[:40], domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer
    message.set_content(text, charset="utf-8")
    return message


class SmtpMailer:
    """``security``: ``starttls`` (submission, port 587), ``ssl`` (port 465) or ``none`` (a relay
    on the local network)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        user: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 10.0,
        sender_name: str = "Bảo hiểm xã hội Việt Nam",
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.security, self.timeout = security, timeout
        self.sender = formataddr((sender_name, sender))
        self._sent: dict[str, str] = {}

    def send(self, to: str, subject: str, text: str, *, key: str) -> str:
        if key in self._sent:
            return self._sent[key]
        message = _message(self.sender, to, subject, text, key)
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise AppError(MAIL_REJECTED) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise AppError(MAIL_UNAVAILABLE, reason=type(exc).__name__) from exc
        self._sent[key] = message["Message-ID"]
        log.info("mail sent", extra={"key": key, "message_id": message["Message-ID"]})
        return message["Message-ID"]

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


class FileMailer:
    """Development: one JSON line per message (the demo reads codes from it)."""

    def __init__(self, path: Path | str, sender: str = "no-reply@vsscare.local") -> None:
        self.path = Path(path)
        self.sender = sender
        self._lock = threading.Lock()
        self._sent: dict[str, str] = {}

    def send(self, to: str, subject: str, text: str, *, key: str) -> str:
        with self._lock:
            if key in self._sent:
                return self._sent[key]
            message = _message(self.sender, to, subject, text, key)
            line = {"at": utcnow().isoformat(), "to": to, "subject": subject, "text": text, "key": key,
                    "message_id": message["Message-ID"]}  # fmt: skip
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._sent[key] = message["Message-ID"]
            return message["Message-ID"]
