"""Checkpoints: state_dict + config JSON + normalisation + metrics, loaded with weights_only=True.

A checkpoint file is a plain dict of tensors, strings, numbers, lists and dicts, so
``torch.load(..., weights_only=True)`` can read it without executing any pickled code; a file with
anything else in it (a pickled object, a foreign layout) is refused with :class:`ModelFileError`.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from tactile.errors import ConfigError, ModelFileError
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.model import MultiTowerNet

CHECKPOINT_FORMAT = "tactile-multitower"
CHECKPOINT_VERSION = 3  # 2: inputs v5 (physics channels, geometry tower); 3: rig inputs (v8)


@dataclass
class LoadedModel:
    """A network ready for inference, with everything needed to prepare its inputs."""

    model: MultiTowerNet
    config: MultiTowerConfig
    normalization: Normalization
    sigma_scale: float = 1.0  # post-hoc interval calibration factor (validation set)
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # calibration id, data, limit, ...
    train_state: dict[str, Any] | None = None
    path: Path | None = None


def save_checkpoint(
    path: str | Path,
    model: MultiTowerNet,
    normalization: Normalization,
    *,
    sigma_scale: float = 1.0,
    metrics: dict[str, Any] | None = None,
    info: dict[str, Any] | None = None,
    train_state: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "config_json": model.config.to_json(),
        "state_dict": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "normalization_json": json.dumps(normalization.to_dict()),
        "sigma_scale": float(sigma_scale),
        "metrics_json": json.dumps(metrics or {}),
        "info_json": json.dumps(info or {}),
    }
    if train_state is not None:
        payload["train_state"] = train_state
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)
    return path


def _bad(path: Path, why: str) -> ModelFileError:
    return ModelFileError(
        f"model checkpoint {path} {why}",
        hint="pass a checkpoint written by `tactile train` (models/<name>/model.pt), or retrain",
    )


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ModelFileError(
            f"model checkpoint {path} does not exist",
            hint="train one with `tactile train DATA --out models/NAME`, or use a shipped name",
        )
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise _bad(
            path, f"contains objects that are not plain weights and was refused ({exc})"
        ) from exc
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _bad(path, f"is corrupt or not a torch file ({type(exc).__name__})") from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise _bad(path, "is a torch file but not a tactile multi-tower checkpoint")
    version = payload.get("format_version")
    if not isinstance(version, int) or version > CHECKPOINT_VERSION:
        raise _bad(path, f"has format version {version!r}, newer than this tactile understands")
    if version < CHECKPOINT_VERSION:
        raise ModelFileError(
            f"model checkpoint {path} has format version {version}: it was trained on the "
            f"network inputs of an older tactile (this one reads version {CHECKPOINT_VERSION})",
            hint="retrain it with `tactile train` (see docs/network.md), or use the shipped "
            "default model",
        )
    return payload


def load_checkpoint(path: str | Path) -> LoadedModel:
    """Load a checkpoint (weights_only) into an eval-mode network."""
    path = Path(path)
    payload = _read(path)
    try:
        config = MultiTowerConfig.from_json(str(payload["config_json"]))
        model = MultiTowerNet(config)
        model.load_state_dict(payload["state_dict"])
        norm = Normalization.from_dict(json.loads(str(payload["normalization_json"])))
        metrics = json.loads(str(payload.get("metrics_json", "{}")))
        info = json.loads(str(payload.get("info_json", "{}")))
        sigma_scale = float(payload.get("sigma_scale", 1.0))
    except (KeyError, RuntimeError, ConfigError, json.JSONDecodeError, TypeError) as exc:
        raise _bad(path, f"is incomplete or does not match its config ({exc})") from exc
    model.eval()
    train_state = payload.get("train_state")
    return LoadedModel(
        model=model,
        config=config,
        normalization=norm,
        sigma_scale=sigma_scale,
        metrics=metrics,
        info=info,
        train_state=train_state if isinstance(train_state, dict) else None,
        path=path,
    )
