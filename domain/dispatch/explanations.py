"""Why an observation is not running now: per observatory, constraint by constraint."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.accounts.user import User
from domain.dispatch.ephemeris_cache import DAY_S, EPHEMERIDES, LOOKAHEAD_S, EphemerisCache
from domain.dispatch.inputs import site_of, workload_from_documents
from domain.dispatch.observatory_state import (
    Gate,
    closed_gate,
    core_state,
    upcoming_reservations,
)
from domain.dispatch.schedulability import observatories_for
from domain.observations.observation import Observation
from domain.observatories.access import may_view
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization
from domain.scheduling import Ephemeris, ObservatoryState, SiteExplanation, why_not_now


@dataclass(frozen=True, slots=True)
class ObservatoryExplanation:
    """The observation at one observatory now; `gate` closes the observatory for everyone."""

    observatory: Observatory
    gate: Gate | None
    explanation: SiteExplanation

    @property
    def next_eligible(self) -> datetime | None:
        at = self.explanation.next_eligible
        return None if at is None else datetime.fromtimestamp(at, UTC)


async def explain(
    viewer: User, observation: Observation, now: datetime, cache: EphemerisCache = EPHEMERIDES
) -> list[ObservatoryExplanation]:
    """Explain `observation` at each of its observatories that `viewer` may see."""
    t = now.timestamp()
    visible = []
    for observatory in await observatories_for(observation):
        organization = await Organization.get(observatory.organization_id)
        if may_view(viewer, observatory, organization):
            visible.append(observatory)
    ephemerides: dict[str, Ephemeris] = {}
    states: dict[str, ObservatoryState] = {}
    gates: dict[str, Gate | None] = {}
    for observatory in visible:
        assert observatory.id is not None
        key = str(observatory.id)
        reservations = await upcoming_reservations(
            observatory.id, t - DAY_S, t + LOOKAHEAD_S + DAY_S
        )
        gate = closed_gate(observatory, reservations, now)
        gates[key] = gate[0] if gate is not None else None
        states[key] = core_state(reservations, None, None)
        ephemerides[key] = await cache.for_dispatch(key, site_of(observatory), t)
    workload = workload_from_documents([observation], t)
    explained = await asyncio.to_thread(
        why_not_now, ephemerides, states, workload.observations, 0, t
    )
    by_key = {e.site_key: e for e in explained}
    return [ObservatoryExplanation(o, gates[str(o.id)], by_key[str(o.id)]) for o in visible]
