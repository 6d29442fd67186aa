"""Look-ahead over a time grid: how long each observation's constraints stay open.

Dispatch and night plans both work on a regular grid of times. An observation may run over
``[t_k, t_j]`` when every constraint holds at every grid point from ``k`` to ``j``; the run
must end by the last such grid point (a conservative rounding to the grid step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.scheduling.constraints import SkyState, observable, sky_state
from domain.scheduling.ephemeris import Ephemeris, sin_altitude
from domain.scheduling.models import BoolArray, FloatArray, ObservationSet, Reservation


@dataclass(frozen=True, slots=True, eq=False)
class Lookahead:
    """Constraint state of N observations on a grid of T times.

    Attributes
    ----------
    times : float array, shape (T,)
        UTC POSIX seconds, regular.
    ok : bool array, shape (N, T)
        Every constraint holds.
    sin_altitude : float array, shape (N, T)
    apparent : float array, shape (N, 3)
        Apparent CIRS unit vectors of the targets.
    sky : SkyState
    """

    times: FloatArray
    ok: BoolArray
    sin_altitude: FloatArray
    apparent: FloatArray
    sky: SkyState

    def close_at(self, k: int) -> FloatArray:
        """Last grid time up to which every constraint keeps holding from grid time ``k``.

        Returns
        -------
        float array, shape (N,)
            UTC POSIX seconds; ``nan`` where the constraints do not hold at ``k``;
            ``times[-1]`` where they are still open at the end of the grid.
        """
        ahead = self.ok[:, k:]
        first_false = np.argmin(ahead, axis=1)
        all_true = ahead[np.arange(ahead.shape[0]), first_false]
        last = np.where(all_true, ahead.shape[1] - 1, first_false - 1) + k
        result: FloatArray = np.where(self.ok[:, k], self.times[np.maximum(last, k)], np.nan)
        return result

    def best_sin_altitude_at(self, k: int) -> FloatArray:
        """Highest sine of altitude from grid time ``k`` to the end of the grid, shape (N,)."""
        result: FloatArray = self.sin_altitude[:, k:].max(axis=1)
        return result


def open_until(ok: BoolArray, times: FloatArray) -> FloatArray:
    """Last grid time up to which ``ok`` stays true from each grid time, shape (N, T).

    Parameters
    ----------
    ok : bool array, shape (N, T)
    times : float array, shape (T,)

    Returns
    -------
    float array, shape (N, T)
        ``nan`` where ``ok`` is false.
    """
    count = times.shape[0]
    index = np.arange(count)
    first_false = np.where(ok, count, index[None, :])
    first_false = np.minimum.accumulate(first_false[:, ::-1], axis=1)[:, ::-1]
    last_ok = np.clip(first_false - 1, 0, count - 1)
    result: FloatArray = np.where(ok, times[last_ok], np.nan)
    return result


def build_lookahead(
    eph: Ephemeris,
    obs: ObservationSet,
    times: FloatArray,
    reservations: tuple[Reservation, ...] = (),
) -> Lookahead:
    """Evaluate constraints of ``obs`` on ``times`` and derive run lengths.

    Parameters
    ----------
    eph : Ephemeris
        Must cover ``times``.
    obs : ObservationSet
    times : float array, shape (T,)
        Regular grid, UTC POSIX seconds.
    reservations : tuple of Reservation

    Returns
    -------
    Lookahead
    """
    apparent = eph.apparent(obs.targets.unit_vectors())
    sky = sky_state(eph, times)
    sin_alt = sin_altitude(eph, apparent, times)
    ok = observable(eph, obs, times, reservations, apparent=apparent, sky=sky, sin_alt=sin_alt)
    return Lookahead(times=times, ok=ok, sin_altitude=sin_alt, apparent=apparent, sky=sky)


def grid(start: float, end: float, step_s: float) -> FloatArray:
    """Regular grid from ``start`` to at most ``end`` (UTC POSIX seconds), at least 1 point."""
    count = int(np.floor((end - start) / step_s + 1e-9)) + 1
    return start + step_s * np.arange(max(count, 1), dtype=np.float64)
