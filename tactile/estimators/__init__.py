"""Estimators of Young's modulus: analytical (Hertz, MDR, elastic, auto) and, by plugin, neural.

Importing this package never imports torch; see :mod:`tactile.estimators.registry`.
"""

from tactile.estimators.auto import AutoEstimator, choose_estimator
from tactile.estimators.base import AnalyticalEstimator, Estimator, resolve_calibration
from tactile.estimators.elastic import ElasticEstimator
from tactile.estimators.gel_fit import ReferenceGelFit, fit_gel_from_reference
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
    "ReferenceGelFit",
    "available_estimators",
    "choose_estimator",
    "estimate_grasp",
    "fit_gel_from_reference",
    "get_estimator",
    "register_estimator",
    "resolve_calibration",
]
