"""The contact phone of a request at rest: encrypted, with a blind index and the masked form staff
see (``091****678``), like the customers' identifiers. The index shares the customers' phone
context, so one number finds the same person's requests and customer record alike."""

from __future__ import annotations

import hmac

from vsscare.core.crypto import Keyring
from vsscare.customers.actions import context
from vsscare.requests.masking import mask_phone
from vsscare.requests.models import Request

CONTEXT = context("phone")


def protected(ring: Keyring | None, e164: str | None) -> dict[str, str | None]:
    """The ``contact_phone_*`` columns of a number in E.164 (all None for None)."""
    if not e164:
        return {"contact_phone_enc": None, "contact_phone_bi": None, "contact_phone_masked": None}
    if ring is None:
        raise ValueError("the data keys are needed to store a phone number")
    return {
        "contact_phone_enc": ring.encrypt(e164, context=CONTEXT),
        "contact_phone_bi": ring.blind_index(e164, context=CONTEXT),
        "contact_phone_masked": mask_phone(e164),
    }


def index(ring: Keyring, e164: str) -> str:
    return ring.blind_index(e164, context=CONTEXT)


def phone(ring: Keyring, request: Request) -> str | None:
    """The number in clear: only for staff allowed to see it, and audited by the caller."""
    return ring.decrypt(request.contact_phone_enc, context=CONTEXT) if request.contact_phone_enc else None


def same_phone(ring: Keyring, request: Request, e164: str) -> bool:
    """Whether ``e164`` is the request's number, in constant time."""
    on_file = request.contact_phone_bi or ""
    return hmac.compare_digest(on_file.encode(), index(ring, e164).encode())


def copy(source: Request, target: Request) -> None:
    for column in ("contact_phone_enc", "contact_phone_bi", "contact_phone_masked"):
        setattr(target, column, getattr(source, column))
