"""The weighted score that orders observations of equal priority.

Each component is a number in [0, 1], higher is better; the score is their weighted mean::

    score = sum(weight_i * component_i) / sum(weight_i)

Components:

* ``setting`` (urgency): ``1 - min(open_s / setting_scale_s, 1)`` where ``open_s`` is how
  long the observation's constraints stay open from now. Targets about to set (or to lose
  darkness, or to leave their window) go first.
* ``window`` (time-critical windows): ``1 - min(slack_s / window_scale_s, 1)`` where
  ``slack_s = window_end - now - remaining_s``; 0 without a window end.
* ``completion``: the fraction of the exposure plan already accepted; finishing started work.
* ``airmass`` (quality): ``sin(alt now) / max sin(alt)`` over the rest of the look-ahead;
  1 when now is the best time left (airmass is ``1 / sin(alt)``).
* ``switch`` (target-switch cost): ``1 - slew / 180 degrees`` from the current pointing; 1
  when the pointing is unknown.
* ``fairness``: ``1 - share`` of the recent observing time of the observation's project;
  1 when usage is unknown.

Scores are rounded to ``resolution`` before comparison so that near-equal scores fall
through to age (older first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.scheduling.models import FloatArray, IntArray, ObservationSet


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """Weights of the score components and their scales (seconds).

    Defaults: setting 0.30, window 0.25, completion 0.15, airmass 0.15, switch 0.05,
    fairness 0.10; setting scale 4 h, window scale 3 days, resolution 0.01.
    """

    setting: float = 0.30
    window: float = 0.25
    completion: float = 0.15
    airmass: float = 0.15
    switch: float = 0.05
    fairness: float = 0.10
    setting_scale_s: float = 4 * 3600.0
    window_scale_s: float = 3 * 86400.0
    resolution: float = 0.01

    def __post_init__(self) -> None:
        weights = (
            self.setting,
            self.window,
            self.completion,
            self.airmass,
            self.switch,
            self.fairness,
        )
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("weights must be >= 0 with a positive sum")


COMPONENTS = ("setting", "window", "completion", "airmass", "switch", "fairness")


@dataclass(frozen=True, slots=True, eq=False)
class ScoreBreakdown:
    """Score components (each in [0, 1]) and the weighted total, one entry per candidate."""

    setting: FloatArray
    window: FloatArray
    completion: FloatArray
    airmass: FloatArray
    switch: FloatArray
    fairness: FloatArray
    total: FloatArray

    def at(self, i: int) -> dict[str, float]:
        """Components and total of candidate ``i`` as a plain dict."""
        values = {name: float(getattr(self, name)[i]) for name in COMPONENTS}
        values["total"] = float(self.total[i])
        return values


def score(
    obs: ObservationSet,
    rows: IntArray,
    now: float,
    open_s: FloatArray,
    sin_alt_now: FloatArray,
    best_sin_alt: FloatArray,
    weights: ScoreWeights,
    pointing_unit: FloatArray | None = None,
    target_unit: FloatArray | None = None,
    project_usage_s: FloatArray | None = None,
) -> ScoreBreakdown:
    """Score the observations ``rows`` of ``obs`` at ``now``.

    Parameters
    ----------
    obs : ObservationSet
    rows : int array, shape (M,)
        Candidates (indices into ``obs``).
    now : float
        UTC POSIX seconds.
    open_s : float array, shape (M,)
        Seconds the constraints stay open from now.
    sin_alt_now, best_sin_alt : float array, shape (M,)
        Sine of the altitude now and its maximum over the rest of the look-ahead.
    weights : ScoreWeights
    pointing_unit : float array, shape (3,), optional
        Current pointing (any consistent Cartesian frame with ``target_unit``).
    target_unit : float array, shape (M, 3), optional
    project_usage_s : float array, optional
        Recent observing time per project (seconds), indexed by project.

    Returns
    -------
    ScoreBreakdown
    """
    count = rows.shape[0]
    setting = 1.0 - np.clip(open_s / weights.setting_scale_s, 0.0, 1.0)
    slack = obs.window_end[rows] - now - obs.remaining_s[rows]
    with np.errstate(invalid="ignore"):
        window = np.where(
            np.isfinite(slack), 1.0 - np.clip(slack / weights.window_scale_s, 0.0, 1.0), 0.0
        )
    completion = np.clip(obs.fraction_complete[rows], 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        airmass = np.where(best_sin_alt > 0, np.clip(sin_alt_now / best_sin_alt, 0.0, 1.0), 0.0)
    if pointing_unit is not None and target_unit is not None:
        cos_slew = np.clip(target_unit @ pointing_unit, -1.0, 1.0)
        switch = 1.0 - np.degrees(np.arccos(cos_slew)) / 180.0
    else:
        switch = np.ones(count)
    if project_usage_s is not None and float(project_usage_s.sum()) > 0:
        share = project_usage_s / float(project_usage_s.sum())
        projects = obs.project[rows]
        inside = (projects >= 0) & (projects < share.shape[0])
        fairness = np.where(inside, 1.0 - share[np.clip(projects, 0, share.shape[0] - 1)], 1.0)
    else:
        fairness = np.ones(count)
    total = (
        weights.setting * setting
        + weights.window * window
        + weights.completion * completion
        + weights.airmass * airmass
        + weights.switch * switch
        + weights.fairness * fairness
    ) / (
        weights.setting
        + weights.window
        + weights.completion
        + weights.airmass
        + weights.switch
        + weights.fairness
    )
    return ScoreBreakdown(setting, window, completion, airmass, switch, fairness, total)


def ranking(
    priority: IntArray,
    total: FloatArray,
    created_at: FloatArray,
    rows: IntArray,
    resolution: float,
    time_critical: np.ndarray[tuple[int], np.dtype[np.bool_]] | None = None,
) -> IntArray:
    """Order of candidates, best first (positions into ``rows``).

    Keys, most significant first: time-critical now (when given), priority (high first),
    score rounded to ``resolution`` (high first), ``created_at`` (old first), index.
    """
    rounded = np.round(total / resolution) if resolution > 0 else total
    keys: list[np.ndarray[tuple[int], np.dtype[np.generic]]] = [
        rows,
        created_at,
        -rounded,
        -priority,
    ]
    if time_critical is not None:
        keys.append(~time_critical)
    order: IntArray = np.lexsort(keys).astype(np.int64)
    return order
