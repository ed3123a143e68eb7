"""How outbound messages reach the customer: one sender per channel, registered by its driver.

A reply or notification is stored as an outbound message with ``delivery = "queued"`` and a
``requests.deliver`` job in the same transaction (the outbox). The job hands it to the sender of
the request's channel, which returns the provider's message id. A channel with no sender yet
leaves the message on the portal, where the customer reads it with the request code and phone
(``delivery = "portal"``). Senders must be idempotent per message id: a job whose worker died
runs again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from vsscare.requests.models import Request, RequestMessage

Sender = Callable[[Session, Request, RequestMessage], str | None]
DELIVER_JOB = "requests.deliver"
_SENDERS: dict[str, Sender] = {}


def register(channel: str, sender: Sender) -> None:
    _SENDERS[channel] = sender


def sender_for(channel: str) -> Sender | None:
    return _SENDERS.get(channel)
