"""Typed events of a customer. They carry no personal data: names of fields, never their values."""

from __future__ import annotations

from vsscare.core.events import Event


class _CustomerEvent(Event):
    subject = "customer"


class Created(_CustomerEvent):
    type = "customer.created"
    kind: str


class IdentityLinked(_CustomerEvent):
    type = "customer.identity_linked"
    identity_kind: str
