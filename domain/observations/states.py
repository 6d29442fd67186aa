"""Observation states and the transition table every state change is checked against.

The table follows the anchor product (FEATURES.md §4.2) with `draft` before `pending` and
`expired` for work whose windows closed before it ran. Terminal states never change again:
a resubmit makes a new observation. Monitoring series go back to `pending` from a completed or
failed run through the series logic, not through this table.
"""

from __future__ import annotations

from enum import StrEnum


class ObservationState(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ACQUISITION_COMPLETE = "acquisition_complete"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ABORTED = "aborted"
    EXPIRED = "expired"


S = ObservationState

TERMINAL: frozenset[ObservationState] = frozenset(
    {S.COMPLETED, S.PARTIALLY_COMPLETED, S.FAILED, S.CANCELLED, S.ABORTED, S.EXPIRED}
)

TRANSITIONS: dict[ObservationState, frozenset[ObservationState]] = {
    S.DRAFT: frozenset({S.PENDING, S.CANCELLED}),
    S.PENDING: frozenset({S.ASSIGNED, S.CANCELLED, S.EXPIRED, S.DRAFT}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.PENDING, S.FAILED, S.CANCELLED, S.ABORTED}),
    S.IN_PROGRESS: frozenset(
        {
            S.ACQUISITION_COMPLETE,
            S.SUSPENDED,
            S.PAUSED,
            S.PENDING,
            S.PARTIALLY_COMPLETED,
            S.FAILED,
            S.ABORTED,
            S.CANCELLED,
        }
    ),
    S.SUSPENDED: frozenset(
        {
            S.IN_PROGRESS,
            S.ACQUISITION_COMPLETE,
            S.PENDING,
            S.PARTIALLY_COMPLETED,
            S.CANCELLED,
            S.ABORTED,
        }
    ),
    S.PAUSED: frozenset({S.IN_PROGRESS, S.PENDING, S.CANCELLED, S.ABORTED}),
    S.ACQUISITION_COMPLETE: frozenset({S.COMPLETED, S.PARTIALLY_COMPLETED, S.FAILED}),
    **{terminal: frozenset() for terminal in TERMINAL},
}

# States a user may cancel from (what FEATURES.md §3.8 and §4.2 allow).
CANCELLABLE: frozenset[ObservationState] = frozenset(
    {S.DRAFT, S.PENDING, S.ASSIGNED, S.IN_PROGRESS, S.SUSPENDED, S.PAUSED}
)


def is_allowed(source: ObservationState, target: ObservationState) -> bool:
    return target in TRANSITIONS[source]
