"""SMS gateways for one-time codes: a file or the console in development, and a JSON-over-HTTP
client of a brandname-SMS provider: ``POST {url}`` with ``Authorization: Bearer <api key>`` and
``{"to": "+849…", "from": "BHXHVN", "text": "…", "client_ref": "<idempotency key>"}``; 2xx
``{"message_id": "…", "status": "accepted"}`` is success, 4xx a rejection, 5xx or a timeout is
tried once more with the same ``client_ref`` (the provider sends a key only once). Message texts
hold codes: they are never logged."""

from __future__ import annotations

import json
import logging
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol, TextIO

import httpx

from vsscare.core.db import utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.customers.identifiers import mask_phone

SMS_REJECTED = ErrorCode(
    "sms_rejected",
    "Nhà cung cấp dịch vụ SMS từ chối gửi tin nhắn (HTTP {status}: {reason}).",
    "The SMS provider refused the message (HTTP {status}: {reason}).",
    502,
)
SMS_UNAVAILABLE = ErrorCode(
    "sms_unavailable",
    "Không gửi được tin nhắn SMS: dịch vụ SMS tạm thời không phản hồi ({reason}). Vui lòng thử lại sau.",
    "The SMS could not be sent: the SMS service is not responding ({reason}). Please try again later.",
    503,
)
SMS_BAD_RESPONSE = ErrorCode(
    "sms_bad_response",
    "Nhà cung cấp dịch vụ SMS trả lời không đúng định dạng ({reason}).",
    "The SMS provider gave an unexpected answer ({reason}).",
    502,
)

log = logging.getLogger("vsscare.sms")


class SmsGateway(Protocol):
    def send(self, to_e164: str, text: str, *, key: str) -> str:
        """Send ``text`` to ``to_e164`` once per ``key``; the provider's message id."""
        ...


class FileGateway:
    """Development: one JSON line per message, which the demo reads codes from."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._sent: dict[str, str] = {}
        self._lock = threading.Lock()

    def send(self, to_e164: str, text: str, *, key: str) -> str:
        with self._lock:
            if key in self._sent:
                return self._sent[key]
            message_id = f"file-{uuid.uuid4().hex[:16]}"
            line = {
                "at": utcnow().isoformat(),
                "message_id": message_id,
                "to": to_e164,
                "text": text,
                "key": key,
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._sent[key] = message_id
            return message_id


class ConsoleGateway:
    """Development: prints each message to stderr."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, to_e164: str, text: str, *, key: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        print(f"[SMS {key} → {to_e164}] {text}", file=self.stream or sys.stderr, flush=True)
        return message_id


class HttpGateway:
    """A brandname-SMS provider over JSON and HTTP (protocol in the module docstring)."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        sender: str = "BHXHVN",
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.sender = sender
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpGateway:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, to_e164: str, text: str, *, key: str) -> str:
        body = {"to": to_e164, "from": self.sender, "text": text, "client_ref": key}
        reason = ""
        for attempt in (1, 2):
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException:
                reason = "timeout"
                log.warning("sms timeout", extra={"key": key, "attempt": attempt})
                continue
            except httpx.HTTPError as exc:
                raise AppError(SMS_UNAVAILABLE, reason=type(exc).__name__) from exc
            if response.status_code >= 500:
                reason = f"HTTP {response.status_code}"
                log.warning("sms provider error", extra={"key": key, "attempt": attempt, "status": reason})
                continue
            if response.status_code >= 400:
                raise AppError(SMS_REJECTED, status=response.status_code, reason=_reason(response))
            return self._accepted(response, to_e164, key)
        raise AppError(SMS_UNAVAILABLE, reason=reason)

    def _accepted(self, response: httpx.Response, to_e164: str, key: str) -> str:
        try:
            data: Any = response.json()
        except ValueError as exc:
            raise AppError(SMS_BAD_RESPONSE, reason="not JSON") from exc
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("message_id"), str)
            or not data["message_id"]
        ):
            raise AppError(SMS_BAD_RESPONSE, reason="no message_id")
        if data.get("status") != "accepted":
            raise AppError(SMS_REJECTED, status=response.status_code, reason=str(data.get("status"))[:60])
        log.info("sms sent", extra={"to": mask_phone(to_e164), "key": key, "message_id": data["message_id"]})
        return data["message_id"]


def _reason(response: httpx.Response) -> str:
    """The provider's error code, if it gave one; never the body itself (it may echo the text)."""
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or "rejected"
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        error = error.get("code")
    return str(error)[:60] if error else response.reason_phrase or "rejected"
