"""Where it is night now, and which Messier objects stand high there (for `demo`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import astropy.units as u
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body, get_sun
from astropy.time import Time

from domain.scheduling.ephemeris import configure_offline_iers
from domain.targets.catalogue import resolve_catalogue_name

# Bright Messier objects spread over the sky, so some are high at any hour of the night.
CANDIDATES = (
    "M1", "M2", "M3", "M5", "M8", "M11", "M13", "M15", "M16", "M20", "M27", "M31", "M33",
    "M34", "M35", "M36", "M37", "M38", "M41", "M42", "M44", "M45", "M46", "M47", "M48",
    "M50", "M51", "M52", "M57", "M63", "M64", "M65", "M67", "M74", "M76", "M77", "M78",
    "M79", "M81", "M92", "M93", "M97", "M101", "M103", "M104",
)  # fmt: skip
LATITUDES = (35.0, -30.0, 20.0, -45.0, 50.0)
DARK_SUN_ALTITUDE_DEG = -18.0
HOURS_AHEAD = 2


@dataclass(frozen=True)
class NightSite:
    latitude_deg: float
    longitude_deg: float
    sun_altitude_deg: float

    @property
    def location(self) -> EarthLocation:
        return EarthLocation(lat=self.latitude_deg * u.deg, lon=self.longitude_deg * u.deg)


@dataclass(frozen=True)
class VisibleTarget:
    name: str
    ra_deg: float
    dec_deg: float
    altitude_deg: float
    moon_separation_deg: float


def _times(now: datetime) -> Time:
    return Time([now + timedelta(hours=hour) for hour in range(HOURS_AHEAD + 1)])


def night_site(now: datetime) -> NightSite:
    """A site at local midnight now whose sun stays below -18 deg for the next hours."""
    configure_offline_iers()
    hours = now.hour + now.minute / 60 + now.second / 3600
    longitude = (-15.0 * hours + 180.0) % 360.0 - 180.0  # mean solar midnight
    times = _times(now)
    for latitude in LATITUDES:
        site = NightSite(latitude, round(longitude, 3), 0.0)
        frame = AltAz(obstime=times, location=site.location)
        altitudes = get_sun(times).transform_to(frame).alt.deg
        if max(altitudes) < DARK_SUN_ALTITUDE_DEG:
            return NightSite(latitude, site.longitude_deg, round(float(altitudes[0]), 1))
    raise RuntimeError("found no dark site (this should not happen)")


def visible_targets(
    site: NightSite,
    now: datetime,
    count: int,
    min_altitude_deg: float = 35.0,
    min_moon_separation_deg: float = 15.0,
) -> list[VisibleTarget]:
    """The `count` highest candidates that stay above `min_altitude_deg` for the next hours,
    away from the moon."""
    configure_offline_iers()
    times = _times(now)
    frame = AltAz(obstime=times, location=site.location)
    moon = get_body("moon", Time(now), site.location).icrs
    found: list[VisibleTarget] = []
    for name in CANDIDATES:
        resolved = resolve_catalogue_name(name)
        coord = SkyCoord(resolved.ra_deg * u.deg, resolved.dec_deg * u.deg)
        altitudes = coord.transform_to(frame).alt.deg
        if min(altitudes) < min_altitude_deg:
            continue
        separation = float(coord.separation(moon).deg)
        if separation < min_moon_separation_deg:
            continue
        found.append(
            VisibleTarget(
                name, resolved.ra_deg, resolved.dec_deg, round(float(altitudes[0]), 1), separation
            )
        )
    found.sort(key=lambda target: -target.altitude_deg)
    return found[:count]
