"""Seeded synthetic frames shared by the imaging tests (rendered once per session)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from astropy.io import fits

from domain.imaging.synthetic import FieldSpec, GaussianPsf, MoffatPsf, SyntheticFrame, render_field

ORION = (83.82, -5.39)


def quality_spec(psf: GaussianPsf | MoffatPsf, seed: int) -> FieldSpec:
    """A 2000x1500 frame around Orion: Tycho-2 stars, faint random stars, defects."""
    return FieldSpec(
        ra_deg=ORION[0],
        dec_deg=ORION[1],
        pixel_scale_arcsec=2.0,
        rotation_deg=37.0,
        psf=psf,
        width=2000,
        height=1500,
        random_stars=800,
        hot_pixels=50,
        satellite_trail=True,
        seed=seed,
    )


@pytest.fixture(scope="session")
def gaussian_frame() -> SyntheticFrame:
    return render_field(quality_spec(GaussianPsf(fwhm_px=3.2), seed=11))


@pytest.fixture(scope="session")
def moffat_frame() -> SyntheticFrame:
    return render_field(quality_spec(MoffatPsf(fwhm_px=4.0, beta=2.8), seed=12))


def fits_bytes(data: np.ndarray, header: fits.Header | None = None) -> bytes:
    """A plain FITS file holding ``data`` in the primary HDU."""
    buffer = io.BytesIO()
    fits.PrimaryHDU(data=data, header=header).writeto(buffer)
    return buffer.getvalue()
