"""`tactile simulate`, generate_dataset: synthetic grasps through the grasp store, with a card."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tactile.cli.main import main
from tactile.io import GraspReader
from tactile.recording.synthetic import generate_dataset
from tactile.sensor import SIM_WEDGE
from tactile.sim import SimGraspConfig, sample_population, simulate_grasp
from tactile.sim.dataset import FORCE_TARGET_JITTER, grasp_seed

#: The sim Wedge pad at a quarter of the pixels (120x160 frames, same 35 x 25.5 mm pad).
SMALL_CAL = replace(
    SIM_WEDGE, mm_per_px_x=SIM_WEDGE.mm_per_px_x * 2, mm_per_px_y=SIM_WEDGE.mm_per_px_y * 2
)


def test_dataset_round_trips_through_the_store(tmp_path: Path) -> None:
    cfg = SimGraspConfig.realistic(calibration=SMALL_CAL, size_hw=(48, 64))
    out = tmp_path / "ds.h5"
    result = generate_dataset(out, n_objects=2, grasps_per_object=2, seed=7, workers=2, config=cfg)
    assert len(result.grasp_ids) == 4 and result.card_md.exists()
    card = json.loads(result.card_json.read_text())
    assert card["n_grasps"] == 4 and card["settings"]["seed"] == 7
    objs = sample_population(2, "reference", seed=7)
    with GraspReader(out) as reader:
        assert reader.ids() == list(result.grasp_ids)
        stored = reader.read(result.grasp_ids[3])
    # the same grasp simulated in this process (no workers) is bit-identical
    s = grasp_seed(7, 1, 1)
    scale = 1.0 + FORCE_TARGET_JITTER * (2.0 * np.random.default_rng(s).random() - 1.0)
    gripper = replace(cfg.gripper, force_target_n=cfg.gripper.force_target_n * scale)
    again = simulate_grasp(objs[1], replace(cfg, gripper=gripper), s)
    assert np.array_equal(stored.frames, again.frames)
    np.testing.assert_array_equal(stored.force_n, again.force_n)
    assert stored.reference_frame is not None
    assert stored.meta.label_modulus_pa == objs[1].modulus_pa
    assert stored.meta.extra["seed"] == s


def test_cli_simulate_json(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cli_ds"
    argv = [
        "simulate", str(out), "--objects", "2", "--grasps", "1", "--seed", "3",
        "--population", "loguniform", "--workers", "1", "--size", "32x48", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["grasp_ids"]) == 2
    assert Path(payload["card_md"]).read_text().startswith("# Synthetic grasp dataset")
    with GraspReader(out) as reader:
        assert reader.read(payload["grasp_ids"][0]).frames.shape[1:] == (32, 48, 3)


def test_cli_simulate_rejects_bad_counts(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["simulate", "x.h5", "--objects", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


def test_cli_preset_mix_alternates_presets_per_grasp(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mix.h5"
    argv = [
        "simulate", str(out), "--objects", "2", "--grasps", "3", "--seed", "1", "--workers", "1",
        "--size", "32x48", "--preset", "mix", "--mix-presets", "ideal,realistic,clean", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    settings = payload["card"]["settings"]
    assert settings["preset"] == "mix" and settings["presets"] == ["ideal", "realistic", "clean"]
    with GraspReader(out) as reader:
        presets = [reader.read(g).meta.extra["sim_preset"] for g in payload["grasp_ids"]]
    # object i's grasp k uses preset (i + k) mod 3
    assert presets == ["ideal", "realistic", "clean", "realistic", "clean", "ideal"]


def test_cli_rejects_unknown_mix_preset(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "x.h5", "--preset", "mix", "--mix-presets", "ideal,noisy"])
    assert exc.value.code == 2
    assert "realistic" in capsys.readouterr().err


def test_cli_simulate_shows_a_progress_bar(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["simulate", str(tmp_path / "p.h5"), "--objects", "1", "--grasps", "2", "--workers", "1",
            "--size", "32x48", "--progress"]  # fmt: skip
    # (--progress: by default the bar shows only on a terminal)
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "2/2" in captured.err and "grasp" in captured.err  # tqdm writes to stderr
    assert "Wrote 2 grasps" in captured.out


def test_cli_simulate_e_range_is_drawn_and_recorded(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "soft.h5"
    argv = [
        "simulate", str(out), "--objects", "3", "--grasps", "1", "--seed", "5",
        "--population", "independent", "--e-range-pa", "5e3", "3.16e5", "--workers", "1",
        "--size", "32x48", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["card"]["settings"]["e_range_pa"] == [5e3, 3.16e5]
    with GraspReader(out) as reader:
        labels = [reader.read_signals(g).meta.label_modulus_pa for g in payload["grasp_ids"]]
    assert all(5e3 <= e <= 3.16e5 for e in labels)
    assert main(["simulate", str(tmp_path / "r.h5"), "--e-range-pa", "1e4", "1e5"]) == 2
    assert "log-uniform populations only" in capsys.readouterr().err
