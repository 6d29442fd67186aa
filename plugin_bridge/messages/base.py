"""The envelope every message carries, and the shared pieces of the message models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

MessageId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$"),
    Field(description="A unique message id: 1-64 characters of A-Z a-z 0-9 . _ : - (a UUID)."),
]
ObjectId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$"),
    Field(description="A server object id (observation, assignment, order)."),
]
Fingerprint = Annotated[
    str,
    StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$"),
    Field(description="`sha256:` and the lowercase hex SHA-256 of the machine's identifiers."),
]
Sha256 = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="A lowercase hex SHA-256 digest."),
]
ShortText = Annotated[str, StringConstraints(max_length=1000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
FrameSequence = Annotated[
    int,
    Field(ge=1, description="The frame's number within its observation, from 1, never reused."),
]
NonNegative = Annotated[float, Field(ge=0)]


class Strict(BaseModel):
    """Strict wire model: unknown fields, coercions and NaN are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Envelope(Strict):
    """Fields every message carries, in both directions."""

    id: MessageId
    seq: int = Field(
        ge=1,
        description="Per-session, per-direction sequence number: 1 for a side's first "
        "message on a connection, then one more for each message it sends (resends too). "
        "A seq not greater than the previous one closes the session (4011).",
    )
    ts: AwareDatetime = Field(description="When the sender created the message (RFC 3339, UTC).")
    correlation_id: MessageId | None = Field(
        default=None, description="The id of the message this one answers, if any."
    )
