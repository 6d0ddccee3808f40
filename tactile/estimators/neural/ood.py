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

A missing feature (NaN: e.g. the rig channels of a calibration without a rigid-press curve) is
standardised to 0, the training mean, so by itself it looks typical. That is right only for a
feature the training grasps lacked too: a grasp missing a feature that **no** training grasp
lacked (its training missing share, ``info["ood"]["missing"]``, is 0) scores infinity, and
:meth:`OodReference.missing_reason` says which and how to fix it (issue 12: a network trained
only on rigs calibrated with a rigid-press curve read soft foams 1-2.5 decades too stiff on a
rig without one, at a "typical" score of 0.7). A checkpoint written before the share was stored
gets it from its reference rows (:func:`missing_share_from_reference`).
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
_GEOMETRY_NAMES = (
    "log_width_contact",
    "rig_closure_25n",
    "rig_closure_ratio_10_25",
    "rig_width_step",
)
_GEOMETRY = tuple(GEOMETRY_CHANNELS.index(c) for c in _GEOMETRY_NAMES)
#: Rig channels (from the calibration's rigid-press curve, NaN without one).
_RIG_FEATURES = ("excess_closure", "log_closure_ratio", *_GEOMETRY_NAMES[1:])


def ood_feature_names() -> tuple[str, ...]:
    """Names of the columns of :func:`ood_features` (``channel@mid`` / ``channel@last``)."""
    names: list[str] = []
    for at in ("mid", "last"):
        names += [f"{FORCE_CHANNELS[i]}@{at}" for i in _FORCE]
        names += [f"{WIDTH_CHANNELS[i]}@{at}" for i in _WIDTH]
    return (*names, *_GEOMETRY_NAMES)


def is_rig_feature(name: str) -> bool:
    """Whether an OOD feature comes from the calibration's rigid-press curve."""
    return name.split("@")[0] in _RIG_FEATURES


def missing_share_from_reference(reference: np.ndarray) -> np.ndarray:
    """Per column, an upper bound of the share of training grasps missing it, for a checkpoint
    that did not store the share: a missing training value was standardised to exactly 0 and
    stored as 0 in the reference rows, so the share of reference rows that are exactly 0. A
    present value rounds to 0 too when within 0.0005 std of the mean: this over-counts, which
    only keeps a column's missing values as typical as before."""
    if reference.ndim != 2 or reference.shape[0] == 0:
        return np.ones(reference.shape[-1] if reference.ndim == 2 else 0)
    return np.asarray((reference == 0.0).mean(axis=0), dtype=np.float64)


def ood_features(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """(N, 22) features of a batch of raw inputs (NaN where missing)."""
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
    #: per-column share of training grasps missing the feature (None: an older checkpoint)
    missing: np.ndarray | None = None

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
        missing = np.isnan(x).mean(axis=0)
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(z), size=min(n_ref, len(z)), replace=False)
        ref = cls(mean, std, z[pick], 1.0, k)
        val_scores = ref.raw_scores(val) if len(val["force"]) else ref.raw_scores(train)
        scale = float(max(np.percentile(val_scores, 95), 1e-6))
        return cls(mean, std, z[pick], scale, k, missing)

    def extended(
        self, arrays: dict[str, np.ndarray], *, n_ref: int = 400, seed: int = 0
    ) -> OodReference:
        """This reference with more training grasps (a fine-tune's): up to ``n_ref`` of them,
        standardised with this reference's statistics, join its rows; the scale (this
        reference's validation percentile) is kept, so no grasp scores higher than before; the
        missing share is pooled (this reference's rows weighing as its training grasps), so a
        feature the new grasps lack is no longer "never lacked". A fine-tune on a few grasps
        thus keeps its base's reference (ft40) and one on another rig's grasps accepts them."""
        x = ood_features(arrays)
        if not len(x):
            return self
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(x), size=min(n_ref, len(x)), replace=False)
        z = np.nan_to_num((x[pick] - self.mean) / self.std)
        n0 = len(self.reference)
        missing = (self.training_missing * n0 + np.isnan(x).mean(axis=0) * len(pick)) / (
            n0 + len(pick)
        )
        rows = np.vstack([self.reference, z])
        return OodReference(self.mean, self.std, rows, self.scale, self.k, missing)

    def raw_scores(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Distance scores (NaN features standardised to 0, as in training)."""
        return self._raw_scores(ood_features(arrays))

    def _raw_scores(self, x: np.ndarray) -> np.ndarray:
        z = np.nan_to_num((x - self.mean) / self.std)
        d = np.sqrt(((z[:, None, :] - self.reference[None, :, :]) ** 2).sum(axis=-1))
        k = min(self.k, d.shape[1])
        return np.sort(d, axis=1)[:, :k].mean(axis=1)

    @property
    def training_missing(self) -> np.ndarray:
        """Per-column share of training grasps missing the feature (stored, else derived
        conservatively from the reference rows, :func:`missing_share_from_reference`)."""
        if self.missing is not None:
            return self.missing
        return missing_share_from_reference(self.reference)

    def unseen_missing(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """(N, d) bool: the grasp misses the feature and no training grasp missed it."""
        return self._unseen_missing(ood_features(arrays))

    def _unseen_missing(self, x: np.ndarray) -> np.ndarray:
        never = self.training_missing <= 0.0
        return np.isnan(x) & never[None, :]

    def scores(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """OOD score per grasp (1 = the validation set's 95th percentile; infinity when the
        grasp misses a feature no training grasp missed, :meth:`missing_reason`)."""
        return self.scores_and_reasons(arrays)[0]

    def missing_reason(self, arrays: dict[str, np.ndarray]) -> list[str | None]:
        """Per grasp, why it is out of distribution by a missing feature (None: it is not)."""
        return self.scores_and_reasons(arrays)[1]

    def scores_and_reasons(
        self, arrays: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, list[str | None]]:
        """:meth:`scores` and :meth:`missing_reason` from one reading of the features."""
        x = ood_features(arrays)
        unseen = self._unseen_missing(x)
        scores = np.where(unseen.any(axis=1), math.inf, self._raw_scores(x) / self.scale)
        names = ood_feature_names()
        reasons: list[str | None] = []
        for row in unseen:
            cols = [names[i] for i in np.flatnonzero(row)]
            if not cols:
                reasons.append(None)
            elif any(is_rig_feature(c) for c in cols):
                reasons.append(
                    "the calibration has no rigid-press curve of a rigid ball, so the network's "
                    "rig inputs are missing, and its training grasps all had them"
                )
            else:
                reasons.append(f"the grasp lacks {', '.join(cols)}, which no training grasp lacked")
        return scores, reasons

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mean": [round(float(v), 5) for v in self.mean],
            "std": [round(float(v), 5) for v in self.std],
            "reference": [[round(float(v), 3) for v in row] for row in self.reference],
            "scale": self.scale,
            "k": self.k,
        }
        if self.missing is not None:  # a share > 0 stays > 0 (rounded up)
            out["missing"] = [math.ceil(float(v) * 1e5) / 1e5 for v in self.missing]
        return out

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
                np.asarray(data["missing"], dtype=np.float64) if "missing" in data else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


def widen_factor(score: float) -> float:
    """How much the network's sigma is widened at this OOD score (1 inside the distribution)."""
    return max(1.0, score) if math.isfinite(score) else math.inf
