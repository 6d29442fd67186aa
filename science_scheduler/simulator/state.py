"""The simulator's durable state: what a real plugin keeps in its local database.

Saved by the driver after every step of the client and before anything is sent, so a
command is stored before it is acked and a message is kept until it is acked.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, JsonValue

from plugin_bridge import messages as m

SEEN_COMMANDS_KEPT = 1000


class CapturedFrame(BaseModel):
    """A frame on disk: `frames/<observation_id>/<file_name>`."""

    file_name: str
    size_bytes: int
    sha256: str
    hfr_px: float
    star_count: int


class Run(BaseModel):
    """The assignment the observatory holds and how far it got."""

    assignment: m.Assignment
    accepted: bool = False
    slot: int = 0  # index of the next exposure to capture in `plan.slots(assignment)`
    next_sequence: int
    exposing: int | None = None  # sequence of the exposure under way
    started_any: bool = False  # an exposure started in this run (the observation is live)
    captured: list[int] = Field(default_factory=list)
    queued: list[int] = Field(default_factory=list)  # put in the upload queue (once)
    uploaded: list[int] = Field(default_factory=list)
    lost: list[int] = Field(default_factory=list)  # refused uploads or reports: not waited for
    frames: dict[int, CapturedFrame] = Field(default_factory=dict)
    capture_finished: bool = False
    suspended: bool = False  # weather hold
    abort_stop: str | None = None  # an abort is being carried out: "immediately" | ...
    ending_id: str | None = None  # id of assignment_complete / _interrupted / _failed sent
    dropped: bool = False  # reconciliation said drop it: upload what is left, then forget

    @property
    def assignment_id(self) -> str:
        return self.assignment.assignment_id

    @property
    def observation_id(self) -> str:
        return self.assignment.observation_id

    def uploads_settled(self) -> bool:
        return set(self.captured) <= set(self.uploaded) | set(self.lost)


class LocalState(BaseModel):
    api_key: str
    api_key_given: str  # the key from the command line this state started from
    machine_id: str
    run: Run | None = None
    outgoing: list[dict[str, JsonValue]] = Field(default_factory=list)  # unacked, in order
    seen_commands: list[str] = Field(default_factory=list)

    def remember_command(self, message_id: str) -> None:
        self.seen_commands.append(message_id)
        del self.seen_commands[:-SEEN_COMMANDS_KEPT]
