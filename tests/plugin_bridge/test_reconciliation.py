"""reconcile(): every branch of the decision table, with exact decisions."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from domain.observations.states import TERMINAL, ObservationState, is_allowed
from plugin_bridge.core.reconciliation import (
    Decision,
    PluginReport,
    ServerView,
    path,
    reconcile,
)
from plugin_bridge.messages import DecisionKind
from tests.plugin_bridge.harness import T0, later

S = ObservationState
K = DecisionKind

# 20 exposures planned, 4 accepted in an earlier run, frames 5..7 of this run received.
VIEW = ServerView(
    assignment_id="a-1",
    state=S.IN_PROGRESS,
    current=True,
    exposures_planned=20,
    exposures_accepted=5,
    frames_known=frozenset({5, 6, 7}),
    frames_accepted=frozenset({5}),
    must_end_by=later(3600),
)
HOLDS = PluginReport("a-1", frozenset({5, 6, 7, 8, 9}), frozenset({5, 6, 7}))
NOTHING = PluginReport(None)


def decision(
    kind: DecisionKind,
    steps: tuple[ObservationState, ...],
    state: ObservationState | None,
    uploads: tuple[int, ...],
    reason: str,
    assignment: str | None = "a-1",
) -> Decision:
    return Decision(kind, assignment, steps, state, uploads, reason)


CASES = [
    pytest.param(
        None,
        NOTHING,
        T0,
        decision(K.IDLE, (), None, (), "no assignment on either side", None),
        id="idle",
    ),
    pytest.param(
        None,
        PluginReport("a-0", frozenset({1})),
        T0,
        decision(
            K.IGNORE_STALE,
            (),
            None,
            (),
            "the server knows no such assignment of this observatory; drop it",
            "a-0",
        ),
        id="unknown-assignment",
    ),
    pytest.param(
        replace(VIEW, state=S.CANCELLED),
        HOLDS,
        T0,
        decision(K.IGNORE_STALE, (), S.CANCELLED, (8, 9), "the observation is cancelled"),
        id="terminal-never-regresses",
    ),
    pytest.param(
        replace(VIEW, current=False, state=S.PENDING),
        HOLDS,
        T0,
        decision(K.IGNORE_STALE, (), S.PENDING, (8, 9), "the assignment was taken back"),
        id="taken-back",
    ),
    pytest.param(
        replace(VIEW, state=S.ACQUISITION_COMPLETE),
        HOLDS,
        T0,
        decision(
            K.COMPLETE, (), S.ACQUISITION_COMPLETE, (8, 9), "every exposure was already captured"
        ),
        id="already-acquired",
    ),
    pytest.param(
        replace(VIEW, exposures_planned=9),
        HOLDS,
        T0,
        decision(
            K.COMPLETE,
            (S.ACQUISITION_COMPLETE,),
            S.ACQUISITION_COMPLETE,
            (8, 9),
            "every exposure captured",
        ),
        id="all-captured",
    ),
    pytest.param(
        replace(VIEW, state=S.ASSIGNED, exposures_planned=9),
        HOLDS,
        T0,
        decision(
            K.COMPLETE,
            (S.IN_PROGRESS, S.ACQUISITION_COMPLETE),
            S.ACQUISITION_COMPLETE,
            (8, 9),
            "every exposure captured",
        ),
        id="all-captured-start-report-lost",
    ),
    pytest.param(
        VIEW,
        HOLDS,
        T0,
        decision(K.CONTINUE, (), S.IN_PROGRESS, (8, 9), "carry on where the run stopped"),
        id="continue",
    ),
    pytest.param(
        replace(VIEW, state=S.SUSPENDED),
        HOLDS,
        T0,
        decision(K.CONTINUE, (), S.SUSPENDED, (8, 9), "carry on where the run stopped"),
        id="continue-suspended",
    ),
    pytest.param(
        replace(VIEW, state=S.ASSIGNED, frames_known=frozenset(), frames_accepted=frozenset()),
        NOTHING,
        T0,
        decision(K.REQUEUE, (S.PENDING,), S.PENDING, (), "the run never started"),
        id="never-started",
    ),
    pytest.param(
        VIEW,
        NOTHING,
        T0,
        decision(
            K.REQUEUE, (S.PENDING,), S.PENDING, (), "back to pending; captured frames are kept"
        ),
        id="plugin-lost-it-before-the-end",
    ),
    pytest.param(
        VIEW,
        HOLDS,
        later(3600),
        decision(
            K.PARTIALLY_COMPLETE,
            (S.PARTIALLY_COMPLETED,),
            S.PARTIALLY_COMPLETED,
            (8, 9),
            "the run ended with 9 of 20 exposures (45 %)",
        ),
        id="ended-partial",
    ),
    pytest.param(
        replace(VIEW, exposures_accepted=0, frames_known=frozenset(), frames_accepted=frozenset()),
        PluginReport("a-1", frozenset({1, 2}), capture_finished=True),
        T0,
        decision(
            K.PARTIALLY_COMPLETE,
            (S.PARTIALLY_COMPLETED,),
            S.PARTIALLY_COMPLETED,
            (1, 2),
            "the run ended with 2 of 20 exposures (10 %)",
        ),
        id="finished-at-exactly-ten-percent",
    ),
    pytest.param(
        replace(VIEW, exposures_accepted=0, frames_known=frozenset(), frames_accepted=frozenset()),
        PluginReport("a-1", frozenset({1}), capture_finished=True),
        T0,
        decision(
            K.REQUEUE,
            (S.PENDING,),
            S.PENDING,
            (1,),
            "back to pending; captured frames are kept",
        ),
        id="finished-below-ten-percent",
    ),
    pytest.param(
        replace(VIEW, state=S.PAUSED),
        NOTHING,
        later(4000),
        decision(
            K.PARTIALLY_COMPLETE,
            (S.IN_PROGRESS, S.PARTIALLY_COMPLETED),
            S.PARTIALLY_COMPLETED,
            (),
            "the run ended with 7 of 20 exposures (35 %)",
        ),
        id="paused-ended-partial",
    ),
]


@pytest.mark.parametrize(("server", "report", "now", "expected"), CASES)
def test_reconcile(
    server: ServerView | None, report: PluginReport, now: object, expected: Decision
) -> None:
    assert reconcile(server, report, now) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("state", sorted(S))
@pytest.mark.parametrize("report", [HOLDS, NOTHING, replace(HOLDS, capture_finished=True)])
@pytest.mark.parametrize("now", [T0, later(7200)])
def test_terminal_states_never_move_and_every_path_is_allowed(
    state: ObservationState, report: PluginReport, now: object
) -> None:
    # given any state the server may hold
    if state in {S.DRAFT, S.PENDING}:
        view = replace(VIEW, state=state, current=False)
    else:
        view = replace(VIEW, state=state)

    # when
    result = reconcile(view, report, now)  # type: ignore[arg-type]

    # then a terminal observation stays as it is, and any other path is legal step by step
    if state in TERMINAL:
        assert result.transitions == ()
        assert result.observation_state == state
    steps = [state, *result.transitions]
    assert all(is_allowed(a, b) for a, b in pairwise(steps))


def test_path_follows_the_transition_table() -> None:
    assert path(S.PAUSED, S.ACQUISITION_COMPLETE) == (S.IN_PROGRESS, S.ACQUISITION_COMPLETE)
    assert path(S.IN_PROGRESS, S.IN_PROGRESS) == ()
    with pytest.raises(ValueError, match="no path from completed to pending"):
        path(S.COMPLETED, S.PENDING)
