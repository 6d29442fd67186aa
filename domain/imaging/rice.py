"""Lossless tile compression of raw frames (``.fits.fz``), readable by funpack and astropy.

Choices
-------
* Integer images (BITPIX 8, 16, 32) use ``RICE_1`` in tiles of 16 full rows (fpack's default
  is one row; any tiling is standard and read by funpack). Rice coding of integers is
  lossless: the stored integers (and BZERO/BSCALE, so the physical values) come back bit for
  bit.
* BITPIX 64 integers cannot be Rice-coded (the algorithm is defined for up to 32 bits) and use
  ``GZIP_2`` (byte-shuffled gzip), also lossless.
* Floating-point images (BITPIX -32, -64) are *not* quantised: fpack's default would quantise
  them to integers before Rice coding, which is lossy. Raw frames are the record of what the
  camera delivered, so they use ``GZIP_2`` with ``quantize_level = 0`` (no quantisation),
  which is lossless at the price of a weaker ratio.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

TILE_ROWS = 16
"""Image rows per compressed tile (fpack's default is 1; 16 is ~1/3 faster in astropy, whose
per-tile overhead is in Python, and compresses as well or marginally better)."""


class Compression(StrEnum):
    """Tile compression algorithm of a stored frame."""

    RICE_1 = "RICE_1"
    GZIP_2 = "GZIP_2"


@dataclass(frozen=True, slots=True)
class CompressedFrame:
    """A frame compressed into a ``.fits.fz`` file.

    Attributes
    ----------
    fz_bytes : bytes
        The complete tile-compressed FITS file.
    compression : Compression
        Algorithm used for the image tiles.
    original_bytes : int
        Size of the uncompressed input FITS file (or of a plain FITS holding the array).
    original_sha256 : str
        Hex SHA-256 of the original file bytes (of the input file when compressing bytes).
    """

    fz_bytes: bytes
    compression: Compression
    original_bytes: int
    original_sha256: str

    @property
    def compressed_bytes(self) -> int:
        """Size of the ``.fits.fz`` file in bytes."""
        return len(self.fz_bytes)

    @property
    def ratio(self) -> float:
        """Compression ratio, original size / compressed size (fpack's definition)."""
        return self.original_bytes / self.compressed_bytes


def compression_for(bitpix: int) -> Compression:
    """Lossless algorithm for a BITPIX: RICE_1 for 8/16/32-bit integers, GZIP_2 otherwise."""
    return Compression.RICE_1 if bitpix in (8, 16, 32) else Compression.GZIP_2


def _tile_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Tiles of ``TILE_ROWS`` full rows (per colour plane for a cube)."""
    rows = min(TILE_ROWS, shape[-2])
    return (rows, shape[-1]) if len(shape) == 2 else (1, rows, shape[-1])


def _compress_hdu(data: NDArray[np.generic], header: fits.Header, bitpix: int) -> bytes:
    compression = compression_for(bitpix)
    hdu = fits.CompImageHDU(
        data=data,
        header=header,
        compression_type=compression.value,
        quantize_level=0.0,
        tile_shape=_tile_shape(data.shape),
    )
    # The stored integers are compressed unscaled; astropy drops the scaling keywords for
    # an unscaled array, so they are put back to keep the physical values identical.
    for keyword in ("BSCALE", "BZERO"):
        if keyword in header:
            hdu.header[keyword] = header[keyword]
    out = io.BytesIO()
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(out, output_verify="silentfix+ignore")
    return out.getvalue()


def compress_fits(raw: bytes) -> CompressedFrame:
    """Compress a plain FITS file's primary image losslessly into ``.fits.fz`` bytes.

    The stored integers are compressed as they are (BZERO/BSCALE are kept as header
    keywords, not applied), so decompression reproduces the original data bytes exactly.
    The caller is expected to have validated ``raw`` with
    :func:`domain.imaging.fits_header.read_fits_header` first.

    Parameters
    ----------
    raw : bytes
        A plain (uncompressed) FITS file with the image in the primary HDU.

    Returns
    -------
    CompressedFrame
        Compressed file, algorithm, sizes and the SHA-256 of ``raw``.
    """
    with fits.open(io.BytesIO(raw), do_not_scale_image_data=True, memmap=False) as hdul:
        primary = hdul[0]
        header = primary.header.copy()
        data = primary.data
        bitpix = int(header["BITPIX"])
        fz = _compress_hdu(data, header, bitpix)
    return CompressedFrame(
        fz_bytes=fz,
        compression=compression_for(bitpix),
        original_bytes=len(raw),
        original_sha256=hashlib.sha256(raw).hexdigest(),
    )


def compress_image(data: NDArray[np.generic], header: fits.Header | None = None) -> CompressedFrame:
    """Compress an image array losslessly into ``.fits.fz`` bytes.

    Parameters
    ----------
    data : ndarray
        2-D image (or 3-plane cube) of any FITS-representable dtype; ``uint16`` is stored as
        BITPIX 16 with BZERO 32768, as cameras do.
    header : astropy.io.fits.Header, optional
        Extra keywords to keep with the image.

    Returns
    -------
    CompressedFrame
        ``original_bytes`` and ``original_sha256`` refer to the plain FITS file astropy would
        write for the same array and header.
    """
    plain = io.BytesIO()
    fits.PrimaryHDU(data=data, header=header).writeto(plain, output_verify="silentfix+ignore")
    return compress_fits(plain.getvalue())


def decompress_fits(fz: bytes) -> tuple[NDArray[np.generic], fits.Header]:
    """Decompress a ``.fits.fz`` file into the image (physical values) and its header.

    Parameters
    ----------
    fz : bytes
        A tile-compressed FITS file with the image in the first extension.

    Returns
    -------
    data : ndarray
        The image with BZERO/BSCALE applied (``uint16`` for BITPIX 16 with BZERO 32768).
    header : astropy.io.fits.Header
        The image header as it was before compression.
    """
    with fits.open(io.BytesIO(fz), memmap=False) as hdul:
        hdu = hdul[1]
        data = np.array(hdu.data)
        header = hdu.header.copy()
    return data, header


def decompress_to_fits(fz: bytes) -> bytes:
    """Turn a ``.fits.fz`` file back into a plain FITS file (what ``funpack`` does).

    Parameters
    ----------
    fz : bytes
        A tile-compressed FITS file.

    Returns
    -------
    bytes
        A plain FITS file whose primary HDU holds the original stored integers and header.
    """
    with fits.open(io.BytesIO(fz), do_not_scale_image_data=True, memmap=False) as hdul:
        hdu = hdul[1]
        header = hdu.header.copy()
        data = hdu.data
        primary = fits.PrimaryHDU(data=data, header=header, do_not_scale_image_data=True)
        for keyword in ("BSCALE", "BZERO"):
            if keyword in header:
                primary.header[keyword] = header[keyword]
        out = io.BytesIO()
        primary.writeto(out, output_verify="silentfix+ignore")
    return out.getvalue()
