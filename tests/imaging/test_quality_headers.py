"""Quality metrics become FITS cards with the anchor product's keywords."""

from __future__ import annotations

import dataclasses
import io

from astropy.io import fits

from domain.imaging.quality_headers import quality_cards, with_quality_cards
from tests.imaging.test_grading import METRICS


def test_cards_carry_the_anchor_keywords() -> None:
    cards = {keyword: value for keyword, value, _ in quality_cards(METRICS)}

    assert cards["FWHM"] == 3.0
    assert cards["FWHMARC"] == 3.0
    assert cards["NSTARS"] == 850
    assert cards["IMGSNR"] == 45.0
    assert cards["BGLEVEL"] == 1200.0
    assert cards["BGNOISE"] == 15.0
    assert cards["IMGMEAN"] == 1300.0
    assert cards["IMGMED"] == 1210.0
    assert cards["PXSCALE"] == 1.0
    assert cards["HFR"] == 1.6
    assert cards["ECCENT"] == 0.4


def test_unmeasured_metrics_are_omitted() -> None:
    metrics = dataclasses.replace(
        METRICS, fwhm_px=None, fwhm_arcsec=None, pixel_scale_arcsec=None, snr=None
    )

    keywords = [keyword for keyword, _, _ in quality_cards(metrics)]

    assert "FWHM" not in keywords
    assert "FWHMARC" not in keywords
    assert "PXSCALE" not in keywords
    assert "IMGSNR" not in keywords
    assert "NSTARS" in keywords


def test_cards_write_into_a_valid_header_without_warnings() -> None:
    # given a derived product's header
    header = fits.Header()
    header["OBJECT"] = "M 42"

    # when (pytest turns any VerifyWarning into an error)
    updated = with_quality_cards(header, METRICS)
    buffer = io.BytesIO()
    fits.PrimaryHDU(header=updated).writeto(buffer, output_verify="exception")

    # then
    assert updated["FWHM"] == 3.0
    assert "FWHM" not in header
    assert fits.getheader(io.BytesIO(buffer.getvalue()))["NSTARS"] == 850
