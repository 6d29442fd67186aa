"""Usage events of the observation lifecycle, for the usage reports.

- `observation_submitted`: the observation enters scheduling, created as pending (also by a
  resubmit) or a draft submitted;
- one event per final state: `observation_completed`, `observation_partially_completed`,
  `observation_failed`, `observation_cancelled`, `observation_aborted`,
  `observation_expired`.

Each names the observation's organization, project, observation, the observatory it was
assigned to (if any) and, as `user_id`, its creator: whose usage it is, whoever moved it.
"""

from __future__ import annotations

from domain.audit import UsageEvent
from domain.observations.observation import Observation
from domain.observations.states import TERMINAL, ObservationState

SUBMITTED = "observation_submitted"


def usage_kind(source: ObservationState | None, target: ObservationState) -> str | None:
    """The usage event a change from `source` (None: a new observation) to `target` makes."""
    if target is ObservationState.PENDING and source in (None, ObservationState.DRAFT):
        return SUBMITTED
    if target in TERMINAL:
        return f"observation_{target.value}"
    return None


async def record_lifecycle_usage(
    observation: Observation, source: ObservationState | None, target: ObservationState
) -> None:
    """Store the usage event of this change, if it makes one."""
    kind = usage_kind(source, target)
    if kind is None:
        return
    observatory = observation.assigned_observatory_id
    await UsageEvent(
        kind=kind,
        organization_id=str(observation.organization_id),
        project_id=str(observation.project_id),
        user_id=str(observation.created_by),
        observation_id=str(observation.id),
        observatory_id=str(observatory) if observatory is not None else None,
    ).insert()
