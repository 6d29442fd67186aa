"""Reading the image of plain and tile-compressed files."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from numpy.testing import assert_array_equal

from domain.imaging.fits_header import InvalidFitsFile
from domain.imaging.fits_image import read_image
from domain.imaging.rice import compress_image
from tests.imaging.conftest import fits_bytes


@pytest.mark.parametrize("compressed", [False, True])
def test_plain_and_compressed_files_give_the_same_image(compressed: bool) -> None:
    # given
    data = np.random.default_rng(3).integers(0, 65535, size=(40, 60)).astype(np.uint16)
    header = fits.Header()
    header["FILTER"] = "OIII"
    raw = compress_image(data, header).fz_bytes if compressed else fits_bytes(data, header)

    # when
    image, image_header = read_image(raw)

    # then
    assert image.dtype == np.uint16
    assert_array_equal(image, data)
    assert image_header["FILTER"] == "OIII"


def test_invalid_file_is_rejected_before_reading() -> None:
    with pytest.raises(InvalidFitsFile, match="not a FITS file"):
        read_image(b"GIF89a" + b"\0" * 4000)
