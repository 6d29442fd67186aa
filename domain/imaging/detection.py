"""Star detection: threshold a 2x2-binned, background-subtracted image and label the islands.

Binning by 2 is the smoothing (a 2x2 box filter, sampled) and divides the pixel count by
four; labelling connected pixels above ``nsigma`` binned-noise units gives one candidate per
island. Islands smaller than ``min_area`` binned pixels, single hot pixels, and elongated
islands (satellite trails, merged pairs) are rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from domain.imaging.background import Background

BINNING = 2


@dataclass(frozen=True)
class Detections:
    """Detected stars (arrays of equal length, brightest first).

    Attributes
    ----------
    x, y : ndarray of float64
        Flux-weighted centroid, 0-based full-resolution pixel coordinates.
    peak_adu : ndarray of float64
        Highest full-resolution pixel value above the background, ADU.
    flux_adu : ndarray of float64
        Sum above the background over the island, ADU.
    area_px : ndarray of int64
        Island area in binned pixels.
    elongation : ndarray of float64
        Ratio of the island's second-moment axes (>= 1).
    saturated : ndarray of bool
        True when the star's peak pixel reaches the saturation level.
    rejected_hot_pixels : int
        Islands rejected as single hot pixels.
    rejected_elongated : int
        Islands rejected as elongated (trails, blends).
    threshold_adu : float
        Detection threshold in ADU per binned pixel above the background.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    peak_adu: NDArray[np.float64]
    flux_adu: NDArray[np.float64]
    area_px: NDArray[np.int64]
    elongation: NDArray[np.float64]
    saturated: NDArray[np.bool_]
    rejected_hot_pixels: int
    rejected_elongated: int
    threshold_adu: float

    def __len__(self) -> int:
        return int(self.x.size)


def bin2(image: NDArray[np.generic]) -> NDArray[np.float32]:
    """Sum 2x2 pixel blocks (odd trailing rows/columns are dropped), as float32 ADU."""
    height, width = image.shape[0] // BINNING * BINNING, image.shape[1] // BINNING * BINNING
    cropped = np.asarray(image[:height, :width])
    out: NDArray[np.float32] = cropped[0::2, 0::2].astype(np.float32)
    out += cropped[1::2, 0::2]
    out += cropped[0::2, 1::2]
    out += cropped[1::2, 1::2]
    return out


def detect_stars(
    image: NDArray[np.generic],
    background: Background,
    *,
    nsigma: float = 5.0,
    min_area: int = 1,
    max_elongation: float = 3.0,
    saturation_adu: float | None = None,
) -> Detections:
    """Detect stars in an image.

    Parameters
    ----------
    image : ndarray
        2-D image in ADU.
    background : Background
        Background model of ``image`` (see :func:`estimate_background`).
    nsigma : float
        Threshold, in units of the binned background noise (2 x per-pixel noise).
    min_area : int
        Minimum island size in binned pixels.
    max_elongation : float
        Islands whose axis ratio exceeds this (and that are larger than 8 binned pixels) are
        rejected as trails or blends.
    saturation_adu : float, optional
        Level at which a pixel is saturated; no star is flagged when None.

    Returns
    -------
    Detections
        Accepted stars, sorted by decreasing flux.
    """
    binned = bin2(image)
    residual = binned - background.binned(binned.shape, BINNING)
    threshold = float(nsigma * BINNING * background.noise_adu)
    mask = residual > threshold
    labels, count = ndimage.label(mask)
    ys, xs = np.nonzero(mask)
    lab = labels[ys, xs]
    w = residual[ys, xs].astype(np.float64)
    n = count + 1
    area = np.bincount(lab, minlength=n)
    flux = np.bincount(lab, weights=w, minlength=n)
    safe = np.where(flux > 0, flux, 1.0)
    mx = np.bincount(lab, weights=w * xs, minlength=n) / safe
    my = np.bincount(lab, weights=w * ys, minlength=n) / safe
    dx, dy = xs - mx[lab], ys - my[lab]
    cxx = np.bincount(lab, weights=w * dx * dx, minlength=n) / safe
    cyy = np.bincount(lab, weights=w * dy * dy, minlength=n) / safe
    cxy = np.bincount(lab, weights=w * dx * dy, minlength=n) / safe
    half_trace = 0.5 * (cxx + cyy)
    root = np.sqrt(np.maximum(0.25 * (cxx - cyy) ** 2 + cxy**2, 0.0))
    major, minor = half_trace + root, np.maximum(half_trace - root, 1e-3)
    elongation = np.sqrt(major / minor)

    keep = area >= min_area
    keep[0] = False
    elongated = keep & (area > 8) & (elongation > max_elongation)
    keep &= ~elongated
    ids = np.nonzero(keep)[0]
    # Brightest full-resolution pixel of the island's peak 2x2 block.
    order_in_label = np.lexsort((w, lab))
    last_of_label = np.searchsorted(lab[order_in_label], ids, side="right") - 1
    brightest = order_in_label[last_of_label]
    peak_rows, peak_cols = ys[brightest].astype(np.intp), xs[brightest].astype(np.intp)
    raw = np.asarray(image)
    block = np.zeros((ids.size, BINNING * BINNING), dtype=np.float64)
    for k, (dr, dc) in enumerate((dr, dc) for dr in range(BINNING) for dc in range(BINNING)):
        block[:, k] = raw[BINNING * peak_rows + dr, BINNING * peak_cols + dc]
    best = np.argmax(block, axis=1) if ids.size else np.zeros(0, dtype=np.intp)
    py = BINNING * peak_rows + best // BINNING
    px = BINNING * peak_cols + best % BINNING
    peak_raw = block[np.arange(ids.size), best]
    local_bg = background.level_at(px.astype(np.float64), py.astype(np.float64))
    peak = peak_raw - local_bg
    hot = _hot_pixels(raw, py, px, local_bg, peak)
    saturated = (
        peak_raw >= saturation_adu if saturation_adu is not None else np.zeros(ids.size, bool)
    )
    accept = ~hot
    ids, peak, saturated = ids[accept], peak[accept], saturated[accept]
    order = np.argsort(-flux[ids], kind="stable")
    ids, peak, saturated = ids[order], peak[order], saturated[order]
    return Detections(
        x=(mx[ids] + 0.5) * BINNING - 0.5,
        y=(my[ids] + 0.5) * BINNING - 0.5,
        peak_adu=peak,
        flux_adu=flux[ids],
        area_px=area[ids].astype(np.int64),
        elongation=elongation[ids],
        saturated=saturated.astype(bool),
        rejected_hot_pixels=int(hot.sum()),
        rejected_elongated=int(elongated.sum()),
        threshold_adu=threshold,
    )


def _hot_pixels(
    raw: NDArray[np.generic],
    py: NDArray[np.intp],
    px: NDArray[np.intp],
    local_bg: NDArray[np.float64],
    peak: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """True where the peak pixel stands alone: its 8 neighbours hold < 10% of its value."""
    if py.size == 0:
        return np.zeros(0, dtype=bool)
    height, width = raw.shape
    total = np.zeros(py.size, dtype=np.float64)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx == 0 and dy == 0:
                continue
            yy = np.clip(py + dy, 0, height - 1)
            xx = np.clip(px + dx, 0, width - 1)
            total += raw[yy, xx].astype(np.float64)
    neighbours = total / 8.0 - local_bg
    result: NDArray[np.bool_] = neighbours < 0.1 * peak
    return result
