"""The production industry database ("cơ sở dữ liệu ngành") over HTTP, per ``docs/registry-api.md``:
validated parsing, retries of the idempotent GETs and a circuit breaker that fails fast while it is down."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from vsscare import __version__
from vsscare.core.context import correlation_id
from vsscare.core.errors import AppError
from vsscare.customers import errors
from vsscare.customers.registry import BenefitClaim, ContributionMonth, Dossier, HealthCard, Person, SiBook

log = logging.getLogger("vsscare.registry")

RETRY_AFTER_CAP = 2.0  # seconds: a person (or a web request) is waiting on the answer
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_IDENTIFIER_IN_PATH = re.compile(r"(/v1/(?:people/by-cccd|people|dossiers)/)[^/]+")


class _MaskIdentifiers(logging.Filter):
    """httpx logs every request URL at INFO, and ours carry SI codes and CCCD numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(path=_IDENTIFIER_IN_PATH.sub(r"\1***", arg.path))
                if isinstance(arg, httpx.URL)
                else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_MaskIdentifiers())


def _month(value: object) -> date:
    if not isinstance(value, str) or not (match := _MONTH.fullmatch(value)):
        raise ValueError("expected YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


Month = Annotated[date, PlainValidator(_month)]
Vnd = Annotated[int, Field(ge=0)]


class _Wire(BaseModel):
    # Strict: "1000" is not an amount and 1 is not a date; unknown fields are ignored so that
    # the service can add some without breaking us.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _Person(_Wire):
    si_code: Annotated[str, Field(pattern=r"^\d{10}$")]
    full_name: Annotated[str, Field(min_length=1)]
    birth_date: date
    gender: Literal["male", "female"]
    cccd: Annotated[str, Field(pattern=r"^\d{12}$")] | None
    province_code: str
    phone: str | None


class _Contribution(_Wire):
    month: Month
    kind: Literal["compulsory", "voluntary"]
    employer_code: str | None
    employer_name: str | None
    salary_base: Vnd
    unemployment: bool


class _Contributions(_Wire):
    items: list[_Contribution]


class _SiBook(_Wire):
    status: Literal["active", "paused", "closed"]
    paid_months: Annotated[int, Field(ge=0)]
    first_month: Month | None
    last_month: Month | None


class _HealthCard(_Wire):
    number: Annotated[str, Field(min_length=15, max_length=15)]
    valid_from: date
    valid_to: date
    facility_code: str
    facility_name: str
    benefit_level: Annotated[int, Field(ge=1, le=5)]


class _Claim(_Wire):
    kind: Literal["sickness", "maternity", "unemployment", "pension", "lump_sum", "survivor", "accident"]
    status: Literal["received", "processing", "approved", "paid", "rejected"]
    amount: Vnd | None
    filed_on: date
    decided_on: date | None
    paying_office: str


class _Claims(_Wire):
    items: list[_Claim]


class _Dossier(_Wire):
    receipt_code: Annotated[str, Field(min_length=1)]
    si_code: Annotated[str, Field(pattern=r"^\d{10}$")] | None
    procedure: str
    status: Literal["received", "processing", "additional_info", "done", "returned"]
    received_on: date
    due_on: date
    office: str
    note: str | None


W = TypeVar("W", bound=_Wire)


def _parse(model: type[W], body: bytes) -> W:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        # Only the location and kind of the first problem: pydantic's own text quotes the input.
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise AppError(errors.REGISTRY_BAD_RESPONSE, reason=f"{where}: {first['type']}{more}") from None


def _mismatch() -> AppError:
    return AppError(errors.REGISTRY_BAD_RESPONSE, reason="record does not match the request")


def _unavailable(reason: str) -> AppError:
    return AppError(errors.REGISTRY_UNAVAILABLE, reason=reason)


class _Breaker:
    """Opens after ``failures`` consecutive failed calls; after ``reset`` seconds lets one trial
    call through (half-open), which closes it on success or re-opens it on failure."""

    def __init__(self, failures: int, reset: float, clock: Callable[[], float]) -> None:
        self._max, self._reset, self._clock = failures, reset, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    def before(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            if self._trial or self._clock() - self._opened_at < self._reset:
                raise _unavailable("circuit open")
            self._trial = True

    def record(self, ok: bool) -> None:
        with self._lock:
            self._trial = False
            if ok:
                self._failures, self._opened_at = 0, None
                return
            self._failures += 1
            if self._opened_at is not None or self._failures >= self._max:
                if self._opened_at is None:
                    log.warning("registry circuit opened after %d failed calls", self._failures)
                self._opened_at = self._clock()


class HttpRegistry:
    """A ``Registry`` over the REST contract; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        breaker_failures: int = 5,
        breaker_reset: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("base_url must be an http(s) URL")
        if not token.strip():
            raise ValueError("token is empty")
        if retries < 0 or breaker_failures < 1:
            raise ValueError("retries must be >= 0 and breaker_failures >= 1")
        self._retries, self._backoff = retries, backoff
        self._breaker = _Breaker(breaker_failures, breaker_reset, clock)
        self._sleep: Callable[[float], None] = time.sleep
        self._client = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={
                "Authorization": f"Bearer {token.strip()}",
                "Accept": "application/json",
                "User-Agent": f"vsscare/{__version__}",
            },
        )

    def person(self, si_code: str) -> Person | None:
        wire = self._fetch("person", _Person, "people", si_code)
        if wire is not None and wire.si_code != si_code:
            raise _mismatch()
        return None if wire is None else Person(**wire.model_dump())

    def person_by_cccd(self, cccd: str) -> Person | None:
        wire = self._fetch("person_by_cccd", _Person, "people", "by-cccd", cccd)
        if wire is not None and wire.cccd != cccd:
            raise _mismatch()
        return None if wire is None else Person(**wire.model_dump())

    def contributions(self, si_code: str, since: date | None = None) -> list[ContributionMonth]:
        params = {"since": f"{since:%Y-%m}"} if since else None
        wire = self._fetch("contributions", _Contributions, "people", si_code, "contributions", params=params)
        return [] if wire is None else [ContributionMonth(**item.model_dump()) for item in wire.items]

    def si_book(self, si_code: str) -> SiBook | None:
        wire = self._fetch("si_book", _SiBook, "people", si_code, "si-book")
        return None if wire is None else SiBook(**wire.model_dump())

    def health_card(self, si_code: str) -> HealthCard | None:
        wire = self._fetch("health_card", _HealthCard, "people", si_code, "health-card")
        return None if wire is None else HealthCard(**wire.model_dump())

    def claims(self, si_code: str) -> list[BenefitClaim]:
        wire = self._fetch("claims", _Claims, "people", si_code, "claims")
        claims = [] if wire is None else [BenefitClaim(**item.model_dump()) for item in wire.items]
        return sorted(
            claims, key=lambda claim: claim.filed_on, reverse=True
        )  # newest first, whatever the order sent

    def dossier(self, receipt_code: str) -> Dossier | None:
        wire = self._fetch("dossier", _Dossier, "dossiers", receipt_code)
        if wire is not None and wire.receipt_code != receipt_code:
            raise _mismatch()
        return None if wire is None else Dossier(**wire.model_dump())

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fetch(
        self, route: str, model: type[W], *segments: str, params: dict[str, str] | None = None
    ) -> W | None:
        """The parsed 200 body, or None for the contract's 404. ``route`` names the endpoint in
        logs, since the path holds personal identifiers."""
        path = "/v1/" + "/".join(quote(segment, safe="") for segment in segments)
        self._breaker.before()
        ok = False
        try:
            response = self._send(route, path, params)
            ok = True
        finally:
            self._breaker.record(ok)
        if response.status_code == 200:
            return _parse(model, response.content)
        if response.status_code == 404:
            if _is_not_found(response):
                return None
            # Without the contract's body a 404 means a wrong base URL, not an unknown person.
            log.warning("registry %s: 404 without the not_found body", route)
            raise _unavailable("endpoint not found")
        log.warning("registry %s: request refused with %d", route, response.status_code)
        raise _unavailable(f"request refused ({response.status_code})")

    def _send(self, route: str, path: str, params: dict[str, str] | None) -> httpx.Response:
        """Sends with retries; returns 200 and the 4xx that retrying cannot change, raises for
        the rest (each raise counts as a failure for the breaker)."""
        attempt = 0
        while True:
            delay = self._backoff * 2**attempt
            retry = True
            try:
                response = self._client.get(path, params=params, headers={"X-Request-Id": correlation_id()})
            except httpx.TimeoutException:
                reason = "timeout"
            except (httpx.NetworkError, httpx.RemoteProtocolError):
                reason = "connection failed"
            except httpx.TransportError as exc:  # proxy, protocol or URL trouble: retrying won't help
                reason, retry = f"transport error ({type(exc).__name__})", False
            else:
                status = response.status_code
                if status == 200 or (400 <= status < 500 and status not in (401, 403, 429)):
                    return response
                if status in (401, 403):
                    reason, retry = "credentials refused", False
                elif status == 429:
                    reason = "rate limited"
                    delay = max(delay, min(_retry_after(response), RETRY_AFTER_CAP))
                elif status in _RETRY_STATUSES:
                    reason = f"service unavailable ({status})"
                else:
                    reason, retry = f"unexpected status ({status})", False
            if not retry or attempt >= self._retries:
                log.warning("registry %s failed after %d attempt(s): %s", route, attempt + 1, reason)
                raise _unavailable(reason)
            log.info("registry %s: %s, retrying in %.2f s", route, reason, delay)
            self._sleep(delay)
            attempt += 1


def _retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds; the HTTP-date form is not part of the contract and counts as 0."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 0.0


def _is_not_found(response: httpx.Response) -> bool:
    try:
        body: Any = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "not_found"
