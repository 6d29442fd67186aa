"""Rice compression of raw frames is bit-exact and readable by funpack."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from numpy.testing import assert_array_equal

from domain.imaging.fits_header import BLOCK_BYTES, read_fits_header
from domain.imaging.rice import (
    Compression,
    compress_fits,
    compress_image,
    decompress_fits,
    decompress_to_fits,
)
from domain.imaging.synthetic import SyntheticFrame
from tests.imaging.conftest import fits_bytes


def test_16_bit_frame_round_trips_bit_exact(gaussian_frame: SyntheticFrame) -> None:
    # given a camera-like 16-bit frame (BITPIX 16, BZERO 32768)
    raw = fits_bytes(gaussian_frame.image, gaussian_frame.header)

    # when
    compressed = compress_fits(raw)
    data, header = decompress_fits(compressed.fz_bytes)

    # then
    assert compressed.compression is Compression.RICE_1
    assert data.dtype == np.uint16
    assert_array_equal(data, gaussian_frame.image)
    assert header["EXPTIME"] == gaussian_frame.header["EXPTIME"]
    assert compressed.ratio == compressed.original_bytes / compressed.compressed_bytes
    assert compressed.ratio > 2.0
    assert compressed.original_bytes == len(raw)


def test_plain_fits_rebuilt_from_fz_has_the_original_data_bytes(
    gaussian_frame: SyntheticFrame,
) -> None:
    # given
    raw = fits_bytes(gaussian_frame.image, gaussian_frame.header)
    header_bytes = read_fits_header(raw[: 4 * BLOCK_BYTES], len(raw)).header_bytes

    # when
    rebuilt = decompress_to_fits(compress_fits(raw).fz_bytes)

    # then: the stored integers (data unit) are identical byte for byte
    rebuilt_header = read_fits_header(rebuilt[: 4 * BLOCK_BYTES], len(rebuilt)).header_bytes
    assert rebuilt[rebuilt_header:] == raw[header_bytes:]


@pytest.mark.skipif(shutil.which("funpack") is None, reason="funpack (libcfitsio-bin) missing")
def test_funpack_restores_the_original_data_bytes(
    gaussian_frame: SyntheticFrame, tmp_path: Path
) -> None:
    # given our .fits.fz on disk
    raw = fits_bytes(gaussian_frame.image, gaussian_frame.header)
    packed = tmp_path / "frame.fits.fz"
    packed.write_bytes(compress_fits(raw).fz_bytes)

    # when cfitsio's funpack unpacks it
    subprocess.run(["funpack", "-O", str(tmp_path / "out.fits"), str(packed)], check=True)

    # then
    unpacked = (tmp_path / "out.fits").read_bytes()
    header_bytes = read_fits_header(raw[: 4 * BLOCK_BYTES], len(raw)).header_bytes
    unpacked_header = read_fits_header(unpacked[: 4 * BLOCK_BYTES], len(unpacked)).header_bytes
    assert unpacked[unpacked_header:] == raw[header_bytes:]


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.uint32])
def test_integer_types_use_rice_and_round_trip(dtype: type[np.integer]) -> None:
    # given
    info = np.iinfo(dtype)
    rng = np.random.default_rng(5)
    data = rng.integers(info.min, info.max, size=(64, 80), dtype=dtype, endpoint=True)

    # when
    compressed = compress_image(data)
    restored, _ = decompress_fits(compressed.fz_bytes)

    # then
    assert compressed.compression is Compression.RICE_1
    assert restored.dtype == data.dtype
    assert_array_equal(restored, data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_floating_point_frames_are_stored_losslessly_with_gzip(dtype: type[np.floating]) -> None:
    # given a calibrated (float) frame with non-integer values
    data = np.random.default_rng(6).normal(1000.0, 12.5, size=(64, 80)).astype(dtype)

    # when
    compressed = compress_image(data)
    restored, _ = decompress_fits(compressed.fz_bytes)

    # then
    assert compressed.compression is Compression.GZIP_2
    assert_array_equal(restored, data)


def test_scaled_integers_keep_their_stored_values_and_scaling() -> None:
    # given a 16-bit file with BSCALE 2 / BZERO 100 (cards written by hand into the header)
    stored = np.random.default_rng(7).integers(-3000, 3000, size=(32, 48)).astype(np.int16)
    raw = bytearray(fits_bytes(stored))
    end = raw.index(b"END     ")
    raw[end : end + 240] = (
        f"{'BSCALE':<8}= {'2.0':>20}".ljust(80).encode()
        + f"{'BZERO':<8}= {'100.0':>20}".ljust(80).encode()
        + b"END".ljust(80)
    )

    # when
    rebuilt = decompress_to_fits(compress_fits(bytes(raw)).fz_bytes)

    # then
    with fits.open(io.BytesIO(rebuilt), do_not_scale_image_data=True) as hdul:
        assert hdul[0].header["BSCALE"] == 2.0
        assert hdul[0].header["BZERO"] == 100.0
        assert_array_equal(hdul[0].data, stored)
