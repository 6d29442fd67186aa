"""Read the image of a validated FITS file (plain or tile-compressed) into an array."""

from __future__ import annotations

import io

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from domain.imaging.fits_header import BLOCK_BYTES, MAX_HEADER_BYTES, FitsLayout, read_fits_header


def read_image(raw: bytes) -> tuple[NDArray[np.generic], fits.Header]:
    """Validate a FITS file from its header, then read its image.

    Parameters
    ----------
    raw : bytes
        A plain FITS file or a tile-compressed ``.fits.fz`` file.

    Returns
    -------
    data : ndarray
        The image in physical units: ``uint16`` for 16-bit cameras (BZERO 32768), float for
        other scaled data, the stored dtype otherwise. Shape ``(height, width)`` or
        ``(3, height, width)``.
    header : astropy.io.fits.Header
        The image header.

    Raises
    ------
    domain.imaging.fits_header.InvalidFitsFile
        When the header is invalid (checked before any data is read).
    """
    info = read_fits_header(raw[: 2 * MAX_HEADER_BYTES + BLOCK_BYTES], len(raw))
    index = 1 if info.layout is FitsLayout.TILE_COMPRESSED else 0
    with fits.open(io.BytesIO(raw), memmap=False) as hdul:
        hdu = hdul[index]
        data = np.asarray(hdu.data)
        header = hdu.header.copy()
    return data, header
