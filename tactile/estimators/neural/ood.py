"""Out-of-distribution check: how far a grasp's inputs are from the training grasps.

A small set of measurement-level features (force, contact area, image change, pressure, gel
depth, closure, strain and the closure beyond the rig's rigid press at the middle and the last
sample; the object's size; the rig calibration) is standardised with the training set's
statistics; the score of a grasp is its mean distance to the ``k`` nearest of up to ``n_ref``
training grasps, divided by the 95th percentile of the same score over the *validation* grasps
(held-out objects). A score of 1 is as unusual as the most unusual 5 % of new simulated objects;
the estimators widen the network's interval by the score above 1 and drop the network beyond
:data:`REFUSE_SCORE` (the hybrid falls back to the physics, ``neural`` refuses with the reason).
Everything is stored as numbers in the checkpoint's ``info["ood"]`` (JSON).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from tactile.estimators.neural.config import FORCE_CHANNELS, GEOMETRY_CHANNELS, WIDTH_CHANNELS

#: Beyond this score the network's answer is not used.
REFUSE_SCORE = 3.0
_FORCE = tuple(
    FORCE_CHANNELS.index(c)
    for c in ("log_force", "log_area", "log_image_p99", "log_pressure", "log_depth")
)
_WIDTH = tuple(
    WIDTH_CHANNELS.index(c)
    for c in ("closure", "log_strain", "excess_closure", "log_closure_ratio")
)
_GEOMETRY = tuple(
    GEOMETRY_CHANNELS.index(c)
    for c in ("log_width_contact", "rig_closure_25n", "rig_closure_ratio_10_25", "rig_width_step")
)


def ood_features(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """(N, 23) features of a batch of raw inputs (NaN where missing)."""
    force, width, geometry = arrays["force"], arrays["width"], arrays["geometry"]
    k = force.shape[-1]
    cols = []
    for j in (k // 2, k - 1):
        cols.append(force[:, _FORCE, j])
        cols.append(width[:, _WIDTH, j])
    cols.append(geometry[:, _GEOMETRY])
    return np.concatenate(cols, axis=1).astype(np.float64)


@dataclass(frozen=True)
class OodReference:
    """Standardisation, reference points and the validation scale of the OOD score."""

    mean: np.ndarray
    std: np.ndarray
    reference: np.ndarray  # (n, d) standardised
    scale: float  # 95th percentile of validation scores
    k: int = 5

    @classmethod
    def fit(
        cls,
        train: dict[str, np.ndarray],
        val: dict[str, np.ndarray],
        *,
        n_ref: int = 400,
        k: int = 5,
        seed: int = 0,
    ) -> OodReference:
        x = ood_features(train)
        with warnings.catch_warnings():  # an all-missing column (no rig): mean 0, std 1
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(x, axis=0)
            std = np.nanstd(x, axis=0)
        mean = np.where(np.isfinite(mean), mean, 0.0)
        std = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0)
        z = np.nan_to_num((x - mean) / std)
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(z), size=min(n_ref, len(z)), replace=False)
        ref = cls(mean, std, z[pick], 1.0, k)
        val_scores = ref.raw_scores(val) if len(val["force"]) else ref.raw_scores(train)
        return cls(mean, std, z[pick], float(max(np.percentile(val_scores, 95), 1e-6)), k)

    def raw_scores(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        z = np.nan_to_num((ood_features(arrays) - self.mean) / self.std)
        d = np.sqrt(((z[:, None, :] - self.reference[None, :, :]) ** 2).sum(axis=-1))
        k = min(self.k, d.shape[1])
        return np.sort(d, axis=1)[:, :k].mean(axis=1)

    def scores(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """OOD score per grasp (1 = the validation set's 95th percentile)."""
        return self.raw_scores(arrays) / self.scale

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": [round(float(v), 5) for v in self.mean],
            "std": [round(float(v), 5) for v in self.std],
            "reference": [[round(float(v), 3) for v in row] for row in self.reference],
            "scale": self.scale,
            "k": self.k,
        }

    @classmethod
    def from_dict(cls, data: Any) -> OodReference | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                np.asarray(data["mean"], dtype=np.float64),
                np.asarray(data["std"], dtype=np.float64),
                np.asarray(data["reference"], dtype=np.float64),
                float(data["scale"]),
                int(data.get("k", 5)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def widen_factor(score: float) -> float:
    """How much the network's sigma is widened at this OOD score (1 inside the distribution)."""
    return max(1.0, score) if math.isfinite(score) else math.inf
