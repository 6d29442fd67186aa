"""The message catalogue: which types each side sends, and the discriminated unions."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import Field, TypeAdapter

from plugin_bridge.messages.base import Envelope
from plugin_bridge.messages.calibration import (
    CalibrationComplete,
    CalibrationNeeds,
    CalibrationNeedsQuery,
    CalibrationOrder,
    CalibrationRefused,
)
from plugin_bridge.messages.frames import (
    ExposureFinished,
    ExposureStarted,
    FrameUploaded,
    UploadTicket,
)
from plugin_bridge.messages.logs import Log
from plugin_bridge.messages.session import (
    Ack,
    ApiKeyIssued,
    Goodbye,
    Heartbeat,
    Hello,
    Nack,
    Reconciliation,
    RegistrationPending,
    StateReport,
    Welcome,
)
from plugin_bridge.messages.status import Status
from plugin_bridge.messages.work import (
    Abort,
    Assignment,
    AssignmentAccepted,
    AssignmentComplete,
    AssignmentFailed,
    AssignmentInterrupted,
    AssignmentRejected,
    AssignmentResumed,
    NoWork,
    Progress,
    RequestWork,
)

PluginMessage = (
    Hello
    | Heartbeat
    | Goodbye
    | Ack
    | Nack
    | StateReport
    | Status
    | RequestWork
    | AssignmentAccepted
    | AssignmentRejected
    | ExposureStarted
    | ExposureFinished
    | FrameUploaded
    | Progress
    | AssignmentComplete
    | AssignmentInterrupted
    | AssignmentResumed
    | AssignmentFailed
    | CalibrationNeedsQuery
    | CalibrationComplete
    | CalibrationRefused
    | Log
)

ServerMessage = (
    Welcome
    | RegistrationPending
    | ApiKeyIssued
    | Heartbeat
    | Goodbye
    | Ack
    | Nack
    | Reconciliation
    | NoWork
    | Assignment
    | Abort
    | UploadTicket
    | CalibrationNeeds
    | CalibrationOrder
)

# Server messages the plugin must ack; unacked ones are resent after reconnect.
ServerCommand = ApiKeyIssued | Assignment | Abort | CalibrationOrder


def type_name(model: type[Envelope]) -> str:
    """The `type` discriminator value of a message class."""
    (value,) = get_args(model.model_fields["type"].annotation)
    assert isinstance(value, str)
    return value


def _by_type(union: object) -> dict[str, type[Envelope]]:
    return {type_name(model): model for model in get_args(union)}


PLUGIN_MESSAGES: dict[str, type[Envelope]] = _by_type(PluginMessage)
SERVER_MESSAGES: dict[str, type[Envelope]] = _by_type(ServerMessage)
SERVER_COMMANDS: dict[str, type[Envelope]] = _by_type(ServerCommand)

# Typed as Any: mypy's verdict on an Annotated union passed as a value differs between cold
# and warm caches (1.20); the adapters' own annotations carry the types.
_PLUGIN_UNION: Any = Annotated[PluginMessage, Field(discriminator="type")]
_SERVER_UNION: Any = Annotated[ServerMessage, Field(discriminator="type")]
plugin_message_adapter: TypeAdapter[PluginMessage] = TypeAdapter(_PLUGIN_UNION)
server_message_adapter: TypeAdapter[ServerMessage] = TypeAdapter(_SERVER_UNION)


def is_command(message: Envelope) -> bool:
    """True for the server messages a plugin must ack."""
    return isinstance(message, ApiKeyIssued | Assignment | Abort | CalibrationOrder)
