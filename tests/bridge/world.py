"""Observatories and observations in the real database that dispatch accepts at any hour.

The site is at +60° latitude and every target sits near the north celestial pole, so it is
about 60° high at all times; darkness and Moon constraints are off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.accounts.passwords import hash_password
from domain.accounts.user import User
from domain.observations.observation import Constraints, Darkness, ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from domain.observatories.observatory import Equipment, Location, Observatory, Safety
from domain.organizations.organization import Organization, OrganizationMember
from domain.projects.project import Project
from domain.secrets import issue_secret

PASSWORD = "correct horse battery staple"
ALWAYS_UP = Constraints(
    min_altitude_deg=20.0,
    max_airmass=5.0,
    moon_separation_deg=0.0,
    max_moon_illumination=1.0,
    darkness=Darkness.ANY,
)


@dataclass
class World:
    user: User
    organization: Organization
    project: Project
    keys: dict[str, str] = field(default_factory=dict)  # observatory code -> API key
    observatories: dict[str, Observatory] = field(default_factory=dict)


async def make_world(*codes: str) -> World:
    user = User(email="owner@example.org", password_hash=await hash_password(PASSWORD))
    await user.insert()
    assert user.id is not None
    organization = Organization(
        name="Northern Sky",
        short_name="northern-sky",
        members=[OrganizationMember(user_id=user.id, is_owner=True)],
    )
    await organization.insert()
    assert organization.id is not None
    project = Project(organization_id=organization.id, name="Polar", code="POL-1", owner_id=user.id)
    await project.insert()
    world = World(user, organization, project)
    for code in codes or ("north-1",):
        await add_observatory(world, code)
    return world


async def add_observatory(world: World, code: str, safety: Safety = Safety.SAFE) -> Observatory:
    assert world.organization.id is not None
    assert world.user.id is not None
    issued = issue_secret("sso")
    observatory = Observatory(
        organization_id=world.organization.id,
        name=code,
        code=code,
        location=Location(latitude_deg=60.0, longitude_deg=10.0, elevation_m=100.0),
        equipment=Equipment(filters=["L", "R"], focal_length_mm=500, pixel_size_um=3.76),
        safety=safety,
        api_key_prefix=issued.prefix,
        api_key_hash=issued.sha256,
        created_by=world.user.id,
    )
    await observatory.insert()
    world.keys[code] = issued.secret
    world.observatories[code] = observatory
    return observatory


async def add_observation(
    world: World, name: str = "Polaris field", *, count: int = 2, ra_deg: float = 37.95
) -> Observation:
    assert world.project.id is not None
    assert world.user.id is not None
    observation = Observation(
        organization_id=world.project.organization_id,
        project_id=world.project.id,
        created_by=world.user.id,
        name=name,
        targets=[
            Target(
                name=name,
                ra_deg=ra_deg,
                dec_deg=88.0,
                exposures=[ExposureSet(filter="L", exposure_s=10.0, count=count)],
            )
        ],
        constraints=ALWAYS_UP,
        state=ObservationState.PENDING,
    )
    await observation.insert()
    return observation
