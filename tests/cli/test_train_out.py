"""`tactile train --out`: a shipped model's folder is refused, an existing model is replaced
only when told (--overwrite, which leaves one model in the folder), --resume needs a training
state, and an interrupted run says what it left (newuser42)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tactile.estimators.neural.training as training
from tactile.cli.main import main
from tactile.errors import ModelFileError
from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint
from tactile.estimators.neural.estimator import (
    SHIPPED_MODELS,
    refuse_partial_model,
    shipped_model_at,
)
from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

pytestmark = pytest.mark.timeout(600)

_SHIPPED = Path(__file__).resolve().parents[2] / "models"


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_the_shipped_model_folder_is_refused_even_with_overwrite(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert SHIPPED_MODELS == ("default",) and shipped_model_at(_SHIPPED / "default") == "default"
    before = _bytes(_SHIPPED / "default")
    for extra in ([], ["--overwrite"], ["--resume"]):
        argv = ["train", "missing.h5", "--out", str(_SHIPPED / "default"), *extra]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "is the shipped model 'default'" in err and "train into another folder" in err
    assert _bytes(_SHIPPED / "default") == before


def test_a_folder_holding_a_model_is_refused_without_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "model.pt").write_bytes(b"old model")
    assert main(["train", "missing.h5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds a model" in err and "--overwrite" in err
    assert (out / "model.pt").read_bytes() == b"old model"


def test_resume_without_a_training_state_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "missing.h5", "--out", str(tmp_path / "new"), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "no interrupted run to continue" in err and "drop --resume" in err
    assert not (tmp_path / "new").exists()


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    out = Path(kwargs["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    if kwargs.get("ensemble") == 2:  # stands for "after the first epoch"
        (out / "last.pt").write_bytes(b"state")
    raise KeyboardInterrupt


def test_an_interrupted_run_says_how_to_resume_or_leaves_no_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(training, "train_network", _interrupt)
    early = tmp_path / "early"
    assert main(["train", "missing.h5", "--out", str(early), "--no-progress"]) == 130
    err = capsys.readouterr().err
    assert "before the first epoch" in err and not early.exists()
    late = tmp_path / "late"
    argv = ["train", "missing.h5", "--out", str(late), "--ensemble", "2", "--no-progress"]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert f"{late / 'last.pt'}" in err and "with --resume to finish it" in err


@pytest.fixture(scope="module")
def sim_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("train_out") / "sim.h5"
    with GraspWriter(path, overwrite=True) as writer:
        for i, modulus_pa in enumerate((2e4, 1e6, 1e9)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus_pa, name=f"b{i}")
            for k in range(2):
                writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=10 * i + k))
    return path


def test_overwrite_leaves_one_model_in_the_folder(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m"
    argv = ["train", str(sim_file), "--out", str(out), "--model", "mt-tiny", "--epochs", "1",
            "--threads", "1", "--cache-dir", str(tmp_path / "c"), "--val-fraction", "0.34",
            "--no-progress", "--json"]  # fmt: skip
    assert main([*argv, "--ensemble", "2"]) == 0
    (out / "MODEL_CARD.md").write_text("describes the ensemble\n")
    assert main(argv) == 2  # told nothing: the ensemble stays
    assert load_checkpoint(out / "model.pt").n_members == 2
    capsys.readouterr()
    assert main([*argv, "--overwrite"]) == 0
    assert json.loads(capsys.readouterr().out)["n_grasps"] == 6
    names = {p.name for p in out.iterdir()}
    assert "member_1.pt" not in names and "MODEL_CARD.md" not in names
    assert load_checkpoint(out / "model.pt").n_members == 1


@pytest.mark.parametrize(
    ("flag", "example"), [("--epochs", "200"), ("--batch-size", "64"), ("--patience", "30")]
)
def test_a_bad_integer_setting_gets_an_example_for_that_setting(
    flag: str, example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "missing.h5", "--out", str(tmp_path / "o"), flag, "0"]) == 2
    err = capsys.readouterr().err
    assert f"({flag}) must be an integer >= 1" in err and f"e.g. {flag} {example}" in err
    assert "e.g. 50" not in err and not (tmp_path / "o").exists()


def _unfinish(state: Path) -> None:
    """Make a finished run's last.pt look interrupted (as if stopped after its last epoch)."""
    loaded = load_checkpoint(state)
    assert loaded.train_state is not None
    save_checkpoint(
        state,
        loaded.model,
        loaded.normalization,
        info=loaded.info,
        train_state={**loaded.train_state, "finished": False},
    )


def test_a_finished_run_is_not_resumed_and_a_resume_needs_the_same_run(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review55: a finished run left a last.pt that --resume continued (replacing model.pt's
    range and OOD statistics with another data set's); --model/--finetune named it a run that
    did not finish; a resume on other data or settings was not noticed."""
    out = tmp_path / "m"
    argv = ["train", str(sim_file), "--out", str(out), "--model", "mt-tiny", "--epochs", "1",
            "--threads", "1", "--cache-dir", str(tmp_path / "c"), "--val-fraction", "0.34",
            "--no-progress", "--json"]  # fmt: skip
    assert main(argv) == 0
    state = load_checkpoint(out / "last.pt")
    assert state.train_state is not None and state.train_state["finished"] is True
    before = (out / "model.pt").read_bytes()
    capsys.readouterr()
    assert main([*argv, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "run that finished" in err and "use --overwrite" in err
    assert (out / "model.pt").read_bytes() == before
    with pytest.raises(ModelFileError) as refused:
        refuse_partial_model(state)
    assert "a finished `tactile train` run" in refused.value.message
    assert "did not finish" not in refused.value.message
    finetune = ["train", str(sim_file), "--out", str(tmp_path / "ft"), "--finetune",
                str(out / "last.pt"), "--epochs", "1", "--threads", "1", "--no-progress",
                "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(finetune) == 2
    err = capsys.readouterr().err
    assert "training state" in err and f"--finetune {out}" in err
    _unfinish(out / "last.pt")
    assert main([*argv, "--resume", "--lr", "0.1"]) == 2  # another recipe
    err = capsys.readouterr().err
    assert "other data or with another recipe" in err
    assert (out / "model.pt").read_bytes() == before
    # an interrupted --overwrite resumed with --resume alone: the old model's leftovers go too
    (out / "member_7.pt").write_bytes(b"the replaced ensemble's member")
    (out / "MODEL_CARD.md").write_text("describes the replaced model\n")
    assert main([*argv, "--resume"]) == 0  # the same run: continued
    assert not (out / "member_7.pt").exists() and not (out / "MODEL_CARD.md").exists()


def test_an_interrupted_overwrite_does_not_name_the_old_runs_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(training, "train_network", _interrupt)
    out = tmp_path / "m"
    out.mkdir()
    (out / "model.pt").write_bytes(b"old model")
    (out / "last.pt").write_bytes(b"the old finished run's state")
    argv = ["train", "missing.h5", "--out", str(out), "--overwrite", "--no-progress"]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "last.pt" not in err and "before the first epoch" in err
