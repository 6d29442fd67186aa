"""Per-star measurement: centroid, shape, FWHM, half-flux radius and SNR, vectorised.

For every star a square cutout is taken and the local background subtracted. Then:

1. **Shape** -- adaptive second moments with a Gaussian weight matched to the star
   (three iterations), corrected for the weight: for a Gaussian star of covariance ``C``
   and a weight of covariance ``W`` the weighted moments are ``(C^-1 + W^-1)^-1``, so
   ``C = (M^-1 - W^-1)^-1``. Centroid, axis ratio, orientation and eccentricity come from it.
2. **FWHM** -- a least-squares fit (Levenberg-Marquardt, vectorised over stars) of the
   profile ``A (1 + (2^g - 1) (2 rho / W)^2)^(-1/g)`` to the pixels, where ``rho`` is the
   circularised elliptical radius from step 1. This is a Moffat profile with ``beta = 1/g``
   parametrised by its FWHM ``W``; ``g -> 0`` is the Gaussian limit, so Gaussian and Moffat
   stars are both measured without the bias a pure Gaussian or moment estimate has on
   Moffat wings. ``W`` is the geometric-mean FWHM of the star.
3. **HFR** -- the radius enclosing half the flux inside an aperture of radius
   ``3 x FWHM``, interpolated between pixels.
4. **SNR** -- ``F / sqrt(F / g + n sigma^2)`` with ``F`` the aperture flux (ADU), ``n`` the
   aperture pixel count, ``sigma`` the background noise (ADU) and ``g`` the gain (e-/ADU);
   without a known gain the shot-noise term is dropped (sky-limited SNR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.imaging.background import Background

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
_LN2 = math.log(2.0)


@dataclass(frozen=True)
class StarMeasurements:
    """Measurements of a sample of stars (arrays of equal length).

    Attributes
    ----------
    x, y : ndarray
        Refined centroid, 0-based pixels.
    fwhm_px : ndarray
        Geometric-mean FWHM of the fitted profile, pixels.
    beta : ndarray
        Fitted Moffat beta (large values mean Gaussian-like).
    hfr_px : ndarray
        Half-flux radius, pixels.
    eccentricity : ndarray
        ``sqrt(1 - b^2 / a^2)`` of the star's second-moment ellipse (0 = round).
    flux_adu : ndarray
        Aperture flux above the background, ADU.
    snr : ndarray
        Aperture signal-to-noise ratio.
    valid : ndarray of bool
        False where the fit failed or gave a non-physical result; other arrays hold NaN there.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    fwhm_px: NDArray[np.float64]
    beta: NDArray[np.float64]
    hfr_px: NDArray[np.float64]
    eccentricity: NDArray[np.float64]
    flux_adu: NDArray[np.float64]
    snr: NDArray[np.float64]
    valid: NDArray[np.bool_]


def _cutouts(
    image: NDArray[np.generic], x: NDArray[np.float64], y: NDArray[np.float64], half: int
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]:
    cx = np.rint(x).astype(np.intp)
    cy = np.rint(y).astype(np.intp)
    offsets = np.arange(-half, half + 1)
    rows = cy[:, None, None] + offsets[None, :, None]
    cols = cx[:, None, None] + offsets[None, None, :]
    stamps = np.asarray(image)[rows, cols].astype(np.float64)
    return stamps, cx, cy


def _moment_shape(
    stamps: NDArray[np.float64], gx: NDArray[np.float64], gy: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Adaptive, weight-corrected second moments: centroid offsets and covariance."""
    n = stamps.shape[0]
    mx = np.zeros(n)
    my = np.zeros(n)
    sigma_w = np.full(n, 2.0)
    cov = np.tile(np.eye(2) * 4.0, (n, 1, 1))
    ok = np.ones(n, dtype=bool)
    for _ in range(4):
        dx = gx[None] - mx[:, None, None]
        dy = gy[None] - my[:, None, None]
        weight = np.exp(-0.5 * (dx**2 + dy**2) / sigma_w[:, None, None] ** 2)
        wi = stamps * weight
        total = wi.sum(axis=(1, 2))
        ok = total > 0
        total = np.where(ok, total, 1.0)
        mx = mx + (wi * dx).sum(axis=(1, 2)) / total
        my = my + (wi * dy).sum(axis=(1, 2)) / total
        mxx = (wi * dx * dx).sum(axis=(1, 2)) / total
        myy = (wi * dy * dy).sum(axis=(1, 2)) / total
        mxy = (wi * dx * dy).sum(axis=(1, 2)) / total
        measured = np.stack([np.stack([mxx, mxy], -1), np.stack([mxy, myy], -1)], -2)
        det = mxx * myy - mxy**2
        ok &= (mxx > 0) & (myy > 0) & (det > 0)
        safe = np.where(ok[:, None, None], measured, np.eye(2))
        inverse = np.linalg.inv(safe) - np.eye(2)[None] / sigma_w[:, None, None] ** 2
        inv_det = inverse[:, 0, 0] * inverse[:, 1, 1] - inverse[:, 0, 1] ** 2
        ok &= (inverse[:, 0, 0] > 0) & (inv_det > 0)
        inverse = np.where(ok[:, None, None], inverse, np.eye(2))
        cov = np.linalg.inv(inverse)
        size = np.sqrt(np.sqrt(np.abs(np.linalg.det(cov))))
        sigma_w = np.where(ok, np.clip(size, 0.5, 20.0), 2.0)
    return mx, my, cov, ok


def _fit_profile(
    rho: NDArray[np.float64],
    values: NDArray[np.float64],
    use: NDArray[np.bool_],
    amplitude: NDArray[np.float64],
    fwhm: NDArray[np.float64],
    iterations: int = 20,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Levenberg-Marquardt fit of A (1 + (2^g - 1)(2 rho/W)^2)^(-1/g); returns A, W, g."""
    params = np.stack([np.log(amplitude), np.log(fwhm), np.full(amplitude.shape, 0.3)], -1)
    damping = np.full(amplitude.shape, 1e-2)
    weight = use.astype(np.float64)

    def evaluate(
        p: NDArray[np.float64],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        log_a, log_w, g = p[:, 0:1], p[:, 1:2], p[:, 2:3]
        c = np.expm1(g * _LN2)
        u = (2.0 * rho / np.exp(log_w)) ** 2
        log1 = np.log1p(c * u)
        model = np.exp(log_a - log1 / g)
        d_log_a = model
        d_log_w = model * 2.0 * c * u / (g * (1.0 + c * u))
        d_g = model * (log1 / g**2 - u * (c + 1.0) * _LN2 / (g * (1.0 + c * u)))
        jac = np.stack([d_log_a, d_log_w, d_g], -1)
        residual = (values - model) * weight
        return residual, jac * weight[..., None], (residual**2).sum(axis=1)

    residual, jac, chi2 = evaluate(params)
    for _ in range(iterations):
        jtj = np.einsum("npi,npj->nij", jac, jac)
        jtr = np.einsum("npi,np->ni", jac, residual)
        diag = np.einsum("nii->ni", jtj)
        lhs = jtj + (damping[:, None] * np.maximum(diag, 1e-12))[:, :, None] * np.eye(3)
        try:
            step = np.linalg.solve(lhs, jtr[..., None])[..., 0]
        except np.linalg.LinAlgError:
            break
        trial = params + step
        trial[:, 2] = np.clip(trial[:, 2], 0.01, 1.0)
        new_residual, new_jac, new_chi2 = evaluate(trial)
        better = np.isfinite(new_chi2) & (new_chi2 < chi2)
        params = np.where(better[:, None], trial, params)
        residual = np.where(better[:, None], new_residual, residual)
        jac = np.where(better[:, None, None], new_jac, jac)
        chi2 = np.where(better, new_chi2, chi2)
        damping = np.where(better, damping * 0.3, damping * 10.0)
    return np.exp(params[:, 0]), np.exp(params[:, 1]), params[:, 2]


def measure_stars(
    image: NDArray[np.generic],
    background: Background,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    fwhm_guess_px: float = 3.0,
    gain_e_per_adu: float | None = None,
) -> StarMeasurements:
    """Measure FWHM, HFR, eccentricity and SNR of stars at approximate positions.

    Parameters
    ----------
    image : ndarray
        2-D image in ADU.
    background : Background
        Background model of the image (local level and noise).
    x, y : ndarray
        Approximate 0-based star positions, pixels. Stars closer to the edge than the cutout
        half-size are reported invalid.
    fwhm_guess_px : float
        Typical FWHM in pixels; sets the cutout size (``3 x`` the guess, at least 7 px).
    gain_e_per_adu : float, optional
        Detector gain in electrons per ADU for the SNR's shot-noise term.

    Returns
    -------
    StarMeasurements
        One entry per input position.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    half = int(np.clip(math.ceil(3.5 * fwhm_guess_px), 7, 40))
    height, width = image.shape
    inside = (x >= half) & (x < width - half - 1) & (y >= half) & (y < height - half - 1)
    n_all = x.size
    xs, ys = x[inside], y[inside]
    result = {
        name: np.full(n_all, np.nan)
        for name in ("x", "y", "fwhm", "beta", "hfr", "ecc", "flux", "snr")
    }
    valid = np.zeros(n_all, dtype=bool)
    if xs.size:
        local_bg = background.level_at(xs, ys)
        stamps, cx, cy = _cutouts(image, xs, ys, half)
        stamps -= local_bg[:, None, None]
        offsets = np.arange(-half, half + 1, dtype=np.float64)
        gy, gx = np.meshgrid(offsets, offsets, indexing="ij")
        mx, my, cov, ok = _moment_shape(stamps, gx, gy)
        eig = np.linalg.eigvalsh(cov)
        minor, major = np.maximum(eig[:, 0], 1e-6), np.maximum(eig[:, 1], 1e-6)
        ecc = np.sqrt(np.clip(1.0 - minor / major, 0.0, 1.0))
        det = np.sqrt(minor * major)
        inverse = np.linalg.inv(cov)
        dx = gx[None] - mx[:, None, None]
        dy = gy[None] - my[:, None, None]
        rho2 = (
            inverse[:, 0, 0, None, None] * dx**2
            + 2 * inverse[:, 0, 1, None, None] * dx * dy
            + inverse[:, 1, 1, None, None] * dy**2
        ) * det[:, None, None]
        rho = np.sqrt(rho2).reshape(xs.size, -1)
        flat = stamps.reshape(xs.size, -1)
        sigma_moment = np.sqrt(det)
        fwhm0 = np.clip(FWHM_PER_SIGMA * sigma_moment, 1.0, 2.0 * half)
        fit_radius = np.minimum(2.0 * fwhm0, half)
        use = rho < fit_radius[:, None]
        peak = np.max(np.where(rho < 1.5, flat, -np.inf), axis=1)
        _amplitude, fwhm, g = _fit_profile(rho, flat, use, np.maximum(peak, 1e-3), fwhm0)
        aperture = np.minimum(3.0 * np.where(np.isfinite(fwhm), fwhm, fwhm0), half)
        r = np.sqrt(dx**2 + dy**2).reshape(xs.size, -1)
        in_ap = r <= aperture[:, None]
        flux = np.where(in_ap, flat, 0.0).sum(axis=1)
        npix = in_ap.sum(axis=1)
        hfr = _half_flux_radius(r, flat, in_ap, flux)
        noise2 = npix * background.noise_adu**2
        if gain_e_per_adu:
            noise2 = noise2 + np.maximum(flux, 0.0) / gain_e_per_adu
        snr = flux / np.sqrt(noise2)
        good = (
            ok
            & np.isfinite(fwhm)
            & (fwhm > 0.5)
            & (fwhm < 2.0 * half)
            & (flux > 0)
            & (np.abs(mx) < 2)
            & (np.abs(my) < 2)
        )
        idx = np.nonzero(inside)[0]
        result["x"][idx] = cx + mx
        result["y"][idx] = cy + my
        result["fwhm"][idx] = np.where(good, fwhm, np.nan)
        result["beta"][idx] = np.where(good, 1.0 / g, np.nan)
        result["hfr"][idx] = np.where(good, hfr, np.nan)
        result["ecc"][idx] = np.where(good, ecc, np.nan)
        result["flux"][idx] = np.where(good, flux, np.nan)
        result["snr"][idx] = np.where(good, snr, np.nan)
        valid[idx] = good
    return StarMeasurements(
        x=result["x"],
        y=result["y"],
        fwhm_px=result["fwhm"],
        beta=result["beta"],
        hfr_px=result["hfr"],
        eccentricity=result["ecc"],
        flux_adu=result["flux"],
        snr=result["snr"],
        valid=valid,
    )


def _half_flux_radius(
    r: NDArray[np.float64],
    values: NDArray[np.float64],
    in_aperture: NDArray[np.bool_],
    flux: NDArray[np.float64],
) -> NDArray[np.float64]:
    order = np.argsort(np.where(in_aperture, r, np.inf), axis=1)
    r_sorted = np.take_along_axis(r, order, axis=1)
    v_sorted = np.take_along_axis(np.where(in_aperture, values, 0.0), order, axis=1)
    cumulative = np.cumsum(v_sorted, axis=1)
    half = 0.5 * flux
    k = np.argmax(cumulative >= half[:, None], axis=1)
    rows = np.arange(r.shape[0])
    k_prev = np.maximum(k - 1, 0)
    c0, c1 = cumulative[rows, k_prev], cumulative[rows, k]
    r0, r1 = r_sorted[rows, k_prev], r_sorted[rows, k]
    frac = np.where(c1 > c0, (half - c0) / np.where(c1 > c0, c1 - c0, 1.0), 0.0)
    out: NDArray[np.float64] = r0 + np.clip(frac, 0.0, 1.0) * (r1 - r0)
    return out
