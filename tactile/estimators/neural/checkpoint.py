"""Checkpoints: state_dict + config JSON + normalisation + metrics, loaded with weights_only=True.

A checkpoint file is a plain dict of tensors, strings, numbers, lists and dicts, so
``torch.load(..., weights_only=True)`` can read it without executing any pickled code; a file with
anything else in it (a pickled object, a foreign layout) is refused with :class:`ModelFileError`.

**Ensembles over training seeds.** A model folder may hold further members trained on the same
data with other seeds (``tactile train --ensemble K``): ``model.pt`` stays the entry point and
lists them in ``info["ensemble"]["members"]`` (file name in the same folder, SHA-256, seed);
:func:`load_checkpoint` loads each the same weights_only way into :attr:`LoadedModel.members`.
A missing, corrupt, modified or mismatched member is refused with a :class:`ModelFileError` that
names the file and the fix. A ``model.pt`` without that entry is a single model, as before.
"""

from __future__ import annotations

import hashlib
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
from tactile.estimators.neural.tensors import NormCache

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
    #: further ensemble members (same config, other training seeds); empty: a single model
    members: list[LoadedModel] = field(default_factory=list)
    #: :attr:`normalization`'s statistics as tensors by (input, dtype, dims), built on first use
    #: by inference (:mod:`tactile.estimators.neural.predict`) with the normalisation they
    #: came from; not part of the model
    norm_tensors: tuple[Normalization, NormCache] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def n_members(self) -> int:
        """How many networks answer: this one and its :attr:`members`."""
        return 1 + len(self.members)

    def networks(self) -> list[LoadedModel]:
        """This network and its ensemble members, in the order their outputs are combined."""
        return [self, *self.members]


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


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file (what ``info["ensemble"]`` records per member)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def ensemble_entry(member_files: list[tuple[Path, int]]) -> dict[str, Any]:
    """The ``info["ensemble"]`` entry of a primary checkpoint for members written beside it:
    ``(file, seed)`` pairs."""
    return {
        "combine": "log10: mean of the members' means; variance = mean of the members' "
        "variances + variance of their means",
        "members": [
            {"file": p.name, "seed": int(seed), "sha256": file_sha256(p)}
            for p, seed in member_files
        ],
    }


def load_checkpoint(path: str | Path) -> LoadedModel:
    """Load a checkpoint (weights_only) into an eval-mode network, with its ensemble members
    when its ``info`` lists any."""
    loaded = _load_single(Path(path))
    loaded.members = _load_members(loaded)
    return loaded


def _member_error(member: Path, primary: Path, why: str) -> ModelFileError:
    return ModelFileError(
        f"ensemble member {member} of model {primary} {why}",
        hint=f"restore the model folder {primary.parent} as it was written (e.g. `git checkout "
        "-- models/<name>` for a shipped model), or retrain the ensemble with `tactile train "
        f"DATA --out {primary.parent} --ensemble K`",
    )


def _load_members(primary: LoadedModel) -> list[LoadedModel]:
    spec = primary.info.get("ensemble")
    if spec is None:
        return []
    path = primary.path
    assert path is not None
    entries = spec.get("members") if isinstance(spec, dict) else None
    if not isinstance(entries, list):
        raise _bad(path, "has a malformed ensemble entry (info['ensemble']['members'])")
    members: list[LoadedModel] = []
    for entry in entries:
        name = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise _bad(path, f"lists an ensemble member with a bad file name ({entry!r})")
        file = path.parent / name
        if not file.is_file():
            raise _member_error(file, path, "is missing")
        digest = entry.get("sha256")
        if isinstance(digest, str) and file_sha256(file) != digest:
            raise _member_error(
                file, path, "is not the file the model was written with (its SHA-256 differs)"
            )
        try:
            member = _load_single(file)
        except ModelFileError as exc:
            raise _member_error(file, path, f"cannot be read: {exc.message}") from exc
        if member.config != primary.config:
            raise _member_error(file, path, "has another network config than model.pt")
        members.append(member)
    return members


def _load_single(path: Path) -> LoadedModel:
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
