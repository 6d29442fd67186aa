"""Grading a frame against an observation's acceptance thresholds: metrics in, verdict out.

Every threshold is optional. A frame is accepted when it violates none. A threshold whose
metric could not be measured (no stars, no pixel scale for an arcsecond limit) rejects the
frame with reason ``NOT_MEASURED``: a frame that cannot be shown to meet a requirement does
not meet it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.imaging.quality import QualityMetrics


class GradeCode(StrEnum):
    """Why a frame was rejected."""

    FWHM_TOO_LARGE = "fwhm_too_large"
    HFR_TOO_LARGE = "hfr_too_large"
    TOO_FEW_STARS = "too_few_stars"
    TOO_ELONGATED = "too_elongated"
    SNR_TOO_LOW = "snr_too_low"
    BACKGROUND_TOO_HIGH = "background_too_high"
    TOO_SATURATED = "too_saturated"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Acceptance thresholds of an observation; None disables a check.

    Attributes
    ----------
    max_fwhm_arcsec : float or None
        Largest median FWHM, arcsec (needs a pixel scale).
    max_fwhm_px : float or None
        Largest median FWHM, pixels.
    max_hfr_px : float or None
        Largest median half-flux radius, pixels.
    min_stars : int or None
        Fewest detected stars.
    max_eccentricity : float or None
        Largest median eccentricity (0 round, 1 a line).
    min_snr : float or None
        Lowest median star SNR.
    max_background_adu : float or None
        Highest background level, ADU.
    max_saturated_fraction : float or None
        Highest fraction of saturated pixels.
    """

    max_fwhm_arcsec: float | None = None
    max_fwhm_px: float | None = None
    max_hfr_px: float | None = None
    min_stars: int | None = None
    max_eccentricity: float | None = None
    min_snr: float | None = None
    max_background_adu: float | None = None
    max_saturated_fraction: float | None = None


@dataclass(frozen=True, slots=True)
class GradeReason:
    """One failed check: which metric, its value, the limit, and a sentence for people."""

    code: GradeCode
    metric: str
    value: float | None
    limit: float
    message: str


@dataclass(frozen=True, slots=True)
class Grade:
    """The verdict: accepted when there is no reason to reject."""

    accepted: bool
    reasons: tuple[GradeReason, ...]


def _upper(
    code: GradeCode, metric: str, label: str, value: float | None, limit: float | None, unit: str
) -> GradeReason | None:
    if limit is None:
        return None
    if value is None:
        return GradeReason(
            GradeCode.NOT_MEASURED, metric, None, limit, f"{label} could not be measured"
        )
    if value > limit:
        return GradeReason(
            code, metric, value, limit, f"{label} {value:.3g}{unit} exceeds {limit:.3g}{unit}"
        )
    return None


def _lower(
    code: GradeCode, metric: str, label: str, value: float | None, limit: float | None
) -> GradeReason | None:
    if limit is None:
        return None
    if value is None:
        return GradeReason(
            GradeCode.NOT_MEASURED, metric, None, limit, f"{label} could not be measured"
        )
    if value < limit:
        return GradeReason(code, metric, value, limit, f"{label} {value:.3g} is below {limit:.3g}")
    return None


def grade_frame(metrics: QualityMetrics, thresholds: Thresholds) -> Grade:
    """Accept or reject a frame.

    Parameters
    ----------
    metrics : QualityMetrics
        The frame's measured quality.
    thresholds : Thresholds
        The observation's acceptance thresholds.

    Returns
    -------
    Grade
        ``accepted`` and every reason for rejection, in a fixed order.
    """
    checks = [
        _upper(
            GradeCode.FWHM_TOO_LARGE,
            "fwhm_arcsec",
            "FWHM",
            metrics.fwhm_arcsec,
            thresholds.max_fwhm_arcsec,
            '"',
        ),
        _upper(
            GradeCode.FWHM_TOO_LARGE,
            "fwhm_px",
            "FWHM",
            metrics.fwhm_px,
            thresholds.max_fwhm_px,
            " px",
        ),
        _upper(
            GradeCode.HFR_TOO_LARGE, "hfr_px", "HFR", metrics.hfr_px, thresholds.max_hfr_px, " px"
        ),
        _lower(
            GradeCode.TOO_FEW_STARS,
            "stars_detected",
            "Star count",
            float(metrics.stars_detected),
            None if thresholds.min_stars is None else float(thresholds.min_stars),
        ),
        _upper(
            GradeCode.TOO_ELONGATED,
            "eccentricity",
            "Eccentricity",
            metrics.eccentricity,
            thresholds.max_eccentricity,
            "",
        ),
        _lower(GradeCode.SNR_TOO_LOW, "snr", "SNR", metrics.snr, thresholds.min_snr),
        _upper(
            GradeCode.BACKGROUND_TOO_HIGH,
            "background_adu",
            "Background",
            metrics.background_adu,
            thresholds.max_background_adu,
            " ADU",
        ),
        _upper(
            GradeCode.TOO_SATURATED,
            "saturated_fraction",
            "Saturated fraction",
            metrics.saturated_fraction,
            thresholds.max_saturated_fraction,
            "",
        ),
    ]
    reasons = tuple(reason for reason in checks if reason is not None)
    return Grade(accepted=not reasons, reasons=reasons)
