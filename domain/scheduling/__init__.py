"""The pure computational core of the scheduling engine (arrays and values in and out).

See docs/scheduling.md for the constraints, the score, the preemption policy and the night
plan algorithm.
"""

from domain.scheduling.dispatch import (
    Continue,
    Decision,
    DispatchConfig,
    PreemptionPolicy,
    Run,
    Wait,
    WaitReason,
    next_work,
)
from domain.scheduling.ephemeris import Ephemeris, compute_ephemeris, configure_offline_iers
from domain.scheduling.explanation import (
    Schedulability,
    SiteExplanation,
    check_schedulable,
    why_not_now,
)
from domain.scheduling.horizon import HorizonMask
from domain.scheduling.models import (
    Darkness,
    ObservationSet,
    ObservatoryState,
    Reservation,
    RunningWork,
    Site,
    TargetSet,
    make_observations,
)
from domain.scheduling.night_plan import NightPlan, PlannedRun, plan_night
from domain.scheduling.scoring import ScoreWeights

__all__ = [
    "Continue",
    "Darkness",
    "Decision",
    "DispatchConfig",
    "Ephemeris",
    "HorizonMask",
    "NightPlan",
    "ObservationSet",
    "ObservatoryState",
    "PlannedRun",
    "PreemptionPolicy",
    "Reservation",
    "Run",
    "RunningWork",
    "Schedulability",
    "ScoreWeights",
    "Site",
    "SiteExplanation",
    "TargetSet",
    "Wait",
    "WaitReason",
    "check_schedulable",
    "compute_ephemeris",
    "configure_offline_iers",
    "make_observations",
    "next_work",
    "plan_night",
    "why_not_now",
]
