"""Validate a FITS file from its header bytes and its length, before any data is read.

The validator reads 2880-byte header blocks only. It checks the mandatory keywords, computes
the size of the data the header declares and compares it with the file length, so a truncated
file, a header that declares terabytes in a few kilobytes, or something that is not FITS at all
is rejected before a single data byte is read or a pixel buffer allocated.

Tile-compressed images (``.fits.fz``: an empty primary HDU followed by a ``BINTABLE`` extension
with ``ZIMAGE = T``) are accepted too; their declared *decompressed* size is capped as well, so a
compression bomb is rejected from its header.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from enum import StrEnum

from astropy.io import fits
from astropy.io.fits.verify import VerifyWarning

BLOCK_BYTES = 2880
CARD_BYTES = 80
CARDS_PER_BLOCK = BLOCK_BYTES // CARD_BYTES
MAX_HEADER_BYTES = 200 * BLOCK_BYTES
"""Largest primary (plus first extension) header accepted: 200 blocks, 7200 cards."""
MAX_AXIS_LENGTH = 65_536
MAX_PIXELS = 400_000_000
"""Largest image accepted, in pixels (all axes multiplied): 400 Mpx."""

VALID_BITPIX = frozenset({8, 16, 32, 64, -32, -64})
_COMPRESSION_TYPES = frozenset(
    {"RICE_1", "RICE_ONE", "GZIP_1", "GZIP_2", "PLIO_1", "HCOMPRESS_1", "NOCOMPRESS"}
)
_GZIP_MAGIC = b"\x1f\x8b"
_BZIP2_MAGIC = b"BZh"
_ZIP_MAGIC = b"PK\x03\x04"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_KEYWORD_RE = re.compile(r"^[A-Z0-9_-]{0,8}$")
_TABLE_KEYWORD_RE = re.compile(
    r"^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO)\d+"
    r"|THEAP|ZIMAGE|ZCMPTYPE|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZNAME\d+|ZVAL\d+|ZMASKCMP|ZSIMPLE"
    r"|ZTENSION|ZEXTEND|ZBLOCKED|ZPCOUNT|ZGCOUNT|ZHECKSUM|ZDATASUM|ZQUANTIZ|ZDITHER0"
    r"|CHECKSUM|DATASUM|EXTNAME|EXTVER|SIMPLE|EXTEND|END|COMMENT|HISTORY|)$"
)


class InvalidFitsFile(ValueError):
    """The bytes are not an acceptable FITS image; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FitsLayout(StrEnum):
    """How the image is stored in the file."""

    IMAGE = "image"
    """Uncompressed image in the primary HDU."""
    TILE_COMPRESSED = "tile_compressed"
    """Tile-compressed image (``.fits.fz``) in the first extension."""


@dataclass(frozen=True, slots=True)
class FitsHeaderInfo:
    """What the header declares, checked against the file length.

    Attributes
    ----------
    layout : FitsLayout
        Uncompressed primary image or tile-compressed extension.
    bitpix : int
        BITPIX of the (decompressed) image.
    shape : tuple of int
        Image shape in numpy order (``NAXISn, ..., NAXIS1``), e.g. ``(height, width)``.
    header : astropy.io.fits.Header
        The image's header: the primary header, or for a compressed file the primary header
        merged with the image keywords restored from the compressed extension.
    header_bytes : int
        Bytes occupied by all header blocks read (primary plus extension when compressed).
    data_bytes : int
        Bytes of (stored, possibly compressed) data the header declares, unpadded.
    image_bytes : int
        Bytes the decompressed image occupies in memory (pixels x |BITPIX| / 8).
    file_bytes : int
        The file length that was checked.
    warnings : tuple of str
        Non-fatal header problems astropy reported while parsing (non-standard cards).
    """

    layout: FitsLayout
    bitpix: int
    shape: tuple[int, ...]
    header: fits.Header
    header_bytes: int
    data_bytes: int
    image_bytes: int
    file_bytes: int
    warnings: tuple[str, ...]

    @property
    def pixels(self) -> int:
        """Number of pixels in the image (all axes multiplied)."""
        return math.prod(self.shape)

    @property
    def is_color(self) -> bool:
        """True for a 3-plane (RGB) cube."""
        return len(self.shape) == 3


@dataclass(frozen=True, slots=True)
class _RawHeader:
    cards: dict[str, str]
    order: list[str]
    text: str
    length: int


def _sniff_not_fits(head: bytes) -> str | None:
    if head.startswith(_GZIP_MAGIC):
        return "gzip-compressed data, not FITS: upload the plain .fits or a Rice .fits.fz"
    if head.startswith(_BZIP2_MAGIC):
        return "bzip2-compressed data, not FITS"
    if head.startswith(_ZIP_MAGIC):
        return "a ZIP archive, not FITS"
    if head.startswith(_XZ_MAGIC):
        return "xz-compressed data, not FITS"
    return None


def _read_header_blocks(head: bytes, start: int, file_length: int, what: str) -> _RawHeader:
    """Read header blocks from ``start`` up to and including the END card."""
    cards: dict[str, str] = {}
    order: list[str] = []
    offset = start
    while True:
        if offset - start >= MAX_HEADER_BYTES:
            raise InvalidFitsFile(f"{what} header has no END card within {MAX_HEADER_BYTES} bytes")
        if offset + BLOCK_BYTES > file_length:
            raise InvalidFitsFile(
                f"truncated: {what} header ends at byte {file_length} without an END card"
            )
        if offset + BLOCK_BYTES > len(head):
            raise InvalidFitsFile(
                f"{what} header is longer than the {len(head)} bytes supplied to the validator"
            )
        block = head[offset : offset + BLOCK_BYTES]
        offset += BLOCK_BYTES
        try:
            text = block.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidFitsFile(f"{what} header contains non-ASCII bytes") from None
        if any(not (32 <= ord(c) <= 126) for c in text):
            raise InvalidFitsFile(f"{what} header contains control characters")
        for i in range(CARDS_PER_BLOCK):
            card = text[i * CARD_BYTES : (i + 1) * CARD_BYTES]
            keyword = card[:8].rstrip()
            if keyword == "END":
                return _RawHeader(cards, order, head[start:offset].decode("ascii"), offset - start)
            if not _KEYWORD_RE.match(keyword):
                raise InvalidFitsFile(f"{what} header has an invalid keyword {keyword!r}")
            if card[8:10] == "= " and keyword not in cards:
                cards[keyword] = card[10:].split("/", 1)[0].strip()
            order.append(keyword)


def _int_value(raw: _RawHeader, keyword: str, what: str) -> int:
    value = raw.cards.get(keyword)
    if value is None:
        raise InvalidFitsFile(f"{what} header lacks the mandatory keyword {keyword}")
    try:
        return int(value)
    except ValueError:
        raise InvalidFitsFile(f"{keyword} = {value!r} is not an integer") from None


def _axes(raw: _RawHeader, prefix: str, naxis: int, what: str) -> list[int]:
    lengths = []
    for n in range(1, naxis + 1):
        length = _int_value(raw, f"{prefix}{n}", what)
        if length < 0:
            raise InvalidFitsFile(f"{prefix}{n} = {length} is negative")
        lengths.append(length)
    return lengths


def _check_image_axes(bitpix: int, lengths: list[int], keyword: str) -> None:
    if bitpix not in VALID_BITPIX:
        raise InvalidFitsFile(f"{keyword} = {bitpix} is not one of {sorted(VALID_BITPIX)}")
    naxis = len(lengths)
    if naxis not in (2, 3):
        raise InvalidFitsFile(
            f"expected a 2-D image (or a 3-plane colour cube), header declares {naxis} axes"
        )
    if naxis == 3 and lengths[2] != 3:
        raise InvalidFitsFile(f"a 3-axis image must have 3 colour planes, not {lengths[2]}")
    for n, length in enumerate(lengths[:2], start=1):
        if not 1 <= length <= MAX_AXIS_LENGTH:
            raise InvalidFitsFile(f"axis {n} length {length} is outside 1..{MAX_AXIS_LENGTH}")
    pixels = math.prod(lengths)
    if pixels > MAX_PIXELS:
        raise InvalidFitsFile(f"image of {pixels} pixels exceeds the limit of {MAX_PIXELS}")


def _astropy_header(text: str) -> tuple[fits.Header, tuple[str, ...]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", VerifyWarning)
        header = fits.Header.fromstring(text)
    return header, tuple(str(w.message) for w in caught)


def _fits_bool(value: str | None) -> bool:
    return value == "T"


def read_fits_header(head: bytes, file_length: int) -> FitsHeaderInfo:
    """Validate a FITS image from its first bytes and the total file length.

    Parameters
    ----------
    head : bytes
        The first bytes of the file: at least the whole primary header (and, for a
        tile-compressed file, the first extension's header). Reading
        ``min(file_length, MAX_HEADER_BYTES * 2)`` bytes is always enough.
    file_length : int
        Total length of the file in bytes.

    Returns
    -------
    FitsHeaderInfo
        The declared layout, shape, data size and parsed header.

    Raises
    ------
    InvalidFitsFile
        With a human-readable ``reason`` when the file is not FITS, is truncated, declares an
        unsupported or absurd image, or declares more data than the file holds.
    """
    if file_length <= 0:
        raise InvalidFitsFile("empty file")
    if len(head) > file_length:
        raise InvalidFitsFile("more header bytes supplied than the file length")
    sniffed = _sniff_not_fits(head)
    if sniffed is not None:
        raise InvalidFitsFile(sniffed)
    if not head.startswith(b"SIMPLE  =") or head[:80].split(b"/")[0][9:].strip() != b"T":
        raise InvalidFitsFile("not a FITS file: it does not start with 'SIMPLE  =   T'")
    if file_length < BLOCK_BYTES:
        raise InvalidFitsFile(
            f"truncated: {file_length} bytes is less than one {BLOCK_BYTES}-byte FITS block"
        )

    primary = _read_header_blocks(head, 0, file_length, "primary")
    if primary.order[:3] != ["SIMPLE", "BITPIX", "NAXIS"]:
        raise InvalidFitsFile("primary header must start with SIMPLE, BITPIX, NAXIS")
    bitpix = _int_value(primary, "BITPIX", "primary")
    naxis = _int_value(primary, "NAXIS", "primary")
    if bitpix not in VALID_BITPIX:
        raise InvalidFitsFile(f"BITPIX = {bitpix} is not one of {sorted(VALID_BITPIX)}")
    if not 0 <= naxis <= 999:
        raise InvalidFitsFile(f"NAXIS = {naxis} is outside 0..999")
    if naxis not in (0, 2, 3):
        raise InvalidFitsFile(
            f"expected a 2-D image (or a 3-plane colour cube), header declares NAXIS = {naxis}"
        )
    lengths = _axes(primary, "NAXIS", naxis, "primary")
    header, parse_warnings = _astropy_header(primary.text)

    if naxis > 0 and math.prod(lengths) > 0:
        data_bytes = math.prod(lengths) * abs(bitpix) // 8
        available = file_length - primary.length
        if data_bytes > available:
            raise InvalidFitsFile(
                f"truncated or inconsistent: header declares {data_bytes} data bytes "
                f"({'x'.join(map(str, lengths))} at BITPIX {bitpix}) but the file holds "
                f"only {available} bytes after the header"
            )
        _check_image_axes(bitpix, lengths, "BITPIX")
        return FitsHeaderInfo(
            layout=FitsLayout.IMAGE,
            bitpix=bitpix,
            shape=tuple(reversed(lengths)),
            header=header,
            header_bytes=primary.length,
            data_bytes=data_bytes,
            image_bytes=data_bytes,
            file_bytes=file_length,
            warnings=parse_warnings,
        )
    return _read_compressed_extension(head, file_length, primary, header, parse_warnings)


def _read_compressed_extension(
    head: bytes,
    file_length: int,
    primary: _RawHeader,
    primary_header: fits.Header,
    parse_warnings: tuple[str, ...],
) -> FitsHeaderInfo:
    if not _fits_bool(primary.cards.get("EXTEND")) or file_length <= primary.length:
        raise InvalidFitsFile("the primary HDU holds no image and there is no extension")
    ext = _read_header_blocks(head, primary.length, file_length, "extension")
    xtension = ext.cards.get("XTENSION", "").strip("' ")
    if xtension != "BINTABLE" or not _fits_bool(ext.cards.get("ZIMAGE")):
        raise InvalidFitsFile(
            "the primary HDU holds no image and the first extension is not a tile-compressed "
            "image (XTENSION = 'BINTABLE' with ZIMAGE = T)"
        )
    if _int_value(ext, "BITPIX", "extension") != 8 or _int_value(ext, "NAXIS", "extension") != 2:
        raise InvalidFitsFile("compressed-image table must have BITPIX = 8 and NAXIS = 2")
    row_bytes, rows = _axes(ext, "NAXIS", 2, "extension")
    pcount = _int_value(ext, "PCOUNT", "extension")
    if pcount < 0:
        raise InvalidFitsFile(f"PCOUNT = {pcount} is negative")
    data_bytes = row_bytes * rows + pcount
    available = file_length - primary.length - ext.length
    if data_bytes > available:
        raise InvalidFitsFile(
            f"truncated or inconsistent: compressed table declares {data_bytes} bytes but the "
            f"file holds only {available} bytes after its header"
        )
    algorithm = ext.cards.get("ZCMPTYPE", "").strip("' ")
    if algorithm not in _COMPRESSION_TYPES:
        raise InvalidFitsFile(f"unsupported tile compression ZCMPTYPE = {algorithm!r}")
    zbitpix = _int_value(ext, "ZBITPIX", "extension")
    znaxis = _int_value(ext, "ZNAXIS", "extension")
    if not 0 <= znaxis <= 999:
        raise InvalidFitsFile(f"ZNAXIS = {znaxis} is outside 0..999")
    zlengths = _axes(ext, "ZNAXIS", znaxis, "extension")
    _check_image_axes(zbitpix, zlengths, "ZBITPIX")
    image_bytes = math.prod(zlengths) * abs(zbitpix) // 8
    table_header, table_warnings = _astropy_header(ext.text)
    merged = primary_header.copy()
    for key in ("BITPIX", "NAXIS", *(f"NAXIS{n}" for n in range(1, 4))):
        merged.remove(key, ignore_missing=True)
    merged.set("BITPIX", zbitpix, after="SIMPLE")
    merged.set("NAXIS", znaxis, after="BITPIX")
    previous = "NAXIS"
    for n, length in enumerate(zlengths, start=1):
        merged.set(f"NAXIS{n}", length, after=previous)
        previous = f"NAXIS{n}"
    for card in table_header.cards:
        if not _TABLE_KEYWORD_RE.match(card.keyword) and card.keyword not in merged:
            merged.append((card.keyword, card.value, card.comment))
    return FitsHeaderInfo(
        layout=FitsLayout.TILE_COMPRESSED,
        bitpix=zbitpix,
        shape=tuple(reversed(zlengths)),
        header=merged,
        header_bytes=primary.length + ext.length,
        data_bytes=data_bytes,
        image_bytes=image_bytes,
        file_bytes=file_length,
        warnings=parse_warnings + table_warnings,
    )
