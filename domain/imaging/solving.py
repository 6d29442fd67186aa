"""Plate solving: astrometry.net ``solve-field`` fed our own star list, or ASTAP.

The astrometry.net backend never sees the image: it gets the star list from
:mod:`domain.imaging.detection` as an xylist (a FITS table of X, Y, FLUX in 1-based FITS
pixel coordinates), the image size, a scale range and, when known, a position hint and a
CPU limit. It runs in a private temporary directory and the resulting ``.wcs`` header is
parsed into a :class:`Solution`. The raw frame is never touched.

Conventions
-----------
* Centre: the sky position of the image centre pixel (``((W+1)/2, (H+1)/2)`` in 1-based FITS
  pixels), ICRS degrees.
* Rotation: position angle of the image's +y axis (increasing row number, "up" in a
  FITS viewer), measured from celestial north through east, degrees in [0, 360).
* Parity: ``normal`` when east is 90 degrees counter-clockwise from north on the sky as seen
  with +x right and +y up (det CD < 0, the usual unmirrored sky); ``flipped`` otherwise.
* Pixel scale: ``sqrt(|det CD|)`` in arcsec per pixel, at the reference point.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS, FITSFixedWarning
from astropy.wcs.utils import fit_wcs_from_points
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from domain.imaging.catalogue import CatalogStar, find_star_index, query_catalogue
from domain.imaging.metadata import ARCSEC_PER_RADIAN


class Parity(StrEnum):
    """Image parity on the sky."""

    NORMAL = "normal"
    FLIPPED = "flipped"


@dataclass(frozen=True, slots=True)
class SolveHints:
    """What the solver may assume.

    Attributes
    ----------
    scale_low_arcsec, scale_high_arcsec : float or None
        Pixel scale range, arcsec per pixel.
    ra_deg, dec_deg : float or None
        Approximate field centre, ICRS degrees.
    radius_deg : float
        Search radius around the centre hint, degrees.
    cpu_limit_s : float
        CPU time limit for the solver, seconds.
    """

    scale_low_arcsec: float | None = None
    scale_high_arcsec: float | None = None
    ra_deg: float | None = None
    dec_deg: float | None = None
    radius_deg: float = 2.0
    cpu_limit_s: float = 30.0


def scale_hint(pixel_scale_arcsec: float, tolerance: float = 0.05) -> tuple[float, float]:
    """Scale range ``(low, high)`` in arcsec per pixel around an expected pixel scale.

    Parameters
    ----------
    pixel_scale_arcsec : float
        Expected pixel scale (e.g. 206.265 x pixel size [um] / focal length [mm]), arcsec/px.
    tolerance : float
        Relative half-width of the range.
    """
    return pixel_scale_arcsec * (1.0 - tolerance), pixel_scale_arcsec * (1.0 + tolerance)


@dataclass(frozen=True, slots=True)
class Solution:
    """A successful plate solution.

    Attributes
    ----------
    ra_deg, dec_deg : float
        Sky position of the image centre, ICRS degrees.
    rotation_deg : float
        Position angle of the image +y axis, degrees east of north, [0, 360).
    parity : Parity
        Normal or mirrored.
    pixel_scale_arcsec : float
        Arcsec per pixel.
    field_width_arcmin, field_height_arcmin : float
        Field of view along the image x and y axes, arcmin.
    wcs_header : str
        The WCS as FITS header text (80-character cards, no END), to store or to merge into
        a derived product's header.
    backend : str
        Which solver produced it.
    elapsed_s : float
        Wall-clock time of the solve, seconds.
    """

    ra_deg: float
    dec_deg: float
    rotation_deg: float
    parity: Parity
    pixel_scale_arcsec: float
    field_width_arcmin: float
    field_height_arcmin: float
    wcs_header: str
    backend: str
    elapsed_s: float

    def wcs(self) -> WCS:
        """The solution as an astropy WCS (SIP distortion included when present)."""
        return _load_wcs(fits.Header.fromstring(self.wcs_header))


@dataclass(frozen=True, slots=True)
class NotSolved:
    """A solve attempt that produced no solution, with the reason."""

    reason: str
    backend: str
    elapsed_s: float


SolveResult = Solution | NotSolved


def _load_wcs(header: fits.Header) -> WCS:
    # solve-field writes a DATE card and SIP keywords astropy "fixes" (e.g. DATE-OBS from DATE);
    # those fixes are harmless and expected for this header, so only they are silenced here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        return WCS(header)


def solution_from_wcs(
    wcs: WCS, width: int, height: int, *, backend: str, elapsed_s: float
) -> Solution:
    """Derive centre, rotation, parity, scale and field size from a celestial WCS.

    Parameters
    ----------
    wcs : astropy.wcs.WCS
        The solution's WCS.
    width, height : int
        Image size in pixels.
    backend : str
        Name of the solver.
    elapsed_s : float
        Solve time, seconds.
    """
    centre = wcs.all_pix2world([[(width - 1) / 2.0, (height - 1) / 2.0]], 0)[0]
    cd = wcs.wcs.cd if wcs.wcs.has_cd() else wcs.wcs.get_pc() * wcs.wcs.cdelt[:, None]
    cd = np.asarray(cd, dtype=np.float64)
    det = float(np.linalg.det(cd))
    scale = math.sqrt(abs(det)) * 3600.0
    rotation = math.degrees(math.atan2(cd[0, 1], cd[1, 1])) % 360.0
    header = wcs.to_header(relax=True)
    return Solution(
        ra_deg=float(centre[0]) % 360.0,
        dec_deg=float(centre[1]),
        rotation_deg=rotation,
        parity=Parity.NORMAL if det < 0 else Parity.FLIPPED,
        pixel_scale_arcsec=scale,
        field_width_arcmin=width * scale / 60.0,
        field_height_arcmin=height * scale / 60.0,
        wcs_header=header.tostring(),
        backend=backend,
        elapsed_s=elapsed_s,
    )


def write_xylist(
    path: Path, x: NDArray[np.float64], y: NDArray[np.float64], flux: NDArray[np.float64]
) -> None:
    """Write a star list as an astrometry.net xylist (1-based FITS pixel coordinates).

    Parameters
    ----------
    path : Path
        Output FITS file.
    x, y : ndarray
        0-based pixel coordinates of the stars.
    flux : ndarray
        Star brightness (any linear unit); the solver tries the brightest first.
    """
    columns = [
        fits.Column(name="X", format="D", array=np.asarray(x, dtype=np.float64) + 1.0),
        fits.Column(name="Y", format="D", array=np.asarray(y, dtype=np.float64) + 1.0),
        fits.Column(name="FLUX", format="D", array=np.asarray(flux, dtype=np.float64)),
    ]
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(columns)]).writeto(path)


@dataclass(frozen=True, slots=True)
class Refinement:
    """Outcome of refitting a WCS against all matched catalogue stars.

    Attributes
    ----------
    wcs : astropy.wcs.WCS
        The refitted WCS (or the input WCS when too few stars matched).
    matched : int
        Number of star / catalogue pairs used in the final fit.
    rms_px : float
        RMS residual of the final fit, pixels (NaN when not refitted).
    """

    wcs: WCS
    matched: int
    rms_px: float


def refine_wcs(
    wcs: WCS,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    reference: list[CatalogStar],
    width: int,
    height: int,
    *,
    match_radius_px: float = 3.0,
    sip_degree: int | None = None,
    min_matches: int = 6,
) -> Refinement:
    """Refit a TAN (optionally TAN-SIP) WCS to every detected star matching a catalogue star.

    A solver's WCS is fitted to the few stars it verified; refitting to all matches makes
    centre, rotation and scale much more precise. Matching is one-to-one nearest-neighbour
    within ``match_radius_px`` of the projected catalogue position, repeated three times with
    the radius halved and 3-sigma outliers removed.

    Parameters
    ----------
    wcs : astropy.wcs.WCS
        Initial solution.
    x, y : ndarray
        0-based positions of detected stars, pixels.
    reference : list of CatalogStar
        Catalogue stars covering the field.
    width, height : int
        Image size, pixels.
    match_radius_px : float
        Initial match radius, pixels.
    sip_degree : int, optional
        SIP distortion order to fit (None: pure TAN).
    min_matches : int
        Keep the input WCS when fewer pairs match.

    Returns
    -------
    Refinement
    """
    if not reference or len(x) < min_matches:
        return Refinement(wcs, 0, math.nan)
    ra = np.array([s.ra_deg for s in reference])
    dec = np.array([s.dec_deg for s in reference])
    tree = cKDTree(np.column_stack([x, y]))
    current = wcs
    radius = match_radius_px
    matched, rms = 0, math.nan
    for _ in range(3):
        px, py = current.all_world2pix(ra, dec, 0)
        on_image = (px > -1) & (px < width) & (py > -1) & (py < height)
        distance, index = tree.query(np.column_stack([px, py]), distance_upper_bound=radius)
        pairs = on_image & np.isfinite(distance)
        # One-to-one: a detected star matched by several catalogue stars is dropped.
        counts = np.bincount(index[pairs], minlength=len(x) + 1)
        pairs &= counts[np.minimum(index, len(x))] == 1
        if pairs.sum() < min_matches:
            break
        if matched:
            spread = float(np.sqrt(np.mean(distance[pairs] ** 2)))
            pairs &= distance <= max(3.0 * spread, 0.05)
        centre = current.all_pix2world([[(width - 1) / 2.0, (height - 1) / 2.0]], 0)[0]
        star_x, star_y = x[index[pairs]], y[index[pairs]]
        world = SkyCoord(ra[pairs] * u.deg, dec[pairs] * u.deg)
        fitted = fit_wcs_from_points(
            (star_x, star_y),
            world,
            proj_point=SkyCoord(centre[0] * u.deg, centre[1] * u.deg),
            projection="TAN",
            sip_degree=sip_degree,
        )
        fx, fy = fitted.all_world2pix(ra[pairs], dec[pairs], 0)
        rms = float(np.sqrt(np.mean((fx - star_x) ** 2 + (fy - star_y) ** 2)))
        current, matched = fitted, int(pairs.sum())
        radius = max(radius / 2.0, 3.0 * rms, 0.5)
    return Refinement(current, matched, rms)


@dataclass(frozen=True, slots=True)
class AstrometryNetSolver:
    """astrometry.net ``solve-field`` on a star list.

    Attributes
    ----------
    executable : str
        The ``solve-field`` program.
    config : Path or None
        An ``astrometry-engine`` config file; None uses the system default
        (``/etc/astrometry.cfg``, which lists the installed index files).
    max_stars : int
        The star list is cut to this many brightest stars.
    tweak_order : int
        SIP order of astrometry.net's own tweak (0: none). Its tweak is fitted to the few
        stars it verified; :func:`refine_wcs` on all catalogue matches is more precise.
    refine : bool
        Refit the solution to every detected star that matches a catalogue star of the
        installed index files (see :func:`refine_wcs`).
    sip_degree : int, optional
        SIP distortion order for the refit (None: pure TAN).
    """

    executable: str = "solve-field"
    config: Path | None = None
    max_stars: int = 300
    tweak_order: int = 0
    refine: bool = True
    sip_degree: int | None = None
    name: str = "astrometry.net"

    def available(self) -> bool:
        """True when ``solve-field`` is on PATH."""
        return shutil.which(self.executable) is not None

    def solve_star_list(
        self,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        flux: NDArray[np.float64],
        width: int,
        height: int,
        hints: SolveHints,
    ) -> SolveResult:
        """Solve a field from its star list.

        Parameters
        ----------
        x, y : ndarray
            0-based star positions, pixels.
        flux : ndarray
            Star brightness (linear); brightest stars are used first.
        width, height : int
            Image size, pixels.
        hints : SolveHints
            Scale range (arcsec/px), position hint and CPU limit.

        Returns
        -------
        Solution or NotSolved
        """
        started = time.perf_counter()
        if not self.available():
            return NotSolved("solve-field is not installed", self.name, 0.0)
        if len(x) < 4:
            return NotSolved(f"only {len(x)} stars detected; at least 4 needed", self.name, 0.0)
        order = np.argsort(-np.asarray(flux))[: self.max_stars]
        with tempfile.TemporaryDirectory(prefix="solve-") as tmp:
            directory = Path(tmp)
            xylist = directory / "stars.xyls"
            write_xylist(
                xylist, np.asarray(x)[order], np.asarray(y)[order], np.asarray(flux)[order]
            )
            command = self._command(xylist, directory, width, height, hints)
            try:
                completed = subprocess.run(
                    command,
                    capture_output=True,
                    text=True,
                    timeout=hints.cpu_limit_s * 2 + 30,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return NotSolved(
                    f"solve-field exceeded {hints.cpu_limit_s * 2 + 30:.0f} s",
                    self.name,
                    time.perf_counter() - started,
                )
            elapsed = time.perf_counter() - started
            wcs_path = directory / "stars.wcs"
            if completed.returncode != 0:
                tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
                return NotSolved(
                    f"solve-field failed (exit {completed.returncode}): {' | '.join(tail)}",
                    self.name,
                    elapsed,
                )
            if not wcs_path.exists():
                return NotSolved(
                    "no solution found within the scale and position hints and the CPU limit",
                    self.name,
                    elapsed,
                )
            header = fits.getheader(wcs_path)
        wcs = _load_wcs(header)
        if self.refine:
            wcs = self._refine(wcs, np.asarray(x), np.asarray(y), width, height)
        return solution_from_wcs(
            wcs, width, height, backend=self.name, elapsed_s=time.perf_counter() - started
        )

    def _refine(
        self, wcs: WCS, x: NDArray[np.float64], y: NDArray[np.float64], width: int, height: int
    ) -> WCS:
        index_files = find_star_index()
        if not index_files:
            return wcs
        centre = wcs.all_pix2world([[(width - 1) / 2.0, (height - 1) / 2.0]], 0)[0]
        scale = math.sqrt(abs(np.linalg.det(wcs.pixel_scale_matrix)))
        radius = 0.5 * math.hypot(width, height) * scale * 1.05
        reference = query_catalogue(float(centre[0]), float(centre[1]), radius, index_files)
        return refine_wcs(wcs, x, y, reference, width, height, sip_degree=self.sip_degree).wcs

    def _command(
        self, xylist: Path, directory: Path, width: int, height: int, hints: SolveHints
    ) -> list[str]:
        command = [
            self.executable,
            str(xylist),
            "--width",
            str(width),
            "--height",
            str(height),
            "--x-column",
            "X",
            "--y-column",
            "Y",
            "--sort-column",
            "FLUX",
            "--dir",
            str(directory),
            "--temp-dir",
            str(directory),
            "--cpulimit",
            str(max(1, math.ceil(hints.cpu_limit_s))),
            "--no-plots",
            "--overwrite",
            "--crpix-center",
            # Our star list has no CCD line artefacts to remove, and is already in brightness
            # order; skipping these two Python helper passes saves about a second.
            "--no-remove-lines",
            "--uniformize",
            "0",
            "--new-fits",
            "none",
            "--solved",
            "none",
            "--match",
            "none",
            "--rdls",
            "none",
            "--corr",
            "none",
            "--index-xyls",
            "none",
        ]
        if self.tweak_order > 0:
            command += ["--tweak-order", str(self.tweak_order)]
        else:
            command.append("--no-tweak")
        if self.config is not None:
            command += ["--config", str(self.config)]
        if hints.scale_low_arcsec is not None and hints.scale_high_arcsec is not None:
            command += [
                "--scale-units",
                "arcsecperpix",
                "--scale-low",
                f"{hints.scale_low_arcsec:.6f}",
                "--scale-high",
                f"{hints.scale_high_arcsec:.6f}",
            ]
        if hints.ra_deg is not None and hints.dec_deg is not None:
            command += [
                "--ra",
                f"{hints.ra_deg:.6f}",
                "--dec",
                f"{hints.dec_deg:.6f}",
                "--radius",
                f"{hints.radius_deg:.4f}",
            ]
        return command


@dataclass(frozen=True, slots=True)
class AstapSolver:
    """ASTAP (``astap`` command line) on the image itself, used when installed.

    ASTAP detects stars itself, so it is given a FITS copy of the image in a temporary
    directory. Its star databases (``.290`` / ``.1476`` files) must be installed in
    ``database_dir``.

    Attributes
    ----------
    executable : str
        The ``astap`` program (``astap_cli`` on some installs).
    database_dir : Path
        Directory holding the star database.
    """

    executable: str = "astap"
    database_dir: Path = Path("/usr/share/astap/data")
    name: str = "astap"

    def available(self) -> bool:
        """True when ``astap`` is on PATH and a star database is installed."""
        if shutil.which(self.executable) is None:
            return False
        return self.database_dir.is_dir() and any(
            p.suffix in (".290", ".1476") or p.name.endswith((".290", ".1476"))
            for p in self.database_dir.iterdir()
        )

    def unavailable_reason(self) -> str | None:
        """Why the backend cannot run, or None when it can."""
        if shutil.which(self.executable) is None:
            return f"{self.executable} is not installed"
        if not self.available():
            return f"no ASTAP star database (.290/.1476) in {self.database_dir}"
        return None

    def solve_image(
        self, image: NDArray[np.generic], hints: SolveHints, *, downsample: int = 0
    ) -> SolveResult:
        """Solve an image with ASTAP.

        Parameters
        ----------
        image : ndarray
            2-D image, ADU.
        hints : SolveHints
            The field of view is derived from the scale range; the position hint, when
            present, limits the search to ``radius_deg``.
        downsample : int
            ASTAP's ``-z`` option (0 = automatic).

        Returns
        -------
        Solution or NotSolved
        """
        started = time.perf_counter()
        reason = self.unavailable_reason()
        if reason is not None:
            return NotSolved(reason, self.name, 0.0)
        height, width = image.shape[-2:]
        with tempfile.TemporaryDirectory(prefix="astap-") as tmp:
            path = Path(tmp) / "frame.fits"
            fits.PrimaryHDU(np.asarray(image)).writeto(path)
            command = [
                self.executable,
                "-f",
                str(path),
                "-z",
                str(downsample),
                "-d",
                str(self.database_dir),
            ]
            if hints.scale_low_arcsec is not None and hints.scale_high_arcsec is not None:
                scale = 0.5 * (hints.scale_low_arcsec + hints.scale_high_arcsec)
                command += ["-fov", f"{height * scale / 3600.0:.4f}"]
            if hints.ra_deg is not None and hints.dec_deg is not None:
                command += [
                    "-ra",
                    f"{hints.ra_deg / 15.0:.6f}",
                    "-spd",
                    f"{hints.dec_deg + 90.0:.6f}",
                    "-r",
                    f"{hints.radius_deg:.3f}",
                ]
            else:
                command += ["-r", "180"]
            try:
                subprocess.run(
                    command,
                    capture_output=True,
                    text=True,
                    timeout=hints.cpu_limit_s + 30,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return NotSolved("astap timed out", self.name, time.perf_counter() - started)
            elapsed = time.perf_counter() - started
            wcs_path = path.with_suffix(".wcs")
            if not wcs_path.exists():
                return NotSolved("astap found no solution", self.name, elapsed)
            text = wcs_path.read_text(encoding="ascii", errors="replace")
        header = fits.Header.fromstring(text, sep="\n")
        if "CRVAL1" not in header:
            return NotSolved("astap found no solution", self.name, elapsed)
        return solution_from_wcs(
            _load_wcs(header), width, height, backend=self.name, elapsed_s=elapsed
        )


def expected_pixel_scale(pixel_size_um: float, focal_length_mm: float) -> float:
    """Pixel scale in arcsec per pixel from pixel size (um) and focal length (mm)."""
    return ARCSEC_PER_RADIAN * pixel_size_um * 1e-3 / focal_length_mm
