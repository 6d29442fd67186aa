"""Effects: what the session asks its adapter to do, and the outcomes reported back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import JsonValue

from plugin_bridge import messages as m
from plugin_bridge.core.commands import DomainCommand


@dataclass(frozen=True)
class Send:
    """Write this message to the socket (as `message.model_dump_json()`)."""

    message: m.ServerMessage


@dataclass(frozen=True)
class Close:
    """Close the socket with this code and reason; feed nothing more to the session."""

    code: m.CloseCode
    reason: str


@dataclass(frozen=True)
class Apply:
    """Run the domain service for `command`. When `message_id` is set, report the outcome
    with `PluginSession.applied(message_id, ...)` (or `hello_answered` for a hello)."""

    command: DomainCommand
    message_id: str | None


@dataclass(frozen=True)
class MarkOffline:
    """The observatory's link is gone: mark it offline (its work keeps running for now)."""

    observatory_id: str
    last_seen: datetime
    reason: str


@dataclass(frozen=True)
class InterruptForLostHeartbeat:
    """The grace period after going offline passed: interrupt the observatory's running
    assignment, keep its progress, and put the observation back to `pending`."""

    observatory_id: str
    offline_since: datetime


Effect = Send | Close | Apply | MarkOffline | InterruptForLostHeartbeat


@dataclass(frozen=True)
class Applied:
    """The domain applied the message: ack it with `result`, then send `replies` (answers
    such as `assignment`, `no_work`, `upload_ticket`, `reconciliation`; build them with
    `PluginSession.compose`)."""

    result: dict[str, JsonValue] = field(default_factory=dict)
    replies: tuple[m.ServerMessage, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """The domain refused the message and changed nothing: nack it. A retryable refusal is
    not remembered, so a resend is applied afresh."""

    code: m.ErrorCode
    message: str
    retryable: bool = False
    details: dict[str, JsonValue] = field(default_factory=dict)


Outcome = Applied | Rejected


@dataclass(frozen=True)
class Authenticated:
    observatory_id: str


@dataclass(frozen=True)
class RegistrationPending:
    registration_id: str


@dataclass(frozen=True)
class AuthRefused:
    code: m.ErrorCode
    message: str


HelloOutcome = Authenticated | RegistrationPending | AuthRefused
