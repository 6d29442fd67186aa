"""The simulated camera: a synthetic FITS frame of the target with the observatory's optics.

Stars come from the real Tycho-2 catalogue when an astrometry.net index is installed (so the
server's plate solver can solve the frame), else from a seeded random field.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from astropy.io import fits

from domain.imaging.catalogue import find_star_index
from domain.imaging.metadata import ARCSEC_PER_RADIAN
from domain.imaging.synthetic import FieldSpec, GaussianPsf, render_field
from plugin_bridge import messages as m
from science_scheduler.simulator.effects import ExposureJob
from science_scheduler.simulator.state import CapturedFrame
from science_scheduler.simulator.store import write_atomically

RANDOM_STARS_WITHOUT_CATALOGUE = 400


@dataclass(frozen=True)
class Optics:
    """The simulated telescope and camera."""

    focal_length_mm: float = 260.0
    aperture_mm: float = 65.0
    pixel_size_um: float = 3.76
    width_px: int = 1200
    height_px: int = 800
    seeing_arcsec: float = 6.0

    def pixel_scale_arcsec(self, binning: int = 1) -> float:
        return ARCSEC_PER_RADIAN * self.pixel_size_um * binning * 1e-3 / self.focal_length_mm

    def equipment(self, filters: list[str]) -> m.Equipment:
        return m.Equipment(
            telescope=f"Simulated {self.aperture_mm:.0f} mm refractor",
            aperture_mm=self.aperture_mm,
            focal_length_mm=self.focal_length_mm,
            camera="Simulated CMOS camera",
            pixel_size_um=self.pixel_size_um,
            sensor_width_px=self.width_px,
            sensor_height_px=self.height_px,
            shutter=False,
            filters=filters,
        )


def catalogue_available() -> bool:
    return bool(find_star_index()) and shutil.which("query-starkd") is not None


def file_name(job: ExposureJob) -> str:
    target = "".join(ch for ch in job.target_name if ch.isalnum()) or "target"
    return f"{target}_{job.filter}_{job.exposure_s:g}s_{job.sequence:04d}.fits"


def capture(job: ExposureJob, optics: Optics, started: datetime, directory: Path) -> CapturedFrame:
    """Render the frame of `job` into `directory` (CPU-bound: run it off the event loop)."""
    with_catalogue = catalogue_available()
    scale = optics.pixel_scale_arcsec(job.binning)
    fwhm_px = max(optics.seeing_arcsec / scale, 1.5)
    frame = render_field(
        FieldSpec(
            ra_deg=job.ra_deg,
            dec_deg=job.dec_deg,
            pixel_scale_arcsec=scale,
            rotation_deg=job.rotation_deg,
            psf=GaussianPsf(fwhm_px=fwhm_px),
            width=optics.width_px // job.binning,
            height=optics.height_px // job.binning,
            sky_adu=800.0,
            random_stars=0 if with_catalogue else RANDOM_STARS_WITHOUT_CATALOGUE,
            use_catalogue=with_catalogue,
            seed=zlib.crc32(f"{job.observation_id}:{job.sequence}".encode()),
        )
    )
    header = frame.header
    header["EXPTIME"] = job.exposure_s
    header["DATE-OBS"] = started.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    header["FILTER"] = job.filter
    header["OBJECT"] = job.target_name
    header["XBINNING"] = job.binning
    header["YBINNING"] = job.binning
    header["XPIXSZ"] = optics.pixel_size_um * job.binning
    header["YPIXSZ"] = optics.pixel_size_um * job.binning
    header["FOCALLEN"] = optics.focal_length_mm
    header["GAIN"] = job.gain if job.gain is not None else 100
    header["INSTRUME"] = "Simulated CMOS camera"
    header["TELESCOP"] = f"Simulated {optics.aperture_mm:.0f} mm refractor"
    buffer = io.BytesIO()
    fits.PrimaryHDU(data=frame.image, header=header).writeto(buffer)
    data = buffer.getvalue()
    name = file_name(job)
    write_atomically(directory / name, data)
    return CapturedFrame(
        file_name=name,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        hfr_px=round(fwhm_px / 2, 2),
        star_count=len(frame.stars),
    )
