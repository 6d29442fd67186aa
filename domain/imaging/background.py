"""Sky background and noise from sigma-clipped block statistics on a coarse grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

MAD_TO_SIGMA = 1.482602218505602


@dataclass(frozen=True)
class Background:
    """Background model of one image.

    Attributes
    ----------
    grid : ndarray of float32
        Clipped median level per tile, ADU, shape ``(tiles_y, tiles_x)``, after a 3x3 median
        filter that removes tiles dominated by bright stars.
    noise_grid : ndarray of float32
        Clipped standard deviation per tile, ADU.
    centres_y, centres_x : ndarray of float64
        0-based pixel coordinates of the tile centres along each axis.
    level_adu : float
        Median of the tile levels: the frame's background level, ADU.
    noise_adu : float
        Median of the tile standard deviations: the per-pixel background noise, ADU.
    """

    grid: NDArray[np.float32]
    noise_grid: NDArray[np.float32]
    centres_y: NDArray[np.float64]
    centres_x: NDArray[np.float64]
    level_adu: float
    noise_adu: float

    def level_at(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Background level (ADU) at image positions, by bilinear interpolation of the grid.

        Parameters
        ----------
        x, y : ndarray
            0-based pixel coordinates.
        """
        gy = np.interp(y, self.centres_y, np.arange(self.centres_y.size, dtype=np.float64))
        gx = np.interp(x, self.centres_x, np.arange(self.centres_x.size, dtype=np.float64))
        out: NDArray[np.float64] = ndimage.map_coordinates(
            self.grid.astype(np.float64), [gy, gx], order=1, mode="nearest"
        )
        return out

    def binned(self, shape: tuple[int, int], binning: int) -> NDArray[np.float32]:
        """The background per pixel of the image binned ``binning`` x ``binning`` (summed).

        Parameters
        ----------
        shape : tuple of int
            Shape (rows, columns) of the binned image.
        binning : int
            Binning factor; the result is in ADU per binned pixel (``binning**2`` pixels).
        """
        ys = (np.arange(shape[0]) + 0.5) * binning - 0.5
        xs = (np.arange(shape[1]) + 0.5) * binning - 0.5
        gy = np.interp(ys, self.centres_y, np.arange(self.centres_y.size, dtype=np.float64))
        gx = np.interp(xs, self.centres_x, np.arange(self.centres_x.size, dtype=np.float64))
        rows = _interp_axis(self.grid, gy, axis=0)
        out: NDArray[np.float32] = _interp_axis(rows, gx, axis=1) * np.float32(binning**2)
        return out


def _interp_axis(
    grid: NDArray[np.float32], coords: NDArray[np.float64], axis: int
) -> NDArray[np.float32]:
    n = grid.shape[axis]
    lo = np.clip(np.floor(coords).astype(np.intp), 0, max(n - 2, 0))
    hi = np.minimum(lo + 1, n - 1)
    w = np.clip(coords - lo, 0.0, 1.0).astype(np.float32)
    a = np.take(grid, lo, axis=axis)
    b = np.take(grid, hi, axis=axis)
    shape = [1, 1]
    shape[axis] = -1
    w = w.reshape(shape)
    out: NDArray[np.float32] = a * (1.0 - w) + b * w
    return out


def _clipped_stats(
    samples: NDArray[np.float32], nsigma: float, iterations: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Median and sigma of each row of ``samples`` after iterative sigma clipping."""
    ordered = np.sort(samples, axis=1)
    n = ordered.shape[1]
    rows = np.arange(ordered.shape[0])
    lo = np.zeros(ordered.shape[0], dtype=np.intp)
    hi = np.full(ordered.shape[0], n, dtype=np.intp)
    median = ordered[:, n // 2]
    sigma = np.zeros_like(median)
    for _ in range(iterations + 1):
        count = np.maximum(hi - lo, 1)
        median = ordered[rows, lo + count // 2]
        q25 = ordered[rows, lo + count // 4]
        q75 = ordered[rows, np.minimum(lo + (3 * count) // 4, n - 1)]
        # Interquartile range -> sigma for a normal distribution.
        sigma = (q75 - q25) / 1.3489795
        lo = np.argmax(ordered >= (median - nsigma * sigma)[:, None], axis=1)
        above = ordered > (median + nsigma * sigma)[:, None]
        hi = np.where(above.any(axis=1), np.argmax(above, axis=1), n)
    return median.astype(np.float32), sigma.astype(np.float32)


def estimate_background(
    image: NDArray[np.generic],
    *,
    tile_px: int = 64,
    stride: int = 2,
    nsigma: float = 3.0,
    iterations: int = 2,
) -> Background:
    """Estimate the background level and noise of an image.

    The image is cut into ``tile_px`` x ``tile_px`` tiles; each tile is sampled every
    ``stride`` pixels (the samples are independent pixels, so the noise estimate is the
    per-pixel noise) and summarised by an iteratively sigma-clipped median and an
    interquartile-range sigma. Tiles dominated by bright stars are replaced by a 3x3 median
    filter over the tile grid.

    Parameters
    ----------
    image : ndarray
        2-D image in ADU (any numeric dtype).
    tile_px : int
        Tile size in pixels.
    stride : int
        Sampling step inside a tile (1 uses every pixel).
    nsigma : float
        Clipping threshold in standard deviations.
    iterations : int
        Number of clipping iterations.

    Returns
    -------
    Background
        Tile grid, per-tile noise and the frame's overall level and noise (ADU).
    """
    height, width = image.shape
    tiles_y, tiles_x = max(height // tile_px, 1), max(width // tile_px, 1)
    ty, tx = min(tile_px, height), min(tile_px, width)
    # Spread the tiles evenly so the image edges are covered without partial tiles.
    y0 = np.linspace(0, height - ty, tiles_y).round().astype(np.intp)
    x0 = np.linspace(0, width - tx, tiles_x).round().astype(np.intp)
    offsets_y = np.arange(0, ty, stride)
    offsets_x = np.arange(0, tx, stride)
    rows = (y0[:, None] + offsets_y[None, :]).ravel()
    cols = (x0[:, None] + offsets_x[None, :]).ravel()
    sampled = np.asarray(image[np.ix_(rows, cols)], dtype=np.float32)
    sampled = sampled.reshape(tiles_y, offsets_y.size, tiles_x, offsets_x.size)
    samples = sampled.transpose(0, 2, 1, 3).reshape(tiles_y * tiles_x, -1)
    median, sigma = _clipped_stats(samples, nsigma, iterations)
    level = median.reshape(tiles_y, tiles_x)
    noise = sigma.reshape(tiles_y, tiles_x)
    if tiles_y >= 3 and tiles_x >= 3:
        level = ndimage.median_filter(level, size=3, mode="nearest")
        noise = ndimage.median_filter(noise, size=3, mode="nearest")
    return Background(
        grid=level.astype(np.float32),
        noise_grid=noise.astype(np.float32),
        centres_y=y0 + (ty - 1) / 2.0,
        centres_x=x0 + (tx - 1) / 2.0,
        level_adu=float(np.median(level)),
        noise_adu=float(np.median(noise)),
    )
