"""Session messages: hello/welcome, registration, keys, heartbeat, goodbye, acks,
and the state report and reconciliation of a reconnect."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, JsonValue, StringConstraints

from plugin_bridge.messages.base import (
    Envelope,
    Fingerprint,
    FrameSequence,
    MessageId,
    Name,
    ObjectId,
    ShortText,
    Strict,
)
from plugin_bridge.messages.codes import ErrorCode
from plugin_bridge.messages.version import VERSION_PATTERN

Version = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]


class Capabilities(Strict):
    """What the observatory can do (FEATURES.md §2.2)."""

    imaging: bool = True
    guiding: bool = False
    auto_focus: bool = False
    plate_solving: bool = False
    filter_wheel: bool = False
    rotator: bool = False
    filters: list[Name] = Field(default_factory=list, description="Filter names by slot.")
    binning_modes: list[Annotated[int, Field(ge=1, le=8)]] = Field(default_factory=lambda: [1])
    readout_modes: list[Name] = Field(default_factory=list)
    min_exposure_s: float | None = Field(default=None, ge=0)
    max_exposure_s: float | None = Field(default=None, gt=0)
    dark_filter: Name | None = Field(
        default=None, description="Opaque filter for darks with a shutterless camera."
    )
    features: list[Literal["calibration_orders", "run_until_updates", "log_forwarding"]] = Field(
        default_factory=list, description="Optional protocol features the plugin handles."
    )


class Registration(Strict):
    """A new observatory's details, sent in `hello` instead of an API key (FEATURES.md §2.1)."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{3,20}$")]
    name: Name
    contact_email: Annotated[
        str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
    ]
    contact_name: Name | None = None
    description: ShortText = ""
    city: Name | None = None
    country: Name | None = None
    latitude_deg: float = Field(ge=-90, le=90)
    longitude_deg: float = Field(ge=-180, le=180)
    elevation_m: float = Field(default=0.0, ge=-500, le=9000)
    organization_hint: Name | None = Field(
        default=None, description="Organization the observatory asks to join (code or name)."
    )


class Hello(Envelope):
    """Plugin -> server, first message of every session. Answered by `welcome`,
    `registration_pending`, or a `nack` and a close."""

    type: Literal["hello"]
    protocol: Literal["ss-plugin.v1"] = Field(description="Must equal the negotiated subprotocol.")
    plugin_version: Version = Field(description="The plugin's release, e.g. `4.0.11.0`.")
    host_software: Name | None = Field(default=None, description="e.g. `NINA 3.2.0.9001`.")
    api_key: Annotated[str, StringConstraints(min_length=8, max_length=200)] | None = Field(
        default=None, description="The observatory API key; absent for a first registration."
    )
    fingerprint: Fingerprint
    registration: Registration | None = Field(
        default=None, description="Required when `api_key` is absent."
    )
    capabilities: Capabilities = Field(default_factory=Capabilities)


class Welcome(Envelope):
    """Server -> plugin: authenticated. Next the plugin sends `state_report`."""

    type: Literal["welcome"]
    protocol: Literal["ss-plugin.v1"]
    session_id: ObjectId
    observatory_id: ObjectId
    server_version: Version
    min_plugin_version: Version
    server_time: AwareDatetime = Field(description="Server clock when `hello` was received.")
    clock_offset_s: float = Field(
        description="server_time minus hello.ts: the plugin clock's lag plus one-way latency."
    )
    heartbeat_interval_s: float = Field(gt=0, description="Send `heartbeat` this often.")
    heartbeat_timeout_s: float = Field(
        gt=0, description="The server closes (4008) after this long without any message."
    )
    max_message_bytes: int = Field(gt=0)
    upload_url: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="Where frames are uploaded over HTTP (`POST`, see upload_ticket)."
    )


class RegistrationPending(Envelope):
    """Server -> plugin: the registration waits for an administrator. The session stays open;
    `api_key_issued` follows when it is approved."""

    type: Literal["registration_pending"]
    registration_id: ObjectId
    status: Literal["pending_approval"] = "pending_approval"


class ApiKeyIssued(Envelope):
    """Server -> plugin command (ack required): a new API key after approval or rotation.
    The plugin stores it durably before acking; the previous key stops working once acked."""

    type: Literal["api_key_issued"]
    reason: Literal["registration_approved", "rotation"]
    observatory_id: ObjectId
    api_key: Annotated[str, StringConstraints(min_length=8, max_length=200)]
    expires_at: AwareDatetime | None = None


class Heartbeat(Envelope):
    """Either direction, not acked. The plugin sends one every `heartbeat_interval_s`; the
    server answers each with a `heartbeat` whose correlation_id is the plugin's id."""

    type: Literal["heartbeat"]


class Goodbye(Envelope):
    """Either direction: a graceful end. The receiver closes with 1000."""

    type: Literal["goodbye"]
    reason: Literal["shutdown", "restart", "user", "update", "server_shutdown"]
    message: ShortText = ""


class Ack(Envelope):
    """Either direction: the message `correlation_id` was durably applied. `result` is what
    applying it produced; a duplicate gets the same ack again."""

    type: Literal["ack"]
    correlation_id: MessageId
    result: dict[str, JsonValue] = Field(default_factory=dict)


class Nack(Envelope):
    """Either direction: the message `correlation_id` was refused and nothing was applied.
    correlation_id is null when the refused frame had no readable id."""

    type: Literal["nack"]
    code: ErrorCode
    message: ShortText
    retryable: bool = Field(description="True when resending the same message may succeed.")
    details: dict[str, JsonValue] = Field(default_factory=dict)


class StateReport(Envelope):
    """Plugin -> server, right after `welcome`: what the plugin holds. Acked, and answered by
    `reconciliation`."""

    type: Literal["state_report"]
    assignment_id: ObjectId | None = Field(description="The assignment the plugin holds, if any.")
    frames_captured: list[FrameSequence] = Field(
        default_factory=list, description="Frame sequences captured for that assignment."
    )
    frames_uploaded: list[FrameSequence] = Field(
        default_factory=list, description="Of those, the ones uploaded (HTTP 200/201)."
    )
    unacked_message_ids: list[MessageId] = Field(
        default_factory=list, description="Messages the plugin will resend, in order."
    )
    capture_finished: bool = Field(
        default=False, description="True when the plugin finished capturing the assignment."
    )


class DecisionKind(StrEnum):
    CONTINUE = "continue"
    COMPLETE = "complete"
    PARTIALLY_COMPLETE = "partially_complete"
    REQUEUE = "requeue"
    IGNORE_STALE = "ignore_stale"
    IDLE = "idle"


class Reconciliation(Envelope):
    """Server -> plugin: the decision on the reported state. After it the session is ready:
    the plugin resends its unacked messages, the server its unacked commands."""

    type: Literal["reconciliation"]
    decision: DecisionKind
    assignment_id: ObjectId | None
    observation_state: Name | None = Field(
        description="The observation's state after the decision (null when none)."
    )
    upload_sequences: list[FrameSequence] = Field(
        default_factory=list, description="Frames the plugin should upload (not yet received)."
    )
    reason: ShortText
