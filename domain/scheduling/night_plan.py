"""Night plan: the sequence of dispatch decisions the engine would make over a night.

The plan simulates dispatch on a regular grid (default 5 minutes): at the first grid time the
observatory is idle, the best eligible observation (the ranking of
:mod:`domain.scheduling.dispatch`, which already prefers work whose constraints close
soonest) runs until it is done, its constraints close (last grid point where they all hold),
its window ends, or the next observable fixed-time start; then the clock moves to the next
grid time. Flexible work with ``min_block_s < remaining_s`` may run in several pieces. Nothing
runs while no observation is eligible. Every grid time inside a planned run satisfies every
constraint of that observation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from domain.scheduling.dispatch import DispatchConfig, fixed_time_end, select
from domain.scheduling.ephemeris import Ephemeris, altaz_deg
from domain.scheduling.lookahead import build_lookahead, grid
from domain.scheduling.models import FloatArray, ObservationSet, ObservatoryState

_EPS_S = 1e-6


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One planned run (UTC POSIX seconds) and why it was chosen."""

    index: int
    observation_id: str
    start: float
    end: float
    priority: int
    time_critical: bool
    score: dict[str, float]


@dataclass(frozen=True, slots=True, eq=False)
class NightPlan:
    """The planned runs, with altitude curves of the planned targets.

    Attributes
    ----------
    runs : tuple of PlannedRun
        In time order.
    times : float array, shape (T,)
        The plan's grid (UTC POSIX seconds).
    altitude_deg : dict of int -> float array, shape (T,)
        Altitude curve (degrees) of each planned observation's target, by index.
    sun_altitude_deg, moon_altitude_deg : float array, shape (T,)
    """

    runs: tuple[PlannedRun, ...]
    times: FloatArray
    altitude_deg: dict[int, FloatArray]
    sun_altitude_deg: FloatArray
    moon_altitude_deg: FloatArray

    def priority_weighted_hours(self) -> float:
        """Sum over runs of priority × duration (hours)."""
        return sum(run.priority * (run.end - run.start) / 3600.0 for run in self.runs)

    def scheduled_hours(self) -> float:
        """Total planned time (hours)."""
        return sum((run.end - run.start) / 3600.0 for run in self.runs)


def plan_night(
    eph: Ephemeris,
    obs: ObservationSet,
    start: float,
    end: float,
    state: ObservatoryState | None = None,
    config: DispatchConfig | None = None,
) -> NightPlan:
    """Plan the night from ``start`` to ``end`` by simulating dispatch.

    Parameters
    ----------
    eph : Ephemeris
        Covers [start, end].
    obs : ObservationSet
        Pending observations for this observatory.
    start, end : float
        UTC POSIX seconds.
    state : ObservatoryState, optional
        Reservations, initial pointing and project usage; an unsafe observatory or disabled
        dispatch gives an empty plan.
    config : DispatchConfig, optional
        ``step_s`` is the plan's grid step.

    Returns
    -------
    NightPlan
    """
    config = config or DispatchConfig()
    state = state or ObservatoryState()
    times = grid(start, min(end, eph.end), config.step_s)
    la = build_lookahead(eph, obs, times, state.reservations)
    remaining = obs.remaining_s.astype(np.float64, copy=True)
    active = remaining > 0
    if not state.safe or not state.dispatch_enabled:
        active[:] = False
    any_ok_ahead = np.flip(np.logical_or.accumulate(np.flip(la.ok.any(axis=0))))
    runs: list[PlannedRun] = []
    ra, dec = obs.targets.ra_deg, obs.targets.dec_deg
    k = 0
    count = times.shape[0]
    while k < count and active.any() and any_ok_ahead[k]:
        if not la.ok[:, k].any():
            k += 1
            continue
        selection = select(obs, la, k, active, remaining, config, state)
        if selection.rows.size == 0:
            k += 1
            continue
        n = int(selection.rows[0])
        now = float(times[k])
        close = float(selection.close[0])
        if obs.fixed_time[n]:
            finish = min(close, fixed_time_end(obs, n, now))
        else:
            finish = min(
                close,
                now + float(remaining[n]),
                float(obs.window_end[n]),
                selection.fixed_barrier,
            )
        if finish <= now:
            k += 1
            continue
        runs.append(
            PlannedRun(
                index=n,
                observation_id=obs.ids[n],
                start=now,
                end=finish,
                priority=int(obs.priority[n]),
                time_critical=bool(selection.time_critical[0]),
                score=selection.breakdown.at(0),
            )
        )
        remaining[n] = 0.0 if obs.fixed_time[n] else remaining[n] - (finish - now)
        if remaining[n] <= _EPS_S:
            active[n] = False
        state = replace(
            state, running=None, pointing_ra_deg=float(ra[n]), pointing_dec_deg=float(dec[n])
        )
        k = int(np.searchsorted(times, finish - _EPS_S, side="left"))
        k = max(k, int(np.searchsorted(times, now, side="right")))

    planned = sorted({run.index for run in runs})
    curves: dict[int, FloatArray] = {}
    if planned:
        alt, _ = altaz_deg(eph, la.apparent[planned], times)
        curves = {index: alt[i] for i, index in enumerate(planned)}
    return NightPlan(
        runs=tuple(runs),
        times=times,
        altitude_deg=curves,
        sun_altitude_deg=la.sky.sun_altitude_deg,
        moon_altitude_deg=la.sky.moon_altitude_deg,
    )
