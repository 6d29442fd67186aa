"""Auto-stretched JPEG previews and thumbnails, debayered for one-shot-colour frames.

The stretch is PixInsight's ScreenTransferFunction "auto STF": per channel, the shadows are
clipped at ``median - 2.8 x 1.4826 x MAD`` and a midtones transfer function maps the median
to a target background of 0.25. Colour frames are stretched per channel (unlinked), which
also neutralises the sky colour.

Orientation: FITS images are stored bottom row first, so rows are flipped for display unless
the header says ``ROWORDER = 'TOP-DOWN'``. A Bayer pattern applies to the rows as stored,
shifted by XBAYROFF / YBAYROFF.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from domain.imaging.background import MAD_TO_SIGMA

_BAYER_OFFSETS = {
    # pattern -> (row, column) of R and B inside the 2x2 cell
    "RGGB": ((0, 0), (1, 1)),
    "BGGR": ((1, 1), (0, 0)),
    "GRBG": ((0, 1), (1, 0)),
    "GBRG": ((1, 0), (0, 1)),
}


@dataclass(frozen=True, slots=True)
class Previews:
    """Encoded previews.

    Attributes
    ----------
    preview_jpeg, thumbnail_jpeg : bytes
        JPEG files.
    preview_size, thumbnail_size : tuple of int
        ``(width, height)`` in pixels.
    """

    preview_jpeg: bytes
    thumbnail_jpeg: bytes
    preview_size: tuple[int, int]
    thumbnail_size: tuple[int, int]


def debayer_superpixel(
    cfa: NDArray[np.generic], pattern: str, offset: tuple[int, int] = (0, 0)
) -> NDArray[np.float32]:
    """Debayer a colour-filter-array frame into half-size RGB by 2x2 superpixels.

    Parameters
    ----------
    cfa : ndarray
        2-D raw frame, ADU.
    pattern : str
        ``RGGB``, ``BGGR``, ``GRBG`` or ``GBRG`` (as stored, row 0 first).
    offset : tuple of int
        ``(XBAYROFF, YBAYROFF)``: where the pattern starts, pixels.

    Returns
    -------
    ndarray of float32
        Shape ``(3, height // 2, width // 2)``: R, G (mean of the two greens), B.
    """
    key = pattern.upper()
    if key not in _BAYER_OFFSETS:
        raise ValueError(f"unknown Bayer pattern {pattern!r}")
    x_off, y_off = offset[0] % 2, offset[1] % 2
    data = np.asarray(cfa)[y_off:, x_off:]
    height, width = data.shape[0] // 2 * 2, data.shape[1] // 2 * 2
    data = data[:height, :width]
    (r_row, r_col), (b_row, b_col) = _BAYER_OFFSETS[key]
    red = data[r_row::2, r_col::2].astype(np.float32)
    blue = data[b_row::2, b_col::2].astype(np.float32)
    green = data[r_row::2, 1 - r_col :: 2].astype(np.float32)
    green += data[1 - r_row :: 2, r_col::2]
    green *= 0.5
    return np.stack([red, green, blue])


def _block_mean(plane: NDArray[np.float32], factor: int) -> NDArray[np.float32]:
    if factor <= 1:
        return plane
    height, width = plane.shape[0] // factor * factor, plane.shape[1] // factor * factor
    blocks = plane[:height, :width].reshape(height // factor, factor, width // factor, factor)
    out: NDArray[np.float32] = blocks.mean(axis=(1, 3), dtype=np.float32)
    return out


def midtones_transfer(x: NDArray[np.float32], midtones: float) -> NDArray[np.float32]:
    """PixInsight's midtones transfer function ``MTF_m(x)`` on values in [0, 1]."""
    out: NDArray[np.float32] = ((midtones - 1.0) * x) / ((2.0 * midtones - 1.0) * x - midtones)
    return out


def auto_stretch(
    planes: NDArray[np.generic],
    *,
    target_background: float = 0.25,
    shadows_clip_sigma: float = -2.8,
) -> NDArray[np.uint8]:
    """Stretch linear data to 8 bits with an automatic screen transfer function.

    Parameters
    ----------
    planes : ndarray
        A 2-D image or a ``(channels, height, width)`` stack, any numeric dtype.
    target_background : float
        Display level (0-1) the median is mapped to.
    shadows_clip_sigma : float
        Shadows clipping point in (MAD-based) sigmas from the median (negative = below).

    Returns
    -------
    ndarray of uint8
        Same shape as the input.
    """
    data = np.asarray(planes, dtype=np.float32)
    stack = data[np.newaxis] if data.ndim == 2 else data
    out = np.empty(stack.shape, dtype=np.uint8)
    for i, plane in enumerate(stack):
        finite = np.where(np.isfinite(plane), plane, 0.0)
        low, high = float(finite.min()), float(finite.max())
        span = high - low if high > low else 1.0
        norm = (finite - low) / span
        sample = norm[:: max(1, norm.shape[0] // 512), :: max(1, norm.shape[1] // 512)]
        median = float(np.median(sample))
        mad = float(np.median(np.abs(sample - median))) * MAD_TO_SIGMA
        shadows = min(max(median + shadows_clip_sigma * mad, 0.0), median)
        x_med = (median - shadows) / (1.0 - shadows) if shadows < 1.0 else 0.5
        b = target_background
        midtones = x_med * (1.0 - b) / (x_med - 2.0 * b * x_med + b) if x_med > 0 else 0.5
        clipped = np.clip((norm - shadows) / max(1.0 - shadows, 1e-6), 0.0, 1.0)
        stretched = midtones_transfer(clipped.astype(np.float32), midtones)
        out[i] = np.clip(np.rint(stretched * 255.0), 0, 255).astype(np.uint8)
    result: NDArray[np.uint8] = out[0] if data.ndim == 2 else out
    return result


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def render_previews(
    image: NDArray[np.generic],
    *,
    bayer_pattern: str | None = None,
    bayer_offset: tuple[int, int] = (0, 0),
    row_order: str | None = None,
    preview_long_side: int = 1600,
    thumbnail_long_side: int = 256,
    quality: int = 85,
) -> Previews:
    """Render the JPEG preview and thumbnail of a frame.

    Parameters
    ----------
    image : ndarray
        2-D frame (mono or raw CFA) or ``(3, height, width)`` RGB cube, ADU.
    bayer_pattern : str, optional
        BAYERPAT of a one-shot-colour raw frame; debayered by 2x2 superpixels.
    bayer_offset : tuple of int
        ``(XBAYROFF, YBAYROFF)``.
    row_order : str, optional
        ROWORDER; rows are flipped for display unless it is ``TOP-DOWN``.
    preview_long_side, thumbnail_long_side : int
        Longest side of the preview and thumbnail, pixels (never enlarged).
    quality : int
        JPEG quality, 1-95.

    Returns
    -------
    Previews
        JPEG bytes and sizes.
    """
    if bayer_pattern:
        planes = debayer_superpixel(image, bayer_pattern, bayer_offset)
    elif image.ndim == 3:
        planes = np.asarray(image, dtype=np.float32)
    else:
        planes = np.asarray(image, dtype=np.float32)[np.newaxis]
    factor = max(1, math.floor(max(planes.shape[1:]) / preview_long_side))
    reduced = np.stack([_block_mean(p, factor) for p in planes])
    stretched = auto_stretch(reduced)
    if (row_order or "").strip().upper() != "TOP-DOWN":
        stretched = stretched[:, ::-1, :]
    if stretched.shape[0] == 3:
        picture = Image.fromarray(np.ascontiguousarray(np.moveaxis(stretched, 0, -1)), "RGB")
    else:
        picture = Image.fromarray(np.ascontiguousarray(stretched[0]), "L")
    preview = _fit(picture, preview_long_side)
    thumbnail = _fit(preview, thumbnail_long_side)
    return Previews(
        preview_jpeg=_jpeg(preview, quality),
        thumbnail_jpeg=_jpeg(thumbnail, quality),
        preview_size=preview.size,
        thumbnail_size=thumbnail.size,
    )
