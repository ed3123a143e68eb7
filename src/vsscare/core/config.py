"""Settings, read from the environment (``VSSCARE_*``) or a ``.env`` file."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_LOCALES = ("vi", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VSSCARE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/vsscare.db", description="SQLAlchemy URL: sqlite:/// or postgresql://"
    )
    secret_key: SecretStr = Field(
        SecretStr(""), description="Signs sessions and tokens; generated into data_dir when empty"
    )
    data_keys: SecretStr = Field(
        SecretStr(""),
        description="Keys for personal data at rest, “k2:<base64 32 bytes>,k1:…”, the first current; "
        "derived from the secret key when empty",
    )
    index_key: SecretStr = Field(
        SecretStr(""), description="Key of the blind index (base64); derived from the secret key when empty"
    )
    data_dir: Path = Field(Path("var"), description="Uploads, generated secret, SQLite file by default")
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL used in links and cookies")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone shown to people")
    default_locale: str = Field("vi", description="UI language when the user has not chosen one")
    log_level: str = "INFO"
    log_json: bool = True
    session_idle_minutes: int = Field(120, ge=5, description="Staff session expires after this idle time")
    session_max_hours: int = Field(12, ge=1, description="Staff session expires after this in any case")
    login_max_failures: int = Field(5, ge=1, description="Failed logins before the account is locked")
    login_lockout_minutes: int = Field(15, ge=1)
    job_max_attempts: int = Field(8, ge=1, description="Tries before a job goes to the dead letter")
    job_lease_seconds: int = Field(60, ge=1, description="A claimed job returns to the queue after this")
    registry_url: str = Field(
        "", description="Base URL of the industry database's REST service; empty: the embedded registry"
    )
    registry_token: SecretStr = Field(SecretStr(""), description="Bearer token of the industry database")
    registry_timeout: float = Field(3.0, gt=0, le=60, description="Seconds per registry call")
    sms_backend: Literal["file", "console", "http"] = Field(
        "file", description="One-time codes by SMS: file (data_dir/sms.jsonl), console, or http"
    )
    sms_url: str = Field("", description="The SMS provider's send URL (sms_backend=http)")
    sms_api_key: SecretStr = Field(SecretStr(""), description="The SMS provider's API key")
    sms_sender: str = Field("BHXHVN", max_length=11, description="Brandname the SMS comes from")
    mail_backend: Literal["file", "smtp"] = Field(
        "file", description="E-mail the system sends (one-time codes): file (data_dir/mail.jsonl) or smtp"
    )
    mail_from: str = Field("no-reply@baohiemxahoi.gov.vn", description="Sender address of system e-mail")
    smtp_host: str = Field("", description="SMTP server (mail_backend=smtp)")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str = Field("", description="SMTP login; empty: no login")
    smtp_password: SecretStr = Field(SecretStr(""))
    smtp_security: Literal["starttls", "ssl", "none"] = Field("starttls")

    @model_validator(mode="after")
    def _check_backends(self) -> Settings:
        if self.registry_url and not self.registry_url.startswith(("https://", "http://")):
            raise ValueError("registry_url phải là URL http(s) / must be an http(s) URL")
        if self.registry_url and not self.registry_token.get_secret_value().strip():
            raise ValueError("registry_url cần registry_token / needs registry_token")
        if self.sms_backend == "http" and not self.sms_url.startswith(("https://", "http://")):
            raise ValueError("sms_backend=http cần sms_url / needs an http(s) sms_url")
        if self.mail_backend == "smtp" and not self.smtp_host:
            raise ValueError("mail_backend=smtp cần smtp_host / needs smtp_host")
        return self

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        if not (value.startswith("sqlite:///") or value.startswith("postgresql+psycopg://")):
            raise ValueError(
                "VSSCARE_DATABASE_URL phải bắt đầu bằng sqlite:/// hoặc postgresql:// "
                "/ must start with sqlite:/// or postgresql://"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Múi giờ không hợp lệ / unknown time zone: {value}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"default_locale must be one of {SUPPORTED_LOCALES}")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @cached_property
    def secret(self) -> bytes:
        """The secret key; a random one is generated once and kept in ``data_dir``."""
        value = self.secret_key.get_secret_value()
        if value:
            return value.encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


def get_settings(**overrides) -> Settings:
    return Settings(**overrides)
