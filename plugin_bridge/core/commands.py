"""What the core asks the domain to do: one command per applied plugin message.

Each command carries the authenticated observatory's id and the validated message. The
adapter runs the domain service for it (the same one the matching GraphQL mutation runs) and
reports the outcome with `PluginSession.applied(message_id, Applied(...) | Rejected(...))`.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugin_bridge import messages as m


@dataclass(frozen=True)
class Authenticate:
    """Check the API key and fingerprint of `hello`; answer with `hello_answered`."""

    hello: m.Hello
    clock_offset_s: float


@dataclass(frozen=True)
class Register:
    """Record a pending registration from `hello.registration`; answer with `hello_answered`."""

    hello: m.Hello
    clock_offset_s: float


@dataclass(frozen=True)
class Command[M: m.Envelope]:
    observatory_id: str
    message: M


class Reconcile(Command[m.StateReport]):
    """Run `reconcile()` on the report and the server's view; reply with `reconciliation`."""


class RecordStatus(Command[m.Status]):
    pass


class RequestWork(Command[m.RequestWork]):
    """Dispatch: reply with an `assignment` (a command) or `no_work`."""


class AcceptAssignment(Command[m.AssignmentAccepted]):
    pass


class RejectAssignment(Command[m.AssignmentRejected]):
    pass


class RecordExposureStarted(Command[m.ExposureStarted]):
    pass


class RecordExposureFinished(Command[m.ExposureFinished]):
    """Reply with an `upload_ticket` for a captured frame."""


class RecordFrameUploaded(Command[m.FrameUploaded]):
    pass


class ReportProgress(Command[m.Progress]):
    pass


class CompleteAssignment(Command[m.AssignmentComplete]):
    pass


class InterruptAssignment(Command[m.AssignmentInterrupted]):
    pass


class ResumeAssignment(Command[m.AssignmentResumed]):
    pass


class FailAssignment(Command[m.AssignmentFailed]):
    pass


class QueryCalibrationNeeds(Command[m.CalibrationNeedsQuery]):
    """Reply with `calibration_needs`."""


class CompleteCalibration(Command[m.CalibrationComplete]):
    pass


class RefuseCalibration(Command[m.CalibrationRefused]):
    pass


class ForwardLogs(Command[m.Log]):
    pass


@dataclass(frozen=True)
class RecordGoodbye:
    """The plugin left gracefully; no answer is expected."""

    observatory_id: str
    message: m.Goodbye


@dataclass(frozen=True)
class CommandAcknowledged:
    """The plugin acked a server command (e.g. a rotated key is now in use); no answer."""

    observatory_id: str
    command: m.ServerCommand


@dataclass(frozen=True)
class CommandRefused:
    """The plugin nacked a server command (e.g. an assignment it cannot parse); no answer."""

    observatory_id: str
    command: m.ServerCommand
    nack: m.Nack


# The commands answered through `PluginSession.applied`.
AppliedCommand = (
    Reconcile
    | RecordStatus
    | RequestWork
    | AcceptAssignment
    | RejectAssignment
    | RecordExposureStarted
    | RecordExposureFinished
    | RecordFrameUploaded
    | ReportProgress
    | CompleteAssignment
    | InterruptAssignment
    | ResumeAssignment
    | FailAssignment
    | QueryCalibrationNeeds
    | CompleteCalibration
    | RefuseCalibration
    | ForwardLogs
)

DomainCommand = (
    Authenticate | Register | AppliedCommand | RecordGoodbye | CommandAcknowledged | CommandRefused
)

COMMAND_FOR_TYPE: dict[str, type[AppliedCommand]] = {
    "state_report": Reconcile,
    "status": RecordStatus,
    "request_work": RequestWork,
    "assignment_accepted": AcceptAssignment,
    "assignment_rejected": RejectAssignment,
    "exposure_started": RecordExposureStarted,
    "exposure_finished": RecordExposureFinished,
    "frame_uploaded": RecordFrameUploaded,
    "progress": ReportProgress,
    "assignment_complete": CompleteAssignment,
    "assignment_interrupted": InterruptAssignment,
    "assignment_resumed": ResumeAssignment,
    "assignment_failed": FailAssignment,
    "calibration_needs_query": QueryCalibrationNeeds,
    "calibration_complete": CompleteCalibration,
    "calibration_refused": RefuseCalibration,
    "log": ForwardLogs,
}
