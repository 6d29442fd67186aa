"""The server side for in-process tests: the real protocol core `PluginSession` (memory stores)
and a small scripted domain behind it, so the simulator's client is checked against the core.

The domain keeps one observatory's observations, their states and histories, and counts how
often each plugin message was applied (the exactly-once checks).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.observations.states import ObservationState
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Authenticated, AuthRefused, Outcome, Rejected
from plugin_bridge.core.reconciliation import PluginReport, ServerView, reconcile
from plugin_bridge.core.session import PluginSession

API_KEY = "sso_simulator_test_key_0001"
OBSERVATORY = "obs-7"
S = ObservationState

AUTOFOCUS = {
    "mode": "plugin_managed",
    "initial": True,
    "time": {"enabled": True, "interval_minutes": 30},
    "temperature": {"enabled": False, "threshold_celsius": 2.0},
    "hfr": {"enabled": False, "increase_percentage": 5, "sample_size": 10},
    "filter_change": {"enabled": False},
    "exposures": {"enabled": False, "exposure_count": 10},
}
GUIDING = {"enabled": True, "required": False, "dithering": True}


@dataclass
class Observation:
    id: str
    count: int
    filter: str = "L"
    state: ObservationState = S.PENDING
    history: list[tuple[ObservationState, ObservationState, str]] = field(default_factory=list)
    assignment_id: str | None = None
    next_sequence: int = 1
    accepted: set[int] = field(default_factory=set)  # frames received (uploaded)
    must_end_by: datetime | None = None

    def move(self, target: ObservationState, why: str) -> None:
        if target != self.state:
            self.history.append((self.state, target, why))
            self.state = target


class ScriptedDomain:
    """Answers the core's commands the way the product's services do, in miniature."""

    def __init__(self, counts: list[int], *, now: datetime, filters: str = "L") -> None:
        self.observations = [
            Observation(f"ob-{index + 1}", count, filters) for index, count in enumerate(counts)
        ]
        self.assignment_numbers = itertools.count(1)
        self.applied: Counter[str] = Counter()  # message id -> times applied
        self.applied_types: list[str] = []
        self.statuses: list[m.Status] = []
        self.uploads: dict[tuple[str, int], str] = {}  # (observation, sequence) -> sha256
        self.reconciliations: list[m.DecisionKind] = []
        self.now = now

    def current(self) -> Observation | None:
        return next((o for o in self.observations if o.assignment_id is not None), None)

    def by_assignment(self, assignment_id: str) -> Observation | None:
        return next((o for o in self.observations if o.assignment_id == assignment_id), None)

    def authenticate(self, hello: m.Hello) -> Authenticated | AuthRefused:
        if hello.api_key != API_KEY:
            return AuthRefused(m.ErrorCode.INVALID_API_KEY, "unknown API key")
        return Authenticated(OBSERVATORY)

    def apply(self, session: PluginSession, command: c.AppliedCommand, at: datetime) -> Outcome:
        message: Any = command.message
        self.applied[message.id] += 1
        self.applied_types.append(message.type)
        handler = getattr(self, f"_{message.type}", None)
        if handler is None:
            return Applied()
        outcome: Outcome = handler(session, message, at)
        return outcome

    # -- one method per message type ----------------------------------------------------

    def _status(self, session: PluginSession, message: m.Status, at: datetime) -> Outcome:
        self.statuses.append(message)
        return Applied()

    def _state_report(self, session: PluginSession, report: m.StateReport, at: datetime) -> Outcome:
        held = self.by_assignment(report.assignment_id) if report.assignment_id else None
        observation = held or self.current()
        view = None
        if observation is not None:
            view = ServerView(
                assignment_id=report.assignment_id
                if held is not None and report.assignment_id is not None
                else str(observation.assignment_id),
                state=observation.state,
                current=observation.assignment_id is not None,
                exposures_planned=observation.count,
                exposures_accepted=len(observation.accepted),
                frames_known=frozenset(observation.accepted),
                frames_accepted=frozenset(observation.accepted),
                must_end_by=observation.must_end_by or at + timedelta(hours=3),
            )
        elif report.assignment_id is not None:
            view = None
        decision = reconcile(view, PluginReport.of(report), at)
        self.reconciliations.append(decision.kind)
        if observation is not None:
            for step in decision.transitions:
                observation.move(step, f"reconciliation: {decision.kind}")
            if observation.state in {S.PENDING, S.PARTIALLY_COMPLETED}:
                observation.assignment_id = None
        reply = session.compose(
            m.Reconciliation,
            at,
            correlation_id=report.id,
            decision=decision.kind,
            assignment_id=decision.assignment_id,
            observation_state=decision.observation_state.value
            if decision.observation_state
            else None,
            upload_sequences=list(decision.upload_sequences),
            reason=decision.reason,
        )
        return Applied({"decision": decision.kind.value}, (reply,))

    def _request_work(
        self, session: PluginSession, request: m.RequestWork, at: datetime
    ) -> Outcome:
        pending = next((o for o in self.observations if o.state == S.PENDING), None)
        if pending is None or self.current() is not None:
            no_work = session.compose(
                m.NoWork,
                at,
                correlation_id=request.id,
                reason="nothing_eligible",
                retry_after_s=60,
                message="nothing to observe",
            )
            return Applied({}, (no_work,))
        pending.assignment_id = f"asg-{next(self.assignment_numbers)}"
        pending.move(S.ASSIGNED, "dispatched")
        pending.must_end_by = pending.must_end_by or at + timedelta(hours=3)
        assignment = session.compose(
            m.Assignment,
            at,
            correlation_id=request.id,
            assignment_id=pending.assignment_id,
            observation_id=pending.id,
            observation_name=f"Observation {pending.id}",
            observation_type="flexible",
            priority=5,
            targets=[
                {
                    "name": "M 42",
                    "ra_deg": 83.8221,
                    "dec_deg": -5.3911,
                    "exposures": [
                        {
                            "filter": pending.filter,
                            "exposure_s": 60.0,
                            "count": pending.count,
                            "accepted": len(pending.accepted),
                        }
                    ],
                }
            ],
            must_end_by=pending.must_end_by,
            first_sequence=pending.next_sequence,
            autofocus=AUTOFOCUS,
            guiding=GUIDING,
            thresholds={"max_fwhm_arcsec": 3.5, "min_stars": 50},
        )
        return Applied({"assignment_id": pending.assignment_id}, (assignment,))

    def _active(self, assignment_id: str) -> Observation | Rejected:
        observation = self.by_assignment(assignment_id)
        if observation is None:
            return Rejected(m.ErrorCode.ASSIGNMENT_NOT_ACTIVE, f"{assignment_id} is over")
        return observation

    def _assignment_accepted(
        self, session: PluginSession, message: m.AssignmentAccepted, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        return found if isinstance(found, Rejected) else Applied()

    def _assignment_rejected(
        self, session: PluginSession, message: m.AssignmentRejected, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        if isinstance(found, Rejected):
            return found
        found.assignment_id = None
        found.move(S.PENDING, f"rejected: {message.reason}")
        return Applied()

    def _exposure_started(
        self, session: PluginSession, message: m.ExposureStarted, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        if isinstance(found, Rejected):
            return found
        found.next_sequence = max(found.next_sequence, message.sequence + 1)
        if found.state == S.ASSIGNED:
            found.move(S.IN_PROGRESS, "first exposure started")
        return Applied()

    def _exposure_finished(
        self, session: PluginSession, message: m.ExposureFinished, at: datetime
    ) -> Outcome:
        found = self.by_assignment(message.assignment_id)
        if found is None or message.outcome != "captured":
            return Applied()
        ticket = session.compose(
            m.UploadTicket,
            at,
            correlation_id=message.id,
            assignment_id=message.assignment_id,
            observation_id=found.id,
            sequence=message.sequence,
            url=f"/uploads/frames?observation={found.id}"
            f"&assignment={message.assignment_id}&sequence={message.sequence}",
            max_bytes=2**31,
            sha256=message.sha256,
        )
        return Applied({}, (ticket,))

    def upload(self, observation_id: str, sequence: int, sha256: str) -> str:
        """`POST /uploads/frames` in miniature: idempotent. Like the product, the observation
        completes on the plugin's reports (`frame_uploaded`, `assignment_complete`)."""
        self.uploads.setdefault((observation_id, sequence), sha256)
        observation = next(o for o in self.observations if o.id == observation_id)
        observation.accepted.add(sequence)
        return f"frm-{observation_id}-{sequence}"

    def _maybe_completed(self, observation: Observation) -> None:
        if (
            observation.state == S.ACQUISITION_COMPLETE
            and len(observation.accepted) >= observation.count
        ):
            observation.move(S.COMPLETED, "every frame uploaded")
            observation.assignment_id = None

    def _frame_uploaded(
        self, session: PluginSession, message: m.FrameUploaded, at: datetime
    ) -> Outcome:
        found = self.by_assignment(message.assignment_id)
        if found is not None:
            self._maybe_completed(found)
        return Applied({"frame_id": message.frame_id})

    def _assignment_complete(
        self, session: PluginSession, message: m.AssignmentComplete, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        if isinstance(found, Rejected):
            return found
        found.move(S.ACQUISITION_COMPLETE, "plugin captured every frame")
        self._maybe_completed(found)
        return Applied({"observation_state": found.state.value})

    def _assignment_interrupted(
        self, session: PluginSession, message: m.AssignmentInterrupted, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        if isinstance(found, Rejected):
            return found
        if message.reason in {m.InterruptReason.WEATHER, m.InterruptReason.SAFETY}:
            found.move(S.SUSPENDED, f"interrupted: {message.reason}")
        else:
            found.move(S.PENDING, f"interrupted: {message.reason}")
            found.assignment_id = None
        return Applied({"observation_state": found.state.value})

    def _assignment_resumed(
        self, session: PluginSession, message: m.AssignmentResumed, at: datetime
    ) -> Outcome:
        found = self._active(message.assignment_id)
        if isinstance(found, Rejected):
            return found
        found.move(S.IN_PROGRESS, "resumed")
        return Applied({"observation_state": found.state.value})
