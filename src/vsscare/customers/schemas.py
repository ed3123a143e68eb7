"""Validated input of the customers domain. Identifiers arrive as typed (with spaces or dots);
``customers.identifiers`` checks and explains them inside the actions, with their own error codes."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from vsscare.core.text import email_address, normalize

Gender = Literal["male", "female", "other"]
IdentityKind = Literal["phone", "email", "zalo", "facebook"]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: object) -> object:
    if not isinstance(value, str):
        return value
    if _CONTROL.search(value):
        raise ValueError("có ký tự điều khiển / contains a control character")
    return normalize(value).strip()


def _email(value: str | None) -> str | None:
    return email_address(value) if value else None


def _birth(value: date | None) -> date | None:
    if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
        raise ValueError("ngày sinh phải từ 01/01/1900 đến hôm nay / birth date must be from 1900 to today")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Email = Annotated[str | None, BeforeValidator(_text), AfterValidator(_email)]
BirthDate = Annotated[date | None, AfterValidator(_birth)]
Province = Annotated[str | None, Field(None, pattern=r"^\d{2}$", description="Two-digit province code")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(_In):
    """A citizen: insured person, pensioner, patient, family member."""

    name: Text = Field(min_length=1, max_length=200, description="Full name")
    birth_date: BirthDate = None
    gender: Gender | None = None
    si_code: Text | None = Field(None, max_length=40, description="Mã số BHXH, 10 digits")
    cccd: Text | None = Field(None, max_length=40, description="Citizen identity card, 12 digits")
    phone: Text | None = Field(None, max_length=40)
    email: Email = Field(None, max_length=200)
    province: Province = None
    commune: Text | None = Field(None, max_length=120)
    address: Text | None = Field(None, max_length=300)


class EmployerIn(_In):
    """An employer that pays contributions for its workers."""

    name: Text = Field(min_length=1, max_length=200)
    unit_code: Text | None = Field(None, pattern=r"^[A-Za-z0-9]{3,20}$", description="Mã đơn vị at VSS")
    tax_code: Text | None = Field(None, pattern=r"^\d{10}(-\d{3})?$", description="Mã số thuế")
    contact_person: Text | None = Field(None, max_length=200)
    phone: Text | None = Field(None, max_length=40)
    email: Email = Field(None, max_length=200)
    province: Province = None
    commune: Text | None = Field(None, max_length=120)
    address: Text | None = Field(None, max_length=300)


class IdentityIn(_In):
    """A channel identity: a phone number, an e-mail address, a Zalo user id or a Facebook PSID."""

    kind: IdentityKind
    value: Text = Field(min_length=1, max_length=200)
