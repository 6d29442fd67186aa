"""Plain value types of the scheduling core: sites, targets, observations, observatory state.

Times are UTC POSIX seconds (``float``), angles are degrees, durations are seconds. Arrays are
one entry per observation; the caller maps its documents to these arrays and back through
``ObservationSet.ids``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from domain.scheduling.horizon import HorizonMask

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DEFAULT_MIN_ALTITUDE_DEG = 30.0
DEFAULT_MAX_AIRMASS = 2.0
DEFAULT_MOON_DISTANCE_DEG = 60.0
DEFAULT_MOON_WIDTH_DAYS = 7.0
DEFAULT_PRIORITY = 5


class Darkness(enum.Enum):
    """Named darkness levels: the highest sun altitude (degrees) at which work may run."""

    CIVIL = -6.0
    NAUTICAL = -12.0
    ASTRONOMICAL = -18.0


DEFAULT_MAX_SUN_ALTITUDE_DEG = Darkness.NAUTICAL.value


@dataclass(frozen=True, slots=True, eq=False)
class Site:
    """An observatory's location and local horizon.

    Attributes
    ----------
    lat_deg, lon_deg : float
        Geodetic latitude and east longitude (degrees, WGS84).
    elevation_m : float
        Height above the WGS84 ellipsoid (metres).
    horizon : HorizonMask
        Local horizon (altitude by azimuth); flat at 0 degrees by default.
    """

    lat_deg: float
    lon_deg: float
    elevation_m: float = 0.0
    horizon: HorizonMask = field(default_factory=HorizonMask.flat)

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat_deg <= 90.0:
            raise ValueError(f"latitude {self.lat_deg} outside -90..90 degrees")


@dataclass(frozen=True, slots=True, eq=False)
class TargetSet:
    """ICRS positions (degrees) of any number of fixed targets."""

    ra_deg: FloatArray
    dec_deg: FloatArray

    def __post_init__(self) -> None:
        if self.ra_deg.shape != self.dec_deg.shape or self.ra_deg.ndim != 1:
            raise ValueError("ra_deg and dec_deg must be 1-d arrays of the same length")

    def __len__(self) -> int:
        return int(self.ra_deg.shape[0])

    def unit_vectors(self) -> FloatArray:
        """ICRS Cartesian unit vectors, shape (N, 3)."""
        ra = np.radians(self.ra_deg)
        dec = np.radians(self.dec_deg)
        cos_dec = np.cos(dec)
        return np.stack([cos_dec * np.cos(ra), cos_dec * np.sin(ra), np.sin(dec)], axis=-1)


@dataclass(frozen=True, slots=True, eq=False)
class ObservationSet:
    """Pending observations as parallel arrays (one entry per observation).

    Build it with :func:`make_observations`, which fills the documented defaults.

    Attributes
    ----------
    ids : tuple of str
        The caller's observation ids, returned in decisions.
    targets : TargetSet
        ICRS position of each observation's (current) target.
    priority : int array
        1..10, 10 highest.
    created_at : float array
        Submission time (UTC POSIX seconds); older wins ties.
    remaining_s : float array
        Exposure time still to do including overheads (seconds).
    min_block_s : float array
        Shortest contiguous run worth starting (seconds); equal to ``remaining_s`` for
        all-or-nothing work.
    fraction_complete : float array
        0..1, accepted fraction of the exposure plan.
    fixed_time : bool array
        Fixed-time work: runs in its window only, never before its start, and is never
        preempted once started.
    window_start, window_end : float array
        Time window (UTC POSIX seconds); ``-inf`` / ``+inf`` when open.
    min_altitude_deg : float array
        Minimum altitude (degrees), default 30.
    max_airmass : float array
        Maximum airmass (sec z), default 2; ``inf`` for no limit.
    moon_distance_deg, moon_width_days : float array
        Lorentzian moon avoidance: separation required at full moon (degrees, default 60; 0
        disables) and half width (days, default 7).
    max_moon_illumination : float array
        Highest moon illuminated fraction 0..1 while the moon is up (default 1, no limit).
    max_sun_altitude_deg : float array
        Darkness: highest sun altitude (degrees); -6 civil, -12 nautical (default), -18
        astronomical.
    bypass_darkness : bool array
        Ignore the darkness constraint (tests, daytime targets).
    project : int array
        Dense project index 0..P-1 (the caller maps project ids), for fairness and
        reservations.
    """

    ids: tuple[str, ...]
    targets: TargetSet
    priority: IntArray
    created_at: FloatArray
    remaining_s: FloatArray
    min_block_s: FloatArray
    fraction_complete: FloatArray
    fixed_time: BoolArray
    window_start: FloatArray
    window_end: FloatArray
    min_altitude_deg: FloatArray
    max_airmass: FloatArray
    moon_distance_deg: FloatArray
    moon_width_days: FloatArray
    max_moon_illumination: FloatArray
    max_sun_altitude_deg: FloatArray
    bypass_darkness: BoolArray
    project: IntArray

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in PER_OBSERVATION_FIELDS:
            value = getattr(self, name)
            if value.shape != (n,):
                raise ValueError(f"{name} has shape {value.shape}, expected ({n},)")
        if len(self.targets) != n:
            raise ValueError("targets and ids differ in length")

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices: IntArray) -> ObservationSet:
        """The subset at ``indices`` (in that order)."""
        arrays = {name: getattr(self, name)[indices] for name in PER_OBSERVATION_FIELDS}
        return ObservationSet(
            ids=tuple(self.ids[int(i)] for i in indices),
            targets=TargetSet(self.targets.ra_deg[indices], self.targets.dec_deg[indices]),
            **arrays,
        )


# The per-observation arrays of ObservationSet besides its targets (same length, same order).
PER_OBSERVATION_FIELDS = (
    "priority",
    "created_at",
    "remaining_s",
    "min_block_s",
    "fraction_complete",
    "fixed_time",
    "window_start",
    "window_end",
    "min_altitude_deg",
    "max_airmass",
    "moon_distance_deg",
    "moon_width_days",
    "max_moon_illumination",
    "max_sun_altitude_deg",
    "bypass_darkness",
    "project",
)


def make_observations(
    ra_deg: ArrayLike,
    dec_deg: ArrayLike,
    *,
    ids: tuple[str, ...] | None = None,
    priority: ArrayLike = DEFAULT_PRIORITY,
    created_at: ArrayLike = 0.0,
    remaining_s: ArrayLike = 3600.0,
    min_block_s: ArrayLike | None = None,
    fraction_complete: ArrayLike = 0.0,
    fixed_time: ArrayLike = False,
    window_start: ArrayLike = -np.inf,
    window_end: ArrayLike = np.inf,
    min_altitude_deg: ArrayLike = DEFAULT_MIN_ALTITUDE_DEG,
    max_airmass: ArrayLike = DEFAULT_MAX_AIRMASS,
    moon_distance_deg: ArrayLike = DEFAULT_MOON_DISTANCE_DEG,
    moon_width_days: ArrayLike = DEFAULT_MOON_WIDTH_DAYS,
    max_moon_illumination: ArrayLike = 1.0,
    max_sun_altitude_deg: ArrayLike = DEFAULT_MAX_SUN_ALTITUDE_DEG,
    bypass_darkness: ArrayLike = False,
    project: ArrayLike = 0,
) -> ObservationSet:
    """Build an :class:`ObservationSet`, broadcasting scalars and filling defaults.

    Parameters
    ----------
    ra_deg, dec_deg : array_like
        ICRS right ascension and declination (degrees).
    ids : tuple of str, optional
        Observation ids; ``"0"``, ``"1"``, ... when omitted.
    min_block_s : array_like, optional
        Shortest worthwhile run (seconds); defaults to ``remaining_s`` (all or nothing).
    **others
        See :class:`ObservationSet` for meaning, units and defaults.

    Returns
    -------
    ObservationSet
    """
    ra = np.atleast_1d(np.asarray(ra_deg, dtype=np.float64))
    n = ra.shape[0]

    def floats(value: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()

    def ints(value: ArrayLike) -> IntArray:
        return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()

    def bools(value: ArrayLike) -> BoolArray:
        return np.broadcast_to(np.asarray(value, dtype=np.bool_), (n,)).copy()

    remaining = floats(remaining_s)
    return ObservationSet(
        ids=ids if ids is not None else tuple(str(i) for i in range(n)),
        targets=TargetSet(ra, floats(dec_deg)),
        priority=ints(priority),
        created_at=floats(created_at),
        remaining_s=remaining,
        min_block_s=remaining.copy() if min_block_s is None else floats(min_block_s),
        fraction_complete=floats(fraction_complete),
        fixed_time=bools(fixed_time),
        window_start=floats(window_start),
        window_end=floats(window_end),
        min_altitude_deg=floats(min_altitude_deg),
        max_airmass=floats(max_airmass),
        moon_distance_deg=floats(moon_distance_deg),
        moon_width_days=floats(moon_width_days),
        max_moon_illumination=floats(max_moon_illumination),
        max_sun_altitude_deg=floats(max_sun_altitude_deg),
        bypass_darkness=bools(bypass_darkness),
        project=ints(project),
    )


@dataclass(frozen=True, slots=True)
class Reservation:
    """The observatory is reserved from ``start`` to ``end`` (UTC POSIX seconds).

    Only observations of the listed projects (dense indices) may run inside it; an empty set
    blocks everyone (maintenance).
    """

    start: float
    end: float
    projects: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class RunningWork:
    """What the observatory is doing now.

    Attributes
    ----------
    index : int
        Index of the running observation in the ObservationSet passed alongside, or -1 when
        it is not part of it.
    started_at, until : float
        Start of the run and the time it was allowed to run until (UTC POSIX seconds).
    priority : int
    fixed_time : bool
    ra_deg, dec_deg : float
        Where the telescope points (degrees), for the target-switch cost.
    """

    index: int
    started_at: float
    until: float
    priority: int
    fixed_time: bool
    ra_deg: float
    dec_deg: float


@dataclass(frozen=True, slots=True, eq=False)
class ObservatoryState:
    """Gates and context of one observatory at decision time.

    Attributes
    ----------
    safe : bool
        The weather/safety device reports safe; unsafe observatories get nothing.
    dispatch_enabled : bool
        Operators can switch dispatch off.
    reservations : tuple of Reservation
    running : RunningWork or None
    pointing_ra_deg, pointing_dec_deg : float or None
        Current telescope pointing (degrees) when idle, for the target-switch cost.
    project_usage_s : float array or None
        Observing time recently given to each project (seconds, indexed by project), for
        fairness.
    """

    safe: bool = True
    dispatch_enabled: bool = True
    reservations: tuple[Reservation, ...] = ()
    running: RunningWork | None = None
    pointing_ra_deg: float | None = None
    pointing_dec_deg: float | None = None
    project_usage_s: FloatArray | None = None
