"""Offline name resolution through OpenNGC, checked against published J2000 positions."""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace

import astropy.units as u
import pytest
from astropy.coordinates import SkyCoord

from domain.errors import NotFound
from domain.targets.catalogue import (
    OPENNGC_SOURCE,
    ResolvedTarget,
    TargetNotFound,
    preload_catalogue,
    resolve_catalogue_name,
)

# Literature J2000 positions, independent of OpenNGC:
# M31 and M42 from the project brief (SIMBAD-rounded), M1 (the Crab pulsar), NGC 7000, M13,
# M57 and M51 from their Wikipedia infoboxes, IC 434 from glyphweb's Deep Sky Atlas
# (an extended nebula: the catalogued centres differ by up to a minute of arc).
LITERATURE_J2000 = {
    "M31": "00h42m44.3s +41d16m09s",
    "M42": "05h35m17.3s -05d23m28s",
    "M1": "05h34m31.94s +22d00m52.2s",
    "NGC 7000": "20h59m17.1s +44d31m44s",
    "IC 434": "05h41m00s -02d28m04s",
    "M13": "16h41m41.24s +36d27m35.5s",
    "M57": "18h53m35.079s +33d01m45.03s",
    "M51": "13h29m52.7s +47d11m43s",
}
TOLERANCE = 1 * u.arcmin


@pytest.mark.parametrize(("name", "literature"), LITERATURE_J2000.items())
def test_positions_agree_with_the_literature_within_one_arcminute(
    name: str, literature: str
) -> None:
    # when
    target = resolve_catalogue_name(name)

    # then
    resolved = SkyCoord(target.ra_deg * u.deg, target.dec_deg * u.deg, frame="icrs")
    assert resolved.separation(SkyCoord(literature, frame="icrs")) < TOLERANCE


@pytest.mark.parametrize(
    "spelling", ["M31", "m31", "M 31", "m 31", "M031", "Messier 31", "messier31", "  M   31 "]
)
def test_messier_spellings_resolve_to_m31(spelling: str) -> None:
    # when
    target = resolve_catalogue_name(spelling)

    # then
    assert (target.ra_deg, target.dec_deg) == pytest.approx(
        (10.684791666666667, 41.26905555555555), abs=1e-9
    )
    assert replace(target, ra_deg=0.0, dec_deg=0.0) == ResolvedTarget(
        name="M31",
        ra_deg=0.0,
        dec_deg=0.0,
        object_type="Galaxy",
        magnitude=3.44,
        catalogue_ids=("M31", "NGC224"),
        source=OPENNGC_SOURCE,
        common_names=("Andromeda Galaxy",),
    )


@pytest.mark.parametrize(
    "spelling", ["NGC 224", "NGC224", "ngc0224", "ngc 0224", "Andromeda Galaxy"]
)
def test_ngc_spellings_and_the_common_name_give_the_messier_object(spelling: str) -> None:
    # when
    target = resolve_catalogue_name(spelling)

    # then
    assert (target.name, target.catalogue_ids) == ("M31", ("M31", "NGC224"))


@pytest.mark.parametrize(
    ("name", "expected_name", "ids", "object_type", "magnitude"),
    [
        ("IC 434", "IC434", ("IC434",), "HII Ionized region", 11.0),
        ("NGC 7000", "NGC7000", ("NGC7000",), "HII Ionized region", 4.0),
        ("North America Nebula", "NGC7000", ("NGC7000",), "HII Ionized region", 4.0),
        ("orion nebula", "M42", ("M42", "NGC1976"), "Star cluster + Nebula", 4.0),
        ("Great Orion Nebula", "M42", ("M42", "NGC1976"), "Star cluster + Nebula", 4.0),
        ("crab nebula", "M1", ("M1", "NGC1952"), "Supernova remnant", 8.4),
        ("The Pleiades", "M45", ("M45", "Mel22"), "Open Cluster", 1.2),
        ("Eagle Nebula", "M16", ("M16", "NGC6611"), "Nebula", 6.0),
        ("M102", "M101", ("M101", "NGC5457"), "Galaxy", 7.9),
        ("M40", "M40", ("M40",), "Double star", 8.0),
        ("C 20", "NGC7000", ("NGC7000",), "HII Ionized region", 4.0),
    ],
)
def test_names_resolve_with_type_magnitude_and_catalogue_ids(
    name: str, expected_name: str, ids: tuple[str, ...], object_type: str, magnitude: float
) -> None:
    # when
    target = resolve_catalogue_name(name)

    # then
    assert (target.name, target.catalogue_ids, target.object_type, target.magnitude) == (
        expected_name,
        ids,
        object_type,
        magnitude,
    )
    assert target.source == "OpenNGC"


def test_magnitude_is_v_when_known() -> None:
    # given M51, which OpenNGC lists with B 8.61 and V 8.36
    # when
    target = resolve_catalogue_name("M51")

    # then
    assert target.magnitude == 8.36


def test_magnitude_falls_back_to_b_when_v_is_missing() -> None:
    # given IC 434, which OpenNGC lists with B 11.0 and no V
    # when
    target = resolve_catalogue_name("IC434")

    # then
    assert target.magnitude == 11.0


@pytest.mark.parametrize(
    ("name", "suggestions"),
    [
        ("Andromeda", ("Andromeda Galaxy",)),
        ("Whirlpool Galaxi", ("Whirlpool Galaxy",)),
        ("NGC 99999", ()),
        ("Xyzzy", ()),
        ('NGC 224" OR "1"="1', ()),
        ("", ()),
    ],
)
def test_unknown_names_raise_target_not_found_with_suggestions(
    name: str, suggestions: tuple[str, ...]
) -> None:
    # when
    with pytest.raises(TargetNotFound) as raised:
        resolve_catalogue_name(name)

    # then
    assert (raised.value.name, raised.value.suggestions) == (name, suggestions)
    assert isinstance(raised.value, NotFound)
    assert (raised.value.what, raised.value.id) == ("target", name)


def test_target_not_found_message_lists_at_most_five_suggestions() -> None:
    # when
    with pytest.raises(TargetNotFound) as raised:
        resolve_catalogue_name("Orion Nebular")

    # then
    assert raised.value.suggestions == (
        "Orion Nebula",
        "Ring Nebula",
        "Rim Nebula",
        "Great Orion Nebula",
        "Lagoon Nebula",
    )
    assert str(raised.value) == (
        "no target named 'Orion Nebular' is known; did you mean Orion Nebula, Ring Nebula, "
        "Rim Nebula, Great Orion Nebula, Lagoon Nebula?"
    )


def test_a_name_resolves_in_milliseconds_after_the_first_load() -> None:
    # given names nothing else in this module looks up
    preload_catalogue()
    names = [f"NGC {number}" for number in range(1000, 1100)] + ["Ring Nebula", "M 57"]

    # when: each name the first time, then again
    first = _seconds_per_name(names)
    again = _seconds_per_name(names)

    # then
    assert first < 0.010
    assert again < 0.001


def _seconds_per_name(names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        with contextlib.suppress(TargetNotFound):
            resolve_catalogue_name(name)
    return (time.perf_counter() - started) / len(names)
