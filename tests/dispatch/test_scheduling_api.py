"""The scheduling part of the GraphQL API against a real server process.

Visibility values are checked against astropy (an independent reference); plans and
explanations for their shape and for a constraint failing where it should.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import astropy.units as u
import numpy as np
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body
from astropy.time import Time
from pymongo import MongoClient

from tests.conftest import TEST_DATABASE, ApiServer
from tests.dispatch.api import signed_in, user_session
from tests.engines import Engine
from tests.graphql_client import as_lists
from tests.scheduling.sky import lorentzian_reference

LATITUDE, LONGITUDE, ELEVATION = 52.1, 5.1, 10.0

TARGET_VISIBILITY = """query ($observatory: ID!, $start: DateTime!, $end: DateTime!) {
  targetVisibility(ra: 10.6847, dec: 41.269, observatoryId: $observatory,
                   start: $start, end: $end, stepMinutes: 60) {
    times altitudeDeg azimuthDeg airmass moonSeparationDeg moonAltitudeDeg sunAltitudeDeg
    observable
  }
}"""
NIGHT_PLAN = """query ($observatory: ID!, $night: Date!) {
  nightPlan(observatoryId: $observatory, night: $night) {
    night start end times sunAltitudeDeg moonAltitudeDeg
    runs { observation { id name } start end priority timeCritical score { total } }
    curves { observationId altitudeDeg }
  }
}"""
EXPLANATION = """query ($id: ID!) {
  schedulingExplanation(observationId: $id) {
    observationId state
    observatories {
      observatory { code safety }
      gate observableNow fitsNow nextEligibleAt
      constraints { constraint passed value limit unit }
      score { setting window completion airmass switch fairness total }
    }
  }
}"""
SET_DISPATCH = """mutation ($observatory: ID!, $enabled: Boolean!) {
  setDispatchEnabled(input: {observatoryId: $observatory, enabled: $enabled}) {
    __typename ... on Observatory { code dispatchEnabled }
  }
}"""
CREATE_RESERVATION = """mutation ($observatory: ID!, $start: DateTime!, $end: DateTime!) {
  createReservation(input: {observatoryId: $observatory, title: "Open night",
                            purpose: "outreach", contact: "Ana", start: $start, end: $end}) {
    __typename
    ... on Reservation { id title status start end cancelledAt }
    ... on ValidationError { fields { path message } }
  }
}"""
CANCEL_RESERVATION = """mutation ($id: ID!) {
  cancelReservation(input: {id: $id, reason: "the speaker is ill"}) {
    __typename ... on Reservation { status cancelReason }
  }
}"""


async def test_target_visibility_matches_astropy(api_server: ApiServer) -> None:
    # given an observatory at +52.1, +5.1 and a 12-hour span in December
    async with signed_in(api_server) as api:
        observatory = await api.observatory(LATITUDE, LONGITUDE)
        start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

        # when
        series = (
            await api.query(
                TARGET_VISIBILITY,
                observatory=observatory,
                start=start.isoformat(),
                end=(start + timedelta(hours=12)).isoformat(),
            )
        )["targetVisibility"]

    # then every step agrees with astropy (no refraction, as the engine documents)
    times = Time([start + timedelta(hours=h) for h in range(13)], scale="utc")
    location = EarthLocation.from_geodetic(LONGITUDE * u.deg, LATITUDE * u.deg, ELEVATION * u.m)
    frame = AltAz(obstime=times, location=location)
    target = SkyCoord(10.6847 * u.deg, 41.269 * u.deg).transform_to(frame)
    moon = get_body("moon", times, location=location).transform_to(frame)
    sun = get_body("sun", times, location=location).transform_to(frame)
    separation = target.separation(moon).deg
    airmass = 1.0 / np.sin(target.alt.rad)
    required = lorentzian_reference(times, 60.0, 7.0)
    expected_observable = (
        (target.alt.deg >= 30.0)
        & (airmass <= 2.0)
        & (sun.alt.deg <= -12.0)
        & ((moon.alt.deg < 0.0) | (separation >= required))
    )
    assert series["times"] == [(start + timedelta(hours=h)).isoformat() for h in range(13)]
    np.testing.assert_allclose(series["altitudeDeg"], target.alt.deg, atol=1e-3)
    np.testing.assert_allclose(series["azimuthDeg"], target.az.deg, atol=1e-3)
    np.testing.assert_allclose(series["airmass"], airmass, rtol=1e-5)
    np.testing.assert_allclose(series["moonSeparationDeg"], separation, atol=1e-3)
    np.testing.assert_allclose(series["moonAltitudeDeg"], moon.alt.deg, atol=1e-3)
    np.testing.assert_allclose(series["sunAltitudeDeg"], sun.alt.deg, atol=1e-3)
    assert series["observable"] == expected_observable.tolist()
    assert series["observable"][0] is False  # daylight at 15:00 UTC
    assert series["observable"][4] is True


async def test_night_plan_runs_the_pending_work_under_its_curves(api_server: ApiServer) -> None:
    # given two pending observations (M31 and M42) at the observatory
    async with signed_in(api_server) as api:
        observatory = await api.observatory(LATITUDE, LONGITUDE)
        m31 = await api.observation(observatory, "M31", ra="10.6847", dec="41.269")
        m42 = await api.observation(observatory, "M42", ra="83.8221", dec="-5.3911")

        # when the night of 15 December (Europe/Amsterdam) is planned
        plan = (await api.query(NIGHT_PLAN, observatory=observatory, night="2026-12-15"))[
            "nightPlan"
        ]

    # then: noon to noon local time (UTC+1), a 5-minute grid, both observations planned,
    # each run where its target is above the 30-degree limit
    assert (plan["night"], plan["start"], plan["end"]) == (
        "2026-12-15",
        "2026-12-15T11:00:00+00:00",
        "2026-12-16T11:00:00+00:00",
    )
    assert len(plan["times"]) == 289
    assert len(plan["sunAltitudeDeg"]) == len(plan["moonAltitudeDeg"]) == 289
    runs = plan["runs"]
    assert sorted(run["observation"]["name"] for run in runs) == ["M31", "M42"]
    assert {c["observationId"] for c in plan["curves"]} == {m31, m42}
    curves = {c["observationId"]: c["altitudeDeg"] for c in plan["curves"]}
    for run in runs:
        start = datetime.fromisoformat(run["start"])
        end = datetime.fromisoformat(run["end"])
        assert end - start == timedelta(minutes=30)
        k = plan["times"].index(run["start"])
        assert curves[run["observation"]["id"]][k] >= 30.0
        sun_k = plan["sunAltitudeDeg"][k]
        assert sun_k <= -12.0
    assert runs[0]["start"] < runs[1]["start"]


async def test_explanation_shows_the_closed_window_and_the_safety_gate(
    api_server: ApiServer,
) -> None:
    # given an observation whose window opens tomorrow, at an observatory that has not
    # reported its safety yet
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    async with signed_in(api_server) as api:
        observatory = await api.observatory(LATITUDE, LONGITUDE)
        observation = await api.observation(
            observatory,
            "M31",
            ra="10.6847",
            dec="41.269",
            windows=[{"start": opens.isoformat(), "end": (opens + timedelta(days=2)).isoformat()}],
        )

        # when
        explained = (await api.query(EXPLANATION, id=observation))["schedulingExplanation"]

    # then
    assert (explained["observationId"], explained["state"]) == (observation, "PENDING")
    (site,) = explained["observatories"]
    assert site["observatory"] == {"code": "home-1", "safety": "UNKNOWN"}
    assert site["gate"] == "SAFETY_UNKNOWN"
    assert (site["observableNow"], site["fitsNow"], site["nextEligibleAt"]) == (False, False, None)
    constraints = {c["constraint"]: c for c in site["constraints"]}
    assert list(constraints) == [
        "ALTITUDE",
        "AIRMASS",
        "HORIZON",
        "MOON_SEPARATION",
        "MOON_ILLUMINATION",
        "DARKNESS",
        "TIME_WINDOW",
        "RESERVATION",
    ]
    window = constraints["TIME_WINDOW"]
    assert (window["passed"], window["limit"], window["unit"]) == (
        False,
        opens.timestamp(),
        "unix_s",
    )
    assert constraints["RESERVATION"]["passed"] is True
    assert set(site["score"]) == {
        "setting",
        "window",
        "completion",
        "airmass",
        "switch",
        "fairness",
        "total",
    }


async def test_a_target_that_never_rises_is_rejected_and_not_stored(
    api_server: ApiServer,
) -> None:
    # given an observatory at +52.1 degrees latitude
    async with signed_in(api_server) as api:
        observatory = await api.observatory(LATITUDE, LONGITUDE)

        # when an observation of a target at -80 degrees is submitted, and one is drafted and
        # then submitted
        created = await api.create_observation(observatory, "South", ra="120", dec="-80")
        draft = await api.observation(observatory, "South", ra="120", dec="-80", submit=False)
        submitted = (await api.query(_SUBMIT, id=draft))["submitObservation"]
        listed = await api.query(_LIST)

    # then
    reason = (
        "never schedulable: home-1: the target never rises above -42.1 deg there "
        "(needs 30.0 deg for altitude/airmass)"
    )
    expected = {
        "__typename": "ValidationError",
        "fields": [{"path": ["targets", "0", "dec"], "message": reason}],
    }
    assert created == expected
    assert submitted == expected
    assert listed["observations"]["edges"] == [{"node": {"id": draft, "state": "DRAFT"}}]


async def test_operators_switch_dispatch_and_admins_reserve_time(api_server: ApiServer) -> None:
    # given
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    end = start + timedelta(hours=4)
    async with signed_in(api_server) as api:
        observatory = await api.observatory(LATITUDE, LONGITUDE)

        # when
        switched = (await api.query(SET_DISPATCH, observatory=observatory, enabled=False))[
            "setDispatchEnabled"
        ]
        created = (
            await api.query(
                CREATE_RESERVATION,
                observatory=observatory,
                start=start.isoformat(),
                end=end.isoformat(),
            )
        )["createReservation"]
        backwards = (
            await api.query(
                CREATE_RESERVATION,
                observatory=observatory,
                start=end.isoformat(),
                end=start.isoformat(),
            )
        )["createReservation"]
        cancelled = (await api.query(CANCEL_RESERVATION, id=created["id"]))["cancelReservation"]

    # then
    assert switched == {"__typename": "Observatory", "code": "home-1", "dispatchEnabled": False}
    assert {k: v for k, v in created.items() if k != "id"} == {
        "__typename": "Reservation",
        "title": "Open night",
        "status": "SCHEDULED",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "cancelledAt": None,
    }
    assert backwards == {
        "__typename": "ValidationError",
        "fields": [{"path": ["end"], "message": "must be after the start"}],
    }
    assert cancelled == {
        "__typename": "Reservation",
        "status": "CANCELLED",
        "cancelReason": "the speaker is ill",
    }


_SUBMIT = """mutation ($id: ID!) {
  submitObservation(input: {id: $id}) {
    __typename ... on ValidationError { fields { path message } }
  }
}"""
_LIST = "query { observations(first: 10) { edges { node { id state } } } }"


OBSERVATORIES = "query { observatories { edges { node { code dispatchEnabled } } } }"
VISIBILITY_NOW = """query ($observatory: ID!) {
  targetVisibility(ra: 10.68, dec: 41.27, observatoryId: $observatory,
                   start: "2026-12-01T18:00:00+00:00", end: "2026-12-01T19:00:00+00:00",
                   stepMinutes: 30) { altitudeDeg }
}"""


async def test_viewers_and_outsiders_cannot_control_an_observatory(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given an observatory, a person who may only view it, and an outsider
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    async with signed_in(api_server) as admin:
        observatory = await admin.observatory(LATITUDE, LONGITUDE)
        viewer = await user_session(admin, "viewer@example.org", observatory, ["VIEW"])
        outsider = await user_session(admin, "outsider@example.org")
        window = {"observatory": observatory, "start": start.isoformat()}
        window["end"] = (start + timedelta(hours=1)).isoformat()

        # when
        outcomes = {
            name: (
                (await api.query(SET_DISPATCH, observatory=observatory, enabled=False))[
                    "setDispatchEnabled"
                ],
                (await api.query(CREATE_RESERVATION, **window))["createReservation"],
                (await api.query(VISIBILITY_NOW, observatory=observatory))["targetVisibility"],
            )
            for name, api in (("viewer", viewer), ("outsider", outsider))
        }
        after = as_lists((await admin.query(OBSERVATORIES))["observatories"])

    # then: the viewer is told it lacks the permission, the outsider sees nothing at all,
    # and nothing changed
    viewer_switch, viewer_reservation, viewer_visibility = outcomes["viewer"]
    assert viewer_switch == {"__typename": "Forbidden"}
    assert viewer_reservation == {"__typename": "Forbidden"}
    assert len(viewer_visibility["altitudeDeg"]) == 3
    assert outcomes["outsider"] == ({"__typename": "NotFound"}, {"__typename": "NotFound"}, None)
    assert after == [{"code": "home-1", "dispatchEnabled": True}]
    client: MongoClient[dict[str, object]] = MongoClient(mongo_engine.url)
    try:
        assert client[TEST_DATABASE]["reservations"].count_documents({}) == 0
    finally:
        client.close()
