"""Reference stars from the star kd-trees of installed astrometry.net index files.

``query-starkd`` (part of the astrometry.net package) reads the stars an index file was built
from; for the Debian Tycho-2 packages these are the Tycho-2 stars with their V magnitudes.
Used to render synthetic frames and to refine plate solutions against all catalogue stars.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

INDEX_DIRS = (Path("/usr/share/astrometry"), Path("/usr/local/astrometry/data"))
_INDEX_SCALE_RE = re.compile(r"index-(?:tycho2-)?(?:41|42|52|50)?(\d\d)(?:-\d+)?(?:\.\w+)?\.fits$")


@dataclass(frozen=True, slots=True)
class CatalogStar:
    """A catalogue star: ICRS position in degrees and V magnitude."""

    ra_deg: float
    dec_deg: float
    mag: float


def find_star_index(directories: tuple[Path, ...] = INDEX_DIRS) -> list[Path]:
    """Installed astrometry.net index files with the densest star lists.

    Returns
    -------
    list of Path
        All files of the smallest installed scale number (for healpix-split series, every
        tile of that scale), or an empty list when none is installed.
    """
    by_scale: dict[int, list[Path]] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("index-*.fits")):
            match = _INDEX_SCALE_RE.search(path.name)
            if match:
                by_scale.setdefault(int(match.group(1)), []).append(path)
    return by_scale[min(by_scale)] if by_scale else []


def query_catalogue(
    ra_deg: float, dec_deg: float, radius_deg: float, index_files: list[Path]
) -> list[CatalogStar]:
    """Stars within a radius from astrometry.net index star kd-trees, via ``query-starkd``.

    Parameters
    ----------
    ra_deg, dec_deg : float
        Centre of the search (degrees).
    radius_deg : float
        Search radius in degrees.
    index_files : list of Path
        Index files to query (see :func:`find_star_index`).

    Returns
    -------
    list of CatalogStar
        Unique stars; stars without a magnitude get magnitude 12.
    """
    stars: dict[tuple[int, int], CatalogStar] = {}
    for path in index_files:
        result = subprocess.run(
            [
                "query-starkd",
                "-r",
                f"{ra_deg:.8f}",
                "-d",
                f"{dec_deg:.8f}",
                "-R",
                f"{radius_deg:.6f}",
                "-T",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        lines = result.stdout.splitlines()
        header = next((i for i, line in enumerate(lines) if line.startswith("#")), len(lines))
        columns = [c.strip().upper() for c in lines[header].lstrip("#").split(",")] if lines else []
        mag_column = next((i for i, c in enumerate(columns) if c.startswith("MAG")), None)
        for line in lines[header + 1 :]:
            try:
                values = [float(v) for v in line.split(",")]
            except ValueError:
                continue
            mag = values[mag_column] if mag_column is not None else 12.0
            star = CatalogStar(values[0], values[1], mag if math.isfinite(mag) else 12.0)
            stars[(round(star.ra_deg * 1e5), round(star.dec_deg * 1e5))] = star
    return list(stars.values())
