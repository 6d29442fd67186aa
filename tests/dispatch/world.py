"""A small world in the real database for dispatch tests: one organization, project, user,
observatories at the test site (tests/scheduling/sky.py) and observations placed by astropy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from domain.accounts.user import User
from domain.observations.observation import (
    Constraints,
    ExposureSet,
    Observation,
    ObservationType,
    Target,
    TypeSettings,
)
from domain.observations.states import ObservationState
from domain.observatories.observatory import (
    Equipment,
    HorizonPoint,
    Location,
    Observatory,
    Safety,
)
from domain.organizations.organization import Organization, OrganizationMember
from domain.projects.project import Project
from tests.scheduling.sky import NOW, SITE

NOW_UTC = datetime.fromtimestamp(NOW, UTC)
"""2026-03-28T02:00Z at the test site: Sun at -41.8 deg, Moon up, 73 % illuminated."""


@dataclass
class World:
    user: User
    organization: Organization
    project: Project
    observatories: list[Observatory] = field(default_factory=list)


async def make_world(observatories: int = 1, **observatory_fields: object) -> World:
    user = User(email="astronomer@example.org", password_hash="-")
    await user.insert()
    assert user.id is not None
    organization = Organization(
        name="Southern Sky",
        short_name="southern-sky",
        members=[OrganizationMember(user_id=user.id, is_owner=True)],
    )
    await organization.insert()
    assert organization.id is not None
    project = Project(
        organization_id=organization.id, name="Galaxies", code="GAL-1", owner_id=user.id
    )
    await project.insert()
    world = World(user, organization, project)
    for index in range(observatories):
        world.observatories.append(
            await add_observatory(world, f"south-{index}", **observatory_fields)
        )
    return world


async def add_observatory(world: World, code: str, **fields: object) -> Observatory:
    assert world.organization.id is not None
    assert world.user.id is not None
    values: dict[str, object] = {
        "organization_id": world.organization.id,
        "name": code,
        "code": code,
        "location": Location(
            latitude_deg=SITE.lat_deg, longitude_deg=SITE.lon_deg, elevation_m=SITE.elevation_m
        ),
        "equipment": Equipment(filters=["L", "R"], binning_modes=[1, 2]),
        "safety": Safety.SAFE,
        "api_key_prefix": f"sso_{code}",
        "api_key_hash": "-",
        "created_by": world.user.id,
    }
    values.update(fields)
    observatory = Observatory(**values)
    await observatory.insert()
    return observatory


def horizon(*points: tuple[float, float]) -> list[HorizonPoint]:
    return [HorizonPoint(azimuth_deg=az, altitude_deg=alt) for az, alt in points]


async def add_observation(
    world: World,
    ra_deg: float,
    dec_deg: float,
    *,
    name: str = "obs",
    priority: int = 5,
    age: timedelta = timedelta(hours=1),
    exposures: list[ExposureSet] | None = None,
    constraints: Constraints | None = None,
    kind: ObservationType = ObservationType.FLEXIBLE,
    type_settings: TypeSettings | None = None,
    eligible: list[PydanticObjectId] | None = None,
    state: ObservationState = ObservationState.PENDING,
) -> Observation:
    """A pending observation; six 295-s frames (+5 s overhead each) make a 30-minute block."""
    assert world.project.id is not None
    assert world.user.id is not None
    observation = Observation(
        organization_id=world.project.organization_id,
        project_id=world.project.id,
        created_by=world.user.id,
        name=name,
        type=kind,
        priority=priority,
        targets=[
            Target(
                name=name,
                ra_deg=ra_deg,
                dec_deg=dec_deg,
                exposures=exposures or [ExposureSet(filter="L", exposure_s=295, count=6)],
            )
        ],
        constraints=constraints or Constraints(),
        type_settings=type_settings or TypeSettings(),
        eligible_observatory_ids=eligible or [],
        state=state,
        created_at=NOW_UTC - age,
    )
    await observation.insert()
    return observation
