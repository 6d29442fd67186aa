"""Counting accepted frames into their observation's ExposureSet.accepted, exactly once.

The observation holds the ids of the frames it has counted (`accepted_frame_ids`), and each
count is one conditional update of that one document: the increment and the id are written
together or not at all, so retries and re-grades never count a frame twice.
"""

from __future__ import annotations

import math
from typing import Any

from domain.frames.frame import ExposureSetRef, Frame
from domain.frames.usage import record_frame_acceptance
from domain.observations.observation import Observation


def _sky_distance_deg(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    r1, d1, r2, d2 = map(math.radians, (ra1, dec1, ra2, dec2))
    cos = math.sin(d1) * math.sin(d2) + math.cos(d1) * math.cos(d2) * math.cos(r1 - r2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def matching_exposure_set(observation: Observation, frame: Frame) -> ExposureSetRef | None:
    """The ExposureSet with the frame's filter, exposure time and binning.

    With several targets holding such a set, the one nearest the frame's solved centre (or
    its header pointing) is chosen.
    """
    metadata = frame.metadata
    if metadata is None or metadata.exposure_s is None:
        return None
    wanted_filter = (metadata.filter_name or "").strip().lower()
    candidates: list[ExposureSetRef] = []
    for t, target in enumerate(observation.targets):
        for e, exposure in enumerate(target.exposures):
            same_time = math.isclose(exposure.exposure_s, metadata.exposure_s, rel_tol=5e-3)
            if (
                exposure.filter.strip().lower() == wanted_filter
                and same_time
                and exposure.binning == metadata.xbinning
            ):
                candidates.append(ExposureSetRef(target_index=t, exposure_index=e))
                break
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if frame.solution is not None:
        ra, dec = frame.solution.ra_deg, frame.solution.dec_deg
    elif metadata.ra_deg is not None and metadata.dec_deg is not None:
        ra, dec = metadata.ra_deg, metadata.dec_deg
    else:
        return candidates[0]
    targets = observation.targets

    def distance(ref: ExposureSetRef) -> float:
        target = targets[ref.target_index]
        return _sky_distance_deg(ra, dec, target.ra_deg, target.dec_deg)

    return min(candidates, key=distance)


def _path(ref: ExposureSetRef) -> str:
    return f"targets.{ref.target_index}.exposures.{ref.exposure_index}.accepted"


def _observations() -> Any:
    return Observation.get_pymongo_collection()


async def count_frame(frame: Frame, ref: ExposureSetRef) -> bool:
    """Add one to the set's accepted count unless this frame is counted; True if it counted.

    A count is also a `frame_accepted` usage event (domain/frames/usage.py).
    """
    result = await _observations().update_one(
        {"_id": frame.observation_id, "accepted_frame_ids": {"$ne": frame.id}},
        {"$inc": {_path(ref): 1}, "$push": {"accepted_frame_ids": frame.id}},
    )
    if result.modified_count:
        await record_frame_acceptance(frame)
    return bool(result.modified_count)


async def uncount_frame(frame: Frame, ref: ExposureSetRef) -> bool:
    """Take one off the set's accepted count if this frame is counted; True if it was.

    The usage event of the acceptance is then withdrawn (domain/frames/usage.py).
    """
    result = await _observations().update_one(
        {"_id": frame.observation_id, "accepted_frame_ids": frame.id},
        {"$inc": {_path(ref): -1}, "$pull": {"accepted_frame_ids": frame.id}},
    )
    if result.modified_count:
        await record_frame_acceptance(frame, withdrawn=True)
    return bool(result.modified_count)


async def settle_count(
    frame: Frame, previous: ExposureSetRef | None, wanted: ExposureSetRef | None
) -> None:
    """Make the observation count the frame in `wanted`, or not at all when it is None.

    `previous` is the set a former grade matched (where a count would have to be taken back).
    Both updates are conditional on the frame's id in `accepted_frame_ids`, so repeating
    this after an interruption changes nothing.
    """
    if frame.observation_id is None:
        return
    if wanted is not None:
        await count_frame(frame, wanted)
    elif previous is not None:
        await uncount_frame(frame, previous)
