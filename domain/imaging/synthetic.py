"""Synthetic star fields with known truth, rendered from the real Tycho-2 catalogue.

Stars come from the star kd-tree of an installed astrometry.net index file, read with
``query-starkd``; when no catalogue is installed a seeded random star field is used instead.
Each frame has a known TAN WCS (any rotation, either parity), a Gaussian or Moffat PSF,
sky and bias levels, shot and read noise, hot pixels and optionally a satellite trail.

The PSF is sampled at pixel centres: the rendered profile *is* the effective PSF (optics
convolved with the pixel response) and ``psf.fwhm_px`` is its exact FWHM, which is what a
FWHM measurement of the image must return.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, field

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from numpy.typing import NDArray

from domain.imaging.catalogue import CatalogStar, find_star_index, query_catalogue
from domain.imaging.metadata import ARCSEC_PER_RADIAN


@dataclass(frozen=True, slots=True)
class GaussianPsf:
    """Circular Gaussian PSF with full width at half maximum ``fwhm_px`` (pixels)."""

    fwhm_px: float

    def profile(self, r2: NDArray[np.float64]) -> NDArray[np.float64]:
        """Surface brightness per unit total flux at squared radius ``r2`` (px^2)."""
        sigma2 = (self.fwhm_px / (2.0 * math.sqrt(2.0 * math.log(2.0)))) ** 2
        out: NDArray[np.float64] = np.exp(-0.5 * r2 / sigma2) / (2.0 * math.pi * sigma2)
        return out


@dataclass(frozen=True, slots=True)
class MoffatPsf:
    """Circular Moffat PSF ``(1 + r^2/alpha^2)^-beta`` with FWHM ``fwhm_px`` (pixels)."""

    fwhm_px: float
    beta: float = 3.0

    @property
    def alpha_px(self) -> float:
        """Moffat core width alpha in pixels."""
        return self.fwhm_px / (2.0 * math.sqrt(2.0 ** (1.0 / self.beta) - 1.0))

    def profile(self, r2: NDArray[np.float64]) -> NDArray[np.float64]:
        """Surface brightness per unit total flux at squared radius ``r2`` (px^2)."""
        a2 = self.alpha_px**2
        out: NDArray[np.float64] = (
            (self.beta - 1.0) / (math.pi * a2) * (1.0 + r2 / a2) ** (-self.beta)
        )
        return out


Psf = GaussianPsf | MoffatPsf


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What to render.

    Attributes
    ----------
    ra_deg, dec_deg : float
        Field centre (ICRS, degrees), at the image centre pixel.
    pixel_scale_arcsec : float
        Pixel scale in arcsec per pixel.
    rotation_deg : float
        Position angle of the image +y axis, degrees east of north.
    flipped : bool
        Mirror parity (east to the right when north is up) when True.
    psf : GaussianPsf or MoffatPsf
        The PSF.
    width, height : int
        Image size in pixels.
    bias_adu, sky_adu : float
        Bias pedestal and sky level in ADU.
    sky_gradient : float
        Linear sky gradient along x, as a fraction of ``sky_adu`` across the whole width.
    gain_e_per_adu, read_noise_e : float
        Detector gain (electrons per ADU) and read noise (electrons).
    zero_point_mag : float
        Magnitude giving a total star flux of 1 ADU.
    random_stars : int
        Extra random (non-catalogue) stars, magnitudes drawn from ``random_mag_range`` with
        counts rising as 10^(0.3 m); also used alone when no catalogue is installed.
    hot_pixels : int
        Number of single hot pixels.
    satellite_trail : bool
        Draw one bright straight trail across the frame.
    use_catalogue : bool
        Take stars from Tycho-2 via ``query-starkd`` when an index file is installed.
    seed : int
        Seed for every random choice.
    """

    ra_deg: float
    dec_deg: float
    pixel_scale_arcsec: float
    psf: Psf
    rotation_deg: float = 0.0
    flipped: bool = False
    width: int = 3000
    height: int = 2000
    bias_adu: float = 500.0
    sky_adu: float = 1000.0
    sky_gradient: float = 0.0
    gain_e_per_adu: float = 1.0
    read_noise_e: float = 5.0
    zero_point_mag: float = 24.0
    random_stars: int = 0
    random_mag_range: tuple[float, float] = (12.0, 18.0)
    hot_pixels: int = 0
    satellite_trail: bool = False
    use_catalogue: bool = True
    saturation_adu: int = 65535
    seed: int = 0


@dataclass(frozen=True, slots=True)
class RenderedStar:
    """A star as rendered: 0-based pixel position, total flux and peak (ADU above sky)."""

    x: float
    y: float
    flux_adu: float
    peak_adu: float
    mag: float
    ra_deg: float
    dec_deg: float
    from_catalogue: bool


@dataclass(frozen=True)
class SyntheticFrame:
    """A rendered frame and its truth.

    Attributes
    ----------
    image : ndarray of uint16
        The frame, shape ``(height, width)``.
    wcs : astropy.wcs.WCS
        The TAN WCS the stars were placed with.
    header : astropy.io.fits.Header
        A camera-like header (no WCS): DATE-OBS, EXPTIME, XPIXSZ, FOCALLEN, OBJCTRA, ...
    stars : tuple of RenderedStar
        Every star whose centre falls on the image.
    spec : FieldSpec
        What was asked for.
    background_adu : float
        Noise-free background level (bias + sky) at the image centre, ADU.
    background_noise_adu : float
        Expected background standard deviation in ADU (shot + read noise).
    catalogue_used : bool
        True when the stars came from Tycho-2.
    hot_pixel_xy : tuple of (int, int)
        Positions of the hot pixels.
    """

    image: NDArray[np.uint16]
    wcs: WCS
    header: fits.Header
    stars: tuple[RenderedStar, ...]
    spec: FieldSpec
    background_adu: float
    background_noise_adu: float
    catalogue_used: bool
    hot_pixel_xy: tuple[tuple[int, int], ...] = field(default=())


def make_wcs(spec: FieldSpec) -> WCS:
    """Build the TAN WCS of a field: centre at the image centre, rotation and parity as given.

    Parameters
    ----------
    spec : FieldSpec
        Centre, pixel scale (arcsec/px), rotation (deg, +y axis east of north) and parity.

    Returns
    -------
    astropy.wcs.WCS
        A celestial TAN WCS with a CD matrix.
    """
    scale = spec.pixel_scale_arcsec / 3600.0
    theta = math.radians(spec.rotation_deg)
    parity = -1.0 if spec.flipped else 1.0
    cd = scale * np.array(
        [
            [-parity * math.cos(theta), math.sin(theta)],
            [parity * math.sin(theta), math.cos(theta)],
        ]
    )
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [spec.ra_deg, spec.dec_deg]
    wcs.wcs.crpix = [(spec.width + 1) / 2.0, (spec.height + 1) / 2.0]
    wcs.wcs.cd = cd
    wcs.wcs.radesys = "ICRS"
    wcs.pixel_shape = (spec.width, spec.height)
    return wcs


def _random_stars(
    spec: FieldSpec, wcs: WCS, rng: np.random.Generator, count: int
) -> list[CatalogStar]:
    if count == 0:
        return []
    x = rng.uniform(-0.5, spec.width - 0.5, count)
    y = rng.uniform(-0.5, spec.height - 0.5, count)
    lo, hi = spec.random_mag_range
    # Cumulative counts rising as 10^(0.3 m): inverse-transform sampling.
    u = rng.uniform(0.0, 1.0, count)
    k = 0.3 * math.log(10.0)
    mags = np.log(np.exp(k * lo) + u * (np.exp(k * hi) - np.exp(k * lo))) / k
    ra, dec = wcs.all_pix2world(x, y, 0)
    return [
        CatalogStar(float(r), float(d), float(m)) for r, d, m in zip(ra, dec, mags, strict=True)
    ]


def _stamp_radius(psf: Psf, flux: float) -> int:
    limit = 3.0 * psf.fwhm_px
    if isinstance(psf, MoffatPsf):
        # Extend the wings until they fall below 0.05 ADU.
        a2 = psf.alpha_px**2
        norm = flux * (psf.beta - 1.0) / (math.pi * a2)
        if norm > 0.05:
            limit = max(limit, math.sqrt(a2 * ((norm / 0.05) ** (1.0 / psf.beta) - 1.0)))
    return int(min(math.ceil(limit), 80))


def _add_trail(
    signal: NDArray[np.float64], rng: np.random.Generator, peak_adu: float, width_px: float
) -> None:
    height, width = signal.shape
    x0, x1 = rng.uniform(0, width, 2)
    y0, y1 = 0.0, float(height - 1)
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = (y1 - y0) / length, -(x1 - x0) / length
    sigma = width_px / 2.355
    for row in range(height):
        cols = np.arange(width, dtype=np.float64)
        distance = (cols - x0) * nx + (row - y0) * ny
        near = np.abs(distance) < 5 * sigma
        signal[row, near] += peak_adu * np.exp(-0.5 * (distance[near] / sigma) ** 2)


def render_field(spec: FieldSpec, *, noise: bool = True) -> SyntheticFrame:
    """Render a synthetic frame with known truth.

    Parameters
    ----------
    spec : FieldSpec
        Geometry, optics, detector and content of the frame.
    noise : bool
        When False, render the noise-free expectation (no shot/read noise, no hot pixels,
        no trail), e.g. to decide which stars are above a detection limit.

    Returns
    -------
    SyntheticFrame
        The uint16 image (ADU), its WCS, header and the list of rendered stars.
    """
    rng = np.random.default_rng(spec.seed)
    wcs = make_wcs(spec)
    half_diag_deg = 0.5 * math.hypot(spec.width, spec.height) * spec.pixel_scale_arcsec / 3600
    index_files = find_star_index() if spec.use_catalogue else []
    catalogue: list[CatalogStar] = []
    if index_files and shutil.which("query-starkd"):
        catalogue = query_catalogue(spec.ra_deg, spec.dec_deg, half_diag_deg * 1.02, index_files)
    catalogue_used = bool(catalogue)
    extra = _random_stars(spec, wcs, rng, spec.random_stars)

    signal = np.zeros((spec.height, spec.width), dtype=np.float64)
    stars: list[RenderedStar] = []
    for source, from_catalogue in ((catalogue, True), (extra, False)):
        if not source:
            continue
        ra = np.array([s.ra_deg for s in source])
        dec = np.array([s.dec_deg for s in source])
        xs, ys = wcs.all_world2pix(ra, dec, 0)
        for star, x, y in zip(source, xs, ys, strict=True):
            if not (-0.5 <= x < spec.width - 0.5 and -0.5 <= y < spec.height - 0.5):
                continue
            flux = 10.0 ** (-0.4 * (star.mag - spec.zero_point_mag))
            radius = _stamp_radius(spec.psf, flux)
            ix, iy = round(float(x)), round(float(y))
            x_lo, x_hi = max(ix - radius, 0), min(ix + radius + 1, spec.width)
            y_lo, y_hi = max(iy - radius, 0), min(iy + radius + 1, spec.height)
            gy, gx = np.mgrid[y_lo:y_hi, x_lo:x_hi]
            r2 = (gx - x) ** 2 + (gy - y) ** 2
            signal[y_lo:y_hi, x_lo:x_hi] += flux * spec.psf.profile(r2)
            peak = flux * float(spec.psf.profile(np.array([0.0]))[0])
            stars.append(
                RenderedStar(
                    float(x),
                    float(y),
                    flux,
                    peak,
                    star.mag,
                    star.ra_deg,
                    star.dec_deg,
                    from_catalogue,
                )
            )

    ramp = spec.sky_adu * spec.sky_gradient * (np.arange(spec.width) / (spec.width - 1) - 0.5)
    sky = spec.sky_adu + ramp[np.newaxis, :]
    noise_adu = math.sqrt(
        spec.sky_adu / spec.gain_e_per_adu + (spec.read_noise_e / spec.gain_e_per_adu) ** 2
    )
    hot: list[tuple[int, int]] = []
    if noise:
        if spec.satellite_trail:
            _add_trail(signal, rng, peak_adu=40.0 * noise_adu, width_px=3.0)
        electrons = rng.poisson((signal + sky) * spec.gain_e_per_adu).astype(np.float64)
        electrons += rng.normal(0.0, spec.read_noise_e, electrons.shape)
        adu = electrons / spec.gain_e_per_adu + spec.bias_adu
        for _ in range(spec.hot_pixels):
            hx, hy = int(rng.integers(0, spec.width)), int(rng.integers(0, spec.height))
            adu[hy, hx] = rng.uniform(5_000, spec.saturation_adu)
            hot.append((hx, hy))
    else:
        adu = signal + sky + spec.bias_adu
    image = np.clip(np.rint(adu), 0, spec.saturation_adu).astype(np.uint16)

    pixel_size_um = 3.76
    header = fits.Header()
    header["IMAGETYP"] = "LIGHT"
    header["EXPTIME"] = 60.0
    header["DATE-OBS"] = "2026-03-01T22:00:00.000"
    header["FILTER"] = "L"
    header["XBINNING"] = 1
    header["YBINNING"] = 1
    header["XPIXSZ"] = pixel_size_um
    header["YPIXSZ"] = pixel_size_um
    header["FOCALLEN"] = ARCSEC_PER_RADIAN * pixel_size_um * 1e-3 / spec.pixel_scale_arcsec
    header["EGAIN"] = spec.gain_e_per_adu
    header["INSTRUME"] = "Synthetic camera"
    header["TELESCOP"] = "Synthetic telescope"
    header["OBJCTRA"] = _sexagesimal(spec.ra_deg / 15.0, signed=False)
    header["OBJCTDEC"] = _sexagesimal(spec.dec_deg, signed=True)
    return SyntheticFrame(
        image=image,
        wcs=wcs,
        header=header,
        stars=tuple(stars),
        spec=spec,
        background_adu=spec.bias_adu + spec.sky_adu,
        background_noise_adu=noise_adu,
        catalogue_used=catalogue_used,
        hot_pixel_xy=tuple(hot),
    )


def _sexagesimal(value: float, *, signed: bool) -> str:
    sign = "-" if value < 0 else ("+" if signed else "")
    total = round(abs(value) * 3600.0, 2)
    first, rest = divmod(total, 3600.0)
    minutes, seconds = divmod(rest, 60.0)
    return f"{sign}{int(first):02d} {int(minutes):02d} {seconds:05.2f}"
