"""Just-in-time dispatch: which observation an observatory should run now, and until when.

Eligibility at time ``now`` (all must hold):

* the observatory is safe and dispatch is enabled (otherwise nothing is dispatched);
* every constraint holds now (see :mod:`domain.scheduling.constraints`);
* the block fits: the constraints stay open (checked on the look-ahead grid) for at least the
  needed time, ``min(min_block_s, remaining_s)`` for flexible work and
  ``min(min_block_s, window_end - now)`` for fixed-time work; flexible work must also fit
  before the next fixed-time start that will be observable (fixed windows are protected).

Ordering of eligible work, most significant first:

1. time-critical now: fixed-time work inside its window, and work whose window closes within
   ``PreemptionPolicy.time_critical_slack_s`` after the earliest it could finish;
2. priority, 10 first;
3. the weighted score of :mod:`domain.scheduling.scoring`, rounded to its resolution;
4. age: ``created_at``, oldest first (then input order).

Preemption of running work (:class:`PreemptionPolicy`):

* fixed-time work, once started, is never preempted by the engine (only safety stops it,
  which the caller handles: an unsafe observatory gets ``Wait(UNSAFE)``);
* time-critical work preempts running flexible work when waiting for the running work's
  ``until`` would make it lose time: always for fixed-time work whose window has started,
  otherwise when its constraints or window would close before it could finish after the
  running work (``time_critical_preempts_flexible``, default on);
* higher-priority work preempts running flexible work when its priority is at least
  ``priority_margin`` (default 3) above and the running work has run ``min_run_s`` (default
  15 minutes); ``priority_margin=None`` disables it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from domain.scheduling.constraints import observable
from domain.scheduling.ephemeris import Ephemeris
from domain.scheduling.lookahead import Lookahead, build_lookahead, grid, open_until
from domain.scheduling.models import (
    BoolArray,
    FloatArray,
    IntArray,
    ObservationSet,
    ObservatoryState,
    Reservation,
    RunningWork,
)
from domain.scheduling.scoring import ScoreBreakdown, ScoreWeights, ranking, score

_EPS_S = 1e-6


@dataclass(frozen=True, slots=True)
class PreemptionPolicy:
    """When new work may interrupt running work (see the module docstring)."""

    time_critical_preempts_flexible: bool = True
    time_critical_slack_s: float = 1800.0
    priority_margin: int | None = 3
    min_run_s: float = 900.0


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Tunables of dispatch and night plans.

    Attributes
    ----------
    weights : ScoreWeights
    policy : PreemptionPolicy
    step_s : float
        Look-ahead grid step (seconds), default 5 minutes.
    lookahead_s : float
        How far ahead constraints are checked (seconds), default 16 hours, capped by the
        ephemeris. A decision looks only as far as the longest needed block or the score's
        ``setting_scale_s`` (whichever is longer) when something can run now.
    refine_step_s : float
        Resolution (seconds) of the ``until`` time of a dispatched run, default 10 s.
    """

    weights: ScoreWeights = field(default_factory=ScoreWeights)
    policy: PreemptionPolicy = field(default_factory=PreemptionPolicy)
    step_s: float = 300.0
    lookahead_s: float = 16 * 3600.0
    refine_step_s: float = 10.0


class WaitReason(enum.Enum):
    """Why nothing runs now."""

    UNSAFE = "unsafe"
    DISPATCH_DISABLED = "dispatch_disabled"
    NOTHING_ELIGIBLE_NOW = "nothing_eligible_now"
    NOTHING_IN_LOOKAHEAD = "nothing_in_lookahead"


@dataclass(frozen=True, slots=True)
class Run:
    """Start observation ``index`` now and run it until ``until`` (UTC POSIX seconds)."""

    index: int
    observation_id: str
    start: float
    until: float
    priority: int
    time_critical: bool
    score: dict[str, float]
    preempts: int | None = None


@dataclass(frozen=True, slots=True)
class Continue:
    """Keep running the current work (index -1 when not in the ObservationSet)."""

    index: int
    until: float


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing to run now; ``until`` is when the next candidate becomes eligible, if known."""

    reason: WaitReason
    until: float | None = None
    next_index: int | None = None


Decision = Run | Continue | Wait


@dataclass(frozen=True, slots=True, eq=False)
class Selection:
    """Eligible candidates at one grid time, best first, with their scores."""

    rows: IntArray
    breakdown: ScoreBreakdown
    priority: IntArray
    fixed: BoolArray
    time_critical: BoolArray
    close: FloatArray
    available_s: FloatArray
    needed_s: FloatArray
    fixed_barrier: float


def select(
    obs: ObservationSet,
    la: Lookahead,
    k: int,
    active: BoolArray,
    remaining_s: FloatArray,
    config: DispatchConfig,
    state: ObservatoryState,
) -> Selection:
    """Rank the observations eligible at grid time ``la.times[k]`` (shared by dispatch and plans).

    Parameters
    ----------
    obs : ObservationSet
    la : Lookahead
    k : int
        Grid index of "now".
    active : bool array, shape (N,)
        Observations that may be chosen (pending, not running).
    remaining_s : float array, shape (N,)
        Remaining time (seconds), possibly less than ``obs.remaining_s`` inside a plan.
    config : DispatchConfig
    state : ObservatoryState
        For pointing and project usage.

    Returns
    -------
    Selection
        ``rows`` in rank order; other arrays aligned with ``rows``.
    """
    now = float(la.times[k])
    barrier = _fixed_barrier(obs, la, k, active)
    close = la.close_at(k)
    fixed = obs.fixed_time
    needed = np.where(
        fixed,
        np.minimum(obs.min_block_s, obs.window_end - now),
        np.minimum(obs.min_block_s, remaining_s),
    )
    limit = np.where(fixed, close, np.minimum(close, barrier))
    available = limit - now
    with np.errstate(invalid="ignore"):
        eligible = active & la.ok[:, k] & (available >= needed - _EPS_S) & (needed > 0)
    rows = np.flatnonzero(eligible).astype(np.int64)
    critical = _time_critical(obs, rows, now, remaining_s, config.policy)
    pointing = _pointing_unit(state)
    breakdown = score(
        obs,
        rows,
        now,
        open_s=close[rows] - now,
        sin_alt_now=la.sin_altitude[rows, k],
        best_sin_alt=la.best_sin_altitude_at(k)[rows],
        weights=config.weights,
        pointing_unit=pointing,
        target_unit=None if pointing is None else obs.targets.unit_vectors()[rows],
        project_usage_s=state.project_usage_s,
    )
    order = ranking(
        obs.priority[rows],
        breakdown.total,
        obs.created_at[rows],
        rows,
        config.weights.resolution,
        critical,
    )
    return Selection(
        rows=rows[order],
        breakdown=ScoreBreakdown(*(getattr(breakdown, f)[order] for f in _BREAKDOWN_FIELDS)),
        priority=obs.priority[rows][order],
        fixed=obs.fixed_time[rows][order],
        time_critical=critical[order],
        close=close[rows][order],
        available_s=available[rows][order],
        needed_s=needed[rows][order],
        fixed_barrier=barrier,
    )


_BREAKDOWN_FIELDS = ("setting", "window", "completion", "airmass", "switch", "fairness", "total")


def next_work(
    eph: Ephemeris,
    obs: ObservationSet,
    state: ObservatoryState,
    now: float,
    config: DispatchConfig | None = None,
) -> Decision:
    """Decide what the observatory should do at ``now``.

    Parameters
    ----------
    eph : Ephemeris
        The observatory's ephemeris; must cover ``now``.
    obs : ObservationSet
        Pending observations that may run at this observatory (plus the running one, if
        ``state.running.index`` points at it).
    state : ObservatoryState
        Safety, dispatch switch, reservations, running work, pointing, project usage.
    now : float
        UTC POSIX seconds.
    config : DispatchConfig, optional

    Returns
    -------
    Run | Continue | Wait
    """
    config = config or DispatchConfig()
    if not state.safe:
        return Wait(WaitReason.UNSAFE)
    if not state.dispatch_enabled:
        return Wait(WaitReason.DISPATCH_DISABLED)
    if not eph.start <= now <= eph.end:
        raise ValueError("the ephemeris does not cover now")
    running = state.running
    if running is not None and running.fixed_time and now < running.until:
        return Continue(running.index, running.until)

    # Decide on a look-ahead just long enough for the longest block and the score's setting
    # scale; look further (config.lookahead_s) only when nothing can run now.
    needed = np.where(
        obs.fixed_time,
        np.minimum(obs.min_block_s, obs.window_end - now),
        np.minimum(obs.min_block_s, obs.remaining_s),
    )
    span = max(config.weights.setting_scale_s, float(np.max(needed, initial=0.0)))
    span = min(span + 2 * config.step_s, config.lookahead_s)
    la = build_lookahead(
        eph, obs, grid(now, min(eph.end, now + span), config.step_s), state.reservations
    )
    active = np.ones(len(obs), dtype=np.bool_)
    running_on = False
    if running is not None and 0 <= running.index < len(obs):
        running_on = bool(la.ok[running.index, 0]) and now < running.until
        # Still running: not a candidate. Over (until passed or constraints closed): its
        # remaining time may be picked again like any other pending work.
        active[running.index] = not running_on
    elif running is not None:
        running_on = now < running.until

    selection = select(obs, la, 0, active, obs.remaining_s, config, state)
    if running is not None and running_on:
        if selection.rows.size and _may_preempt(selection, 0, running, now, config.policy):
            return _run(eph, obs, la, selection, 0, state.reservations, config, running.index)
        return Continue(running.index, running.until)
    if selection.rows.size == 0:
        if span < config.lookahead_s and la.times[-1] < eph.end:
            times = grid(now, min(eph.end, now + config.lookahead_s), config.step_s)
            la = build_lookahead(eph, obs, times, state.reservations)
        return _wait(obs, la, active, config, state)
    return _run(eph, obs, la, selection, 0, state.reservations, config, None)


def _run(
    eph: Ephemeris,
    obs: ObservationSet,
    la: Lookahead,
    selection: Selection,
    position: int,
    reservations: tuple[Reservation, ...],
    config: DispatchConfig,
    preempts: int | None,
) -> Run:
    index = int(selection.rows[position])
    now = float(la.times[0])
    close = _refine_close(
        eph, obs, index, float(selection.close[position]), la, reservations, config
    )
    if obs.fixed_time[index]:
        until = min(close, fixed_time_end(obs, index, now))
    else:
        until = min(
            close,
            now + float(obs.remaining_s[index]),
            float(obs.window_end[index]),
            selection.fixed_barrier,
        )
    return Run(
        index=index,
        observation_id=obs.ids[index],
        start=now,
        until=until,
        priority=int(obs.priority[index]),
        time_critical=bool(selection.time_critical[position]),
        score=selection.breakdown.at(position),
        preempts=preempts,
    )


def _refine_close(
    eph: Ephemeris,
    obs: ObservationSet,
    index: int,
    close: float,
    la: Lookahead,
    reservations: tuple[Reservation, ...],
    config: DispatchConfig,
) -> float:
    # The grid says the constraints hold at `close` and fail one step later (unless `close` is
    # the end of the look-ahead): find the last fine step between the two that still holds.
    if close >= float(la.times[-1]):
        return close
    fine = grid(close, close + float(la.times[1] - la.times[0]), config.refine_step_s)
    ok = observable(eph, obs.take(np.array([index])), fine, reservations)[0]
    failing = np.flatnonzero(~ok)
    if failing.size == 0:
        return float(fine[-1])
    return float(fine[max(int(failing[0]) - 1, 0)])


def _wait(
    obs: ObservationSet,
    la: Lookahead,
    active: BoolArray,
    config: DispatchConfig,
    state: ObservatoryState,
) -> Wait:
    times = la.times
    needed = np.where(
        obs.fixed_time[:, None],
        np.minimum(obs.min_block_s[:, None], obs.window_end[:, None] - times[None, :]),
        np.minimum(obs.min_block_s, obs.remaining_s)[:, None],
    )
    with np.errstate(invalid="ignore"):
        fits = (
            la.ok & active[:, None] & (open_until(la.ok, times) - times[None, :] >= needed - _EPS_S)
        )
    # The first column where something fits; select() also applies the fixed-time barrier,
    # which may push flexible work further out.
    for k in np.flatnonzero(fits.any(axis=0)):
        if k == 0:
            continue
        selection = select(obs, la, int(k), active, obs.remaining_s, config, state)
        if selection.rows.size:
            return Wait(WaitReason.NOTHING_ELIGIBLE_NOW, float(times[k]), int(selection.rows[0]))
    return Wait(WaitReason.NOTHING_IN_LOOKAHEAD)


def fixed_time_end(obs: ObservationSet, index: int, start: float) -> float:
    """End of a fixed-time run started at ``start`` (UTC POSIX seconds).

    The window end is authoritative; without one (start-only mode) the run lasts the
    remaining exposure time.
    """
    end = float(obs.window_end[index])
    return end if np.isfinite(end) else start + float(obs.remaining_s[index])


def _fixed_barrier(obs: ObservationSet, la: Lookahead, k: int, active: BoolArray) -> float:
    now = float(la.times[k])
    step = float(la.times[1] - la.times[0]) if la.times.shape[0] > 1 else 1.0
    upcoming = np.flatnonzero(
        active & obs.fixed_time & (obs.window_start > now) & (obs.window_start <= la.times[-1])
    )
    if upcoming.size == 0:
        return float("inf")
    start_k = np.ceil((obs.window_start[upcoming] - float(la.times[0])) / step - 1e-9)
    start_k = np.clip(start_k.astype(np.int64), 0, la.times.shape[0] - 1)
    observable_then = la.ok[upcoming, start_k]
    if not observable_then.any():
        return float("inf")
    return float(obs.window_start[upcoming[observable_then]].min())


def _time_critical(
    obs: ObservationSet,
    rows: IntArray,
    now: float,
    remaining_s: FloatArray,
    policy: PreemptionPolicy,
) -> BoolArray:
    in_fixed_window = obs.fixed_time[rows] & (obs.window_start[rows] <= now)
    slack = obs.window_end[rows] - now - remaining_s[rows]
    with np.errstate(invalid="ignore"):
        closing = np.isfinite(slack) & (slack <= policy.time_critical_slack_s)
    result: BoolArray = in_fixed_window | closing
    return result


def _may_preempt(
    selection: Selection,
    position: int,
    running: RunningWork,
    now: float,
    policy: PreemptionPolicy,
) -> bool:
    if running.fixed_time:
        return False
    if policy.time_critical_preempts_flexible and selection.time_critical[position]:
        if selection.fixed[position]:
            return True
        latest_start = float(selection.close[position]) - float(selection.needed_s[position])
        if latest_start < running.until:
            return True
    margin = policy.priority_margin
    if margin is None:
        return False
    return bool(
        int(selection.priority[position]) >= running.priority + margin
        and now - running.started_at >= policy.min_run_s
    )


def _pointing_unit(state: ObservatoryState) -> FloatArray | None:
    ra: float | None
    dec: float | None
    if state.running is not None:
        ra, dec = state.running.ra_deg, state.running.dec_deg
    else:
        ra, dec = state.pointing_ra_deg, state.pointing_dec_deg
    if ra is None or dec is None:
        return None
    ra_r, dec_r = np.radians(ra), np.radians(dec)
    return np.array([np.cos(dec_r) * np.cos(ra_r), np.cos(dec_r) * np.sin(ra_r), np.sin(dec_r)])
