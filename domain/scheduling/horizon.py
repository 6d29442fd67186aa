"""An observatory's local horizon: minimum altitude as a function of azimuth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True, eq=False)
class HorizonMask:
    """Piecewise-linear horizon altitude (degrees) by azimuth (degrees, N=0, E=90).

    Between points the altitude is interpolated linearly; the curve wraps at 360 degrees, so
    the last point connects to the first.
    """

    azimuth_deg: NDArray[np.float64]
    altitude_deg: NDArray[np.float64]

    def __post_init__(self) -> None:
        az = self.azimuth_deg
        if az.ndim != 1 or az.shape != self.altitude_deg.shape or az.size == 0:
            raise ValueError("azimuth_deg and altitude_deg must be 1-d, same non-zero length")
        if np.any(np.diff(az) <= 0) or az[0] < 0 or az[-1] >= 360:
            raise ValueError("azimuths must increase strictly within [0, 360)")

    @classmethod
    def flat(cls, altitude_deg: float = 0.0) -> HorizonMask:
        """A flat horizon at ``altitude_deg`` (degrees)."""
        return cls(np.array([0.0]), np.array([float(altitude_deg)]))

    @classmethod
    def from_points(cls, azimuth_deg: ArrayLike, altitude_deg: ArrayLike) -> HorizonMask:
        """Build a mask from (azimuth, altitude) points in any order (degrees).

        Azimuths are reduced to [0, 360) and sorted.
        """
        az = np.mod(np.asarray(azimuth_deg, dtype=np.float64), 360.0)
        alt = np.asarray(altitude_deg, dtype=np.float64)
        order = np.argsort(az, kind="stable")
        return cls(az[order], alt[order])

    @property
    def max_altitude_deg(self) -> float:
        """The highest point of the horizon (degrees)."""
        return float(self.altitude_deg.max())

    def altitude_at(self, azimuth_deg: NDArray[np.float64]) -> NDArray[np.float64]:
        """Horizon altitude (degrees) at the given azimuths (degrees), any shape."""
        if self.azimuth_deg.size == 1:
            return np.full_like(azimuth_deg, self.altitude_deg[0])
        return np.interp(
            np.mod(azimuth_deg, 360.0), self.azimuth_deg, self.altitude_deg, period=360.0
        )
