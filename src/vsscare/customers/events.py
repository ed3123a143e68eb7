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


class Merged(_CustomerEvent):
    """On the record that was merged away (``into``) and on the one kept (``source``)."""

    type = "customer.merged"
    into: int
    source: int
    identities_moved: int
    requests_moved: int
    filled: list[str]  # fields the kept record took from the other
    conflicts: list[str]  # fields both had with different values: the kept record's stay


class Anonymised(_CustomerEvent):
    type = "customer.anonymised"
    requests: int
    messages: int
    identities: int
