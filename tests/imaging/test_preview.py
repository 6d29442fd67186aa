"""Previews decode as JPEG with the expected sizes; debayering and stretching are exact."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from domain.imaging.preview import (
    auto_stretch,
    debayer_superpixel,
    midtones_transfer,
    render_previews,
)
from domain.imaging.synthetic import SyntheticFrame


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_mono_frame_previews_are_jpegs_of_the_expected_sizes(
    gaussian_frame: SyntheticFrame,
) -> None:
    # given a 2000x1500 frame
    # when
    previews = render_previews(gaussian_frame.image)

    # then
    preview, thumbnail = _decode(previews.preview_jpeg), _decode(previews.thumbnail_jpeg)
    assert (preview.format, preview.mode, preview.size) == ("JPEG", "L", (1600, 1200))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (256, 192))
    assert previews.preview_size == (1600, 1200)
    assert previews.thumbnail_size == (256, 192)


def test_colour_frame_is_debayered_to_rgb(gaussian_frame: SyntheticFrame) -> None:
    previews = render_previews(gaussian_frame.image, bayer_pattern="GBRG")

    preview = _decode(previews.preview_jpeg)
    assert preview.mode == "RGB"
    assert preview.size == (1000, 750)  # superpixels halve the size; never enlarged


def test_small_frames_are_not_enlarged() -> None:
    image = np.random.default_rng(1).normal(100, 5, size=(120, 200)).astype(np.float32)

    previews = render_previews(image)

    assert previews.preview_size == (200, 120)
    assert previews.thumbnail_size == (200, 120)


@pytest.mark.parametrize(
    ("pattern", "cell"),
    [
        ("RGGB", [[1, 2], [2, 3]]),
        ("BGGR", [[3, 2], [2, 1]]),
        ("GRBG", [[2, 1], [3, 2]]),
        ("GBRG", [[2, 3], [1, 2]]),
    ],
)
def test_superpixel_debayer_puts_each_colour_in_its_plane(
    pattern: str, cell: list[list[int]]
) -> None:
    # given a CFA where red photosites read 100, green 50, blue 10 (cell: 1=R, 2=G, 3=B)
    values = {1: 100, 2: 50, 3: 10}
    tile = np.array([[values[c] for c in row] for row in cell], dtype=np.uint16)
    cfa = np.tile(tile, (4, 6))

    # when
    rgb = debayer_superpixel(cfa, pattern)

    # then
    assert rgb.shape == (3, 4, 6)
    assert_array_equal(rgb[0], 100)
    assert_array_equal(rgb[1], 50)
    assert_array_equal(rgb[2], 10)


def test_bayer_offset_shifts_the_pattern() -> None:
    tile = np.array([[100, 50], [50, 10]], dtype=np.uint16)  # RGGB
    cfa = np.tile(tile, (4, 4))[1:, 1:]  # now the first stored pixel is blue

    rgb = debayer_superpixel(cfa, "RGGB", offset=(1, 1))

    assert_array_equal(rgb[0], 100)
    assert_array_equal(rgb[2], 10)


def test_stretch_maps_the_median_to_the_target_background() -> None:
    # given a noisy flat sky
    sky = np.random.default_rng(2).normal(1000.0, 10.0, size=(400, 400)).astype(np.float32)
    sky[200, 200] = 60000.0  # one bright star sets the white point

    # when
    stretched = auto_stretch(sky, target_background=0.25)

    # then
    assert stretched.dtype == np.uint8
    assert_allclose(np.median(stretched), 0.25 * 255, atol=2)
    assert stretched[200, 200] == 255


def test_midtones_transfer_function_fixed_points() -> None:
    x = np.array([0.0, 0.1, 1.0], dtype=np.float32)

    assert_allclose(midtones_transfer(x, 0.5), x)
    assert_allclose(midtones_transfer(np.array([0.1], dtype=np.float32), 0.1), [0.5], rtol=1e-6)
