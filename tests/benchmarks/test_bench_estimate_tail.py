"""benchmarks/bench_estimate_tail.py: every grasp of a file timed, for the analytical path and
the network's (its own partial read, as ``tactile estimate``). Figures: BENCHMARKS.md
("Blind estimate from a file: the slow tail", "Network (one core)")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_estimate_tail import main


@pytest.fixture(scope="module")
def grasp_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tail") / "two.h5"
    with GraspWriter(path) as writer:
        for i, modulus in enumerate((5e4, 2e11)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus, name=f"o{i}")
            writer.append(simulate_grasp(obj, SimGraspConfig(), seed=i, grasp_id=f"g{i}"))
    return path


@pytest.mark.parametrize("estimator", ["blind", "hybrid"])
def test_every_grasp_is_timed(
    estimator: str, grasp_file: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    if estimator == "hybrid":
        pytest.importorskip("torch")
    out = tmp_path / "tail.json"
    argv = ["bench_estimate_tail.py", str(grasp_file), "--repeats", "1", "--estimator",
            estimator, "--json", str(out)]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    main()
    printed = capsys.readouterr().out
    assert "two.h5 first" in printed and "two.h5 repeat" in printed and "of 2 over 50 ms" in printed
    figures = json.loads(out.read_text())
    assert sorted(k.split(":")[-1] for k in figures) == ["g0", "g1"]
    for row in figures.values():
        assert row["first"] > 0.0 and row["repeat"] > 0.0
