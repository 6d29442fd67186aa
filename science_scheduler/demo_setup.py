"""The demo's data, created through GraphQL like any client would: an organization, a user,
a project, an observatory at a site where it is night now, and observations of real targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from science_scheduler.demo_sky import NightSite, VisibleTarget
from science_scheduler.simulator.camera import Optics

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename ... on LoginSuccess { accessToken }
  }
}"""
CREATE_ORGANIZATION = """mutation ($name: String!, $shortName: String!) {
  createOrganization(input: {name: $name, shortName: $shortName, type: OTHER,
                             description: "Created by science-scheduler demo"}) {
    __typename ... on Organization { id }
  }
}"""
CREATE_USER = """mutation ($email: String!, $password: String!) {
  createUser(input: {email: $email, password: $password, fullName: "Demo Astronomer"}) {
    __typename ... on User { id } ... on Conflict { message }
  }
}"""
SET_ORGANIZATION_MEMBER = """mutation ($org: ID!, $user: ID!) {
  setOrganizationMember(input: {organizationId: $org, userId: $user,
                                permissions: [MANAGE_PROJECTS, MANAGE_OBSERVATORIES]}) {
    __typename
  }
}"""
CREATE_PROJECT = """mutation ($org: ID!, $code: String!) {
  createProject(input: {organizationId: $org, name: "Messier tonight", code: $code,
                        description: "Bright Messier objects high in the sky right now"}) {
    __typename ... on Project { id }
  }
}"""
SET_PROJECT_MEMBER = """mutation ($project: ID!, $user: ID!) {
  setProjectMember(input: {projectId: $project, userId: $user,
                           permissions: [VIEW, USE, EDIT]}) { __typename }
}"""
REGISTER_OBSERVATORY = """mutation ($org: ID!, $code: String!, $lat: Float!, $lon: Float!,
                                    $equipment: EquipmentInput!) {
  registerObservatory(input: {
    organizationId: $org, name: "Simulated observatory", code: $code,
    location: {latitudeDeg: $lat, longitudeDeg: $lon, elevationM: 1500, timezone: "UTC"},
    equipment: $equipment,
    description: "A simulated observatory (science-scheduler simulate-observatory)"
  }) {
    __typename ... on RegisterObservatorySuccess { observatory { id } apiKey }
  }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!, $observatory: ID!, $name: String!,
                                  $exposures: [ExposureSetInput!]!) {
  createObservation(input: {
    projectId: $project, name: $name, eligibleObservatoryIds: [$observatory],
    targets: [{name: $name, exposures: $exposures}],
    constraints: {minAltitudeDeg: 25, moonSeparationDeg: 10, darkness: NAUTICAL},
    thresholds: {maxFwhmArcsec: 12, minStars: 10}
  }) {
    __typename ... on Observation { id }
    ... on ValidationError { fields { path message } }
  }
}"""

# Per observation, one exposure plan (filter, seconds, count); the first is an LRGB set.
PLANS: tuple[tuple[tuple[str, float, int], ...], ...] = (
    (("L", 120.0, 3), ("R", 60.0, 1), ("G", 60.0, 1), ("B", 60.0, 1)),
    (("L", 90.0, 3),),
    (("Ha", 180.0, 2),),
    (("L", 60.0, 4),),
    (("L", 120.0, 2), ("OIII", 180.0, 1)),
)


class DemoSetupError(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoData:
    organization_id: str
    project_id: str
    observatory_id: str
    api_key: str
    user_email: str
    user_password: str
    observations: dict[str, str]  # target name -> observation id


class _GraphQL:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def run(self, document: str, field: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": document, "variables": variables}, headers=headers
        )
        body = response.json()
        if body.get("errors"):
            raise DemoSetupError(f"{field}: {body['errors']}")
        result: dict[str, Any] = body["data"][field]
        return result

    async def expect(self, document: str, field: str, typename: str, **variables: Any) -> Any:
        result = await self.run(document, field, **variables)
        if result["__typename"] != typename:
            raise DemoSetupError(f"{field} answered {result}")
        return result


async def create_demo_data(
    base_url: str,
    admin: tuple[str, str],
    site: NightSite,
    targets: list[VisibleTarget],
    optics: Optics,
    filters: list[str],
    now: datetime,
) -> DemoData:
    """Create the demo's organization, user, project, observatory and observations."""
    suffix = now.strftime("%m%d%H%M%S")
    user_email, user_password = "astronomer@demo.example.org", "clear skies tonight"
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        gql = _GraphQL(http)
        email, password = admin
        login = await gql.expect(LOGIN, "login", "LoginSuccess", email=email, password=password)
        gql.token = login["accessToken"]
        org = await gql.expect(
            CREATE_ORGANIZATION,
            "createOrganization",
            "Organization",
            name=f"Demo Observatory Club {suffix}",
            shortName=f"demo-{suffix}",
        )
        user = await gql.run(CREATE_USER, "createUser", email=user_email, password=user_password)
        project = await gql.expect(
            CREATE_PROJECT, "createProject", "Project", org=org["id"], code=f"DEMO-{suffix}"
        )
        if user["__typename"] == "User":
            await gql.expect(
                SET_ORGANIZATION_MEMBER,
                "setOrganizationMember",
                "Organization",
                org=org["id"],
                user=user["id"],
            )
            await gql.expect(
                SET_PROJECT_MEMBER,
                "setProjectMember",
                "Project",
                project=project["id"],
                user=user["id"],
            )
        equipment = {
            "apertureMm": optics.aperture_mm,
            "focalLengthMm": optics.focal_length_mm,
            "pixelSizeUm": optics.pixel_size_um,
            "sensorWidthPx": optics.width_px,
            "sensorHeightPx": optics.height_px,
            "filters": filters,
        }
        registered = await gql.expect(
            REGISTER_OBSERVATORY,
            "registerObservatory",
            "RegisterObservatorySuccess",
            org=org["id"],
            code=f"sim-{suffix}",
            lat=site.latitude_deg,
            lon=site.longitude_deg,
            equipment=equipment,
        )
        observatory = registered["observatory"]["id"]
        observations: dict[str, str] = {}
        for target, plan in zip(targets, PLANS, strict=False):
            exposures = [
                {"filter": name, "exposureS": seconds, "count": count}
                for name, seconds, count in plan
            ]
            created = await gql.expect(
                CREATE_OBSERVATION,
                "createObservation",
                "Observation",
                project=project["id"],
                observatory=observatory,
                name=target.name,
                exposures=exposures,
            )
            observations[target.name] = created["id"]
    return DemoData(
        organization_id=org["id"],
        project_id=project["id"],
        observatory_id=observatory,
        api_key=registered["apiKey"],
        user_email=user_email,
        user_password=user_password,
        observations=observations,
    )
