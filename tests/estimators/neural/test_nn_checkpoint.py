"""Checkpoints: weights_only round trip; corrupt, foreign and malicious files are refused."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import synthetic_dataset

from tactile.errors import ModelFileError
from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.estimator import model_path, resolve_model
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.model import create_model
from tactile.estimators.neural.predict import predict_log10


def _saved(tmp_path: Path, cfg: MultiTowerConfig) -> tuple[Path, dict[str, np.ndarray]]:
    data = synthetic_dataset(cfg, n_objects=6)
    norm = Normalization.fit(data.arrays, data.log10_modulus)
    model = create_model(cfg).eval()
    path = save_checkpoint(
        tmp_path / "m" / "model.pt",
        model,
        norm,
        sigma_scale=1.7,
        metrics={"val": {"log10_mae": 0.2}},
        info={"stiff_limit_pa": 1e9},
    )
    return path, data.arrays


def test_round_trip_with_weights_only_predicts_identically(
    tiny_config: MultiTowerConfig, tmp_path: Path
) -> None:
    path, arrays = _saved(tmp_path, tiny_config)
    raw = torch.load(path, weights_only=True)  # plain data: loads with the safe unpickler
    assert raw["format"] == "tactile-multitower"
    a = load_checkpoint(path)
    b = load_checkpoint(path)
    assert a.config == tiny_config and a.sigma_scale == 1.7
    assert a.metrics["val"]["log10_mae"] == 0.2 and a.info["stiff_limit_pa"] == 1e9
    mu_a, sd_a = predict_log10(a, arrays)
    mu_b, sd_b = predict_log10(b, arrays)
    np.testing.assert_array_equal(sd_a, sd_b)
    np.testing.assert_array_equal(mu_a, mu_b)
    assert np.all(np.isfinite(mu_a)) and np.all(sd_a > 0)
    assert resolve_model(path.parent) is resolve_model(path)  # folder or file, cached once


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_malicious_checkpoint_is_refused_without_running_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"format": "tactile-multitower", "payload": _Exploit(marker)}, evil)
    with pytest.raises(ModelFileError, match="refused") as err:
        load_checkpoint(evil)
    assert not marker.exists()
    assert err.value.hint and "tactile train" in err.value.hint
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(_Exploit(marker)))
    with pytest.raises(ModelFileError):
        load_checkpoint(plain)
    assert not marker.exists()


def test_corrupt_foreign_and_missing_checkpoints_are_refused(
    tiny_config: MultiTowerConfig, tmp_path: Path
) -> None:
    path, _ = _saved(tmp_path, tiny_config)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00not a checkpoint" * 50)
    foreign = tmp_path / "foreign.pt"
    torch.save({"state_dict": create_model(tiny_config).state_dict()}, foreign)
    newer = tmp_path / "newer.pt"
    payload = torch.load(path, weights_only=True)
    torch.save({**payload, "format_version": 99}, newer)
    stale = tmp_path / "stale.pt"  # trained on the inputs of an older tactile
    torch.save({**payload, "format_version": 1}, stale)
    mismatched = tmp_path / "mismatched.pt"
    torch.save(
        {**payload, "config_json": tiny_config.with_overrides(k_frames=7).to_json()}, mismatched
    )
    for bad, needle in [
        (truncated, "corrupt"),
        (garbage, "corrupt"),
        (foreign, "not a tactile"),
        (newer, "newer"),
        (stale, "older tactile"),
        (mismatched, "does not match"),
        (tmp_path / "absent.pt", "does not exist"),
    ]:
        with pytest.raises(ModelFileError, match=needle) as err:
            load_checkpoint(bad)
        assert "train" in (err.value.hint or "") or "checkpoint" in (err.value.hint or "")


def test_unknown_model_name_lists_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "model.pt").write_bytes(b"x")
    monkeypatch.setenv("TACTILE_MODELS_DIR", str(tmp_path))
    assert model_path("mine") == tmp_path / "mine" / "model.pt"
    with pytest.raises(ModelFileError, match="no model 'nope'") as err:
        model_path("nope")
    assert "mine" in str(err.value.hint)
