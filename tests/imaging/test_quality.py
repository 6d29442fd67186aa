"""Quality metrics against the known truth of seeded synthetic frames."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from domain.imaging.detection import BINNING, bin2
from domain.imaging.quality import QualitySettings, adu_statistics, analyse_frame
from domain.imaging.synthetic import FieldSpec, GaussianPsf, SyntheticFrame, render_field


def _stars_above_detection_limit(frame: SyntheticFrame, nsigma: float) -> int:
    """Stars whose noise-free 2x2-binned peak exceeds the detection threshold."""
    clean = render_field(frame.spec, noise=False)
    residual = bin2(clean.image.astype(np.float64) - clean.background_adu)
    threshold = nsigma * BINNING * frame.background_noise_adu
    count = 0
    for star in frame.stars:
        bx, by = int((star.x + 0.5) // BINNING), int((star.y + 0.5) // BINNING)
        window = residual[max(by - 1, 0) : by + 2, max(bx - 1, 0) : bx + 2]
        count += bool(window.max() > threshold)
    return count


@pytest.mark.parametrize("frame_name", ["gaussian_frame", "moffat_frame"])
def test_fwhm_matches_the_rendered_psf(frame_name: str, request: pytest.FixtureRequest) -> None:
    # given
    frame: SyntheticFrame = request.getfixturevalue(frame_name)

    # when
    metrics = analyse_frame(frame.image, pixel_scale_arcsec=2.0).metrics

    # then
    assert metrics.fwhm_px is not None
    assert metrics.stars_measured >= 50
    assert_allclose(metrics.fwhm_px, frame.spec.psf.fwhm_px, rtol=0.05)
    assert metrics.fwhm_arcsec == pytest.approx(metrics.fwhm_px * 2.0)
    assert metrics.fwhm_mad_px is not None
    assert metrics.fwhm_mad_px < 0.05 * frame.spec.psf.fwhm_px


def test_moffat_beta_is_recovered(moffat_frame: SyntheticFrame) -> None:
    metrics = analyse_frame(moffat_frame.image).metrics

    assert metrics.moffat_beta is not None
    assert_allclose(metrics.moffat_beta, 2.8, rtol=0.15)


def test_gaussian_half_flux_radius_is_half_the_fwhm(gaussian_frame: SyntheticFrame) -> None:
    # For a Gaussian the radius enclosing half the flux is sigma * sqrt(2 ln 2) = FWHM / 2.
    metrics = analyse_frame(gaussian_frame.image).metrics

    assert metrics.hfr_px is not None
    assert_allclose(metrics.hfr_px, gaussian_frame.spec.psf.fwhm_px / 2.0, rtol=0.06)


@pytest.mark.parametrize("frame_name", ["gaussian_frame", "moffat_frame"])
def test_star_count_matches_the_stars_above_the_detection_limit(
    frame_name: str, request: pytest.FixtureRequest
) -> None:
    # given
    frame: SyntheticFrame = request.getfixturevalue(frame_name)
    settings = QualitySettings()
    expected = _stars_above_detection_limit(frame, settings.detect_sigma)

    # when
    analysis = analyse_frame(frame.image, settings=settings)

    # then: within 10%, with the 50 hot pixels and the satellite trail not counted
    assert_allclose(analysis.metrics.stars_detected, expected, rtol=0.10)
    assert analysis.detections.rejected_hot_pixels >= 45
    assert analysis.detections.rejected_elongated >= 1


@pytest.mark.parametrize("frame_name", ["gaussian_frame", "moffat_frame"])
def test_background_level_and_noise(frame_name: str, request: pytest.FixtureRequest) -> None:
    frame: SyntheticFrame = request.getfixturevalue(frame_name)

    metrics = analyse_frame(frame.image).metrics

    assert_allclose(metrics.background_adu, frame.background_adu, rtol=0.01)
    assert_allclose(metrics.background_noise_adu, frame.background_noise_adu, rtol=0.03)


def test_background_follows_a_gradient() -> None:
    # given a sky that rises by 20% from left to right
    spec = FieldSpec(
        ra_deg=10.68,
        dec_deg=41.27,
        pixel_scale_arcsec=3.0,
        psf=GaussianPsf(3.0),
        width=1200,
        height=800,
        sky_gradient=0.2,
        use_catalogue=False,
        random_stars=200,
        seed=3,
    )
    frame = render_field(spec)

    # when
    analysis = analyse_frame(frame.image)

    # then the median level is the centre level, and stars are still measured well
    assert_allclose(analysis.metrics.background_adu, frame.background_adu, rtol=0.01)
    assert analysis.metrics.fwhm_px is not None
    assert_allclose(analysis.metrics.fwhm_px, 3.0, rtol=0.05)


def test_round_stars_have_low_eccentricity(gaussian_frame: SyntheticFrame) -> None:
    metrics = analyse_frame(gaussian_frame.image).metrics

    assert metrics.eccentricity is not None
    assert metrics.eccentricity < 0.35


def test_elongated_stars_have_the_expected_eccentricity() -> None:
    # given stars rendered with FWHM 6 px on a grid twice as wide, then summed in column
    # pairs: FWHM 3 px along x and 6 px along y, axis ratio 0.509 after the 2-sample sum
    spec = FieldSpec(
        ra_deg=200.0,
        dec_deg=-30.0,
        pixel_scale_arcsec=2.0,
        psf=GaussianPsf(6.0),
        width=2400,
        height=800,
        use_catalogue=False,
        random_stars=300,
        random_mag_range=(11.0, 15.0),
        seed=4,
    )
    wide = render_field(spec).image.astype(np.uint32)
    image = np.minimum(wide[:, 0::2] + wide[:, 1::2], 65535).astype(np.uint16)
    sigma_x = np.sqrt((6.0 / 2.0 / 2.3548) ** 2 + 0.25**2)
    sigma_y = 6.0 / 2.3548
    expected = np.sqrt(1.0 - (sigma_x / sigma_y) ** 2)

    # when
    metrics = analyse_frame(image).metrics

    # then
    assert metrics.eccentricity is not None
    assert_allclose(metrics.eccentricity, expected, rtol=0.05)
    assert metrics.fwhm_px is not None
    assert_allclose(metrics.fwhm_px, 2.3548 * np.sqrt(sigma_x * sigma_y), rtol=0.05)


def test_adu_statistics_are_exact(gaussian_frame: SyntheticFrame) -> None:
    image = gaussian_frame.image

    stats, histogram = adu_statistics(image)

    assert histogram is not None
    assert_allclose(stats.mean, image.mean(), rtol=1e-12)
    assert stats.median == np.median(image)
    assert_allclose(stats.std, image.std(), rtol=1e-9)
    assert (stats.minimum, stats.maximum) == (image.min(), image.max())


def test_saturated_pixels_are_counted(gaussian_frame: SyntheticFrame) -> None:
    metrics = analyse_frame(gaussian_frame.image).metrics

    saturated = np.count_nonzero(gaussian_frame.image >= 65535)
    assert metrics.saturation_adu == 65535
    assert metrics.saturated_fraction == saturated / gaussian_frame.image.size
    assert metrics.saturated_stars > 0


def test_snr_uses_the_gain_when_known(gaussian_frame: SyntheticFrame) -> None:
    sky_limited = analyse_frame(gaussian_frame.image).metrics
    with_shot_noise = analyse_frame(gaussian_frame.image, gain_e_per_adu=1.0).metrics

    assert sky_limited.snr is not None
    assert with_shot_noise.snr is not None
    assert with_shot_noise.snr < sky_limited.snr


def test_one_shot_colour_frames_are_measured_on_superpixels(
    gaussian_frame: SyntheticFrame,
) -> None:
    # given the mono frame treated as a raw CFA: superpixels halve the FWHM in their units,
    # and the result is converted back to raw pixels
    metrics = analyse_frame(gaussian_frame.image, bayer_pattern="RGGB").metrics

    assert metrics.fwhm_px is not None
    assert_allclose(metrics.fwhm_px, gaussian_frame.spec.psf.fwhm_px, rtol=0.10)
    assert (metrics.width, metrics.height) == (2000, 1500)


def test_blank_frame_has_no_star_metrics() -> None:
    rng = np.random.default_rng(9)
    blank = rng.normal(1000.0, 10.0, size=(400, 600)).astype(np.float32)

    metrics = analyse_frame(blank).metrics

    assert metrics.stars_measured == 0
    assert metrics.fwhm_px is None
    assert metrics.snr is None
    assert metrics.saturation_adu is None
    assert_allclose(metrics.background_adu, 1000.0, rtol=0.001)


def test_settings_are_plain_values() -> None:
    assert dataclasses.asdict(QualitySettings())["detect_sigma"] == 5.0
