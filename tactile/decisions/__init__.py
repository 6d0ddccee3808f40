"""Decisions on top of estimates: produce profiles, ripeness sorting, the stopping rule."""

from tactile.decisions.decide import Decision, Measurement, decide, measure
from tactile.decisions.estimator import ProduceEstimator
from tactile.decisions.profiles import (
    ProduceProfile,
    ProfileError,
    RipenessClass,
    StopRule,
    list_produce_profiles,
    load_produce_profile,
)
from tactile.decisions.stopping import ConfidenceStopper

__all__ = [
    "ConfidenceStopper",
    "Decision",
    "Measurement",
    "ProduceEstimator",
    "ProduceProfile",
    "ProfileError",
    "RipenessClass",
    "StopRule",
    "decide",
    "list_produce_profiles",
    "load_produce_profile",
    "measure",
]
