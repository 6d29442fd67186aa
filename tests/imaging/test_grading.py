"""Grading: metrics and thresholds in, verdict and reasons out."""

from __future__ import annotations

import dataclasses

from domain.imaging.grading import Grade, GradeCode, GradeReason, Thresholds, grade_frame
from domain.imaging.quality import AduStatistics, QualityMetrics

METRICS = QualityMetrics(
    width=6000,
    height=4000,
    background_adu=1200.0,
    background_noise_adu=15.0,
    stars_detected=850,
    stars_measured=300,
    saturated_stars=12,
    fwhm_px=3.0,
    fwhm_mad_px=0.2,
    fwhm_p10_px=2.7,
    fwhm_p90_px=3.4,
    fwhm_centre_px=2.9,
    fwhm_corners_px=3.2,
    hfr_px=1.6,
    hfr_mad_px=0.1,
    eccentricity=0.4,
    moffat_beta=3.0,
    snr=45.0,
    saturated_fraction=0.0001,
    saturation_adu=65535.0,
    adu=AduStatistics(1300.0, 1210.0, 300.0, 900.0, 65535.0),
    pixel_scale_arcsec=1.0,
    fwhm_arcsec=3.0,
    hfr_arcsec=1.6,
)


def test_frame_within_all_thresholds_is_accepted() -> None:
    thresholds = Thresholds(
        max_fwhm_arcsec=3.5,
        max_fwhm_px=4.0,
        max_hfr_px=2.0,
        min_stars=100,
        max_eccentricity=0.6,
        min_snr=20.0,
        max_background_adu=2000.0,
        max_saturated_fraction=0.01,
    )

    assert grade_frame(METRICS, thresholds) == Grade(accepted=True, reasons=())


def test_no_thresholds_accepts_anything() -> None:
    assert grade_frame(METRICS, Thresholds()).accepted


def test_every_violated_threshold_is_a_reason() -> None:
    # given
    thresholds = Thresholds(max_fwhm_arcsec=2.5, min_stars=1000, max_eccentricity=0.3)

    # when
    grade = grade_frame(METRICS, thresholds)

    # then
    assert not grade.accepted
    assert grade.reasons == (
        GradeReason(GradeCode.FWHM_TOO_LARGE, "fwhm_arcsec", 3.0, 2.5, 'FWHM 3" exceeds 2.5"'),
        GradeReason(
            GradeCode.TOO_FEW_STARS,
            "stars_detected",
            850.0,
            1000.0,
            "Star count 850 is below 1e+03",
        ),
        GradeReason(
            GradeCode.TOO_ELONGATED, "eccentricity", 0.4, 0.3, "Eccentricity 0.4 exceeds 0.3"
        ),
    )


def test_threshold_on_a_metric_that_was_not_measured_rejects() -> None:
    # given a frame without a pixel scale (not solved) and an arcsecond limit
    metrics = dataclasses.replace(METRICS, pixel_scale_arcsec=None, fwhm_arcsec=None)

    # when
    grade = grade_frame(metrics, Thresholds(max_fwhm_arcsec=4.0))

    # then
    assert not grade.accepted
    assert [r.code for r in grade.reasons] == [GradeCode.NOT_MEASURED]
    assert grade.reasons[0].message == "FWHM could not be measured"


def test_limits_are_inclusive() -> None:
    thresholds = Thresholds(max_fwhm_px=3.0, min_stars=850, min_snr=45.0)

    assert grade_frame(METRICS, thresholds).accepted


def test_low_snr_saturation_and_background_are_reported() -> None:
    thresholds = Thresholds(min_snr=50.0, max_saturated_fraction=0.00005, max_background_adu=1000)

    codes = [r.code for r in grade_frame(METRICS, thresholds).reasons]

    assert codes == [GradeCode.SNR_TOO_LOW, GradeCode.BACKGROUND_TOO_HIGH, GradeCode.TOO_SATURATED]
