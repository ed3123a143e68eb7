"""The industry database, the SMS gateway and the mailer this installation uses, chosen by
settings: the embedded registry and files of SMS and e-mail in development, the HTTP clients and
SMTP in production."""

from __future__ import annotations

from vsscare.core.config import Settings
from vsscare.core.db import Database
from vsscare.core.mail import FileMailer, Mailer, SmtpMailer
from vsscare.customers.registry import Registry
from vsscare.customers.registry_embedded import EmbeddedRegistry
from vsscare.customers.registry_http import HttpRegistry
from vsscare.customers.sms import ConsoleGateway, FileGateway, HttpGateway, SmsGateway

_http_registries: dict[tuple[str, str, float], HttpRegistry] = {}
_gateways: dict[tuple[str, ...], SmsGateway] = {}


def registry(settings: Settings, db: Database) -> Registry:
    """One HTTP client per service (its circuit breaker is shared), or the embedded tables of ``db``."""
    if not settings.registry_url:
        return EmbeddedRegistry(db)
    key = (settings.registry_url, settings.registry_token.get_secret_value(), settings.registry_timeout)
    if key not in _http_registries:
        _http_registries[key] = HttpRegistry(key[0], key[1], timeout=key[2])
    return _http_registries[key]


def sms_gateway(settings: Settings) -> SmsGateway:
    if settings.sms_backend == "console":
        key: tuple[str, ...] = ("console",)
        make = ConsoleGateway
    elif settings.sms_backend == "http":
        key = ("http", settings.sms_url, settings.sms_api_key.get_secret_value(), settings.sms_sender)

        def make() -> SmsGateway:
            return HttpGateway(key[1], key[2], sender=key[3])
    else:
        key = ("file", str(settings.data_dir / "sms.jsonl"))

        def make() -> SmsGateway:
            return FileGateway(key[1])

    if key not in _gateways:
        _gateways[key] = make()
    return _gateways[key]


_mailers: dict[tuple[str, ...], Mailer] = {}


def mailer(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        password = settings.smtp_password.get_secret_value()
        key: tuple[str, ...] = ("smtp", settings.smtp_host, str(settings.smtp_port), settings.smtp_user,
                                password, settings.smtp_security, settings.mail_from)  # fmt: skip
        if key not in _mailers:
            _mailers[key] = SmtpMailer(
                settings.smtp_host, settings.smtp_port, settings.mail_from, user=settings.smtp_user,
                password=password, security=settings.smtp_security,
            )  # fmt: skip
        return _mailers[key]
    key = ("file", str(settings.data_dir / "mail.jsonl"), settings.mail_from)
    if key not in _mailers:
        _mailers[key] = FileMailer(key[1], settings.mail_from)
    return _mailers[key]
