"""Plate solving of Tycho-2 synthetic frames against the WCS they were rendered with."""

from __future__ import annotations

import shutil

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from domain.imaging.catalogue import find_star_index
from domain.imaging.quality import analyse_frame
from domain.imaging.solving import (
    AstapSolver,
    AstrometryNetSolver,
    NotSolved,
    Parity,
    Solution,
    SolveHints,
    scale_hint,
    solution_from_wcs,
)
from domain.imaging.synthetic import FieldSpec, GaussianPsf, MoffatPsf, make_wcs, render_field

pytestmark = pytest.mark.skipif(
    shutil.which("solve-field") is None or not find_star_index(),
    reason="astrometry.net with Tycho-2 index files is not installed",
)

_ROTATIONS = np.random.default_rng(2026).uniform(0.0, 360.0, size=4)

# (field of view along x in degrees, centre, image size, parity flipped)
CASES = [
    (0.5, (305.0, 40.0), (1200, 1200), False),
    (1.0, (83.8, -5.4), (1500, 1000), False),
    (2.0, (10.7, 41.3), (1500, 1000), True),
    (5.0, (201.3, -43.0), (1500, 1000), False),
]


def _solve(index: int) -> tuple[FieldSpec, Solution | NotSolved]:
    fov, (ra, dec), (width, height), flipped = CASES[index]
    scale = fov * 3600.0 / width
    spec = FieldSpec(
        ra_deg=ra,
        dec_deg=dec,
        pixel_scale_arcsec=scale,
        rotation_deg=float(_ROTATIONS[index]),
        flipped=flipped,
        psf=MoffatPsf(3.0, 3.5) if index % 2 else GaussianPsf(3.0),
        width=width,
        height=height,
        zero_point_mag=22.0,
        hot_pixels=20,
        satellite_trail=index == 1,
        seed=100 + index,
    )
    frame = render_field(spec)
    detections = analyse_frame(frame.image).detections
    # hints as an observatory would give them: the optics' scale is 3% off, the target
    # 0.3 degrees away from the true centre
    hints = SolveHints(
        *scale_hint(scale * 1.03, tolerance=0.10),
        ra_deg=ra + 0.3,
        dec_deg=dec - 0.3,
        radius_deg=2.0,
        cpu_limit_s=20.0,
    )
    solver = AstrometryNetSolver()
    result = solver.solve_star_list(
        detections.x, detections.y, detections.flux_adu, width, height, hints
    )
    return spec, result


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}deg" for c in CASES])
def test_solution_matches_the_rendered_wcs(index: int) -> None:
    # given / when
    spec, result = _solve(index)

    # then
    assert isinstance(result, Solution), result
    truth = SkyCoord(spec.ra_deg * u.deg, spec.dec_deg * u.deg)
    centre_error = truth.separation(SkyCoord(result.ra_deg * u.deg, result.dec_deg * u.deg))
    rotation_error = (result.rotation_deg - spec.rotation_deg + 180.0) % 360.0 - 180.0
    assert centre_error.arcsec < 2.0
    assert abs(rotation_error) < 0.1
    assert abs(result.pixel_scale_arcsec / spec.pixel_scale_arcsec - 1.0) < 0.002
    assert result.parity is (Parity.FLIPPED if spec.flipped else Parity.NORMAL)
    assert result.field_width_arcmin == pytest.approx(spec.width * result.pixel_scale_arcsec / 60.0)
    assert "CRVAL1" in result.wcs_header
    assert result.wcs().pixel_shape is None or result.wcs().naxis == 2


@pytest.mark.parametrize("flipped", [False, True])
@pytest.mark.parametrize("rotation", [0.0, 37.5, 90.0, 200.0, 359.0])
def test_rotation_convention_of_a_known_wcs(rotation: float, flipped: bool) -> None:
    # given a WCS built with a position angle of +y east of north
    spec = FieldSpec(
        ra_deg=120.0,
        dec_deg=30.0,
        pixel_scale_arcsec=1.5,
        psf=GaussianPsf(3.0),
        rotation_deg=rotation,
        flipped=flipped,
    )

    # when
    solution = solution_from_wcs(make_wcs(spec), spec.width, spec.height, backend="t", elapsed_s=0)

    # then
    assert (solution.rotation_deg - rotation + 180.0) % 360.0 - 180.0 == pytest.approx(
        0.0, abs=1e-9
    )
    assert solution.parity is (Parity.FLIPPED if flipped else Parity.NORMAL)
    assert solution.pixel_scale_arcsec == pytest.approx(1.5, rel=1e-12)
    assert solution.ra_deg == pytest.approx(120.0, abs=1e-9)
    assert solution.dec_deg == pytest.approx(30.0, abs=1e-9)


def test_rotation_zero_means_north_up_east_left() -> None:
    # given rotation 0 and normal parity: one pixel up (+y) goes north, one pixel right goes west
    spec = FieldSpec(ra_deg=120.0, dec_deg=0.0, pixel_scale_arcsec=3.6, psf=GaussianPsf(3.0))
    wcs = make_wcs(spec)
    cx, cy = (spec.width - 1) / 2.0, (spec.height - 1) / 2.0

    # when
    (_ra_up, dec_up), (ra_right, _dec_right) = wcs.all_pix2world([[cx, cy + 1], [cx + 1, cy]], 0)

    # then
    assert dec_up > 0.0
    assert ra_right < 120.0


def test_too_few_stars_is_not_solved_with_a_reason() -> None:
    result = AstrometryNetSolver().solve_star_list(
        np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([1.0, 1.0]), 100, 100, SolveHints()
    )

    assert isinstance(result, NotSolved)
    assert "at least 4" in result.reason


def test_wrong_scale_hint_is_not_solved() -> None:
    # given a 2-degree field and a scale hint 16x too small
    spec = FieldSpec(
        ra_deg=10.7,
        dec_deg=41.3,
        pixel_scale_arcsec=4.8,
        psf=GaussianPsf(3.0),
        width=1500,
        height=1000,
        zero_point_mag=22.0,
        seed=7,
    )
    frame = render_field(spec)
    detections = analyse_frame(frame.image).detections
    hints = SolveHints(
        *scale_hint(0.3, 0.05), ra_deg=10.7, dec_deg=41.3, radius_deg=1.0, cpu_limit_s=2.0
    )

    # when
    result = AstrometryNetSolver().solve_star_list(
        detections.x, detections.y, detections.flux_adu, 1500, 1000, hints
    )

    # then
    assert isinstance(result, NotSolved)
    assert "no solution" in result.reason


def test_astap_backend_reports_why_it_is_unavailable() -> None:
    solver = AstapSolver(executable="astap-not-installed")

    assert not solver.available()
    result = solver.solve_image(np.zeros((10, 10), dtype=np.uint16), SolveHints())
    assert isinstance(result, NotSolved)
    assert result.reason == "astap-not-installed is not installed"
