"""The synthetic renderer itself: Tycho-2 stars where the WCS says, fluxes and noise as set."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from numpy.testing import assert_allclose

from domain.imaging.catalogue import find_star_index, query_catalogue
from domain.imaging.synthetic import FieldSpec, GaussianPsf, MoffatPsf, render_field

needs_catalogue = pytest.mark.skipif(not find_star_index(), reason="no index files installed")


@needs_catalogue
def test_catalogue_stars_are_rendered_at_their_wcs_positions() -> None:
    # given
    spec = FieldSpec(
        ra_deg=83.8,
        dec_deg=-5.4,
        pixel_scale_arcsec=5.0,
        psf=GaussianPsf(3.0),
        width=800,
        height=600,
        rotation_deg=30.0,
        seed=1,
    )

    # when
    frame = render_field(spec)

    # then
    assert frame.catalogue_used
    stars = [s for s in frame.stars if s.from_catalogue]
    assert len(stars) > 20
    x, y = frame.wcs.all_world2pix([s.ra_deg for s in stars], [s.dec_deg for s in stars], 0)
    assert_allclose(x, [s.x for s in stars], atol=1e-6)
    assert_allclose(y, [s.y for s in stars], atol=1e-6)


@needs_catalogue
def test_query_returns_tycho2_stars_inside_the_radius() -> None:
    # when
    stars = query_catalogue(83.8, -5.4, 0.5, find_star_index())

    # then
    centre = SkyCoord(83.8 * u.deg, -5.4 * u.deg)
    positions = SkyCoord([s.ra_deg for s in stars] * u.deg, [s.dec_deg for s in stars] * u.deg)
    assert len(stars) > 20
    assert centre.separation(positions).deg.max() <= 0.5
    assert all(1.0 < s.mag < 13.5 for s in stars)


@pytest.mark.parametrize("psf", [GaussianPsf(3.0), MoffatPsf(3.0, 2.5)])
def test_psf_profiles_are_normalised_and_have_the_stated_fwhm(
    psf: GaussianPsf | MoffatPsf,
) -> None:
    r = np.linspace(0.0, 200.0, 400_001)
    profile = psf.profile(r**2)

    flux = np.trapezoid(2.0 * math.pi * r * profile, r)
    half = psf.profile(np.array([(psf.fwhm_px / 2.0) ** 2]))[0] / psf.profile(np.zeros(1))[0]

    assert_allclose(flux, 1.0, rtol=2e-3)
    assert_allclose(half, 0.5, rtol=1e-12)


def test_noise_free_render_has_the_exact_background() -> None:
    spec = FieldSpec(
        ra_deg=0.0,
        dec_deg=0.0,
        pixel_scale_arcsec=2.0,
        psf=GaussianPsf(3.0),
        width=200,
        height=100,
        use_catalogue=False,
        random_stars=0,
    )

    frame = render_field(spec, noise=False)

    assert np.all(frame.image == 1500)
    assert frame.background_noise_adu == pytest.approx(math.sqrt(1000.0 + 25.0))
