"""Inference: network outputs -> log10 E mean and sigma -> :class:`ModulusEstimate`.

Intervals come from the predicted Gaussian in log10 space (sigma multiplied by the checkpoint's
``sigma_scale``, fitted on validation objects so that 68 % intervals cover about 68 %). When the
network's estimate is above the stiffness the sensor resolves (``stiff_limit_pa``, measured on
held-out simulated objects and stored in the checkpoint) and — for the hybrid estimator — the
analytical estimate also says the object is stiffer than the gel, only a one-sided lower bound is
reported (``lower_bound_only``; flag ``stiffer_than_gel`` where the bound is at least the gel's
modulus, else ``unresolved``).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.tensors import normalize, to_tensors
from tactile.types import Flag, ModulusEstimate, bound_flag

Z68, Z95 = 0.994458, 1.959964  # two-sided 68 % / 95 % normal quantiles
Z68_ONE_SIDED, Z95_ONE_SIDED = 0.4755, 1.644854


def predict_log10(
    loaded: LoadedModel, arrays: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (calibrated) standard deviation of log10 E for a batch of raw inputs; for an
    ensemble, the members combined (:func:`combine_members`)."""
    if not loaded.members:
        return _predict_tensors(loaded, to_tensors(arrays))
    return combine_members(*member_predictions(loaded, arrays))


def member_predictions(
    loaded: LoadedModel, arrays: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Each network's mean and calibrated sigma of log10 E, shape (members, batch); one row for
    a single model. Each member uses its own normalisation and ``sigma_scale``."""
    tensors = to_tensors(arrays)  # the members share the raw inputs
    outs = [_predict_tensors(net, tensors) for net in loaded.networks()]
    return np.stack([m for m, _ in outs]), np.stack([s for _, s in outs])


def combine_members(mus: np.ndarray, sigmas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An ensemble's Gaussian in log10 E from its members' (rows): the mean of the means, and
    the variance of the equally weighted mixture, i.e. the mean of the members' variances plus
    the variance of their means (Lakshminarayanan et al. 2017), so disagreement widens it."""
    mu = mus.mean(axis=0)
    var = (sigmas**2).mean(axis=0) + mus.var(axis=0)
    return mu, np.sqrt(var)


def _normalized(loaded: LoadedModel, batch: dict[str, Tensor]) -> dict[str, Tensor]:
    """:func:`~tactile.estimators.neural.tensors.normalize` of the inputs the network reads
    (its towers' keys; the others it never looks at), with the statistics' tensors built once
    per model (``loaded.norm_tensors``) instead of on every call."""
    norm = loaded.normalization
    if loaded.norm_tensors is None or loaded.norm_tensors[0] is not norm:
        loaded.norm_tensors = (norm, {})  # first use, or the normalisation was replaced
    return normalize(batch, norm, loaded.model.input_keys, loaded.norm_tensors[1])


def _predict_tensors(
    loaded: LoadedModel, batch: dict[str, Tensor]
) -> tuple[np.ndarray, np.ndarray]:
    norm = loaded.normalization
    with torch.inference_mode():
        mean, logvar = loaded.model(_normalized(loaded, batch))
    mu = mean.numpy().astype(np.float64) * norm.target_std + norm.target_mean
    sigma = np.exp(0.5 * logvar.numpy().astype(np.float64)) * norm.target_std * loaded.sigma_scale
    return mu, sigma


def analytical_says_stiff(analytical: ModulusEstimate | None) -> bool:
    return analytical is not None and (
        analytical.lower_bound_only or Flag.STIFFER_THAN_GEL in analytical.flags
    )


def estimate_from_prediction(
    mu_log10: float,
    sigma_log10: float,
    *,
    estimator: str,
    analytical: ModulusEstimate | None = None,
    stiff_limit_pa: float | None = None,
    require_agreement: bool = False,
    flags: frozenset[Flag] = frozenset(),
    lower_bound_z: float = Z95_ONE_SIDED,
    gel_modulus_pa: float | None = None,
) -> ModulusEstimate:
    """One :class:`ModulusEstimate` from the network's log10-space Gaussian.

    Beyond the limit the 95 % lower bound is ``mean - lower_bound_z * sigma``: the nominal
    one-sided normal quantile, or a larger factor calibrated on held-out objects (stored in the
    checkpoint as ``info["lower_bound_z"]``); the 68 % bound scales with it. The flag is what
    the bound proves against ``gel_modulus_pa`` (:func:`~tactile.types.bound_flag`)."""
    details = {
        "log10_mean": float(mu_log10),
        "log10_sigma": float(sigma_log10),
        "stiff_limit_pa": stiff_limit_pa,
    }
    if analytical is not None:
        details["analytical_modulus_pa"] = float(analytical.modulus_pa)
        if "calibration_id" in analytical.details:  # the sensor calibration the inputs used
            details["calibration_id"] = analytical.details["calibration_id"]
    beyond = stiff_limit_pa is not None and mu_log10 >= math.log10(stiff_limit_pa)
    if beyond and (
        not require_agreement or analytical is None or analytical_says_stiff(analytical)
    ):
        z95 = max(float(lower_bound_z), Z95_ONE_SIDED)
        lb95 = 10 ** (mu_log10 - z95 * sigma_log10)
        lb68 = 10 ** (mu_log10 - z95 * (Z68_ONE_SIDED / Z95_ONE_SIDED) * sigma_log10)
        return ModulusEstimate(
            modulus_pa=lb95,
            interval_68_pa=(lb68, math.inf),
            interval_95_pa=(lb95, math.inf),
            estimator=estimator,
            flags=frozenset(flags) | {bound_flag(lb95, gel_modulus_pa)},
            lower_bound_only=True,
            details=details,
        )
    return ModulusEstimate(
        modulus_pa=10**mu_log10,
        interval_68_pa=(10 ** (mu_log10 - Z68 * sigma_log10), 10 ** (mu_log10 + Z68 * sigma_log10)),
        interval_95_pa=(10 ** (mu_log10 - Z95 * sigma_log10), 10 ** (mu_log10 + Z95 * sigma_log10)),
        estimator=estimator,
        flags=frozenset(flags),
        details=details,
    )
