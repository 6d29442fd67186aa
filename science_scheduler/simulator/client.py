"""`PluginClient`: the plugin side of `ss-plugin.v1` as a state machine with no I/O.

Frames, time and the results of exposures and uploads go in; effects come out (send this
frame, start or cancel an exposure, queue an upload, close, stop). The durable part of the
state is `LocalState`: the driver saves it after every call and before carrying out the
effects, so commands are stored before they are acked and unacked messages survive restarts.

Phases: disconnected -> connecting (hello sent) -> authenticated (state_report sent) -> ready.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import JsonValue, ValidationError

from plugin_bridge import messages as m
from science_scheduler.simulator import plan
from science_scheduler.simulator.effects import (
    CancelExposure,
    CloseSocket,
    Effect,
    EnqueueUpload,
    ExposureJob,
    Send,
    StartExposure,
    Stop,
    UploadJob,
)
from science_scheduler.simulator.state import CapturedFrame, LocalState, Run

log = logging.getLogger(__name__)

E = m.ErrorCode
DOWNLOAD_MARGIN_S = 15.0  # must_end_by: the exposure plus this must fit
STATUS_EVERY_S = 60.0
PROGRESS_EVERY_S = 10.0
HEARTBEAT_ANSWER_TIMEOUT_S = 60.0
RETRY_AFTER_INTERNAL_ERROR_S = 2.0
RETRY_AFTER_REFUSED_REQUEST_S = 30.0
RATE_LIMITED_WAIT_S = 10.0  # close 4010: wait at least 10 s before reconnecting
# Never sent twice on purpose by the duplicate fault: they are per connection.
_NOT_DUPLICATED = frozenset({"hello", "state_report", "goodbye"})
# Answers to these refusals mean the assignment is gone on the server.
_ASSIGNMENT_GONE = frozenset({E.UNKNOWN_ASSIGNMENT, E.ASSIGNMENT_NOT_ACTIVE})


class Phase(StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    AUTHENTICATED = "authenticated"
    READY = "ready"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ClientConfig:
    plugin_version: str = "1.0.0"
    host_software: str = "science-scheduler simulate-observatory"
    capabilities: m.Capabilities = field(default_factory=m.Capabilities)
    equipment: m.Equipment | None = None
    speedup: float = 1.0
    ack_delay_s: float = 0.0
    duplicate_rate: float = 0.0
    unsafe_periods: tuple[tuple[datetime, datetime], ...] = ()


class PluginClient:
    """One simulated observatory. Feed it frames and time; carry out the effects it returns."""

    def __init__(
        self,
        config: ClientConfig,
        state: LocalState,
        *,
        rng: random.Random | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.config = config
        self.state = state
        self.rng = rng or random.Random()
        self.new_id = new_id
        self.phase = Phase.DISCONNECTED
        self.stop_reason: str | None = None
        self.seq = 0
        self.sent_here: set[str] = set()  # outgoing ids sent on this connection
        self.welcome: m.Welcome | None = None
        self.state_report_id: str | None = None
        self.heartbeat_at: datetime | None = None
        self.heartbeat_unanswered_since: datetime | None = None
        self.status_at: datetime | None = None
        self.progress_at: datetime | None = None
        self.request_at: datetime | None = None  # earliest next request_work
        self.requesting: str | None = None  # id of the request_work awaiting its answer
        self.delayed_acks: list[tuple[datetime, str]] = []
        self.retry_at: dict[str, datetime] = {}
        self.unsafe = False
        self.goodbye_reason: str | None = None
        self.reconnect_wait_s = 0.0  # at least this long before the next connection

    @property
    def fingerprint(self) -> str:
        return "sha256:" + hashlib.sha256(self.state.machine_id.encode()).hexdigest()

    @property
    def run(self) -> Run | None:
        return self.state.run

    # -- the connection -----------------------------------------------------------------

    def connected(self, now: datetime) -> list[Effect]:
        """The handshake succeeded: say hello."""
        self.phase = Phase.CONNECTING
        self.seq = 0
        self.sent_here = set()
        self.welcome = None
        self.goodbye_reason = None
        self.heartbeat_at = now
        self.heartbeat_unanswered_since = None
        hello = self._message(
            m.Hello,
            now,
            protocol=m.PROTOCOL,
            plugin_version=self.config.plugin_version,
            host_software=self.config.host_software,
            api_key=self.state.api_key,
            fingerprint=self.fingerprint,
            capabilities=self.config.capabilities.model_dump(mode="json"),
        )
        return self._transmit(hello)

    def connection_lost(self, close_code: int | None, now: datetime) -> list[Effect]:
        """The socket closed (`close_code` None: it dropped). Stop when the code says so."""
        was = self.phase
        self.phase = Phase.DISCONNECTED
        self.sent_here = set()
        self.delayed_acks = []
        if self.requesting is not None and not self._is_outgoing(self.requesting):
            self.requesting = None  # acked, but the answer was lost: ask again when ready
        if was is Phase.STOPPED:
            self.phase = Phase.STOPPED
            return []
        rate_limited = close_code == m.CloseCode.RATE_LIMITED
        self.reconnect_wait_s = RATE_LIMITED_WAIT_S if rate_limited else 0.0
        if close_code is None or close_code in {1001, 1006, 1011, 1012}:
            return []
        if close_code == m.CloseCode.NORMAL:
            if self.goodbye_reason == "server_shutdown":
                return []
            return self._stop("the session ended normally")
        try:
            code = m.CloseCode(close_code)
        except ValueError:
            return []
        if m.CLOSE_CODES[code].retryable:
            return []
        return self._stop(f"closed with {int(code)} {code.name}: {m.CLOSE_CODES[code].meaning}")

    def restarted(self, now: datetime) -> list[Effect]:
        """The simulator (re)started: an exposure under way when it stopped is lost."""
        run = self.run
        if run is None or run.exposing is None:
            return []
        return self._cancel_exposure(run, now, "the observatory software restarted")

    def goodbye(self, now: datetime, reason: str = "shutdown") -> list[Effect]:
        """Leave gracefully (the driver closes after sending)."""
        if self.phase in {Phase.DISCONNECTED, Phase.STOPPED}:
            self.phase = Phase.STOPPED
            return []
        effects = self._transmit(self._message(m.Goodbye, now, reason=reason))
        self.phase = Phase.STOPPED
        return [*effects, CloseSocket("goodbye")]

    # -- frames from the server ---------------------------------------------------------

    def receive(self, text: str | bytes, now: datetime) -> list[Effect]:
        message = _parse(text)
        if message is None or self.phase in {Phase.DISCONNECTED, Phase.STOPPED}:
            return []
        if isinstance(message, m.Heartbeat):
            self.heartbeat_unanswered_since = None
            return []
        if isinstance(message, m.Welcome):
            return self._welcomed(message, now)
        if isinstance(message, m.Ack):
            return self._acked(message.correlation_id, now)
        if isinstance(message, m.Nack):
            return self._nacked(message, now)
        if isinstance(message, m.Reconciliation):
            return self._reconciled(message, now)
        if isinstance(message, m.NoWork):
            return self._no_work(message, now)
        if isinstance(message, m.UploadTicket):
            return self._ticket(message)
        if isinstance(message, m.Goodbye):
            self.goodbye_reason = message.reason
            return [CloseSocket(f"server said goodbye ({message.reason})")]
        if isinstance(message, m.Assignment | m.Abort | m.ApiKeyIssued | m.CalibrationOrder):
            return self._command(message, now)
        return []  # registration_pending, calibration_needs: nothing to do here

    def _welcomed(self, welcome: m.Welcome, now: datetime) -> list[Effect]:
        self.welcome = welcome
        self.phase = Phase.AUTHENTICATED
        if abs(welcome.clock_offset_s) > 5:
            log.warning("the clock is %.1f s off the server's", welcome.clock_offset_s)
        run = self.run
        report = self._message(
            m.StateReport,
            now,
            assignment_id=run.assignment_id if run else None,
            frames_captured=sorted(run.captured) if run else [],
            frames_uploaded=sorted(run.uploaded) if run else [],
            unacked_message_ids=[str(item["id"]) for item in self.state.outgoing],
            capture_finished=run.capture_finished if run else False,
        )
        self.state_report_id = report.id
        return self._transmit(report)

    def _reconciled(self, decision: m.Reconciliation, now: datetime) -> list[Effect]:
        effects: list[Effect] = []
        run = self.run
        if run is not None and decision.assignment_id in {run.assignment_id, None}:
            effects += self._enqueue_uploads(run, decision.upload_sequences)
            if decision.decision is not m.DecisionKind.CONTINUE:
                log.info("reconciliation: %s (%s)", decision.decision, decision.reason)
                effects += self._drop(run)
        self.phase = Phase.READY
        self.requesting = self.requesting if self._is_outgoing(self.requesting) else None
        for item in self.state.outgoing:
            effects += self._send_outgoing(item)
        effects += self._send_status(now, with_equipment=True)
        return effects + self._advance(now) + self._settle(now)

    def _acked(self, correlation_id: str, now: datetime) -> list[Effect]:
        item = self._forget(correlation_id)
        if item is None:
            return []
        if item.get("type") == "exposure_finished":
            return []  # the ticket follows
        return self._settle(now)

    def _nacked(self, nack: m.Nack, now: datetime) -> list[Effect]:
        correlation = nack.correlation_id
        log.warning("nack %s for %s: %s", nack.code, correlation, nack.message)
        if correlation is None:
            return []
        if nack.retryable:
            self.sent_here.discard(correlation)
            if nack.code is not E.NOT_READY:
                self.retry_at[correlation] = now + timedelta(seconds=RETRY_AFTER_INTERNAL_ERROR_S)
            return []
        item = self._forget(correlation)
        if item is None:
            return []
        effects: list[Effect] = []
        run = self.run
        if item.get("type") == "request_work":
            self.requesting = None
            self.request_at = now + timedelta(seconds=RETRY_AFTER_REFUSED_REQUEST_S)
        if run is not None and item.get("assignment_id") == run.assignment_id:
            if item.get("type") == "exposure_finished":
                sequence = item.get("sequence")
                if isinstance(sequence, int):
                    run.lost.append(sequence)
            if nack.code in _ASSIGNMENT_GONE:
                effects += self._drop(run)
        return effects + self._settle(now)

    def _no_work(self, no_work: m.NoWork, now: datetime) -> list[Effect]:
        if no_work.correlation_id == self.requesting:
            self.requesting = None
        self.request_at = now + timedelta(seconds=no_work.retry_after_s)
        return []

    def _ticket(self, ticket: m.UploadTicket) -> list[Effect]:
        run = self.run
        if run is None or run.assignment_id != ticket.assignment_id:
            return []
        captured = run.frames.get(ticket.sequence)
        if captured is None or ticket.sequence in run.queued:
            return []  # a replayed ticket, or a frame reconciliation already queued
        run.queued.append(ticket.sequence)
        job = UploadJob(
            ticket.assignment_id,
            ticket.observation_id,
            ticket.sequence,
            captured.file_name,
            ticket.url,
            captured.sha256,
        )
        return [EnqueueUpload(job)]

    # -- server commands ----------------------------------------------------------------

    def _command(self, command: m.ServerCommand, now: datetime) -> list[Effect]:
        if command.id in self.state.seen_commands:
            return self._ack(command.id, now)  # a resend: ack again, do not run it twice
        self.state.remember_command(command.id)
        # Acked first (frames keep their seq order); the driver stores the state before it
        # sends anything, so the command is durable before the ack leaves.
        effects: list[Effect] = self._ack(command.id, now)
        if isinstance(command, m.Assignment):
            effects += self._assignment(command, now)
        elif isinstance(command, m.Abort):
            effects += self._abort(command, now)
        elif isinstance(command, m.ApiKeyIssued):
            self.state.api_key = command.api_key
        else:
            refused = self._message(
                m.CalibrationRefused,
                now,
                order_id=command.order_id,
                reason="unsupported",
                message="the simulator takes no calibration orders",
            )
            effects += self._queue(refused)
        return effects

    def _ack(self, command_id: str, now: datetime) -> list[Effect]:
        if self.config.ack_delay_s > 0:
            self.delayed_acks.append((now + timedelta(seconds=self.config.ack_delay_s), command_id))
            return []
        return self._transmit(self._message(m.Ack, now, correlation_id=command_id))

    def _assignment(self, assignment: m.Assignment, now: datetime) -> list[Effect]:
        if assignment.correlation_id == self.requesting:
            self.requesting = None
        run = self.run
        if run is not None and run.assignment_id == assignment.assignment_id:
            return []  # already held (sent again under a new id): nothing new to do
        reason: str | None = None
        if run is not None:
            reason = "busy"
        elif not plan.filters(assignment) <= set(self.config.capabilities.filters):
            reason = "unsupported_filter"
        elif self.unsafe:
            reason = "unsafe"
        if reason is not None:
            rejected = self._message(
                m.AssignmentRejected, now, assignment_id=assignment.assignment_id, reason=reason
            )
            return self._queue(rejected)
        self.state.run = Run(
            assignment=assignment, accepted=True, next_sequence=assignment.first_sequence
        )
        accepted = self._message(m.AssignmentAccepted, now, assignment_id=assignment.assignment_id)
        log.info("accepted %s (%s)", assignment.observation_name, assignment.assignment_id)
        return self._queue(accepted) + self._advance(now)

    def _abort(self, abort: m.Abort, now: datetime) -> list[Effect]:
        run = self.run
        if run is None or run.assignment_id != abort.assignment_id or run.ending_id:
            return []
        log.info("abort %s: %s (%s)", abort.assignment_id, abort.reason, abort.stop)
        run.abort_stop = abort.stop
        effects: list[Effect] = []
        if abort.stop == "immediately" and run.exposing is not None:
            effects += self._cancel_exposure(run, now, "aborted by the server")
        return effects + self._settle(now)

    # -- the camera and the uploader ----------------------------------------------------

    def exposure_done(
        self, sequence: int, frame: CapturedFrame | None, now: datetime
    ) -> list[Effect]:
        """The exposure `sequence` ended; `frame` is None when it failed."""
        run = self.run
        if run is None or run.exposing != sequence:
            return []
        run.exposing = None
        if frame is None:
            finished = self._message(
                m.ExposureFinished,
                now,
                assignment_id=run.assignment_id,
                sequence=sequence,
                outcome="failed",
                message="the camera failed",
            )
            return self._queue(finished) + self._advance(now) + self._settle(now)
        run.captured.append(sequence)
        run.frames[sequence] = frame
        run.slot += 1
        finished = self._message(
            m.ExposureFinished,
            now,
            assignment_id=run.assignment_id,
            sequence=sequence,
            outcome="captured",
            file_name=frame.file_name,
            size_bytes=frame.size_bytes,
            sha256=frame.sha256,
            hfr_px=frame.hfr_px,
            star_count=frame.star_count,
        )
        return self._queue(finished) + self._advance(now) + self._settle(now)

    def upload_done(self, job: UploadJob, frame_id: str, now: datetime) -> list[Effect]:
        """The upload of `job` answered 200/201 with `frame_id`: report it (also for a run
        reconciliation ended: the server completes an observation on these reports)."""
        run = self.run
        if run is not None and run.assignment_id == job.assignment_id:
            if job.sequence in run.uploaded:
                return []  # uploaded twice (a replayed ticket and a reconciliation): reported
            run.uploaded.append(job.sequence)
        uploaded = self._message(
            m.FrameUploaded,
            now,
            assignment_id=job.assignment_id,
            sequence=job.sequence,
            frame_id=frame_id,
            sha256=job.sha256,
        )
        return self._queue(uploaded) + self._settle(now)

    def upload_failed(self, job: UploadJob, reason: str, now: datetime) -> list[Effect]:
        """The server refused the upload of `job` for good (a 4xx)."""
        log.warning("upload of frame %s refused: %s", job.sequence, reason)
        run = self.run
        if run is not None and run.assignment_id == job.assignment_id:
            run.lost.append(job.sequence)
        return self._settle(now)

    # -- time ---------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[Effect]:
        """Time passed: heartbeats, delayed acks, retries, weather, status, work requests."""
        effects: list[Effect] = self._weather(now)
        if self.phase in {Phase.DISCONNECTED, Phase.STOPPED}:
            return effects + self._advance(now)
        interval = self.welcome.heartbeat_interval_s if self.welcome else 30.0
        unanswered = self.heartbeat_unanswered_since
        if unanswered is not None and (now - unanswered).total_seconds() > (
            HEARTBEAT_ANSWER_TIMEOUT_S
        ):
            return [*effects, CloseSocket("no heartbeat answer from the server")]
        if self.heartbeat_at is None or (now - self.heartbeat_at).total_seconds() >= interval:
            self.heartbeat_at = now
            self.heartbeat_unanswered_since = unanswered or now
            effects += self._transmit(self._message(m.Heartbeat, now))
        due = [item for item in self.delayed_acks if item[0] <= now]
        self.delayed_acks = [item for item in self.delayed_acks if item[0] > now]
        for _, command_id in due:
            effects += self._transmit(self._message(m.Ack, now, correlation_id=command_id))
        if self.phase is not Phase.READY:
            return effects
        for message_id, when in list(self.retry_at.items()):
            if when <= now:
                del self.retry_at[message_id]
                item = self._outgoing(message_id)
                if item is not None:
                    effects += self._send_outgoing(item)
        if self.status_at is None or (now - self.status_at).total_seconds() >= STATUS_EVERY_S:
            effects += self._send_status(now)
        effects += self._advance(now)
        idle = self.run is None and not self.unsafe and self.requesting is None
        if idle and (self.request_at is None or now >= self.request_at):
            request = self._message(m.RequestWork, now)
            self.requesting = request.id
            effects += self._queue(request)
        return effects

    def _weather(self, now: datetime) -> list[Effect]:
        unsafe = any(start <= now < end for start, end in self.config.unsafe_periods)
        if unsafe == self.unsafe:
            return []
        self.unsafe = unsafe
        log.info("weather: %s", "unsafe, closing the roof" if unsafe else "safe again")
        effects = self._send_status(now)
        run = self.run
        if run is None or run.ending_id or run.dropped or not run.started_any:
            return effects + self._advance(now)
        if unsafe and not run.suspended:
            if run.exposing is not None:
                effects += self._cancel_exposure(run, now, "roof closed: weather")
            run.suspended = True
            interrupted = self._message(
                m.AssignmentInterrupted,
                now,
                assignment_id=run.assignment_id,
                reason="weather",
                frames_captured=sorted(run.captured),
                message="simulated clouds",
            )
            effects += self._queue(interrupted)
        elif not unsafe and run.suspended:
            run.suspended = False
            effects += self._queue(
                self._message(m.AssignmentResumed, now, assignment_id=run.assignment_id)
            )
            effects += self._advance(now)
        return effects

    # -- running the assignment ---------------------------------------------------------

    def _advance(self, now: datetime) -> list[Effect]:
        """Start the next exposure when the run can go on; report the end when it is over."""
        run = self.run
        if run is None or run.exposing is not None or run.ending_id or run.dropped:
            return []
        if run.suspended or self.unsafe or run.abort_stop is not None:
            return []
        assignment = run.assignment
        if assignment.start_at is not None and now < assignment.start_at:
            return []
        remaining = plan.slots(assignment)[run.slot :]
        if not remaining:
            run.capture_finished = True
            complete = self._message(
                m.AssignmentComplete,
                now,
                assignment_id=run.assignment_id,
                frames_captured=sorted(run.captured),
            )
            run.ending_id = complete.id
            log.info("captured every frame of %s", assignment.observation_name)
            return self._queue(complete)
        slot = remaining[0]
        duration = slot.exposure.exposure_s / self.config.speedup + DOWNLOAD_MARGIN_S
        if now + timedelta(seconds=duration) > assignment.must_end_by:
            return self._end_run(run, now, "time_limit", "must_end_by reached")
        sequence = run.next_sequence
        run.next_sequence += 1
        run.exposing = sequence
        run.started_any = True
        job = ExposureJob(
            assignment_id=run.assignment_id,
            observation_id=run.observation_id,
            sequence=sequence,
            target_name=slot.target.name,
            ra_deg=slot.target.ra_deg,
            dec_deg=slot.target.dec_deg,
            rotation_deg=slot.target.rotation_deg or 0.0,
            filter=slot.exposure.filter,
            exposure_s=slot.exposure.exposure_s,
            binning=slot.exposure.binning,
            gain=slot.exposure.gain,
        )
        started = self._message(
            m.ExposureStarted,
            now,
            assignment_id=run.assignment_id,
            sequence=sequence,
            target_index=slot.target_index,
            exposure_index=slot.exposure_index,
            filter=slot.exposure.filter,
            exposure_s=slot.exposure.exposure_s,
        )
        log.info(
            "exposing %s: %s %g s, frame %d",
            slot.target.name,
            slot.exposure.filter,
            slot.exposure.exposure_s,
            sequence,
        )
        effects = [*self._queue(started), StartExposure(job)]
        if self.progress_at is None or (now - self.progress_at).total_seconds() >= (
            PROGRESS_EVERY_S
        ):
            self.progress_at = now
            total = run.slot + len(remaining)
            progress = self._message(
                m.Progress,
                now,
                assignment_id=run.assignment_id,
                phase=m.Phase.EXPOSING,
                target_index=slot.target_index,
                frames_captured=len(run.captured),
                percent=round(100.0 * run.slot / total, 1) if total else 100.0,
                time_remaining_s=sum(s.exposure.exposure_s for s in remaining)
                / self.config.speedup,
                message=f"{slot.target.name}: {slot.exposure.filter} {slot.exposure.exposure_s} s",
            )
            effects += self._queue(progress)
        return effects

    def _cancel_exposure(self, run: Run, now: datetime, why: str) -> list[Effect]:
        sequence = run.exposing
        assert sequence is not None
        run.exposing = None
        failed = self._message(
            m.ExposureFinished,
            now,
            assignment_id=run.assignment_id,
            sequence=sequence,
            outcome="failed",
            message=why,
        )
        return [CancelExposure(sequence), *self._queue(failed)]

    def _end_run(self, run: Run, now: datetime, reason: str, why: str) -> list[Effect]:
        interrupted = self._message(
            m.AssignmentInterrupted,
            now,
            assignment_id=run.assignment_id,
            reason=reason,
            frames_captured=sorted(run.captured),
            message=why,
        )
        run.ending_id = interrupted.id
        return self._queue(interrupted)

    def _settle(self, now: datetime) -> list[Effect]:
        """Finish an abort once its frames are up; forget a run that is over."""
        run = self.run
        if run is None:
            return []
        effects: list[Effect] = []
        if run.abort_stop is not None and run.exposing is None and not run.ending_id:
            if run.dropped or not run.uploads_settled():
                return []
            effects += self._end_run(run, now, "server", "stopped at the server's request")
        over = run.dropped or (run.ending_id is not None and not self._is_outgoing(run.ending_id))
        if over and run.exposing is None and run.uploads_settled():
            log.info("done with %s", run.assignment_id)
            self.state.run = None
            self.request_at = None
            effects += self._advance(now)
        return effects

    def _drop(self, run: Run) -> list[Effect]:
        run.dropped = True
        if run.exposing is None:
            return []
        sequence, run.exposing = run.exposing, None
        return [CancelExposure(sequence)]

    def _enqueue_uploads(self, run: Run, sequences: list[int]) -> list[Effect]:
        base = self.welcome.upload_url if self.welcome else "/uploads/frames"
        effects: list[Effect] = []
        for sequence in sequences:
            captured = run.frames.get(sequence)
            if captured is None or sequence in run.uploaded:
                continue  # (queued ones again too: the server lacks them; the queue dedups)
            if sequence not in run.queued:
                run.queued.append(sequence)
            url = (
                f"{base}?observation={run.observation_id}"
                f"&assignment={run.assignment_id}&sequence={sequence}"
            )
            job = UploadJob(
                run.assignment_id,
                run.observation_id,
                sequence,
                captured.file_name,
                url,
                captured.sha256,
            )
            effects.append(EnqueueUpload(job))
        return effects

    def _send_status(self, now: datetime, *, with_equipment: bool = False) -> list[Effect]:
        if self.phase is not Phase.READY:
            return []
        self.status_at = now
        run = self.run
        if self.unsafe:
            operational = m.OperationalState.WEATHER_HOLD
        elif run is not None and not run.dropped and run.ending_id is None:
            operational = m.OperationalState.OBSERVING
        else:
            operational = m.OperationalState.READY
        equipment = self.config.equipment if with_equipment else None
        status = self._message(
            m.Status,
            now,
            operational_state=operational,
            safety=m.SafetyState.UNSAFE if self.unsafe else m.SafetyState.SAFE,
            operations_enabled=True,
            devices={
                name: {"connected": True, "name": f"Simulated {name}"}
                for name in ("camera", "mount", "focuser", "filter_wheel")
            },
            equipment=equipment.model_dump(mode="json") if equipment else None,
            telemetry={
                "camera_temperature_c": -10.0,
                "cooler_power_percent": 35.0,
                "cloud_cover_percent": 90.0 if self.unsafe else 5.0,
                "humidity_percent": 60.0,
            },
        )
        return self._queue(status)

    # -- messages out -------------------------------------------------------------------

    def _message[T: m.Envelope](self, model: type[T], now: datetime, **fields: Any) -> T:
        envelope = {"id": self.new_id(), "seq": 1, "ts": now, "type": m.type_name(model)}
        return model.model_validate(envelope | fields, strict=False)

    def _queue(self, message: m.Envelope) -> list[Effect]:
        """An acked message: keep it until acked, send it now when the session is ready."""
        item: dict[str, JsonValue] = message.model_dump(mode="json")
        self.state.outgoing.append(item)
        if self.phase is not Phase.READY:
            return []
        return self._send_outgoing(item)

    def _send_outgoing(self, item: dict[str, JsonValue]) -> list[Effect]:
        message_id = str(item["id"])
        if message_id in self.sent_here:
            return []
        self.sent_here.add(message_id)
        effects = self._frame(item)
        if self.rng.random() < self.config.duplicate_rate:
            effects += self._frame(item)
        return effects

    def _transmit(self, message: m.Envelope) -> list[Effect]:
        """A message that is not kept for resending (hello, state_report, acks, heartbeats)."""
        return self._frame(message.model_dump(mode="json"))

    def _frame(self, item: dict[str, JsonValue]) -> list[Effect]:
        self.seq += 1
        return [Send(json.dumps({**item, "seq": self.seq}))]

    def _outgoing(self, message_id: str) -> dict[str, JsonValue] | None:
        return next((item for item in self.state.outgoing if item["id"] == message_id), None)

    def _is_outgoing(self, message_id: str | None) -> bool:
        return message_id is not None and self._outgoing(message_id) is not None

    def _forget(self, message_id: str) -> dict[str, JsonValue] | None:
        item = self._outgoing(message_id)
        if item is not None:
            self.state.outgoing.remove(item)
            self.retry_at.pop(message_id, None)
        return item

    def _stop(self, reason: str) -> list[Effect]:
        self.phase = Phase.STOPPED
        self.stop_reason = reason
        return [Stop(reason)]


def _parse(text: str | bytes) -> m.ServerMessage | None:
    """A server message, ignoring fields this version does not know (the spec allows them)."""
    try:
        raw = json.loads(text)
    except ValueError:
        log.warning("the server sent a frame that is not JSON")
        return None
    if not isinstance(raw, dict):
        return None
    model = m.SERVER_MESSAGES.get(str(raw.get("type")))
    if model is None:
        log.warning("ignoring a server message of unknown type %r", raw.get("type"))
        return None
    known = {key: value for key, value in raw.items() if key in model.model_fields}
    try:
        message: m.ServerMessage = m.server_message_adapter.validate_json(json.dumps(known))
    except ValidationError as error:
        log.warning("ignoring an invalid %s: %s", raw.get("type"), error)
        return None
    return message
