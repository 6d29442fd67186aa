"""Reconciling a reconnecting plugin's report with the server's view, deterministically.

`reconcile` is pure: the same view, report and time always give the same decision. The
decision's `transitions` is a path through the lifecycle's transition table (every step
allowed), so the domain applies it step by step; a terminal observation gets no transition.

| server view | plugin report | decision |
|---|---|---|
| no assignment | holds none | idle |
| no assignment | holds one | ignore_stale |
| observation terminal | any | ignore_stale (upload missing frames) |
| assignment no longer current (aborted, reassigned) | any | ignore_stale (upload missing) |
| acquisition_complete | any | complete (upload missing) |
| every planned exposure captured | any | complete: -> acquisition_complete |
| live, before must_end_by | holds it, not finished | continue (upload missing) |
| assigned, nothing captured in this run | | requeue: -> pending |
| run ended (past must_end_by, or capture finished), >= 10 % captured | | partially_complete |
| otherwise | | requeue: -> pending, progress kept |
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from domain.observations.states import TERMINAL, TRANSITIONS, ObservationState
from plugin_bridge.messages import DecisionKind, StateReport

S = ObservationState
PARTIAL_FRACTION = 0.10  # FEATURES.md §4.3: partial completion counts from 10 % captured
LIVE = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.SUSPENDED, S.PAUSED})


@dataclass(frozen=True)
class ServerView:
    """What the server knows of the assignment the plugin names (or of the observatory's
    current assignment when the plugin names none)."""

    assignment_id: str
    state: ObservationState
    current: bool  # still this observatory's assignment of the observation
    exposures_planned: int  # frames the plan asks for, over all targets and sets
    exposures_accepted: int  # frames counted so far, over all runs
    frames_known: frozenset[int]  # sequences of this run the server has received
    frames_accepted: frozenset[int]  # of those, the ones already in exposures_accepted
    must_end_by: datetime


@dataclass(frozen=True)
class PluginReport:
    assignment_id: str | None
    frames_captured: frozenset[int] = frozenset()
    frames_uploaded: frozenset[int] = frozenset()
    capture_finished: bool = False

    @classmethod
    def of(cls, report: StateReport) -> PluginReport:
        return cls(
            report.assignment_id,
            frozenset(report.frames_captured),
            frozenset(report.frames_uploaded),
            report.capture_finished,
        )


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    assignment_id: str | None
    transitions: tuple[ObservationState, ...]
    observation_state: ObservationState | None
    upload_sequences: tuple[int, ...]
    reason: str


def path(source: ObservationState, target: ObservationState) -> tuple[ObservationState, ...]:
    """The shortest chain of allowed transitions from `source` to `target` (empty if equal)."""
    if source == target:
        return ()
    previous: dict[ObservationState, ObservationState] = {}
    queue = deque([source])
    while queue:
        state = queue.popleft()
        for following in sorted(TRANSITIONS[state]):
            if following in previous or following == source:
                continue
            previous[following] = state
            if following == target:
                steps = [following]
                while previous[steps[-1]] != source:
                    steps.append(previous[steps[-1]])
                return tuple(reversed(steps))
            queue.append(following)
    raise ValueError(f"no path from {source} to {target}")


def reconcile(server: ServerView | None, report: PluginReport, now: datetime) -> Decision:
    """The decision on a reconnecting plugin's report."""
    if server is None:
        if report.assignment_id is None:
            return Decision(DecisionKind.IDLE, None, (), None, (), "no assignment on either side")
        return Decision(
            DecisionKind.IGNORE_STALE,
            report.assignment_id,
            (),
            None,
            (),
            "the server knows no such assignment of this observatory; drop it",
        )
    holds = report.assignment_id == server.assignment_id
    captured_here = report.frames_captured if holds else frozenset()
    missing = tuple(sorted(captured_here - server.frames_known))

    def decide(kind: DecisionKind, target: ObservationState | None, reason: str) -> Decision:
        steps = () if target is None else path(server.state, target)
        final = steps[-1] if steps else server.state
        return Decision(kind, server.assignment_id, steps, final, missing, reason)

    if server.state in TERMINAL:
        return decide(DecisionKind.IGNORE_STALE, None, f"the observation is {server.state}")
    if not server.current:
        return decide(DecisionKind.IGNORE_STALE, None, "the assignment was taken back")
    if server.state == S.ACQUISITION_COMPLETE:
        return decide(DecisionKind.COMPLETE, None, "every exposure was already captured")
    run_frames = captured_here | server.frames_known
    captured = server.exposures_accepted + len(run_frames - server.frames_accepted)
    if captured >= server.exposures_planned:
        return decide(DecisionKind.COMPLETE, S.ACQUISITION_COMPLETE, "every exposure captured")
    before_end = now < server.must_end_by
    if holds and not report.capture_finished and server.state in LIVE and before_end:
        return decide(DecisionKind.CONTINUE, None, "carry on where the run stopped")
    if server.state == S.ASSIGNED and not run_frames:
        return decide(DecisionKind.REQUEUE, S.PENDING, "the run never started")
    ended = not before_end or (holds and report.capture_finished)
    if ended and captured >= PARTIAL_FRACTION * server.exposures_planned:
        percent = round(100 * captured / server.exposures_planned)
        return decide(
            DecisionKind.PARTIALLY_COMPLETE,
            S.PARTIALLY_COMPLETED,
            f"the run ended with {captured} of {server.exposures_planned} exposures ({percent} %)",
        )
    return decide(DecisionKind.REQUEUE, S.PENDING, "back to pending; captured frames are kept")
