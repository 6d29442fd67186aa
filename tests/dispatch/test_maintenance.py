"""Maintenance mode: operators take an observatory out of service with a reason; dispatch then
gives it nothing until they put it back. Every change is audited and announced."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.accounts.user import User
from domain.audit import AuditEntry
from domain.dispatch.dispatcher import Assignment, WaitDecision, WaitReason, next_work
from domain.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from domain.events import DomainEvent
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.live_status import OBSERVATORY_TOPIC
from domain.observatories.maintenance import set_maintenance
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization, OrganizationMember
from science_scheduler.services import Services
from tests.dispatch.world import NOW_UTC, World, add_observation, make_world
from tests.scheduling.sky import radec_at


async def _decide(services: Services, observatory: Observatory) -> object:
    assert observatory.id is not None
    return await next_work(observatory.id, NOW_UTC, bus=services.events)


async def _reload(observatory: Observatory) -> Observatory:
    found = await Observatory.get(observatory.id)
    assert found is not None
    return found


async def _snapshot(observatory: Observatory) -> tuple[dict[str, Any], int]:
    return (await _reload(observatory)).model_dump(), await AuditEntry.count()


async def _member(world: World, email: str) -> User:
    """A member of the world's organization without extra rights (VIEW and OBSERVE only)."""
    user = User(email=email, password_hash="-")
    await user.insert()
    assert user.id is not None
    world.organization.members.append(OrganizationMember(user_id=user.id))
    await world.organization.save()
    return user


async def test_an_observatory_in_maintenance_gets_no_work_until_it_is_back(
    services: Services,
) -> None:
    # given pending work an observatory in service would be given
    world = await make_world()
    (observatory,) = world.observatories
    pending = await add_observation(world, *radec_at(60, 200), priority=10)

    # when
    await set_maintenance(
        world.user, str(observatory.id), enabled=True, reason="mirror recoating",
        events=services.events,
    )  # fmt: skip
    while_in_maintenance = await _decide(services, observatory)
    await set_maintenance(
        world.user, str(observatory.id), enabled=False, reason="", events=services.events
    )
    back_in_service = await _decide(services, observatory)

    # then
    code = observatory.code
    assert while_in_maintenance == WaitDecision(WaitReason.MAINTENANCE, f"{code} is in maintenance")
    assert isinstance(back_in_service, Assignment)
    assert back_in_service.observation.id == pending.id
    found = await Observation.get(pending.id)
    assert found is not None
    assert found.state is ObservationState.ASSIGNED


async def test_switching_maintenance_records_reason_audit_entry_and_event(
    services: Services,
) -> None:
    # given
    world = await make_world()
    (observatory,) = world.observatories
    events = services.events.subscribe(
        {OBSERVATORY_TOPIC}, lambda event: event.kind == "maintenance"
    )
    first_event = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    await services.events.wait_listening()

    # when
    changed = await set_maintenance(
        world.user, str(observatory.id), enabled=True, reason="  dome motor replaced  ",
        events=services.events,
    )  # fmt: skip
    event: DomainEvent = await asyncio.wait_for(first_event, 5)
    await events.aclose()

    # then
    stored = await _reload(observatory)
    assert (stored.maintenance, stored.maintenance_reason) == (True, "dome motor replaced")
    assert stored.maintenance_since is not None
    assert changed.maintenance_reason == "dome motor replaced"
    audit = await AuditEntry.find(AuditEntry.entity_id == str(observatory.id)).to_list()
    assert [(a.actor, a.entity, a.action, a.before, a.after) for a in audit] == [
        (
            f"user:{world.user.id}",
            "observatory",
            "maintenance",
            {"maintenance": False, "maintenance_reason": ""},
            {
                "maintenance": True,
                "maintenance_reason": "dome motor replaced",
                "reason": "dome motor replaced",
            },
        )
    ]
    assert event.payload == {
        "observatory_id": str(observatory.id),
        "maintenance": True,
        "reason": "dome motor replaced",
        "actor": f"user:{world.user.id}",
    }
    assert event.organization_id == str(world.organization.id)


async def test_a_new_reason_keeps_the_time_maintenance_began(services: Services) -> None:
    # given
    world = await make_world()
    (observatory,) = world.observatories
    first = await set_maintenance(
        world.user, str(observatory.id), enabled=True, reason="camera cooling",
        events=services.events,
    )  # fmt: skip

    # when
    second = await set_maintenance(
        world.user, str(observatory.id), enabled=True, reason="camera replaced",
        events=services.events,
    )  # fmt: skip
    ended = await set_maintenance(
        world.user, str(observatory.id), enabled=False, reason="done", events=services.events
    )

    # then
    assert second.maintenance_since == first.maintenance_since is not None
    assert second.maintenance_reason == "camera replaced"
    assert (ended.maintenance, ended.maintenance_reason, ended.maintenance_since) == (
        False, "", None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "say why the observatory goes into maintenance"),
        ("x" * 501, "at most 500 characters"),
    ],
)
async def test_a_missing_or_long_reason_is_refused_and_changes_nothing(
    services: Services, reason: str, message: str
) -> None:
    # given
    world = await make_world()
    (observatory,) = world.observatories
    before = await _snapshot(observatory)

    # when
    with pytest.raises(ValidationFailed) as refused:
        await set_maintenance(
            world.user, str(observatory.id), enabled=True, reason=reason, events=services.events
        )

    # then
    assert refused.value.problems == [FieldProblem(("reason",), message)]
    assert await _snapshot(observatory) == before


async def test_members_without_operate_and_outsiders_are_refused_and_change_nothing(
    services: Services,
) -> None:
    # given a plain member of the organization and a user of another organization
    world = await make_world()
    (observatory,) = world.observatories
    member = await _member(world, "member@example.org")
    outsider = User(email="outsider@example.org", password_hash="-")
    await outsider.insert()
    await Organization(
        name="Elsewhere",
        short_name="elsewhere",
        members=[OrganizationMember(user_id=outsider.id, is_owner=True)],
    ).insert()
    before = await _snapshot(observatory)

    # when
    with pytest.raises(Forbidden) as forbidden:
        await set_maintenance(
            member, str(observatory.id), enabled=True, reason="x", events=services.events
        )
    with pytest.raises(NotFound):
        await set_maintenance(
            outsider, str(observatory.id), enabled=True, reason="x", events=services.events
        )

    # then
    assert forbidden.value.message == (
        f"you need the operate permission on observatory {observatory.code}"
    )
    assert await _snapshot(observatory) == before
