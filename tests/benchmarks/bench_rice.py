"""Rice compression of raw frames: ours (astropy/cfitsio in memory) against fpack/funpack.

Run: .venv/bin/python tests/benchmarks/bench_rice.py

Frames (6000x4000, uint16 stored as BITPIX 16 / BZERO 32768, 48 MB each):
* star field: sky 1000 + bias 500 ADU, shot and read noise (gain 1 e-/ADU), Tycho-2 stars;
* bias-like: bias 500 ADU with 3 ADU read noise only (compresses much better);
* bright sky: sky 8000 ADU (noise ~90 ADU, compresses worse).

Ours: ``compress_fits`` (FITS bytes -> .fits.fz bytes) and ``decompress_fits`` (.fits.fz
bytes -> array), both in memory. Reference: ``fpack`` and ``funpack`` (Debian libcfitsio-bin)
on files in a temporary directory with default options (RICE_1, row tiles). MB/s are of the
uncompressed image (48 MB) per CPU second (user + system, the child process's for fpack, so
the numbers hold on a shared machine), median of 3 runs. Ours also computes the SHA-256 of
the input. Ratios are uncompressed / compressed size; speed ratios are ours / reference
(> 1 means ours is faster).
"""

from __future__ import annotations

import dataclasses
import functools
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np
from astropy.io import fits
from numpy.testing import assert_array_equal

from domain.imaging.rice import compress_fits, decompress_fits
from domain.imaging.synthetic import FieldSpec, GaussianPsf, render_field

REPEATS = 3


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children, seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = _cpu_seconds()
        action()
        times.append(_cpu_seconds() - started)
    return statistics.median(times)


def _frames() -> dict[str, np.ndarray]:
    base = FieldSpec(
        ra_deg=83.82,
        dec_deg=-5.39,
        pixel_scale_arcsec=1.2,
        psf=GaussianPsf(3.0),
        width=6000,
        height=4000,
        seed=1,
    )
    rng = np.random.default_rng(2)
    bias = np.clip(np.rint(rng.normal(500.0, 3.0, (4000, 6000))), 0, 65535).astype(np.uint16)
    bright = dataclasses.replace(base, sky_adu=8000.0, seed=3)
    return {
        "star field": render_field(base).image,
        "bias-like": bias,
        "bright sky": render_field(bright).image,
    }


def main() -> None:
    if shutil.which("fpack") is None or shutil.which("funpack") is None:
        print("fpack/funpack not installed (Debian package libcfitsio-bin)")
        return
    for name, image in _frames().items():
        megabytes = image.nbytes / 1e6
        with tempfile.TemporaryDirectory(prefix="bench-rice-") as tmp:
            raw_path = Path(tmp) / "frame.fits"
            fits.PrimaryHDU(image).writeto(raw_path)
            raw = raw_path.read_bytes()

            compressed = compress_fits(raw)
            restored, _ = decompress_fits(compressed.fz_bytes)
            assert_array_equal(restored, image)
            ours_write = _timed(functools.partial(compress_fits, raw))
            ours_read = _timed(functools.partial(decompress_fits, compressed.fz_bytes))

            packed = Path(tmp) / "frame.fits.fz"
            unpacked = Path(tmp) / "unpacked.fits"

            def pack(path: Path = raw_path, out: Path = packed) -> None:
                out.unlink(missing_ok=True)
                subprocess.run(["fpack", "-O", str(out), str(path)], check=True)

            def unpack(path: Path = packed, out: Path = unpacked) -> None:
                out.unlink(missing_ok=True)
                subprocess.run(["funpack", "-O", str(out), str(path)], check=True)

            ref_write = _timed(pack)
            ref_read = _timed(unpack)
            ref_ratio = len(raw) / packed.stat().st_size
            assert unpacked.read_bytes()[2880:] == raw[2880:]

        print(f"{name} ({megabytes:.0f} MB):")
        print(
            f"   write: ours {megabytes / ours_write:7.1f} MB/s | fpack   "
            f"{megabytes / ref_write:7.1f} MB/s | ours/fpack   {ref_write / ours_write:.2f}"
        )
        print(
            f"   read : ours {megabytes / ours_read:7.1f} MB/s | funpack "
            f"{megabytes / ref_read:7.1f} MB/s | ours/funpack {ref_read / ours_read:.2f}"
        )
        print(
            f"   ratio: ours {compressed.ratio:.3f} ({compressed.compression}) | "
            f"fpack {ref_ratio:.3f} | bit-exact: yes"
        )


if __name__ == "__main__":
    main()
