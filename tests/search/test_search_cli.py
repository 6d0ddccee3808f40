"""`tactile search` end to end, and the hand-off: `tactile train --config best.json` reproduces
the searched design's cross-validated score."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.io import GraspWriter

COMMON = ["--folds", "2", "--epochs", "2", "--patience", "2", "--k-frames", "4", "--threads", "1"]


def test_search_exports_a_recipe_that_train_reproduces(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, cache = tmp_path / "run", tmp_path / "cache"
    args = ["search", str(sim_file), "--out", str(out), "--trials", "3", *COMMON]
    args += ["--towers", "force,width,analytical,geometry", "--cache-dir", str(cache), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["trials"]["complete"] + report["trials"]["pruned"] == 3
    assert (out / "study.log").is_file() and (out / "best.json").is_file()
    assert (out / "history.png").is_file()
    searched_mae = report["best"]["log10_mae"]
    assert math.isfinite(searched_mae)
    # rerunning the same command resumes: nothing left to do, same best
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["best"]["log10_mae"] == searched_mae

    model = tmp_path / "model"
    train = ["train", str(sim_file), "--config", str(out / "best.json"), "--out", str(model)]
    train += ["--folds", "2", "--threads", "1", "--cache-dir", str(cache), "--json"]
    assert main(train) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["cross_validation"]["network"]["log10_mae"] == pytest.approx(
        searched_mae, abs=1e-6
    )
    assert trained["architecture"].startswith("tactile-search-trial")


def test_search_refuses_real_grasps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from search_helpers import _mod  # the neural tests' synthetic grasp (source "test")

    grasp, _ = _mod.disk_grasp()
    path = tmp_path / "real.h5"
    with GraspWriter(path, overwrite=True) as writer:
        writer.append(grasp)
    code = main(["search", str(path), "--out", str(tmp_path / "o"), "--trials", "1"])
    assert code == 2
    assert "simulated grasps only" in capsys.readouterr().err


def test_bad_objectives_are_one_line_errors(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["search", str(sim_file), "--out", str(tmp_path), "--objectives", "speed"])
    assert code == 2 and "log10_mae" in capsys.readouterr().err
