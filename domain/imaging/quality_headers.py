"""FITS keyword cards carrying the quality metrics into derived products' headers.

The anchor product's keywords (``FWHM``, ``FWHMARC``, ``NSTARS``, ``IMGSNR``, ``BGLEVEL``,
``BGNOISE``, ``IMGMEAN``, ``IMGMED``, ``PXSCALE``) keep their names and units; the others are
ours. A metric that could not be measured is omitted rather than written as a placeholder.
"""

from __future__ import annotations

from astropy.io import fits

from domain.imaging.quality import QualityMetrics

Card = tuple[str, float | int, str]


def _rounded(value: float, digits: int) -> float:
    return float(round(value, digits))


def quality_cards(metrics: QualityMetrics) -> list[Card]:
    """Header cards for a frame's quality metrics.

    Parameters
    ----------
    metrics : QualityMetrics
        Result of :func:`domain.imaging.quality.analyse_frame`.

    Returns
    -------
    list of (keyword, value, comment)
        In a stable order; optional metrics only when measured.
    """
    cards: list[Card] = []
    optional: list[tuple[str, float | None, int, str]] = [
        ("FWHM", metrics.fwhm_px, 3, "[px] median star FWHM"),
        ("FWHMARC", metrics.fwhm_arcsec, 3, "[arcsec] median star FWHM"),
        ("FWHMMAD", metrics.fwhm_mad_px, 3, "[px] FWHM spread, 1.4826 x MAD"),
        ("FWHMCEN", metrics.fwhm_centre_px, 3, "[px] median FWHM, central ninth"),
        ("FWHMCOR", metrics.fwhm_corners_px, 3, "[px] median FWHM, corner ninths"),
        ("HFR", metrics.hfr_px, 3, "[px] median half-flux radius"),
        ("HFRARC", metrics.hfr_arcsec, 3, "[arcsec] median half-flux radius"),
        ("ECCENT", metrics.eccentricity, 3, "median star eccentricity"),
        ("IMGSNR", metrics.snr, 2, "median aperture SNR of measured stars"),
    ]
    for keyword, value, digits, comment in optional:
        if value is not None:
            cards.append((keyword, _rounded(value, digits), comment))
    cards += [
        ("NSTARS", metrics.stars_detected, "stars detected"),
        ("NSTARMEA", metrics.stars_measured, "stars measured"),
        ("BGLEVEL", _rounded(metrics.background_adu, 2), "[adu] background level"),
        ("BGNOISE", _rounded(metrics.background_noise_adu, 3), "[adu] background noise"),
        ("IMGMEAN", _rounded(metrics.adu.mean, 2), "[adu] mean pixel value"),
        ("IMGMED", _rounded(metrics.adu.median, 2), "[adu] median pixel value"),
        ("IMGSTD", _rounded(metrics.adu.std, 2), "[adu] pixel standard deviation"),
        ("IMGMIN", _rounded(metrics.adu.minimum, 2), "[adu] minimum pixel value"),
        ("IMGMAX", _rounded(metrics.adu.maximum, 2), "[adu] maximum pixel value"),
        ("SATFRAC", _rounded(metrics.saturated_fraction, 8), "fraction of saturated pixels"),
    ]
    if metrics.pixel_scale_arcsec is not None:
        cards.append(("PXSCALE", _rounded(metrics.pixel_scale_arcsec, 5), "[arcsec/px] scale"))
    return cards


def with_quality_cards(header: fits.Header, metrics: QualityMetrics) -> fits.Header:
    """A copy of ``header`` with the quality cards set (existing values replaced).

    Parameters
    ----------
    header : astropy.io.fits.Header
        Header of a derived product (never the raw frame's stored file).
    metrics : QualityMetrics
        The metrics to write.

    Returns
    -------
    astropy.io.fits.Header
        A new header.
    """
    updated = header.copy()
    for keyword, value, comment in quality_cards(metrics):
        updated[keyword] = (value, comment)
    return updated
