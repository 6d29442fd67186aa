"""What each pipeline step does to a frame: read its objects, compute, store, report.

The numpy work (domain/imaging) runs in a thread so the worker's event loop stays free. A
step returns an `Outcome`; the worker records it through domain/frames/processing.py.
Transient failures raise; a frame that cannot be processed raises `StepFailed`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.frames.counting import matching_exposure_set, settle_count
from domain.frames.frame import (
    Frame,
    StarList,
    StepStatus,
    StoredGrade,
    StoredGradeReason,
    StoredMetadata,
    StoredMetrics,
    StoredSolution,
    object_keys,
)
from domain.imaging.fits_header import (
    BLOCK_BYTES,
    MAX_HEADER_BYTES,
    FitsLayout,
    InvalidFitsFile,
    read_fits_header,
)
from domain.imaging.fits_image import read_image
from domain.imaging.grading import Thresholds, grade_frame
from domain.imaging.metadata import extract_metadata
from domain.imaging.preview import render_previews
from domain.imaging.quality import AduStatistics, QualityMetrics, analyse_frame
from domain.imaging.rice import compress_fits
from domain.imaging.solving import AstrometryNetSolver, Solution, SolveHints, scale_hint
from domain.observations.observation import Observation
from domain.observatories.observatory import Observatory
from domain.storage.object_store import ObjectNotFound, ObjectStore

FITS_CONTENT_TYPE = "application/fits"
JPEG_CONTENT_TYPE = "image/jpeg"
SOLVE_CPU_LIMIT_S = 30.0
SOLVE_RADIUS_DEG = 2.0
SCALE_TOLERANCE = 0.1
MAX_SOLVE_STARS = 300


class StepFailed(Exception):
    """The frame itself makes this step impossible (retrying cannot help)."""


@dataclass(frozen=True)
class Outcome:
    status: StepStatus
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


async def _read_object(objects: ObjectStore, key: str) -> bytes:
    chunks = [chunk async for chunk in objects.open(key)]
    return b"".join(chunks)


async def _single_chunk(data: bytes) -> AsyncIterator[bytes]:
    view = memoryview(data)
    step = 4 * 1024 * 1024
    for start in range(0, len(data), step):
        yield bytes(view[start : start + step])


async def _exists(objects: ObjectStore, key: str) -> bool:
    try:
        await objects.head(key)
    except ObjectNotFound:
        return False
    return True


def _stored_metadata(header: Any) -> StoredMetadata:
    metadata = extract_metadata(header)
    values = {f.name: getattr(metadata, f.name) for f in dataclasses.fields(metadata)}
    values["image_type"] = str(metadata.image_type.value)
    return StoredMetadata.model_validate(values)


def _compress_checked(raw: bytes) -> tuple[bytes, str, float, str, StoredMetadata]:
    info = read_fits_header(raw[: 2 * MAX_HEADER_BYTES + BLOCK_BYTES], len(raw))
    if info.layout is FitsLayout.TILE_COMPRESSED:
        read_image(raw)  # proves every tile decompresses before it is kept as the original
        compression = str(info.header.get("ZCMPTYPE", "RICE_1"))
        fz, ratio = raw, info.image_bytes / len(raw)
    else:
        compressed = compress_fits(raw)
        fz, compression, ratio = (
            compressed.fz_bytes,
            compressed.compression.value,
            compressed.ratio,
        )
    return fz, compression, ratio, info.header.tostring(sep="\n"), _stored_metadata(info.header)


async def ingest(frame: Frame, objects: ObjectStore) -> Outcome:
    """Validate the staged upload, store it Rice-compressed (bit-exact) and drop the staging copy.

    Repeating it after an interruption works from whichever copy exists.
    """
    staged = frame.staging_key is not None and await _exists(objects, frame.staging_key)
    source = frame.staging_key if staged and frame.staging_key else frame.raw_key
    raw = await _read_object(objects, source)
    try:
        fz, compression, ratio, header, metadata = await asyncio.to_thread(_compress_checked, raw)
    except InvalidFitsFile as error:
        raise StepFailed(error.reason) from None
    if staged:
        await objects.put(
            frame.raw_key,
            _single_chunk(fz),
            content_type=FITS_CONTENT_TYPE,
            metadata={"original-sha256": frame.original_sha256},
        )
        assert frame.staging_key is not None
        await objects.delete(frame.staging_key)
    return Outcome(
        StepStatus.DONE,
        {
            "staging_key": None,
            "compression": compression,
            "compressed_bytes": len(fz),
            "compression_ratio": ratio,
            "header": header,
            "metadata": metadata.model_dump(),
        },
    )


def _optics_scale(frame: Frame, observatory: Observatory | None) -> float | None:
    """Arcsec per (binned) pixel: the header's XPIXSZ/FOCALLEN, else the observatory's optics."""
    assert frame.metadata is not None
    metadata = frame.metadata
    if metadata.pixel_size_um and metadata.focal_length_mm:
        return 206_264.806 * metadata.pixel_size_um * 1e-3 / metadata.focal_length_mm
    if observatory is not None and observatory.equipment.pixel_scale_arcsec is not None:
        return observatory.equipment.pixel_scale_arcsec * metadata.xbinning
    return None


def _stored_metrics(metrics: QualityMetrics) -> StoredMetrics:
    values = {f.name: getattr(metrics, f.name) for f in dataclasses.fields(metrics)}
    adu = values.pop("adu")
    values.update(
        adu_mean=adu.mean,
        adu_median=adu.median,
        adu_std=adu.std,
        adu_min=adu.minimum,
        adu_max=adu.maximum,
    )
    return StoredMetrics.model_validate(values)


def quality_metrics(stored: StoredMetrics) -> QualityMetrics:
    """The imaging core's QualityMetrics from the stored form."""
    values = stored.model_dump()
    adu = AduStatistics(
        mean=values.pop("adu_mean"),
        median=values.pop("adu_median"),
        std=values.pop("adu_std"),
        minimum=values.pop("adu_min"),
        maximum=values.pop("adu_max"),
    )
    return QualityMetrics(adu=adu, **values)


def _analyse(
    fz: bytes, scale: float | None, gain: float | None, bayer: str | None
) -> tuple[StoredMetrics, StarList]:
    image, _ = read_image(fz)
    analysis = analyse_frame(
        image, pixel_scale_arcsec=scale, gain_e_per_adu=gain, bayer_pattern=bayer
    )
    detections = analysis.detections
    usable = np.flatnonzero(~detections.saturated)[:MAX_SOLVE_STARS]
    stars = StarList(
        x=[float(v) for v in detections.x[usable]],
        y=[float(v) for v in detections.y[usable]],
        flux=[float(v) for v in detections.flux_adu[usable]],
    )
    return _stored_metrics(analysis.metrics), stars


async def quality(frame: Frame, objects: ObjectStore, observatory: Observatory | None) -> Outcome:
    """Background, stars, FWHM/HFR, eccentricity, SNR and ADU statistics of the frame."""
    assert frame.metadata is not None
    fz = await _read_object(objects, frame.raw_key)
    metrics, stars = await asyncio.to_thread(
        _analyse,
        fz,
        _optics_scale(frame, observatory),
        frame.metadata.egain_e_per_adu,
        frame.metadata.bayer_pattern,
    )
    return Outcome(StepStatus.DONE, {"metrics": metrics.model_dump(), "stars": stars.model_dump()})


def solve_hints(
    frame: Frame, observation: Observation | None, observatory: Observatory | None
) -> SolveHints:
    """Scale from the optics (header or observatory), position from the header or the target."""
    assert frame.metadata is not None
    scale = _optics_scale(frame, observatory)
    low, high = scale_hint(scale, SCALE_TOLERANCE) if scale is not None else (None, None)
    ra, dec = frame.metadata.ra_deg, frame.metadata.dec_deg
    if (ra is None or dec is None) and observation is not None and observation.targets:
        ra, dec = observation.targets[0].ra_deg, observation.targets[0].dec_deg
    return SolveHints(
        scale_low_arcsec=low,
        scale_high_arcsec=high,
        ra_deg=ra,
        dec_deg=dec,
        radius_deg=SOLVE_RADIUS_DEG,
        cpu_limit_s=SOLVE_CPU_LIMIT_S,
    )


def _with_scale(metrics: StoredMetrics, scale: float) -> StoredMetrics:
    return metrics.model_copy(
        update={
            "pixel_scale_arcsec": scale,
            "fwhm_arcsec": metrics.fwhm_px * scale if metrics.fwhm_px is not None else None,
            "hfr_arcsec": metrics.hfr_px * scale if metrics.hfr_px is not None else None,
        }
    )


async def solve(
    frame: Frame, observation: Observation | None, observatory: Observatory | None
) -> Outcome:
    """Plate-solve the frame's star list; the solved scale replaces the optics' in the metrics."""
    assert frame.metadata is not None
    assert frame.stars is not None
    assert frame.metrics is not None
    stars = frame.stars
    hints = solve_hints(frame, observation, observatory)
    result = await asyncio.to_thread(
        AstrometryNetSolver().solve_star_list,
        np.asarray(stars.x, dtype=np.float64),
        np.asarray(stars.y, dtype=np.float64),
        np.asarray(stars.flux, dtype=np.float64),
        frame.metadata.width,
        frame.metadata.height,
        hints,
    )
    if not isinstance(result, Solution):
        return Outcome(StepStatus.FAILED, error=result.reason)
    solution = StoredSolution(
        ra_deg=result.ra_deg,
        dec_deg=result.dec_deg,
        rotation_deg=result.rotation_deg,
        parity=result.parity.value,
        pixel_scale_arcsec=result.pixel_scale_arcsec,
        field_width_arcmin=result.field_width_arcmin,
        field_height_arcmin=result.field_height_arcmin,
        wcs_header=result.wcs_header,
        backend=result.backend,
        elapsed_s=result.elapsed_s,
    )
    metrics = _with_scale(frame.metrics, result.pixel_scale_arcsec)
    return Outcome(
        StepStatus.DONE, {"solution": solution.model_dump(), "metrics": metrics.model_dump()}
    )


def _render(fz: bytes, bayer: str | None, offset: tuple[int, int], row_order: str | None) -> Any:
    image: NDArray[np.generic]
    image, _ = read_image(fz)
    return render_previews(image, bayer_pattern=bayer, bayer_offset=offset, row_order=row_order)


async def preview(frame: Frame, objects: ObjectStore) -> Outcome:
    """Store the stretched JPEG preview and thumbnail."""
    assert frame.metadata is not None
    assert frame.id is not None
    fz = await _read_object(objects, frame.raw_key)
    metadata = frame.metadata
    previews = await asyncio.to_thread(
        _render, fz, metadata.bayer_pattern, metadata.bayer_offset, metadata.row_order
    )
    keys = object_keys(frame.organization_id, frame.observation_id, frame.id, frame.created_at)
    await objects.put(
        keys["preview"], _single_chunk(previews.preview_jpeg), content_type=JPEG_CONTENT_TYPE
    )
    await objects.put(
        keys["thumbnail"], _single_chunk(previews.thumbnail_jpeg), content_type=JPEG_CONTENT_TYPE
    )
    return Outcome(
        StepStatus.DONE, {"preview_key": keys["preview"], "thumbnail_key": keys["thumbnail"]}
    )


def thresholds_of(observation: Observation) -> Thresholds:
    wanted = observation.thresholds
    return Thresholds(
        max_fwhm_arcsec=wanted.max_fwhm_arcsec,
        min_stars=wanted.min_stars,
        max_eccentricity=wanted.max_eccentricity,
        min_snr=wanted.min_snr,
    )


async def grade(frame: Frame, observation: Observation | None) -> Outcome:
    """Grade against the observation's thresholds; an accepted frame counts once in its set."""
    if observation is None:
        return Outcome(StepStatus.SKIPPED, error="no observation to grade the frame against")
    assert frame.metrics is not None
    verdict = grade_frame(quality_metrics(frame.metrics), thresholds_of(observation))
    ref = matching_exposure_set(observation, frame)
    previous = frame.grade.exposure_set if frame.grade is not None else None
    await settle_count(frame, previous, ref if verdict.accepted else None)
    stored = StoredGrade(
        accepted=verdict.accepted,
        reasons=[
            StoredGradeReason(
                code=r.code.value, metric=r.metric, value=r.value, limit=r.limit, message=r.message
            )
            for r in verdict.reasons
        ],
        exposure_set=ref,
    )
    return Outcome(StepStatus.DONE, {"grade": stored.model_dump()})
