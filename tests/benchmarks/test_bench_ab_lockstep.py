"""benchmarks/bench_ab_lockstep.py: two source trees timed grasp by grasp on one core (A/B).
Figures: BENCHMARKS.md ("Issue 12: the network path's own overheads")."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_ab_lockstep import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_both_trees_time_every_grasp(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "two.h5"
    with GraspWriter(path) as writer:
        for i, modulus in enumerate((5e4, 3e5)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus, name=f"o{i}")
            writer.append(simulate_grasp(obj, SimGraspConfig(), seed=i, grasp_id=f"g{i}"))
    out = tmp_path / "ab.json"
    argv = ["bench_ab_lockstep.py", "--base", str(ROOT), "--new", str(ROOT), "--estimator",
            "blind", "--repeats", "1", "--json", str(out), str(path)]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    main()
    printed = capsys.readouterr().out
    assert "two.h5: base" in printed and "of 2 | new" in printed and "all 2 grasps" in printed
    figures = json.loads(out.read_text())
    assert sorted(k.split(":")[-1] for k in figures) == ["g0", "g1"]
    for row in figures.values():
        assert row["base"] > 0.0 and row["new"] > 0.0
