"""Every subscription field × every role: who is refused, and whose events reach whom.

Per subscription, every role subscribes at once over `graphql-transport-ws`; then one event
happens in the organization `matrix` and one in `elsewhere`, and each socket reports what it
received until it stays quiet. A role gets the world's names of what its events were about, an
empty list when both events were filtered out, the error code when the subscription was
refused, or `closed 4403` when the socket was closed at `connection_init` (a credential that no
longer works, docs/graphql.md "Signing in"). Subscribing changes nothing in the database.
Roles and world: `tests/api/matrix/authorization_world.py`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from domain.events import DomainEvent
from domain.system_events import SYSTEM_TOPIC
from tests.api.matrix.authorization_world import (
    DENIALS,
    KEYS,
    OBSERVATORY_MEMBERS,
    ORGANIZATION_MANAGERS,
    PROJECT_MEMBERS,
    World,
    received,
    role_cases,
    subscribe,
)

SYSTEM_EVENTS = "subscription { systemEvents { kind } }"
OBSERVATION_EVENTS = """subscription ($project: ID) {
  observationEvents(projectId: $project) { projectId }
}"""
OBSERVATORY_EVENTS = "subscription { observatoryEvents { observatoryId } }"
FRAME_EVENTS = "subscription { frameEvents { observationId } }"

MAINTENANCE_ON = """mutation ($observatory: ID!) {
  setObservatoryMaintenance(input: {observatoryId: $observatory, enabled: true,
                                    reason: "matrix test"}) { __typename }
}"""
REPROCESS = """mutation ($id: ID!) { reprocessFrame(input: {id: $id}) { __typename } }"""

# A subscriber that receives nothing for this long after the events has got all it will get.
QUIET_S = 2.0
# Time for the sockets' subscriptions to reach the event bus before the events happen; the
# events happen twice, SETTLE_S apart, so that a subscription slow to start still gets them.
SETTLE_S = 1.0

PEOPLE_AND_KEYS = (
    "admin",
    "owner",
    "org_member",
    *ORGANIZATION_MANAGERS,
    *PROJECT_MEMBERS,
    *OBSERVATORY_MEMBERS,
    "outsider",
    *KEYS,
)
IN_MATRIX = ("admin", "owner", "org_member", *ORGANIZATION_MANAGERS, *KEYS)
MATRIX_PROJECT_VIEWERS = (*IN_MATRIX, *PROJECT_MEMBERS)
MATRIX_OBSERVATORY_VIEWERS = (*IN_MATRIX, "obs_viewer", "obs_observer", "obs_operator", "obs_admin")
# A credential that no longer works is refused when the socket opens; no credential at all
# is refused by the subscription that needs one.
REFUSED_AT_THE_DOOR = {
    "anonymous": "UNAUTHENTICATED",
    "expired": "closed 4403",
    "revoked_key": "closed 4403",
}


def delivered(
    matrix_sees: Iterable[str], matrix: str, elsewhere: str, **exceptions: object
) -> dict[str, object]:
    """What each role receives of an event in `matrix` and one in `elsewhere`."""
    viewers = set(matrix_sees)
    table: dict[str, object] = dict(REFUSED_AT_THE_DOOR)
    for role in PEOPLE_AND_KEYS:
        table[role] = [matrix] if role in viewers else []
    table["admin"] = sorted([matrix, elsewhere])
    table["outsider"] = [elsewhere]
    table.update(exceptions)
    return table


Trigger = Callable[[World], Awaitable[None]]
Summary = Callable[[World, Mapping[str, Any]], str]


async def _system_event(world: World) -> None:
    event = DomainEvent(topic=SYSTEM_TOPIC, kind="matrix_probe", payload={"message": "probe"})
    redis = Redis.from_url(world.redis_url)
    try:
        await redis.publish(f"ss:events:{SYSTEM_TOPIC}", event.to_json())
    finally:
        await redis.aclose()


async def _observation_in_each_organization(world: World) -> None:
    await world.observation_by("owner", world.project, name="Event in matrix")
    await world.observation_by("outsider", world.ids["project:ELSEWHERE"], name="Event elsewhere")


async def _maintenance_in_each_organization(world: World) -> None:
    for role, observatory in (
        ("owner", "observatory:matrix-obs"),
        ("outsider", "observatory:elsewhere-obs"),
    ):
        data = await world.data(MAINTENANCE_ON, role, observatory=world.ids[observatory])
        assert data["setObservatoryMaintenance"]["__typename"] == "Observatory", data


async def _reprocess_in_each_organization(world: World) -> None:
    for role, observation, project in (
        ("owner", "observation:matrix", "project:MATRIX"),
        ("outsider", "observation:elsewhere", "project:ELSEWHERE"),
    ):
        frame = world.frame_of(observation, project)  # a new one: reprocessing takes a while
        data = await world.data(REPROCESS, role, id=frame)
        assert data["reprocessFrame"]["__typename"] == "Frame", data


@dataclass(frozen=True)
class Subscription:
    name: str
    field: str
    document: str
    variables: Callable[[World], dict[str, object]]
    trigger: Trigger
    summary: Summary
    expected: Mapping[str, object]


def _id_of(key: str) -> Summary:
    def summary(world: World, event: Mapping[str, Any]) -> str:
        return str(world.label(event[key]))

    return summary


SUBSCRIPTIONS = (
    Subscription(
        "systemEvents", "systemEvents", SYSTEM_EVENTS, lambda _w: {}, _system_event,
        lambda _w, event: str(event["kind"]),
        {
            **REFUSED_AT_THE_DOOR,
            **dict.fromkeys(PEOPLE_AND_KEYS, "FORBIDDEN"),
            "admin": ["matrix_probe"],
        },
    ),
    Subscription(
        "observationEvents", "observationEvents", OBSERVATION_EVENTS,
        lambda _w: {"project": None}, _observation_in_each_organization, _id_of("projectId"),
        delivered(MATRIX_PROJECT_VIEWERS, "project:MATRIX", "project:ELSEWHERE"),
    ),
    Subscription(
        "observationEvents-of-another-organizations-project", "observationEvents",
        OBSERVATION_EVENTS, lambda w: {"project": w.ids["project:ELSEWHERE"]},
        _observation_in_each_organization, _id_of("projectId"),
        delivered((), "project:MATRIX", "project:ELSEWHERE", admin=["project:ELSEWHERE"]),
    ),
    Subscription(
        "observatoryEvents", "observatoryEvents", OBSERVATORY_EVENTS, lambda _w: {},
        _maintenance_in_each_organization, _id_of("observatoryId"),
        delivered(
            MATRIX_OBSERVATORY_VIEWERS, "observatory:matrix-obs", "observatory:elsewhere-obs"
        ),
    ),
    Subscription(
        "frameEvents", "frameEvents", FRAME_EVENTS, lambda _w: {},
        _reprocess_in_each_organization, _id_of("observationId"),
        delivered(MATRIX_PROJECT_VIEWERS, "observation:matrix", "observation:elsewhere"),
    ),
)  # fmt: skip


@dataclass
class Observed:
    outcomes: dict[str, object]
    unchanged_while_subscribing: bool


async def _observe(world: World, subscription: Subscription) -> Observed:
    before = world.fingerprint()
    subscribers = await asyncio.gather(
        *(
            subscribe(world, role, subscription.document, **subscription.variables(world))
            for role in subscription.expected
        )
    )
    await asyncio.sleep(SETTLE_S)
    world.forget_fingerprint()  # read it again: subscribing must not have written anything
    unchanged = world.fingerprint() == before
    await subscription.trigger(world)
    await asyncio.sleep(SETTLE_S)
    await subscription.trigger(world)
    messages = await asyncio.gather(*(received(s, QUIET_S) for s in subscribers))
    outcomes: dict[str, object] = {}
    for subscriber, got in zip(subscribers, messages, strict=True):
        outcomes[subscriber.role] = subscriber.refused or _outcome(world, subscription, got)
    return Observed(outcomes, unchanged)


def _outcome(world: World, subscription: Subscription, messages: list[dict[str, Any]]) -> object:
    for message in messages:
        errors = (
            message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        )
        if errors:
            return str(errors[0].get("extensions", {}).get("code", "ERROR"))
    events = [message["payload"]["data"][subscription.field] for message in messages]
    return sorted({subscription.summary(world, event) for event in events})


def _denied(expected: object) -> bool:
    return expected == [] or (isinstance(expected, str) and expected in DENIALS)


def _cases() -> Iterator[Any]:
    for subscription in SUBSCRIPTIONS:
        yield from role_cases(subscription, subscription.expected.items())


@pytest.fixture(scope="module")
async def observed(world: World) -> dict[str, Observed]:
    """Each subscription's outcomes for every role (one round of events per subscription)."""
    return {s.name: await _observe(world, s) for s in SUBSCRIPTIONS}


def test_every_subscription_field_of_the_schema_is_in_the_matrix() -> None:
    # given
    schema = (Path(__file__).parents[3] / "schema.graphql").read_text()
    subscriptions = schema.split("type Subscription {", 1)[1].split("\n}", 1)[0]

    # when
    fields = set(re.findall(r"^  (\w+)[(:]", subscriptions, flags=re.MULTILINE))

    # then
    assert {subscription.field for subscription in SUBSCRIPTIONS} == fields
    assert len(fields) == 4


@pytest.mark.parametrize(("subscription", "role", "expected"), _cases())
async def test_a_subscription_answers_each_role_as_documented(
    observed: dict[str, Observed], subscription: Subscription, role: str, expected: object
) -> None:
    # given: every role subscribed, then one event in each organization (fixture `observed`)
    round_ = observed[subscription.name]

    # when
    actual = round_.outcomes[role]

    # then
    assert actual == expected
    if _denied(expected):
        assert round_.unchanged_while_subscribing, "subscribing changed the database"
