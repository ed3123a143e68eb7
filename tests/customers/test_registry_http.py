"""HttpRegistry against a real local HTTP server that speaks ``docs/registry-api.md``."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vsscare import __version__
from vsscare.core import context
from vsscare.core.errors import AppError
from vsscare.customers import registry_http
from vsscare.customers.registry import (
    BenefitClaim,
    ContributionMonth,
    Dossier,
    HealthCard,
    Person,
    Registry,
    SiBook,
)
from vsscare.customers.registry_http import HttpRegistry

SI = "0123456789"
CCCD = "001090012345"
RECEIPT = "01202500001234"
TOKEN = "s3cret-token"
NOT_FOUND = {"error": "not_found"}

PERSON = {
    "si_code": SI,
    "full_name": "Nguyễn Văn An",
    "birth_date": "1990-05-17",
    "gender": "male",
    "cccd": CCCD,
    "province_code": "01",
    "phone": "+84912345678",
}
CONTRIBUTIONS = {
    "items": [
        {
            "month": "2024-01",
            "kind": "compulsory",
            "employer_code": "YA0123A",
            "employer_name": "Công ty TNHH An Phát",
            "salary_base": 12_500_000,
            "unemployment": True,
        },
        {
            "month": "2024-02",
            "kind": "voluntary",
            "employer_code": None,
            "employer_name": None,
            "salary_base": 1_500_000,
            "unemployment": False,
        },
    ]
}
SI_BOOK = {"status": "active", "paid_months": 122, "first_month": "2014-01", "last_month": "2024-02"}
HEALTH_CARD = {
    "number": f"DN479{SI}",
    "valid_from": "2025-01-01",
    "valid_to": "2025-12-31",
    "facility_code": "01-013",
    "facility_name": "Bệnh viện Bạch Mai",
    "benefit_level": 4,
    "extra_field_from_a_newer_version": "ignored",
}
CLAIMS = {
    "items": [
        {
            "kind": "sickness",
            "status": "paid",
            "amount": 1_850_000,
            "filed_on": "2024-03-04",
            "decided_on": "2024-03-20",
            "paying_office": "BHXH quận Đống Đa",
        },
        {
            "kind": "maternity",
            "status": "processing",
            "amount": None,
            "filed_on": "2025-02-10",
            "decided_on": None,
            "paying_office": "BHXH quận Đống Đa",
        },
    ]
}
DOSSIER = {
    "receipt_code": RECEIPT,
    "si_code": SI,
    "procedure": "Cấp lại sổ BHXH do mất, hỏng",
    "status": "processing",
    "received_on": "2025-03-01",
    "due_on": "2025-03-11",
    "office": "BHXH quận Đống Đa",
    "note": None,
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(httpserver: HTTPServer, **options: Any) -> HttpRegistry:
    options = {"timeout": 1.0, "retries": 2, "backoff": 0.01, **options}
    registry = HttpRegistry(httpserver.url_for("/"), TOKEN, **options)
    registry._sleep = lambda seconds: None  # the waits themselves are checked where they matter
    return registry


@pytest.fixture
def registry(httpserver: HTTPServer) -> Iterator[HttpRegistry]:
    with make(httpserver) as registry:
        yield registry


def sequence(*responses: Response) -> Callable[[Request], Response]:
    """A handler answering with each response in turn, then the last one for ever."""
    remaining = list(responses)
    return lambda request: remaining.pop(0) if len(remaining) > 1 else remaining[0]


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


def unavailable(call: Callable[[], object]) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    assert caught.value.code == "registry_unavailable"
    return caught.value


def bad_response(call: Callable[[], object]) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    assert caught.value.code == "registry_bad_response"
    return caught.value


def no_personal_data(error: AppError) -> None:
    text = " ".join([str(error), error.message, error.message_en, repr(error.details), repr(error.params)])
    assert SI not in text and CCCD not in text
    assert error.__cause__ is None  # a chained pydantic or httpx error could quote the input


# -- parsing -----------------------------------------------------------------------------------


def test_implements_every_registry_method() -> None:
    wanted = {name for name in vars(Registry) if not name.startswith("_")}
    assert wanted <= set(vars(HttpRegistry))


def test_person(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}", method="GET").respond_with_json(PERSON)
    assert registry.person(SI) == Person(
        si_code=SI,
        full_name="Nguyễn Văn An",
        birth_date=date(1990, 5, 17),
        gender="male",
        cccd=CCCD,
        province_code="01",
        phone="+84912345678",
    )


def test_person_by_cccd(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/by-cccd/{CCCD}").respond_with_json({**PERSON, "phone": None})
    person = registry.person_by_cccd(CCCD)
    assert person is not None and person.si_code == SI and person.phone is None


def test_contributions_since(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(
        f"/v1/people/{SI}/contributions", query_string={"since": "2024-01"}
    ).respond_with_json(CONTRIBUTIONS)
    assert registry.contributions(SI, since=date(2024, 1, 15)) == [
        ContributionMonth(
            date(2024, 1, 1), "compulsory", "YA0123A", "Công ty TNHH An Phát", 12_500_000, True
        ),
        ContributionMonth(date(2024, 2, 1), "voluntary", None, None, 1_500_000, False),
    ]


def test_contributions_whole_history(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}/contributions", query_string="").respond_with_json(
        {"items": []}
    )
    assert registry.contributions(SI) == []


def test_si_book(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}/si-book").respond_with_json(SI_BOOK)
    assert registry.si_book(SI) == SiBook("active", 122, date(2014, 1, 1), date(2024, 2, 1))


def test_si_book_without_months(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    body = {"status": "active", "paid_months": 0, "first_month": None, "last_month": None}
    httpserver.expect_request(f"/v1/people/{SI}/si-book").respond_with_json(body)
    assert registry.si_book(SI) == SiBook("active", 0, None, None)


def test_health_card(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}/health-card").respond_with_json(HEALTH_CARD)
    assert registry.health_card(SI) == HealthCard(
        f"DN479{SI}", date(2025, 1, 1), date(2025, 12, 31), "01-013", "Bệnh viện Bạch Mai", 4
    )


def test_claims(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}/claims").respond_with_json(CLAIMS)
    assert registry.claims(SI) == [  # newest first, even when the service sends them oldest first
        BenefitClaim("maternity", "processing", None, date(2025, 2, 10), None, "BHXH quận Đống Đa"),
        BenefitClaim("sickness", "paid", 1_850_000, date(2024, 3, 4), date(2024, 3, 20), "BHXH quận Đống Đa"),
    ]


def test_dossier(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/dossiers/{RECEIPT}").respond_with_json(DOSSIER)
    assert registry.dossier(RECEIPT) == Dossier(
        RECEIPT,
        SI,
        "Cấp lại sổ BHXH do mất, hỏng",
        "processing",
        date(2025, 3, 1),
        date(2025, 3, 11),
        "BHXH quận Đống Đa",
        None,
    )


@pytest.mark.parametrize(
    ("method", "arg", "path", "expected"),
    [
        ("person", SI, f"/v1/people/{SI}", None),
        ("person_by_cccd", CCCD, f"/v1/people/by-cccd/{CCCD}", None),
        ("contributions", SI, f"/v1/people/{SI}/contributions", []),
        ("si_book", SI, f"/v1/people/{SI}/si-book", None),
        ("health_card", SI, f"/v1/people/{SI}/health-card", None),
        ("claims", SI, f"/v1/people/{SI}/claims", []),
        ("dossier", RECEIPT, f"/v1/dossiers/{RECEIPT}", None),
    ],
)
def test_not_found(
    httpserver: HTTPServer, registry: HttpRegistry, method: str, arg: str, path: str, expected: Any
) -> None:
    httpserver.expect_request(path, method="GET").respond_with_json(NOT_FOUND, status=404)
    assert getattr(registry, method)(arg) == expected
    assert len(httpserver.log) == 1  # not retried


def test_404_without_contract_body_is_a_wrong_url(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_data("Not Found", status=404)
    error = unavailable(lambda: registry.person(SI))
    assert error.params["reason"] == "endpoint not found"


# -- headers -----------------------------------------------------------------------------------


def test_headers(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_json(PERSON)
    with context.bound("req-7f3a"):
        registry.person(SI)
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"] == f"vsscare/{__version__}"
    assert request.headers["X-Request-Id"] == "req-7f3a"


def test_base_url_with_a_path_prefix(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/registry/v1/people/{SI}").respond_with_json(PERSON)
    with HttpRegistry(httpserver.url_for("/registry"), TOKEN) as registry:
        assert registry.person(SI) is not None


# -- retries -----------------------------------------------------------------------------------


def test_retry_on_503_then_success(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    delays: list[float] = []
    registry._sleep = delays.append
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_handler(
        sequence(Response(status=503), Response(status=502), json_response(PERSON))
    )
    assert registry.person(SI) is not None
    assert len(httpserver.log) == 3
    assert delays == [0.01, 0.02]  # exponential backoff


def test_retry_on_429_honours_retry_after(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    delays: list[float] = []
    registry._sleep = delays.append
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_handler(
        sequence(
            json_response({"error": "rate_limited"}, 429, **{"Retry-After": "1"}),
            json_response({"error": "rate_limited"}, 429, **{"Retry-After": "3600"}),
            json_response(PERSON),
        )
    )
    assert registry.person(SI) is not None
    assert delays == [1.0, registry_http.RETRY_AFTER_CAP]


def test_retry_really_waits(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_handler(
        sequence(json_response({}, 429, **{"Retry-After": "0.15"}), json_response(PERSON))
    )
    with HttpRegistry(httpserver.url_for("/"), TOKEN, backoff=0.01) as registry:
        started = time.monotonic()
        assert registry.person(SI) is not None
        assert time.monotonic() - started >= 0.15


def test_503_after_retries_is_unavailable(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_data("", status=503)
    error = unavailable(lambda: registry.person(SI))
    assert error.params["reason"] == "service unavailable (503)"
    assert len(httpserver.log) == 3  # one try and two retries


@pytest.mark.parametrize("status", [401, 403])
def test_credentials_refused_without_retry(
    httpserver: HTTPServer, registry: HttpRegistry, status: int
) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_json({"error": "unauthorized"}, status=status)
    error = unavailable(lambda: registry.person(SI))
    assert error.params["reason"] == "credentials refused"
    assert TOKEN not in error.message_en
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    ("status", "reason"), [(400, "request refused (400)"), (500, "unexpected status (500)")]
)
def test_no_retry_on_other_errors(
    httpserver: HTTPServer, registry: HttpRegistry, status: int, reason: str
) -> None:
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_json({"error": "x"}, status=status)
    assert unavailable(lambda: registry.person(SI)).params["reason"] == reason
    assert len(httpserver.log) == 1


def test_timeout(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(2)
        return json_response(PERSON)

    httpserver.expect_request(f"/v1/people/{SI}").respond_with_handler(slow)
    with make(httpserver, timeout=0.2, retries=0) as registry:
        try:
            error = unavailable(lambda: registry.person(SI))
        finally:
            release.set()  # frees the single-threaded test server for the next test
    assert error.params["reason"] == "timeout"
    no_personal_data(error)


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    registry = HttpRegistry(f"http://127.0.0.1:{port}", TOKEN, timeout=0.5, retries=1, backoff=0.01)
    with registry:
        error = unavailable(lambda: registry.person(SI))
    assert error.params["reason"] == "connection failed"
    no_personal_data(error)


# -- malformed answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>gateway</html>", "body: json_invalid"),
        ({k: v for k, v in PERSON.items() if k != "birth_date"}, "birth_date: missing"),
        ({**PERSON, "birth_date": "17/05/1990"}, "birth_date: date_parsing"),
        ({**PERSON, "gender": "x"}, "gender: literal_error"),
        ({**PERSON, "si_code": "9999999999"}, "record does not match the request"),
        ([PERSON], "body: model_type"),
    ],
)
def test_malformed_person(httpserver: HTTPServer, registry: HttpRegistry, body: Any, reason: str) -> None:
    if isinstance(body, str):
        httpserver.expect_request(f"/v1/people/{SI}").respond_with_data(body, content_type="application/json")
    else:
        httpserver.expect_request(f"/v1/people/{SI}").respond_with_json(body)
    error = bad_response(lambda: registry.person(SI))
    assert error.params["reason"] == reason
    no_personal_data(error)


def test_malformed_items(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    item = {**CONTRIBUTIONS["items"][0], "month": "2024-13", "salary_base": "12500000"}
    httpserver.expect_request(f"/v1/people/{SI}/contributions").respond_with_json({"items": [item]})
    error = bad_response(lambda: registry.contributions(SI))
    assert error.params["reason"] == "items.0.month: value_error (+1 more)"


def test_money_must_be_an_integer(httpserver: HTTPServer, registry: HttpRegistry) -> None:
    claim = {**CLAIMS["items"][0], "amount": 1850000.5}
    httpserver.expect_request(f"/v1/people/{SI}/claims").respond_with_json({"items": [claim]})
    assert bad_response(lambda: registry.claims(SI)).params["reason"] == "items.0.amount: int_type"


# -- circuit breaker ---------------------------------------------------------------------------


def test_breaker_opens_fails_fast_and_closes_after_a_trial(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    registry = make(httpserver, retries=0, breaker_failures=3, breaker_reset=30.0, clock=clock)
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_data("", status=503)
    for _ in range(3):
        assert unavailable(lambda: registry.person(SI)).params["reason"] == "service unavailable (503)"
    assert len(httpserver.log) == 3

    error = unavailable(lambda: registry.person(SI))
    assert error.params["reason"] == "circuit open"
    clock.now += 29.9
    unavailable(lambda: registry.claims(SI))
    assert len(httpserver.log) == 3  # the server was not contacted

    httpserver.clear()
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_json(PERSON)
    clock.now += 0.1
    assert registry.person(SI) is not None  # the half-open trial succeeds and closes the circuit
    assert registry.person(SI) is not None
    assert len(httpserver.log) == 2
    registry.close()


def test_breaker_reopens_when_the_trial_fails(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    registry = make(httpserver, retries=0, breaker_failures=2, breaker_reset=10.0, clock=clock)
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_data("", status=504)
    for _ in range(2):
        unavailable(lambda: registry.person(SI))
    clock.now += 10
    assert unavailable(lambda: registry.person(SI)).params["reason"] == "service unavailable (504)"
    assert unavailable(lambda: registry.person(SI)).params["reason"] == "circuit open"
    assert len(httpserver.log) == 3
    registry.close()


def test_breaker_counts_consecutive_failures_only(httpserver: HTTPServer) -> None:
    registry = make(httpserver, retries=0, breaker_failures=2)
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_handler(
        sequence(Response(status=503), json_response(PERSON), Response(status=503), json_response(PERSON))
    )
    unavailable(lambda: registry.person(SI))
    registry.person(SI)
    unavailable(lambda: registry.person(SI))
    assert registry.person(SI) is not None  # still closed: the failures were not consecutive
    registry.close()


def test_half_open_lets_a_single_trial_through() -> None:
    clock = FakeClock()
    breaker = registry_http._Breaker(1, 5.0, clock)
    breaker.record(False)
    clock.now += 5
    breaker.before()  # the trial
    with pytest.raises(AppError, match="circuit open"):
        breaker.before()  # a concurrent call while the trial is in flight
    breaker.record(True)
    breaker.before()


# -- personal data -----------------------------------------------------------------------------


def test_no_personal_data_in_errors_or_logs(
    httpserver: HTTPServer, registry: HttpRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(f"/v1/people/{SI}").respond_with_data("", status=503)
    httpserver.expect_request(f"/v1/people/{SI}/claims").respond_with_json({"items": [{"kind": SI}]})
    httpserver.expect_request(f"/v1/people/by-cccd/{CCCD}").respond_with_json({"error": "x"}, status=401)
    no_personal_data(unavailable(lambda: registry.person(SI)))
    no_personal_data(bad_response(lambda: registry.claims(SI)))
    no_personal_data(unavailable(lambda: registry.person_by_cccd(CCCD)))
    assert caplog.records and any(r.name == "httpx" for r in caplog.records)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # the test server's
    assert SI not in ours and CCCD not in ours and TOKEN not in ours


def test_closed_by_the_context_manager(httpserver: HTTPServer) -> None:
    with make(httpserver) as registry:
        pass
    assert registry._client.is_closed


@pytest.mark.parametrize(
    ("base_url", "token"), [("ftp://registry", TOKEN), ("https://registry.example", " ")]
)
def test_rejects_bad_settings(base_url: str, token: str) -> None:
    with pytest.raises(ValueError):
        HttpRegistry(base_url, token)
