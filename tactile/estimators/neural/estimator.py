"""The ``neural`` and ``hybrid`` estimators: a trained multi-tower checkpoint behind the
:class:`~tactile.estimators.base.Estimator` interface.

- ``neural``: the network's Gaussian in log10 E; the stiff flag / lower bound when the network's
  own estimate is above the resolvable limit stored in the checkpoint.
- ``hybrid``: the same network, but the lower-bound answer requires the analytical estimate to
  agree that the object is stiffer than the gel (the safer choice for sorting decisions).

Models are named: ``"default"`` is ``models/default/model.pt`` of the repository (or of
``$TACTILE_MODELS_DIR``); a path to a ``.pt`` file or a folder holding ``model.pt`` works too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tactile._paths import artifact_dir
from tactile.errors import ModelFileError
from tactile.estimators.neural.checkpoint import LoadedModel, load_checkpoint
from tactile.estimators.neural.data import prepare_grasp, prepare_stored
from tactile.estimators.neural.inputs import GraspInputs
from tactile.estimators.neural.predict import (
    Z95_ONE_SIDED,
    estimate_from_prediction,
    predict_log10,
)
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata, ModulusEstimate

if TYPE_CHECKING:
    from tactile.io import GraspReader

_CACHE: dict[Path, LoadedModel] = {}


def models_dir() -> Path:
    """Where named models live: ``$TACTILE_MODELS_DIR`` or ``models/`` beside the package."""
    return artifact_dir("models", "TACTILE_MODELS_DIR")


def model_path(name_or_path: str | Path) -> Path:
    """The checkpoint file of a model name, folder or file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    if path.is_dir():
        return path / "model.pt"
    named = models_dir() / str(name_or_path) / "model.pt"
    if named.is_file():
        return named
    known = sorted(p.parent.name for p in models_dir().glob("*/model.pt"))
    raise ModelFileError(
        f"no model {str(name_or_path)!r} (not a file, and not in {models_dir()})",
        hint=f"use one of {known} or train one with `tactile train DATA --out models/NAME`",
    )


def resolve_model(name_or_path: str | Path, *, reload: bool = False) -> LoadedModel:
    """Load (once per process) a model by name or path."""
    path = model_path(name_or_path).resolve()
    if reload or path not in _CACHE:
        _CACHE[path] = load_checkpoint(path)
    return _CACHE[path]


class NeuralEstimator:
    """Estimate E with a trained multi-tower network (see the module docstring)."""

    name = "neural"
    require_agreement = False

    def __init__(
        self,
        model: str | Path | LoadedModel = "default",
        *,
        analytical: str | None = "hertz",
        num_threads: int | None = None,
        finger_stiffness_n_per_mm: float | None = None,
    ) -> None:
        self.loaded = model if isinstance(model, LoadedModel) else resolve_model(model)
        self.finger_stiffness_n_per_mm = finger_stiffness_n_per_mm
        needs_analytical = self.loaded.config.analytical.enabled or self.require_agreement
        self.analytical = analytical if needs_analytical else None
        if num_threads is not None:
            import torch

            torch.set_num_threads(num_threads)

    @property
    def stiff_limit_pa(self) -> float | None:
        value = self.loaded.info.get("stiff_limit_pa")
        return float(value) if isinstance(value, int | float) and value > 0 else None

    @property
    def lower_bound_z(self) -> float:
        value = self.loaded.info.get("lower_bound_z")
        return float(value) if isinstance(value, int | float) else Z95_ONE_SIDED

    def estimate(
        self,
        grasp: Grasp,
        features: GraspFeatures | None = None,
        calibration: SensorCalibration | str | None = None,
    ) -> ModulusEstimate:
        inputs, feats, analytical = prepare_grasp(
            grasp,
            self.loaded.config,
            calibration=calibration,
            analytical=self.analytical,
            features=features,
            finger_stiffness_n_per_mm=self.finger_stiffness_n_per_mm,
        )
        return self._predict(inputs, feats, analytical)

    def estimate_stored(
        self,
        reader: GraspReader,
        grasp_id: str,
        calibration: SensorCalibration | str | None = None,
        meta: GraspMetadata | None = None,
    ) -> ModulusEstimate:
        """Estimate a grasp in a store, decoding only the frames the inputs need
        (:func:`~tactile.estimators.neural.data.prepare_stored`; the way the model was trained).
        ``meta`` replaces the stored metadata (e.g. completed from a label table)."""
        inputs, feats, analytical, _ = prepare_stored(
            reader,
            grasp_id,
            self.loaded.config,
            calibration=calibration,
            meta=meta,
            analytical=self.analytical,
            finger_stiffness_n_per_mm=self.finger_stiffness_n_per_mm,
        )
        return self._predict(inputs, feats, analytical)

    def _predict(
        self, inputs: GraspInputs, feats: GraspFeatures, analytical: ModulusEstimate | None
    ) -> ModulusEstimate:
        arrays = {k: v[None] for k, v in inputs.arrays().items()}
        mu, sigma = predict_log10(self.loaded, arrays)
        return estimate_from_prediction(
            float(mu[0]),
            float(sigma[0]),
            estimator=self.name,
            analytical=analytical,
            stiff_limit_pa=self.stiff_limit_pa,
            lower_bound_z=self.lower_bound_z,
            require_agreement=self.require_agreement,
            flags=feats.flags,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={str(self.loaded.path)!r})"


class HybridEstimator(NeuralEstimator):
    """Network + analytical agreement for the stiffer-than-resolvable answer."""

    name = "hybrid"
    require_agreement = True
