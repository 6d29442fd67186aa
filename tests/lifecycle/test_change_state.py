"""The one state-changing function: conditional, literal, and recorded."""

from __future__ import annotations

import pytest
from beanie import PydanticObjectId

from domain.observations.lifecycle import InvalidTransition, change_state
from domain.observations.observation import ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from science_scheduler.services import Services


async def _pending(services: Services) -> Observation:
    observation = Observation(
        organization_id=PydanticObjectId(),
        project_id=PydanticObjectId(),
        created_by=PydanticObjectId(),
        name="Literal",
        targets=[
            Target(
                name="Vega",
                ra_deg=279.23,
                dec_deg=38.78,
                exposures=[ExposureSet(filter="L", exposure_s=1, count=1)],
            )
        ],
        state=ObservationState.PENDING,
    )
    await observation.insert()
    return observation


async def test_reasons_and_values_are_stored_literally(services: Services) -> None:
    # given
    observation = await _pending(services)
    assert observation.id is not None

    # when
    changed = await change_state(
        observation.id,
        ObservationState.CANCELLED,
        actor="user:$history",
        reason="$state",
        bus=services.events,
    )

    # then
    stored = await Observation.get(observation.id)
    assert stored is not None
    assert stored.state is ObservationState.CANCELLED
    assert [(h.actor, h.reason) for h in stored.history] == [("user:$history", "$state")]
    assert changed.history[-1].id == stored.history[-1].id


async def test_a_change_from_a_state_that_has_passed_changes_nothing(services: Services) -> None:
    # given: cancelled by someone else in between
    observation = await _pending(services)
    assert observation.id is not None
    await change_state(
        observation.id,
        ObservationState.CANCELLED,
        actor="user:a",
        reason="first",
        bus=services.events,
    )

    # when / then
    with pytest.raises(InvalidTransition):
        await change_state(
            observation.id,
            ObservationState.ASSIGNED,
            actor="observatory:b",
            reason="late",
            bus=services.events,
        )
    stored = await Observation.get(observation.id)
    assert stored is not None
    assert stored.state is ObservationState.CANCELLED
    assert [h.reason for h in stored.history] == ["first"]
