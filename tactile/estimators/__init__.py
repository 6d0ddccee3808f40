"""Estimators of Young's modulus: analytical (Hertz, MDR, elastic, auto) and, by plugin, neural.

Importing this package never imports torch; see :mod:`tactile.estimators.registry`.
"""

from tactile.estimators.auto import AutoEstimator, choose_estimator
from tactile.estimators.base import AnalyticalEstimator, Estimator
from tactile.estimators.elastic import ElasticEstimator
from tactile.estimators.hertz import HertzEstimator
from tactile.estimators.mdr import MDREstimator
from tactile.estimators.registry import (
    available_estimators,
    estimate_grasp,
    get_estimator,
    register_estimator,
)

__all__ = [
    "AnalyticalEstimator",
    "AutoEstimator",
    "ElasticEstimator",
    "Estimator",
    "HertzEstimator",
    "MDREstimator",
    "available_estimators",
    "choose_estimator",
    "estimate_grasp",
    "get_estimator",
    "register_estimator",
]
