"""Moon avoidance with the Lorentzian relaxation (as ACP and NINA's Target Scheduler use)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from domain.scheduling.ephemeris import SYNODIC_MONTH_DAYS

FULL_MOON_AGE_DAYS = SYNODIC_MONTH_DAYS / 2.0
"""Moon age at full moon (days), half the mean synodic month: 14.765."""


def required_moon_separation_deg(
    moon_age_days: NDArray[np.float64],
    distance_deg: NDArray[np.float64],
    width_days: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Separation from the Moon a target needs (degrees), relaxed as the Moon wanes.

    ``required = distance / (1 + ((age - 14.765) / width) ** 2)``

    The full ``distance`` applies at full moon (age 14.765 days); one ``width`` away from full
    moon it is halved; near new moon it tends to ``distance / (1 + (14.765 / width) ** 2)``
    (11.0 degrees for the defaults). Defaults: distance 60 degrees, width 7 days. The caller
    waives the requirement while the Moon is below the horizon.

    Parameters
    ----------
    moon_age_days : float array
        Days since new moon (0..29.53); broadcast against the others.
    distance_deg : float array
        Separation required at full moon (degrees); 0 disables moon avoidance.
    width_days : float array
        Half width at half maximum of the Lorentzian (days), > 0.

    Returns
    -------
    float array
        Required separation (degrees), broadcast shape of the inputs.
    """
    x = (moon_age_days - FULL_MOON_AGE_DAYS) / width_days
    result: NDArray[np.float64] = distance_deg / (1.0 + x * x)
    return result
