"""Reading typed right ascensions and declinations, against astropy's `Angle` as reference."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import Angle

from domain.errors import FieldProblem
from domain.targets.coordinates import (
    CoordinateParseError,
    dec_to_dms,
    parse_dec,
    parse_ra,
    ra_to_hms,
)

RA_FORMS = (
    "use degrees (83.822), hours minutes seconds (05 35 17.3, 5:35:17.3, 5h35m17.3s) "
    "or hours with an h suffix (5.588h)"
)
DEC_FORMS = "use degrees (-5.391) or degrees minutes seconds (-05 23 28, -5:23:28, -5d23m28s)"


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("83.822", Angle(83.822, u.deg)),
        ("83", Angle(83, u.deg)),
        (".5", Angle(0.5, u.deg)),
        ("05 35 17.3", Angle("5h35m17.3s")),
        ("5:35:17.3", Angle("5h35m17.3s")),
        ("5 : 35 : 17.3", Angle("5h35m17.3s")),
        ("  05   35   17.3 ", Angle("5h35m17.3s")),
        ("5h35m17.3s", Angle("5h35m17.3s")),
        ("5h 35m 17.3s", Angle("5h35m17.3s")),
        ("5H35M17.3S", Angle("5h35m17.3s")),
        ("5h35m17.3", Angle("5h35m17.3s")),
        ("5 35.5", Angle("5h35m30s")),
        ("5h35.5m", Angle("5h35m30s")),
        ("5h 35", Angle("5h35m")),
        ("5.588h", Angle(5.588, u.hourangle)),
        ("12h", Angle(12, u.hourangle)),
        ("83.822d", Angle(83.822, u.deg)),
        ("83.822°", Angle(83.822, u.deg)),
        ("83.822 deg", Angle(83.822, u.deg)),
        ("83d49m20s", Angle("83d49m20s")),
        ("+5 35 17.3", Angle("5h35m17.3s")),
        ("23:59:59.99", Angle("23h59m59.99s")),
        ("0", Angle(0, u.deg)),
        ("-0", Angle(0, u.deg)),
    ],
)
def test_right_ascension_forms_match_astropy(text: str, reference: Angle) -> None:
    # when
    ra_deg = parse_ra(text)

    # then
    assert ra_deg == pytest.approx(reference.degree, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("-5.391", Angle(-5.391, u.deg)),
        ("41", Angle(41, u.deg)),
        ("-05 23 28", Angle("-5d23m28s")),
        ("-5:23:28", Angle("-5d23m28s")),
        ("-5d23m28s", Angle("-5d23m28s")),
        ("-5°23′28″", Angle("-5d23m28s")),
        ("-5°23'28\"", Angle("-5d23m28s")),
        ("-5°23'28''", Angle("-5d23m28s")),
        ("−5°23′28″", Angle("-5d23m28s")),
        ("- 5 23 28", Angle("-5d23m28s")),
        ("+41°16′09″", Angle("41d16m09s")),
        ("41 16 9.5", Angle("41d16m9.5s")),
        ("-0 30 00", Angle("-0d30m00s")),
        ("-00:30:00", Angle("-0d30m00s")),
        ("-0d30m", Angle("-0d30m")),
        ("-5.391d", Angle(-5.391, u.deg)),
        ("90", Angle(90, u.deg)),
        ("-90:00:00", Angle(-90, u.deg)),
    ],
)
def test_declination_forms_match_astropy(text: str, reference: Angle) -> None:
    # when
    dec_deg = parse_dec(text)

    # then
    assert dec_deg == pytest.approx(reference.degree, abs=1e-9)


def test_negative_zero_degrees_keep_their_sign() -> None:
    # given declinations just south of the equator, written with a zero degree part
    # when
    values = [parse_dec("-00 30 00"), parse_dec("-0:00:36"), parse_dec("-0d0m1s")]

    # then
    assert values == pytest.approx([-0.5, -0.01, -1 / 3600], abs=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"is required; {RA_FORMS}"),
        ("   ", f"is required; {RA_FORMS}"),
        ("abc", f"could not read 'abc' as a right ascension; {RA_FORMS}"),
        ("5 35 17 3", f"could not read '5 35 17 3' as a right ascension; {RA_FORMS}"),
        ("nan", f"could not read 'nan' as a right ascension; {RA_FORMS}"),
        ("5h35m17.3x", f"could not read '5h35m17.3x' as a right ascension; {RA_FORMS}"),
        (
            "-10",
            "'-10' is out of range: right ascension must be at least 0 and less than 360° (24h)",
        ),
        (
            "360",
            "'360' is out of range: right ascension must be at least 0 and less than 360° (24h)",
        ),
        (
            "24 00 00",
            "'24 00 00' is out of range: right ascension must be at least 0 "
            "and less than 360° (24h)",
        ),
        (
            "24h",
            "'24h' is out of range: right ascension must be at least 0 and less than 360° (24h)",
        ),
        ("5 60 00", "'5 60 00': minutes must be less than 60"),
        ("5 35 60", "'5 35 60': seconds must be less than 60"),
        ("5h35m60s", "'5h35m60s': seconds must be less than 60"),
        ("5 35.5 17", "'5 35.5 17': only the last part may have a decimal fraction"),
    ],
)
def test_bad_right_ascensions_are_refused_with_a_clear_message(text: str, message: str) -> None:
    # when
    with pytest.raises(CoordinateParseError) as raised:
        parse_ra(text)

    # then
    assert raised.value.field == "ra"
    assert raised.value.message == message
    assert str(raised.value) == f"ra: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"is required; {DEC_FORMS}"),
        ("north", f"could not read 'north' as a declination; {DEC_FORMS}"),
        ("5 -23 28", f"could not read '5 -23 28' as a declination; {DEC_FORMS}"),
        ("91", "'91' is out of range: declination must be between -90° and +90°"),
        ("-90 00 01", "'-90 00 01' is out of range: declination must be between -90° and +90°"),
        ("-5 60", "'-5 60': minutes must be less than 60"),
        ("-5°23′61″", "'-5°23′61″': seconds must be less than 60"),
        ("-5.5 23 28", "'-5.5 23 28': only the last part may have a decimal fraction"),
        ("5h", "'5h': a declination cannot be given in hours"),
        ("5h30m", "'5h30m': a declination cannot be given in hours"),
    ],
)
def test_bad_declinations_are_refused_with_a_clear_message(text: str, message: str) -> None:
    # when
    with pytest.raises(CoordinateParseError) as raised:
        parse_dec(text)

    # then
    assert raised.value.field == "dec"
    assert raised.value.message == message


def test_a_parse_error_converts_to_a_field_problem() -> None:
    # given
    with pytest.raises(CoordinateParseError) as raised:
        parse_dec("91")

    # then
    assert raised.value.problem == FieldProblem(
        ("dec",), "'91' is out of range: declination must be between -90° and +90°"
    )


@pytest.mark.parametrize(
    ("ra_deg", "expected"),
    [
        (83.82208333333333, "05:35:17.30"),
        (10.684583333333334, "00:42:44.30"),
        (0.0, "00:00:00.00"),
        (359.99999999, "00:00:00.00"),
        (-15.0, "23:00:00.00"),
        (15.0 * (23 + 59 / 60 + 59.995 / 3600) - 1e-9, "23:59:59.99"),
        (14.999999999, "01:00:00.00"),
    ],
)
def test_ra_to_hms(ra_deg: float, expected: str) -> None:
    assert ra_to_hms(ra_deg) == expected


@pytest.mark.parametrize(
    ("dec_deg", "expected"),
    [
        (-5.391111111111111, "-05:23:28.0"),
        (41.26916666666667, "+41:16:09.0"),
        (-0.5, "-00:30:00.0"),
        (-0.00000001, "+00:00:00.0"),
        (0.0, "+00:00:00.0"),
        (90.0, "+90:00:00.0"),
        (-90.0, "-90:00:00.0"),
        (22.999999999, "+23:00:00.0"),
    ],
)
def test_dec_to_dms(dec_deg: float, expected: str) -> None:
    assert dec_to_dms(dec_deg) == expected


def test_formatting_agrees_with_astropy_on_random_angles() -> None:
    # given seeded random positions over the whole sky
    rng = np.random.default_rng(20261124)
    ras = rng.uniform(0.0, 360.0, 500)
    decs = rng.uniform(-90.0, 90.0, 500)

    # when
    ours = [(ra_to_hms(ra), dec_to_dms(dec)) for ra, dec in zip(ras, decs, strict=True)]

    # then
    reference = [
        (
            Angle(ra, u.deg).to_string(unit=u.hourangle, sep=":", precision=2, pad=True),
            Angle(dec, u.deg).to_string(
                unit=u.deg, sep=":", precision=1, pad=True, alwayssign=True
            ),
        )
        for ra, dec in zip(ras, decs, strict=True)
    ]
    assert ours == reference


def test_formatting_round_trips_through_parsing() -> None:
    # given
    ra_deg, dec_deg = 83.82208333333333, -5.391111111111111

    # when
    ra_back = parse_ra(ra_to_hms(ra_deg))
    dec_back = parse_dec(dec_to_dms(dec_deg))

    # then
    assert (ra_back, dec_back) == pytest.approx((ra_deg, dec_deg), abs=1e-9)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_formatting_refuses_non_finite_values(bad: float) -> None:
    with pytest.raises(ValueError, match="must be finite"):
        ra_to_hms(bad)
    with pytest.raises(ValueError, match=r"between -90 and \+90"):
        dec_to_dms(bad)


def test_dec_to_dms_refuses_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"got 90\.5") as raised:
        dec_to_dms(90.5)

    assert str(raised.value) == "declination must be between -90 and +90 degrees, got 90.5"
