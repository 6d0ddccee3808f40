"""Ensembles over training seeds: training, loading (weights_only), the combination in log10
space, a single model unchanged, and missing / corrupt / mismatched members refused clearly."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import disk_grasp, synthetic_dataset, tiny_untrained_setup

from tactile.errors import ConfigError, ModelFileError
from tactile.estimators.neural.checkpoint import (
    ensemble_entry,
    load_checkpoint,
    save_checkpoint,
)
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.model import create_model, model_config
from tactile.estimators.neural.predict import member_predictions, predict_log10
from tactile.estimators.neural.train import TrainConfig
from tactile.estimators.neural.training import TrainingWarning, train_network

FAST = TrainConfig(epochs=12, batch_size=16, lr=5e-3, patience=12, num_threads=1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    """Three tiny members trained here on the same data with seeds 4, 5, 6."""
    cfg = model_config("mt-tiny")
    data = synthetic_dataset(cfg, n_objects=16)
    out = tmp_path_factory.mktemp("ens") / "model"
    with pytest.warns(TrainingWarning, match="no cross-validation"):
        run = train_network(
            data,
            cfg,
            TrainConfig(**{**FAST.__dict__, "seed": 4}),
            out_dir=out,
            val_fraction=0.25,
            ensemble=3,
            progress=False,
        )
    assert len(run.members) == 2
    report = run.to_dict()
    assert [m["seed"] for m in report["ensemble"]] == [5, 6]
    json.dumps(report)
    return out, data.arrays


def test_trained_ensemble_loads_and_its_sigma_holds_the_members_spread(
    trained: tuple[Path, dict[str, np.ndarray]],
) -> None:
    out, arrays = trained
    assert {"model.pt", "member_1.pt", "member_2.pt"} <= {p.name for p in out.iterdir()}
    loaded = load_checkpoint(out / "model.pt")
    assert loaded.n_members == 3
    entry = loaded.info["ensemble"]["members"]
    assert [(m["file"], m["seed"]) for m in entry] == [("member_1.pt", 5), ("member_2.pt", 6)]
    assert all("ood" not in m.info for m in loaded.members)  # members stay small
    mus, sigmas = member_predictions(loaded, arrays)
    assert mus.shape == (3, len(arrays["force"]))
    assert np.ptp(mus, axis=0).max() > 1e-3  # other seeds: other networks
    mu, sigma = predict_log10(loaded, arrays)
    np.testing.assert_allclose(mu, mus.mean(axis=0))
    np.testing.assert_allclose(sigma**2, (sigmas**2).mean(axis=0) + mus.var(axis=0))
    assert np.all(sigma >= mus.std(axis=0))  # disagreement widens the interval
    assert np.all(sigma >= np.sqrt((sigmas**2).mean(axis=0)) - 1e-12)
    # each member on its own is the single model it was trained as
    alone = load_checkpoint(out / "member_1.pt")
    assert alone.n_members == 1
    np.testing.assert_allclose(predict_log10(alone, arrays)[0], mus[1])


def test_rewriting_the_entry_checkpoint_keeps_its_members(
    trained: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    """What fit_hybrid.py / eval_real_loso.py --store-in do: load, add to info, save."""
    out, arrays = trained
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in out.glob("*.pt"):
        (copy / p.name).write_bytes(p.read_bytes())
    loaded = load_checkpoint(copy / "model.pt")
    save_checkpoint(
        copy / "model.pt",
        loaded.model,
        loaded.normalization,
        sigma_scale=loaded.sigma_scale,
        metrics=loaded.metrics,
        info={**loaded.info, "analytical_sigma_scale": 3.0},
    )
    again = load_checkpoint(copy / "model.pt")
    assert again.n_members == 3 and again.info["analytical_sigma_scale"] == 3.0
    np.testing.assert_allclose(predict_log10(again, arrays)[0], predict_log10(loaded, arrays)[0])


def _copy_of(out: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "broken"
    copy.mkdir()
    for p in out.glob("*.pt"):
        (copy / p.name).write_bytes(p.read_bytes())
    return copy


def test_a_missing_member_names_the_file_and_the_fix(
    trained: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    copy = _copy_of(trained[0], tmp_path)
    (copy / "member_2.pt").unlink()
    with pytest.raises(ModelFileError, match=r"member_2\.pt .* is missing") as err:
        load_checkpoint(copy / "model.pt")
    assert "--ensemble" in (err.value.hint or "") and "git checkout" in (err.value.hint or "")


def test_a_corrupt_or_replaced_member_is_refused(
    trained: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    copy = _copy_of(trained[0], tmp_path)
    member = copy / "member_1.pt"
    member.write_bytes(member.read_bytes()[: member.stat().st_size // 2])
    with pytest.raises(ModelFileError, match=r"member_1\.pt .*SHA-256 differs") as err:
        load_checkpoint(copy / "model.pt")
    assert "--ensemble" in (err.value.hint or "")
    # without a recorded digest the truncated file is still refused, as corrupt
    loaded = torch.load(copy / "model.pt", weights_only=True)
    info = json.loads(loaded["info_json"])
    for m in info["ensemble"]["members"]:
        m.pop("sha256")
    torch.save({**loaded, "info_json": json.dumps(info)}, copy / "model.pt")
    with pytest.raises(ModelFileError, match=r"member_1\.pt .*cannot be read.*corrupt"):
        load_checkpoint(copy / "model.pt")


def test_a_member_of_another_architecture_or_path_is_refused(tmp_path: Path) -> None:
    tiny = model_config("mt-tiny")
    data = synthetic_dataset(tiny, n_objects=6)
    norm = Normalization.fit(data.arrays, data.log10_modulus)
    other = tiny.with_overrides(k_frames=5)
    member = save_checkpoint(tmp_path / "member_1.pt", create_model(other).eval(), norm)
    entry = ensemble_entry([(member, 1)])
    primary = save_checkpoint(
        tmp_path / "model.pt", create_model(tiny).eval(), norm, info={"ensemble": entry}
    )
    with pytest.raises(ModelFileError, match="another network config"):
        load_checkpoint(primary)
    entry["members"][0]["file"] = "../member_1.pt"
    save_checkpoint(primary, create_model(tiny).eval(), norm, info={"ensemble": entry})
    with pytest.raises(ModelFileError, match="bad file name"):
        load_checkpoint(primary)


def test_ensemble_arguments_are_checked(tiny_config: MultiTowerConfig) -> None:
    data = synthetic_dataset(tiny_config, n_objects=6)
    with pytest.raises(ConfigError, match="at least one member"):
        train_network(data, tiny_config, FAST, ensemble=0, progress=False)
    with pytest.raises(ConfigError, match="fine-tuning"):
        train_network(data, tiny_config, FAST, ensemble=2, finetune="x", progress=False)


def _random_members(folder: Path, n: int) -> Path:
    """``n`` untrained networks (different torch seeds) saved as one ensemble folder."""
    cfg, norm = tiny_untrained_setup()
    files = []
    for k in range(1, n):
        torch.manual_seed(100 + k)
        files.append(
            (save_checkpoint(folder / f"member_{k}.pt", create_model(cfg).eval(), norm), k)
        )
    torch.manual_seed(100)
    info: dict[str, object] = {"stiff_limit_pa": 1e30}
    if files:
        info["ensemble"] = ensemble_entry(files)
    return save_checkpoint(folder / "model.pt", create_model(cfg).eval(), norm, info=info)


def test_the_estimators_combine_the_members_before_the_limits(tmp_path: Path) -> None:
    folder = tmp_path / "ens"
    _random_members(folder, 3)
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    ens = NeuralEstimator(folder).estimate(grasp, feats, calibration="sim-wedge-v1")
    first_alone = dataclasses.replace(load_checkpoint(folder / "model.pt"), members=[])
    singles = [
        NeuralEstimator(model).estimate(grasp, feats, calibration="sim-wedge-v1")
        for model in (first_alone, folder / "member_1.pt", folder / "member_2.pt")
    ]
    mus = np.array([s.details["network_log10_mean"] for s in singles])
    sds = np.array([s.details["network_log10_sigma"] for s in singles])
    assert ens.details["ensemble_members"] == 3
    assert ens.details["network_log10_mean"] == pytest.approx(mus.mean())
    assert ens.details["network_log10_sigma"] == pytest.approx(np.sqrt((sds**2).mean() + mus.var()))
    assert ens.details["ensemble_spread_log10"] == pytest.approx(mus.std())
    assert ens.details["network_log10_sigma"] >= ens.details["ensemble_spread_log10"]
    assert ens.details["resolvable_limit_pa"] == singles[0].details["resolvable_limit_pa"]
    hybrid = HybridEstimator(folder).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert hybrid.details["network_log10_mean"] == pytest.approx(mus.mean())


def test_a_single_model_is_unchanged(tmp_path: Path) -> None:
    path = _random_members(tmp_path / "one", 1)
    loaded = load_checkpoint(path)
    assert loaded.members == [] and loaded.n_members == 1 and "ensemble" not in loaded.info
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    est = NeuralEstimator(path).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert "ensemble_members" not in est.details and "ensemble_spread_log10" not in est.details
    items = prepare_grasp(grasp, loaded.config, calibration="sim-wedge-v1", analytical=None,
                          features=feats)[0]  # fmt: skip
    arrays = {k: v[None] for k, v in items.arrays().items()}
    mu, sigma = predict_log10(loaded, arrays)
    assert est.details["network_log10_mean"] == float(mu[0])
    assert est.details["network_log10_sigma"] == float(sigma[0])
