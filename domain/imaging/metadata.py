"""Typed frame metadata extracted from a FITS header (NINA / ASCOM / INDI conventions)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

ARCSEC_PER_RADIAN = 206_264.806

BAYER_PATTERNS = frozenset({"RGGB", "BGGR", "GRBG", "GBRG"})


class ImageType(StrEnum):
    """Normalised frame kind (IMAGETYP)."""

    LIGHT = "light"
    DARK = "dark"
    BIAS = "bias"
    FLAT = "flat"
    DARK_FLAT = "dark_flat"
    UNKNOWN = "unknown"


_IMAGE_TYPES = {
    "LIGHT": ImageType.LIGHT,
    "LIGHTFRAME": ImageType.LIGHT,
    "OBJECT": ImageType.LIGHT,
    "SCIENCE": ImageType.LIGHT,
    "DARK": ImageType.DARK,
    "DARKFRAME": ImageType.DARK,
    "BIAS": ImageType.BIAS,
    "BIASFRAME": ImageType.BIAS,
    "OFFSET": ImageType.BIAS,
    "ZERO": ImageType.BIAS,
    "FLAT": ImageType.FLAT,
    "FLATFRAME": ImageType.FLAT,
    "SKYFLAT": ImageType.FLAT,
    "DOMEFLAT": ImageType.FLAT,
    "DARKFLAT": ImageType.DARK_FLAT,
    "FLATDARK": ImageType.DARK_FLAT,
}


@dataclass(frozen=True, slots=True)
class FrameMetadata:
    """Acquisition metadata of one frame; ``None`` where the header says nothing usable.

    Attributes
    ----------
    width, height : int
        Image size in pixels (NAXIS1, NAXIS2).
    bitpix : int
        FITS BITPIX.
    date_obs : datetime or None
        Exposure start, UTC (DATE-OBS).
    exposure_s : float or None
        Exposure time in seconds (EXPTIME or EXPOSURE).
    filter_name : str or None
        FILTER.
    image_type : ImageType
        Normalised IMAGETYP.
    ccd_temp_c : float or None
        Sensor temperature in degrees Celsius (CCD-TEMP).
    gain : float or None
        Camera gain setting (GAIN), in the camera's own units.
    offset : int or None
        Camera offset / pedestal setting (OFFSET).
    egain_e_per_adu : float or None
        Electrons per ADU (EGAIN), when the camera reports it.
    xbinning, ybinning : int
        Binning factors (1 when absent).
    instrument, telescope, object_name, software : str or None
        INSTRUME, TELESCOP, OBJECT, SWCREATE.
    focal_length_mm : float or None
        FOCALLEN in millimetres.
    pixel_size_um : float or None
        XPIXSZ in micrometres (binned pixel, as NINA writes it).
    ra_deg, dec_deg : float or None
        Pointing from OBJCTRA/OBJCTDEC (sexagesimal) or RA/DEC (degrees), ICRS degrees.
    bayer_pattern : str or None
        BAYERPAT (RGGB, BGGR, GRBG, GBRG) for one-shot-colour frames.
    bayer_offset : tuple of int
        (XBAYROFF, YBAYROFF).
    row_order : str or None
        ROWORDER (TOP-DOWN or BOTTOM-UP).
    """

    width: int
    height: int
    bitpix: int
    date_obs: datetime | None = None
    exposure_s: float | None = None
    filter_name: str | None = None
    image_type: ImageType = ImageType.UNKNOWN
    ccd_temp_c: float | None = None
    gain: float | None = None
    offset: int | None = None
    egain_e_per_adu: float | None = None
    xbinning: int = 1
    ybinning: int = 1
    instrument: str | None = None
    telescope: str | None = None
    object_name: str | None = None
    software: str | None = None
    focal_length_mm: float | None = None
    pixel_size_um: float | None = None
    ra_deg: float | None = None
    dec_deg: float | None = None
    bayer_pattern: str | None = None
    bayer_offset: tuple[int, int] = (0, 0)
    row_order: str | None = None

    @property
    def pixel_scale_arcsec(self) -> float | None:
        """Pixel scale from XPIXSZ and FOCALLEN, in arcsec per pixel, or None."""
        if not self.pixel_size_um or not self.focal_length_mm:
            return None
        return ARCSEC_PER_RADIAN * self.pixel_size_um * 1e-3 / self.focal_length_mm


def _text(header: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = header.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _float(header: Mapping[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = header.get(key)
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            return number
    return None


def _int(header: Mapping[str, Any], key: str) -> int | None:
    number = _float(header, key)
    return None if number is None else round(number)


def parse_sexagesimal(text: str, *, hours: bool) -> float | None:
    """Parse ``'05 35 17.3'``, ``'05:35:17.3'`` or ``'-05 23 28'`` into degrees.

    Parameters
    ----------
    text : str
        Sexagesimal string, space or colon separated (``h m s`` or ``d m s``).
    hours : bool
        True when the first field is in hours (right ascension).

    Returns
    -------
    float or None
        Degrees, or None when the text cannot be parsed.
    """
    cleaned = text.strip().replace(":", " ").replace("h", " ").replace("d", " ")
    cleaned = cleaned.replace("m", " ").replace("s", " ").replace("'", " ").replace('"', " ")
    parts = cleaned.split()
    if not 1 <= len(parts) <= 3:
        return None
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    sign = -1.0 if parts[0].startswith("-") else 1.0
    magnitude = abs(values[0]) + sum(v / 60.0**i for i, v in enumerate(values[1:], start=1))
    degrees = sign * magnitude * (15.0 if hours else 1.0)
    return degrees


def _parse_date(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", ""))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _image_type(text: str | None) -> ImageType:
    if text is None:
        return ImageType.UNKNOWN
    key = "".join(c for c in text.upper() if c.isalpha())
    return _IMAGE_TYPES.get(key, ImageType.UNKNOWN)


def _pointing(header: Mapping[str, Any]) -> tuple[float | None, float | None]:
    ra_text = _text(header, "OBJCTRA")
    dec_text = _text(header, "OBJCTDEC")
    ra = parse_sexagesimal(ra_text, hours=True) if ra_text else None
    dec = parse_sexagesimal(dec_text, hours=False) if dec_text else None
    if ra is None or dec is None:
        ra, dec = _float(header, "RA"), _float(header, "DEC")
    if ra is None or dec is None or not (0.0 <= ra < 360.0 and -90.0 <= dec <= 90.0):
        return None, None
    return ra, dec


def extract_metadata(header: Mapping[str, Any]) -> FrameMetadata:
    """Build :class:`FrameMetadata` from a FITS header.

    Parameters
    ----------
    header : Mapping
        An ``astropy.io.fits.Header`` (or any keyword -> value mapping) of the image HDU.

    Returns
    -------
    FrameMetadata
        Typed metadata; missing or unparseable keywords become ``None``.
    """
    bayer = _text(header, "BAYERPAT", "COLORTYP")
    bayer = bayer.upper() if bayer and bayer.upper() in BAYER_PATTERNS else None
    ra, dec = _pointing(header)
    egain = _float(header, "EGAIN")
    return FrameMetadata(
        width=_int(header, "NAXIS1") or 0,
        height=_int(header, "NAXIS2") or 0,
        bitpix=_int(header, "BITPIX") or 0,
        date_obs=_parse_date(_text(header, "DATE-OBS", "DATE-BEG")),
        exposure_s=_float(header, "EXPTIME", "EXPOSURE"),
        filter_name=_text(header, "FILTER"),
        image_type=_image_type(_text(header, "IMAGETYP", "FRAME")),
        ccd_temp_c=_float(header, "CCD-TEMP", "CCD_TEMP"),
        gain=_float(header, "GAIN"),
        offset=_int(header, "OFFSET"),
        egain_e_per_adu=egain if egain and egain > 0 else None,
        xbinning=max(1, _int(header, "XBINNING") or 1),
        ybinning=max(1, _int(header, "YBINNING") or 1),
        instrument=_text(header, "INSTRUME"),
        telescope=_text(header, "TELESCOP"),
        object_name=_text(header, "OBJECT"),
        software=_text(header, "SWCREATE", "CREATOR"),
        focal_length_mm=_float(header, "FOCALLEN"),
        pixel_size_um=_float(header, "XPIXSZ", "PIXSIZE1"),
        ra_deg=ra,
        dec_deg=dec,
        bayer_pattern=bayer,
        bayer_offset=(_int(header, "XBAYROFF") or 0, _int(header, "YBAYROFF") or 0),
        row_order=_text(header, "ROWORDER"),
    )
