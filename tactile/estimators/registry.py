"""Estimator registry: names → factories, resolved lazily (importing it never imports torch).

Built-in names: ``hertz``, ``mdr``, ``elastic``, ``auto``. Other packages (the neural estimators
in :mod:`tactile.estimators.neural`) add theirs with :func:`register_estimator`; a factory may be
a callable or a ``"module:attribute"`` string imported on first use. When a name is unknown,
:func:`get_estimator` imports ``tactile.estimators.neural`` once (if installed) so that it can
register ``neural`` / ``hybrid``, then looks again.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from tactile.errors import ConfigError, EstimatorError
from tactile.estimators.base import Estimator
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures, ModulusEstimate, with_recording_flags

Factory = Callable[..., Estimator] | str

_REGISTRY: dict[str, Factory] = {
    "hertz": "tactile.estimators.hertz:HertzEstimator",
    "mdr": "tactile.estimators.mdr:MDREstimator",
    "line": "tactile.estimators.line:LineContactEstimator",
    "elastic": "tactile.estimators.elastic:ElasticEstimator",
    "auto": "tactile.estimators.auto:AutoEstimator",
    "blind": "tactile.estimators.blind:BlindEstimator",
}
_PLUGIN_MODULES = ("tactile.estimators.neural",)
_plugins_loaded = False


def register_estimator(name: str, factory: Factory, *, overwrite: bool = False) -> None:
    """Make ``get_estimator(name)`` return ``factory(**options)``."""
    key = name.strip().lower()
    if not key:
        raise ConfigError("an estimator needs a non-empty name", hint="e.g. 'neural'")
    if key in _REGISTRY and not overwrite and _REGISTRY[key] is not factory:
        raise ConfigError(
            f"estimator {key!r} is already registered",
            hint="pick another name or pass overwrite=True",
        )
    _REGISTRY[key] = factory


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for module in _PLUGIN_MODULES:
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if found:
            importlib.import_module(module)


def available_estimators() -> list[str]:
    """Every registered name (including plugins that register on import)."""
    _load_plugins()
    return sorted(_REGISTRY)


def _resolve(factory: Factory) -> Callable[..., Estimator]:
    if callable(factory):
        return factory
    module, _, attr = factory.partition(":")
    obj: Callable[..., Estimator] = getattr(importlib.import_module(module), attr)
    return obj


def get_estimator(name: str, **options: Any) -> Estimator:
    """A ready estimator by name, e.g. ``get_estimator("hertz", route="radius")``."""
    key = name.strip().lower()
    if key not in _REGISTRY:
        _load_plugins()
    if key not in _REGISTRY:
        raise EstimatorError(
            f"unknown estimator {name!r}",
            hint=f"use one of {', '.join(sorted(_REGISTRY))}",
        )
    try:
        return _resolve(_REGISTRY[key])(**options)
    except TypeError as exc:
        raise ConfigError(
            f"estimator {key!r} does not accept options {sorted(options)}: {exc}",
            hint="check the estimator's documented options",
        ) from exc


def estimate_grasp(
    grasp: Grasp,
    estimator: str | Estimator = "auto",
    *,
    features: GraspFeatures | None = None,
    calibration: SensorCalibration | str | None = None,
) -> ModulusEstimate:
    """Estimate Young's modulus of ``grasp`` with an estimator given by name or instance.

    A grasp recorded with an uncalibrated gripper width (``meta.extra["width_calibrated"]`` is
    False, see ``tactile calibrate gripper``) gets ``width_uncalibrated``
    (:func:`~tactile.types.with_recording_flags`, as through ``tactile estimate``).
    """
    est = get_estimator(estimator) if isinstance(estimator, str) else estimator
    result = est.estimate(grasp, features=features, calibration=calibration)
    return with_recording_flags(result, grasp.meta)
