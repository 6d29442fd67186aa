"""The header validator rejects bad files from the header bytes and the file length alone."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest
from astropy.io import fits

from domain.imaging.fits_header import (
    BLOCK_BYTES,
    FitsLayout,
    InvalidFitsFile,
    read_fits_header,
)
from domain.imaging.rice import compress_image
from tests.imaging.conftest import fits_bytes


def _card(keyword: str, value: str) -> bytes:
    return f"{keyword:<8}= {value:>20}".ljust(80).encode("ascii")


def _header(*cards: tuple[str, str]) -> bytes:
    """A hand-made header (so invalid values can be written), padded to whole blocks."""
    raw = b"".join(_card(k, v) for k, v in cards) + b"END".ljust(80)
    return raw.ljust(-(-len(raw) // BLOCK_BYTES) * BLOCK_BYTES, b" ")


def _frame() -> tuple[np.ndarray, bytes]:
    data = np.arange(300 * 200, dtype=np.uint16).reshape(200, 300)
    header = fits.Header()
    header["EXPTIME"] = 120.0
    return data, fits_bytes(data, header)


def test_valid_frame_is_described_from_its_header_blocks_only() -> None:
    # given a 16-bit frame; the validator gets only its header block
    data, raw = _frame()

    # when
    info = read_fits_header(raw[:BLOCK_BYTES], len(raw))

    # then
    assert info.layout is FitsLayout.IMAGE
    assert info.shape == (200, 300)
    assert info.bitpix == 16
    assert info.header_bytes == BLOCK_BYTES
    assert info.data_bytes == data.nbytes
    assert info.header["EXPTIME"] == 120.0
    assert info.header["BZERO"] == 32768


def test_tile_compressed_frame_is_described_with_its_decompressed_size() -> None:
    # given
    data, _ = _frame()
    fz = compress_image(data).fz_bytes

    # when
    info = read_fits_header(fz[: 2 * BLOCK_BYTES * 2], len(fz))

    # then
    assert info.layout is FitsLayout.TILE_COMPRESSED
    assert info.shape == (200, 300)
    assert info.bitpix == 16
    assert info.image_bytes == data.nbytes


def test_truncated_file_is_rejected() -> None:
    # given a frame cut in the middle of its data
    _, raw = _frame()
    truncated = raw[: BLOCK_BYTES + 10_000]

    # when / then
    with pytest.raises(InvalidFitsFile, match=r"truncated.*declares 120000 data bytes"):
        read_fits_header(truncated[:BLOCK_BYTES], len(truncated))


def test_small_file_declaring_a_huge_float64_image_is_rejected() -> None:
    # given 5 KB whose header declares 100000 x 100000 float64 (80 GB)
    header = _header(
        ("SIMPLE", "T"),
        ("BITPIX", "-64"),
        ("NAXIS", "2"),
        ("NAXIS1", "100000"),
        ("NAXIS2", "100000"),
    )
    raw = header + b"\0" * (5 * 1024 - len(header))

    # when / then
    with pytest.raises(InvalidFitsFile, match="declares 80000000000 data bytes") as caught:
        read_fits_header(raw, len(raw))
    assert "2240 bytes after the header" in caught.value.reason


def test_text_file_is_rejected_as_not_fits() -> None:
    raw = b"This is a plain text note, not an image.\n" * 100

    with pytest.raises(InvalidFitsFile, match="not a FITS file"):
        read_fits_header(raw, len(raw))


def test_gzip_bomb_is_rejected_from_its_magic_bytes() -> None:
    # given 10 MB of zeros gzipped to a few KB
    bomb = gzip.compress(b"\0" * 10_000_000)

    # when / then
    with pytest.raises(InvalidFitsFile, match="gzip-compressed"):
        read_fits_header(bomb[:BLOCK_BYTES], len(bomb))


@pytest.mark.parametrize(
    ("cards", "reason"),
    [
        ((("BITPIX", "7"), ("NAXIS", "2"), ("NAXIS1", "10"), ("NAXIS2", "10")), "BITPIX = 7"),
        ((("BITPIX", "16"), ("NAXIS", "9")), "NAXIS = 9"),
        ((("BITPIX", "16"), ("NAXIS", "1"), ("NAXIS1", "10")), "NAXIS = 1"),
        (
            (("BITPIX", "16"), ("NAXIS", "3"), ("NAXIS1", "10"), ("NAXIS2", "10"), ("NAXIS3", "4")),
            "3 colour planes, not 4",
        ),
        ((("BITPIX", "16"), ("NAXIS", "2"), ("NAXIS1", "ten"), ("NAXIS2", "10")), "not an integer"),
        ((("NAXIS", "2"), ("BITPIX", "16")), "must start with SIMPLE, BITPIX, NAXIS"),
    ],
)
def test_insane_mandatory_keywords_are_rejected(
    cards: tuple[tuple[str, str], ...], reason: str
) -> None:
    # given a header with one broken mandatory keyword and enough bytes for any data
    raw = _header(("SIMPLE", "T"), *cards) + b"\0" * BLOCK_BYTES

    # when / then
    with pytest.raises(InvalidFitsFile, match=reason):
        read_fits_header(raw, len(raw))


def test_header_without_end_card_is_rejected() -> None:
    raw = _card("SIMPLE", "T").ljust(BLOCK_BYTES, b" ")

    with pytest.raises(InvalidFitsFile, match="without an END card"):
        read_fits_header(raw, len(raw))


def test_compression_bomb_is_rejected_from_the_extension_header() -> None:
    # given a valid .fits.fz whose ZNAXIS1/2 are rewritten to declare 60000 x 60000 pixels
    data, _ = _frame()
    fz = bytearray(compress_image(data).fz_bytes)
    for keyword in (b"ZNAXIS1 ", b"ZNAXIS2 "):
        at = fz.index(keyword)
        fz[at : at + 80] = _card(keyword.decode().strip(), "60000")
    head = bytes(fz[: 4 * BLOCK_BYTES])

    # when / then
    with pytest.raises(InvalidFitsFile, match="exceeds the limit"):
        read_fits_header(head, len(fz))


def test_image_within_file_but_too_many_pixels_is_rejected() -> None:
    # given a header declaring 30000 x 30000 16-bit pixels (900 Mpx) and a file that long
    header = _header(
        ("SIMPLE", "T"), ("BITPIX", "8"), ("NAXIS", "2"), ("NAXIS1", "30000"), ("NAXIS2", "30000")
    )

    # when / then: the file length is only declared, the bytes are never needed
    with pytest.raises(InvalidFitsFile, match="exceeds the limit of 400000000"):
        read_fits_header(header, len(header) + 30000 * 30000)


def test_header_longer_than_supplied_bytes_asks_for_more() -> None:
    _, raw = _frame()
    buffer = io.BytesIO(raw)

    with pytest.raises(InvalidFitsFile, match="longer than the 100 bytes supplied"):
        read_fits_header(buffer.read(100), len(raw))


def test_unknown_tile_compression_is_rejected() -> None:
    data, _ = _frame()
    fz = bytearray(compress_image(data).fz_bytes)
    at = fz.index(b"ZCMPTYPE")
    fz[at : at + 80] = "ZCMPTYPE= 'LZMA_9  '".ljust(80).encode()

    with pytest.raises(InvalidFitsFile, match="unsupported tile compression"):
        read_fits_header(bytes(fz[: 4 * BLOCK_BYTES]), len(fz))
