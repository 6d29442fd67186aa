"""Error codes (the `code` of a `nack`) and WebSocket close codes, each with its meaning and
what a plugin should do about it. docs/plugin-protocol.md renders these tables."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


@dataclass(frozen=True)
class CodeDoc:
    meaning: str
    plugin_action: str
    retryable: bool


class ErrorCode(StrEnum):
    MALFORMED_JSON = "malformed_json"
    UNKNOWN_TYPE = "unknown_type"
    SCHEMA_VIOLATION = "schema_violation"
    UNEXPECTED_MESSAGE = "unexpected_message"
    NOT_READY = "not_ready"
    UNSUPPORTED_PROTOCOL = "unsupported_protocol"
    PLUGIN_OUTDATED = "plugin_outdated"
    AUTHENTICATION_REQUIRED = "authentication_required"
    INVALID_API_KEY = "invalid_api_key"
    API_KEY_REVOKED = "api_key_revoked"
    API_KEY_EXPIRED = "api_key_expired"
    FINGERPRINT_MISMATCH = "fingerprint_mismatch"
    REGISTRATION_REJECTED = "registration_rejected"
    UNKNOWN_ASSIGNMENT = "unknown_assignment"
    ASSIGNMENT_NOT_ACTIVE = "assignment_not_active"
    INVALID_TRANSITION = "invalid_transition"
    NOT_FOUND = "not_found"
    INVALID_VALUE = "invalid_value"
    INTERNAL_ERROR = "internal_error"


E = ErrorCode

ERROR_CODES: dict[ErrorCode, CodeDoc] = {
    E.MALFORMED_JSON: CodeDoc(
        "The frame is not UTF-8 JSON text holding one object.",
        "Fix the encoder; do not resend the same bytes.",
        False,
    ),
    E.UNKNOWN_TYPE: CodeDoc(
        "`type` is missing or names no plugin-to-server message of this protocol version.",
        "Do not resend; check the protocol version you implement.",
        False,
    ),
    E.SCHEMA_VIOLATION: CodeDoc(
        "The message does not match its JSON Schema; `details.errors` lists each field.",
        "Do not resend the same message; fix it and send it with a new id.",
        False,
    ),
    E.UNEXPECTED_MESSAGE: CodeDoc(
        "A valid message that is not allowed now (a second `hello`, a server-only type).",
        "Do not resend; follow the session order of the specification.",
        False,
    ),
    E.NOT_READY: CodeDoc(
        "Work messages before the session is ready: send `state_report` after `welcome` and "
        "wait for `reconciliation`.",
        "Resend the same message (same id) once `reconciliation` has arrived.",
        True,
    ),
    E.UNSUPPORTED_PROTOCOL: CodeDoc(
        "`hello.protocol` is not the negotiated subprotocol `ss-plugin.v1`.",
        "Upgrade the plugin; the connection is closed with 4001.",
        False,
    ),
    E.PLUGIN_OUTDATED: CodeDoc(
        "The plugin version is below the server's minimum (`details.minimum`).",
        "Show UPDATE REQUIRED, run nothing, reconnect only after updating.",
        False,
    ),
    E.AUTHENTICATION_REQUIRED: CodeDoc(
        "`hello` has neither `api_key` nor `registration`.",
        "Configure an API key or fill in the registration fields.",
        False,
    ),
    E.INVALID_API_KEY: CodeDoc(
        "The API key is unknown or mistyped.",
        "Show 'API Key Invalid'; stop reconnecting until the key is changed.",
        False,
    ),
    E.API_KEY_REVOKED: CodeDoc(
        "The API key was revoked by an administrator.",
        "Show 'API Key Invalid'; stop reconnecting until the key is changed.",
        False,
    ),
    E.API_KEY_EXPIRED: CodeDoc(
        "The API key is past its expiry date.",
        "Show 'API Key Invalid'; ask an administrator for a new key.",
        False,
    ),
    E.FINGERPRINT_MISMATCH: CodeDoc(
        "The hardware fingerprint differs from the one enrolled for this key.",
        "Show 'Fingerprint Mismatch'; a server admin must reset the fingerprint.",
        False,
    ),
    E.REGISTRATION_REJECTED: CodeDoc(
        "An administrator refused the registration request.",
        "Stop reconnecting; contact the organization's administrators.",
        False,
    ),
    E.UNKNOWN_ASSIGNMENT: CodeDoc(
        "`assignment_id` names no assignment of this observatory.",
        "Drop the message and the assignment it refers to.",
        False,
    ),
    E.ASSIGNMENT_NOT_ACTIVE: CodeDoc(
        "The assignment ended (aborted, reassigned or terminal); nothing was changed.",
        "Stop work on it; upload frames already captured, then request work.",
        False,
    ),
    E.INVALID_TRANSITION: CodeDoc(
        "The report would move the observation through a transition the lifecycle forbids.",
        "Do not resend; send `state_report` on the next reconnect to reconcile.",
        False,
    ),
    E.NOT_FOUND: CodeDoc(
        "A referenced object (calibration order, frame) does not exist.",
        "Drop the message.",
        False,
    ),
    E.INVALID_VALUE: CodeDoc(
        "A value is well-formed but not acceptable (a sequence outside the plan, ...).",
        "Fix the value and send a new message with a new id.",
        False,
    ),
    E.INTERNAL_ERROR: CodeDoc(
        "The server failed to apply the message; nothing was applied.",
        "Resend the same message (same id) after a short backoff.",
        True,
    ),
}


class CloseCode(IntEnum):
    NORMAL = 1000
    PROTOCOL_ERROR = 4000
    UNSUPPORTED_PROTOCOL = 4001
    PLUGIN_OUTDATED = 4002
    AUTHENTICATION_FAILED = 4003
    API_KEY_REVOKED = 4004
    FINGERPRINT_MISMATCH = 4005
    REGISTRATION_REJECTED = 4006
    HELLO_TIMEOUT = 4007
    HEARTBEAT_TIMEOUT = 4008
    MESSAGE_TOO_BIG = 4009
    RATE_LIMITED = 4010
    SEQUENCE_ERROR = 4011
    SESSION_REPLACED = 4012
    SERVER_GOING_AWAY = 4013


C = CloseCode

_RECONNECT = "Reconnect with backoff (1 s doubling to 60 s), then resend unacked messages."

CLOSE_CODES: dict[CloseCode, CodeDoc] = {
    C.NORMAL: CodeDoc("Normal end after a `goodbye` from either side.", "Nothing.", False),
    C.PROTOCOL_ERROR: CodeDoc(
        "The first message was not a valid `hello`.",
        "Fix the plugin; " + _RECONNECT[0].lower() + _RECONNECT[1:],
        True,
    ),
    C.UNSUPPORTED_PROTOCOL: CodeDoc(
        "The plugin offered no subprotocol this server speaks, or `hello.protocol` differs.",
        "Do not reconnect; update the plugin.",
        False,
    ),
    C.PLUGIN_OUTDATED: CodeDoc(
        "The plugin version is below the server's minimum; the reason names the minimum.",
        "Show UPDATE REQUIRED; reconnect only after updating.",
        False,
    ),
    C.AUTHENTICATION_FAILED: CodeDoc(
        "No API key or registration, or an unknown or expired API key.",
        "Show 'API Key Invalid'; reconnect only after the key is changed.",
        False,
    ),
    C.API_KEY_REVOKED: CodeDoc(
        "The API key was revoked (also sent to a live session when it is revoked).",
        "Show 'API Key Invalid'; reconnect only after the key is changed.",
        False,
    ),
    C.FINGERPRINT_MISMATCH: CodeDoc(
        "The hardware fingerprint differs from the enrolled one.",
        "Show 'Fingerprint Mismatch'; reconnect after a server admin reset it.",
        False,
    ),
    C.REGISTRATION_REJECTED: CodeDoc(
        "An administrator refused the registration.",
        "Do not reconnect with this registration.",
        False,
    ),
    C.HELLO_TIMEOUT: CodeDoc(
        "No valid `hello` arrived within the hello timeout (default 10 s).",
        _RECONNECT,
        True,
    ),
    C.HEARTBEAT_TIMEOUT: CodeDoc(
        "Nothing arrived from the plugin for the heartbeat timeout (default 90 s).",
        _RECONNECT,
        True,
    ),
    C.MESSAGE_TOO_BIG: CodeDoc(
        "A frame exceeded 262144 bytes of UTF-8; it was not applied.",
        "Split the content (e.g. fewer log entries per `log`); " + _RECONNECT.lower(),
        True,
    ),
    C.RATE_LIMITED: CodeDoc(
        "The plugin sent more messages than its token bucket allows (burst 60, 10 per s).",
        "Wait at least 10 s, reconnect, and send less often.",
        True,
    ),
    C.SEQUENCE_ERROR: CodeDoc(
        "`seq` was not greater than the previous message's on this connection.",
        "Reconnect (the new session starts again at seq 1) and resend unacked messages.",
        True,
    ),
    C.SESSION_REPLACED: CodeDoc(
        "Another connection authenticated for the same observatory; this one is closed.",
        "Do not reconnect automatically: another plugin instance holds the observatory.",
        False,
    ),
    C.SERVER_GOING_AWAY: CodeDoc("The server is shutting down or restarting.", _RECONNECT, True),
}
