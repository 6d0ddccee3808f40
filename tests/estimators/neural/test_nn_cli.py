"""`tactile train` end to end on a small simulated HDF5 file, then evaluate_model and estimate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tactile.cli.main import main
from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint
from tactile.estimators.neural.evaluate import evaluate_model, summarize
from tactile.estimators.registry import get_estimator
from tactile.io import GraspReader, GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

#: a generous bound (training on 2 loaded cores takes a minute);
#: pytest-timeout's default 300 s is meant for hangs, not for a busy machine
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def sim_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nn") / "sim.h5"
    with GraspWriter(path, overwrite=True) as writer:
        for i, modulus_pa in enumerate((2e4, 1e5, 1e6, 1e9)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus_pa, name=f"ball{i}")
            for k in range(2):
                writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=10 * i + k))
    return path


def test_train_command_writes_a_loadable_model_and_resumes(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    args = [
        "train",
        str(sim_file),
        "--out",
        str(out),
        "--model",
        "mt-tiny",
        "--epochs",
        "4",
        "--threads",
        "1",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--val-fraction",
        "0.25",
        "--stiff-limit-pa",
        "1e9",
        "--json",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_grasps"] == 8 and report["n_objects"] == 4
    assert {p.name for p in out.iterdir()} >= {"model.pt", "last.pt", "config.json", "metrics.json"}
    loaded = load_checkpoint(out / "model.pt")
    assert loaded.config.name == "mt-tiny" and loaded.info["stiff_limit_pa"] == 1e9
    assert list((tmp_path / "cache").glob("*.npz"))  # prepared inputs were cached
    # a finished run is not resumed (review55: a resume on other data replaced its model.pt)
    before = (out / "model.pt").read_bytes()
    assert main([*args, "--resume"]) == 2
    assert "run that finished" in capsys.readouterr().err
    assert (out / "model.pt").read_bytes() == before

    records = evaluate_model(out, [sim_file], cache_dir=tmp_path / "cache")
    assert len(records) == 8 and all(np.isfinite(r["pred_log10"]) for r in records)
    summary = summarize(records)
    assert summary["network"]["n_objects"] == 4 and "analytical" in summary

    reader = GraspReader(sim_file)
    grasp = reader.read(reader.ids()[0])
    est = get_estimator("hybrid", model=out).estimate(grasp)
    assert est.estimator == "hybrid" and est.modulus_pa > 0


def test_finetune_starts_from_a_checkpoint(sim_file: Path, tmp_path: Path) -> None:
    base, tuned = tmp_path / "base", tmp_path / "tuned"
    common = [
        "--epochs",
        "2",
        "--threads",
        "1",
        "--cache-dir",
        str(tmp_path / "c"),
        "--no-progress",
    ]
    assert main(["train", str(sim_file), "--out", str(base), "--model", "mt-tiny", *common]) == 0
    b = load_checkpoint(base / "model.pt")
    b.info["analytical_sigma_scale"] = 2.5  # as fit_hybrid.py --store-in writes it
    save_checkpoint(base / "model.pt", b.model, b.normalization, sigma_scale=b.sigma_scale,
                    metrics=b.metrics, info=b.info)  # fmt: skip
    assert (
        main(["train", str(sim_file), "--out", str(tuned), "--finetune", str(base), *common]) == 0
    )
    info = load_checkpoint(tuned / "model.pt").info
    assert info["finetuned_from"].endswith("model.pt")
    # ft40: the base's OOD reference (with the fine-tune's grasps added, review41) and the
    # hybrid's physics scale carry over
    base_ood, ood = b.info["ood"], info["ood"]
    assert ood["scale"] == base_ood["scale"] and ood["mean"] == base_ood["mean"]
    assert ood["reference"][: len(base_ood["reference"])] == base_ood["reference"]
    assert len(ood["reference"]) > len(base_ood["reference"])
    assert info["analytical_sigma_scale"] == 2.5
    # review41: a fine-tune is not cross-validated from scratch, and resumes only as one
    ft = ["train", str(sim_file), "--out", str(tuned), *common]
    assert main([*ft, "--finetune", str(base), "--folds", "2", "--overwrite"]) != 0
    state = load_checkpoint(tuned / "last.pt")  # as if interrupted after its last epoch
    assert state.train_state is not None
    save_checkpoint(tuned / "last.pt", state.model, state.normalization, info=state.info,
                    train_state={**state.train_state, "finished": False})  # fmt: skip
    assert main([*ft, "--model", "mt-tiny", "--resume"]) != 0
    assert main([*ft, "--finetune", str(base), "--resume"]) == 0
    assert load_checkpoint(tuned / "model.pt").info["ood"] == info["ood"]


def test_train_ensemble_writes_members_the_estimators_combine(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ens"
    argv = ["train", str(sim_file), "--out", str(out), "--model", "mt-tiny", "--epochs", "3",
            "--threads", "1", "--cache-dir", str(tmp_path / "c"), "--val-fraction", "0.25",
            "--ensemble", "3", "--seed", "7", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "ensemble member 1 (seed 8)" in text and "ensemble member 2 (seed 9)" in text
    assert {"model.pt", "member_1.pt", "member_2.pt"} <= {p.name for p in out.iterdir()}
    assert load_checkpoint(out / "model.pt").n_members == 3
    reader = GraspReader(sim_file)
    for name in ("neural", "hybrid"):
        est = get_estimator(name, model=out).estimate_stored(reader, reader.ids()[0])
        assert est.details["ensemble_members"] == 3
        assert est.details["network_log10_sigma"] >= est.details["ensemble_spread_log10"]


def test_bad_config_is_one_line_error(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["train", str(sim_file), "--out", str(tmp_path / "x"), "--config", '{"k_frames": 1}']
    )
    assert code == 2
    assert "k_frames" in capsys.readouterr().err


def test_folds_1_is_refused(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["train", str(sim_file), "--out", str(tmp_path / "x"), "--folds", "1"])
    assert code == 2
    assert "at least 2 folds" in capsys.readouterr().err
    assert not (tmp_path / "x" / "model.pt").exists()


def test_degenerate_limit_warns_loudly(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A limit below every object calls all of them 'stiffer than the gel': the command says so
    on stderr (not just 'nan%'), and the checkpoint keeps the warning."""
    out = tmp_path / "m"
    args = ["train", str(sim_file), "--out", str(out), "--model", "mt-tiny", "--epochs", "2"]
    args += ["--folds", "2", "--stiff-limit-pa", "1e3", "--threads", "1", "--no-progress"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--val-fraction", "0.25"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "WARNING" in captured.err and "stiffer than the gel" in captured.err
    assert "fix:" in captured.err
    assert "nan%" not in captured.out and "n/a" in captured.out
    assert "below the resolvable limit (1e+03 Pa)" in captured.out  # given: applied
    assert "reported, not applied" not in captured.out
    assert load_checkpoint(out / "model.pt").info["training_warnings"]


def test_a_measured_boundary_is_reported_as_not_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --stiff-limit-pa the model flags from each grasp's physics: the CV's accuracy
    boundary is printed as a report, not as the model's limit (no claim that it flags by it)."""
    from tactile.cli.train_cmd import _print_report

    below = {"network_within_1_decade": 1.0, "network_log10_mae": 0.4, "wrongly_flagged": 1.0}
    report = {
        "architecture": "searched", "n_grasps": 300, "n_objects": 150, "skipped": 0,
        "limit_report": {"below": below, "above": {"flagged": 0.99, "n_objects": 145.0}},
        "stiff_limit_pa": 1e4, "limit_applied": False, "val": {}, "checkpoint": "m/model.pt",
    }  # fmt: skip
    _print_report(report)
    out = capsys.readouterr().out
    assert "below the held-out accuracy boundary (1e+04 Pa)" in out
    assert "wrongly flagged stiff by it 100.0%" in out and "flagged by it" in out
    assert "reported, not applied" in out and "resolvable limit" not in out


def test_train_config_recipe_reproduces_the_searched_settings(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tactile.estimators.neural.model import model_config
    from tactile.estimators.neural.recipe import TrainingRecipe

    net = model_config("mt-tiny").with_overrides(name="searched", fusion_hidden=[8])
    recipe = TrainingRecipe(net, {"lr": 3e-3, "weight_decay": 1e-5, "epochs": 3}, "hertz")
    best = recipe.save(tmp_path / "best.json")
    out = tmp_path / "m"
    common = ["--threads", "1", "--cache-dir", str(tmp_path / "c"), "--val-fraction", "0.25"]
    assert main(["train", str(sim_file), "--out", str(out), "--config", str(best), *common]) == 0
    loaded = load_checkpoint(out / "model.pt")
    assert loaded.config == net
    train_cfg = loaded.info["train_config"]
    assert train_cfg["lr"] == 3e-3 and train_cfg["weight_decay"] == 1e-5
    assert train_cfg["epochs"] == 3
    # an explicit flag wins over the recipe
    out2 = tmp_path / "m2"
    cmd = ["train", str(sim_file), "--out", str(out2), "--config", str(best), "--lr", "1e-3"]
    assert main([*cmd, *common]) == 0
    assert load_checkpoint(out2 / "model.pt").info["train_config"]["lr"] == 1e-3


def test_train_shows_progress_bars_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: `tactile train > log 2>&1` filled the log with progress bars."""
    import sys

    import tactile.estimators.neural.training as training

    seen: list[bool] = []

    class StopError(Exception):
        pass

    def fake_train(*args: object, progress: bool, **kwargs: object) -> None:
        seen.append(progress)
        raise StopError

    monkeypatch.setattr(training, "train_network", fake_train)
    argv = ["train", "data.h5", "--out", str(tmp_path / "m")]
    for tty, extra, expected in [
        (False, [], False),  # a pipe or a log file
        (True, [], True),  # a terminal
        (True, ["--no-progress"], False),
        (False, ["--progress"], True),
        (True, ["--json"], False),
    ]:
        monkeypatch.setattr(sys.stderr, "isatty", lambda tty=tty: tty)
        with pytest.raises(StopError):
            main([*argv, *extra])
        assert seen.pop() is expected, (tty, extra)
