"""Rules an observation must follow, each failure with the path of the field that broke it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.errors import FieldProblem
from domain.observations.observation import (
    AcceptanceThresholds,
    Constraints,
    ExposureSet,
    ObservationType,
    Target,
    TypeSettings,
)
from domain.observatories.observatory import Observatory

MAX_EXPOSURE_S = 24 * 3600.0
MAX_COUNT = 10_000
MAX_TARGETS = 100
MAX_NOTES = 10_000
Path = tuple[str, ...]


def _problem(path: Path, message: str) -> FieldProblem:
    return FieldProblem(path, message)


def check_name_and_priority(name: str, priority: int) -> list[FieldProblem]:
    problems = []
    if not 1 <= len(name.strip()) <= 200:
        problems.append(_problem(("name",), "must be 1 to 200 characters"))
    if not 1 <= priority <= 10:
        problems.append(_problem(("priority",), "must be from 1 (lowest) to 10 (highest)"))
    return problems


def check_notes(notes: str) -> list[FieldProblem]:
    if len(notes) > MAX_NOTES:
        return [_problem(("notes",), f"must be at most {MAX_NOTES} characters")]
    return []


def check_exposures(
    path: Path, exposures: Sequence[ExposureSet], observatories: Sequence[Observatory]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not exposures:
        problems.append(_problem(path, "needs at least one exposure set"))
    for index, exposure in enumerate(exposures):
        at = (*path, str(index))
        if exposure.count < 1 or exposure.count > MAX_COUNT:
            problems.append(_problem((*at, "count"), f"must be from 1 to {MAX_COUNT}"))
        if not 0 < exposure.exposure_s <= MAX_EXPOSURE_S:
            problems.append(
                _problem((*at, "exposure_s"), "must be more than 0 and at most 86400 seconds")
            )
        if not 1 <= exposure.binning <= 4:
            problems.append(_problem((*at, "binning"), "must be from 1 to 4"))
        if not exposure.filter.strip():
            problems.append(_problem((*at, "filter"), "must name a filter"))
        lacking = [o.code for o in observatories if exposure.filter not in o.equipment.filters]
        if exposure.filter.strip() and lacking:
            problems.append(
                _problem(
                    (*at, "filter"),
                    f"filter {exposure.filter!r} is not on observatory {', '.join(lacking)}",
                )
            )
        unbinnable = [
            o.code for o in observatories if exposure.binning not in o.equipment.binning_modes
        ]
        if 1 <= exposure.binning <= 4 and unbinnable:
            problems.append(
                _problem(
                    (*at, "binning"),
                    f"binning {exposure.binning} is not offered by {', '.join(unbinnable)}",
                )
            )
    return problems


def check_targets(
    requested: int, targets: Sequence[tuple[int, Target]], observatories: Sequence[Observatory]
) -> list[FieldProblem]:
    """`requested` counts targets asked for; `targets` are those resolved, by request index."""
    problems: list[FieldProblem] = []
    if requested == 0:
        problems.append(_problem(("targets",), "needs at least one target"))
    if requested > MAX_TARGETS:
        problems.append(_problem(("targets",), f"at most {MAX_TARGETS} targets"))
    for index, target in targets:
        at: Path = ("targets", str(index))
        if not 0.0 <= target.ra_deg < 360.0:
            problems.append(_problem((*at, "ra"), "must be from 0 to less than 360 degrees"))
        if not -90.0 <= target.dec_deg <= 90.0:
            problems.append(_problem((*at, "dec"), "must be from -90 to +90 degrees"))
        problems += check_exposures((*at, "exposures"), target.exposures, observatories)
    return problems


def check_constraints(constraints: Constraints, now: datetime) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    at: Path = ("constraints",)
    if not 0.0 <= constraints.min_altitude_deg <= 90.0:
        problems.append(_problem((*at, "min_altitude_deg"), "must be from 0 to 90 degrees"))
    if not 1.0 <= constraints.max_airmass <= 40.0:
        problems.append(_problem((*at, "max_airmass"), "must be from 1 to 40"))
    if not 0.0 <= constraints.moon_separation_deg <= 180.0:
        problems.append(_problem((*at, "moon_separation_deg"), "must be from 0 to 180 degrees"))
    if not 0.0 < constraints.moon_separation_width_days <= 30.0:
        problems.append(
            _problem((*at, "moon_separation_width_days"), "must be more than 0 and at most 30")
        )
    if not 0.0 <= constraints.max_moon_illumination <= 1.0:
        problems.append(_problem((*at, "max_moon_illumination"), "must be from 0 to 1"))
    for index, window in enumerate(constraints.windows):
        path = (*at, "windows", str(index))
        if window.end <= window.start:
            problems.append(_problem((*path, "end"), "must be after the start"))
        elif window.end <= now:
            problems.append(_problem((*path, "end"), "the window is wholly in the past"))
    return problems


def check_type_settings(
    kind: ObservationType, settings: TypeSettings, now: datetime
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    at: Path = ("type_settings",)
    if kind is ObservationType.FIXED_TIME:
        if settings.fixed_start is None:
            problems.append(_problem((*at, "fixed_start"), "a fixed-time observation needs it"))
        elif settings.fixed_end is not None and settings.fixed_end <= settings.fixed_start:
            problems.append(_problem((*at, "fixed_end"), "must be after fixed_start"))
        elif (settings.fixed_end or settings.fixed_start) <= now:
            problems.append(_problem((*at, "fixed_start"), "the fixed time is in the past"))
    if kind is ObservationType.TIME_BASED and not (settings.allocated_minutes or 0) > 0:
        problems.append(
            _problem((*at, "allocated_minutes"), "a time-based observation needs a duration")
        )
    if kind is ObservationType.MONITORING:
        if not (settings.cadence_days or 0) > 0:
            problems.append(_problem((*at, "cadence_days"), "monitoring needs a cadence in days"))
        if (
            settings.cadence_start is not None
            and settings.cadence_end is not None
            and settings.cadence_end <= settings.cadence_start
        ):
            problems.append(_problem((*at, "cadence_end"), "must be after cadence_start"))
    return problems


def check_thresholds(thresholds: AcceptanceThresholds) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    at: Path = ("thresholds",)
    if thresholds.max_fwhm_arcsec is not None and thresholds.max_fwhm_arcsec <= 0:
        problems.append(_problem((*at, "max_fwhm_arcsec"), "must be more than 0"))
    if thresholds.min_stars is not None and thresholds.min_stars < 0:
        problems.append(_problem((*at, "min_stars"), "must not be negative"))
    if thresholds.max_eccentricity is not None and not 0 <= thresholds.max_eccentricity <= 1:
        problems.append(_problem((*at, "max_eccentricity"), "must be from 0 to 1"))
    if thresholds.min_snr is not None and thresholds.min_snr < 0:
        problems.append(_problem((*at, "min_snr"), "must not be negative"))
    return problems
