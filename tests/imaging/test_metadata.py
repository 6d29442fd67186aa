"""Frame metadata from NINA-style headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from astropy.io import fits

from domain.imaging.metadata import ImageType, extract_metadata, parse_sexagesimal


def test_nina_header_becomes_typed_metadata() -> None:
    # given
    header = fits.Header()
    header["NAXIS1"] = 6248
    header["NAXIS2"] = 4176
    header["BITPIX"] = 16
    header["DATE-OBS"] = "2026-03-01T21:04:05.123"
    header["EXPTIME"] = 300.0
    header["FILTER"] = "Ha"
    header["IMAGETYP"] = "LIGHT"
    header["CCD-TEMP"] = -10.1
    header["GAIN"] = 100
    header["OFFSET"] = 50
    header["EGAIN"] = 0.78
    header["XBINNING"] = 2
    header["YBINNING"] = 2
    header["INSTRUME"] = "ZWO ASI6200MM Pro"
    header["TELESCOP"] = "RASA 8"
    header["FOCALLEN"] = 400.0
    header["XPIXSZ"] = 7.52
    header["OBJCTRA"] = "05 35 17.30"
    header["OBJCTDEC"] = "-05 23 28.0"
    header["BAYERPAT"] = "rggb"
    header["ROWORDER"] = "TOP-DOWN"

    # when
    meta = extract_metadata(header)

    # then
    assert (meta.width, meta.height, meta.bitpix) == (6248, 4176, 16)
    assert meta.date_obs == datetime(2026, 3, 1, 21, 4, 5, 123000, tzinfo=UTC)
    assert meta.exposure_s == 300.0
    assert meta.filter_name == "Ha"
    assert meta.image_type is ImageType.LIGHT
    assert meta.ccd_temp_c == -10.1
    assert (meta.gain, meta.offset, meta.egain_e_per_adu) == (100.0, 50, 0.78)
    assert (meta.xbinning, meta.ybinning) == (2, 2)
    assert meta.instrument == "ZWO ASI6200MM Pro"
    assert meta.telescope == "RASA 8"
    assert meta.ra_deg == pytest.approx(83.822083333, abs=1e-8)
    assert meta.dec_deg == pytest.approx(-5.391111111, abs=1e-8)
    assert meta.bayer_pattern == "RGGB"
    assert meta.row_order == "TOP-DOWN"
    assert meta.pixel_scale_arcsec == pytest.approx(3.87778, abs=1e-5)


def test_missing_and_garbage_values_become_none() -> None:
    header = fits.Header()
    header["EXPTIME"] = "n/a"
    header["IMAGETYP"] = "Something else"
    header["OBJCTRA"] = "not an angle"
    header["BAYERPAT"] = "XYZW"

    meta = extract_metadata(header)

    assert meta.exposure_s is None
    assert meta.image_type is ImageType.UNKNOWN
    assert meta.ra_deg is None
    assert meta.dec_deg is None
    assert meta.bayer_pattern is None
    assert meta.pixel_scale_arcsec is None


@pytest.mark.parametrize(
    ("text", "hours", "degrees"),
    [
        ("05 35 17.3", True, 83.82208333333),
        ("05:35:17.3", True, 83.82208333333),
        ("-00 30 00", False, -0.5),
        ("+41 16 09", False, 41.26916666667),
    ],
)
def test_sexagesimal_parsing(text: str, hours: bool, degrees: float) -> None:
    assert parse_sexagesimal(text, hours=hours) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Light Frame", ImageType.LIGHT),
        ("Dark Frame", ImageType.DARK),
        ("FLAT", ImageType.FLAT),
        ("Bias Frame", ImageType.BIAS),
        ("DARKFLAT", ImageType.DARK_FLAT),
    ],
)
def test_image_types_are_normalised(text: str, kind: ImageType) -> None:
    header = fits.Header()
    header["IMAGETYP"] = text
    assert extract_metadata(header).image_type is kind
