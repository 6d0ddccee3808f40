"""benchmarks/retrain36_score.py: models scored side by side on a simulated file, and pooled
(findings: benchmarks/results/retrain36.md, BENCHMARKS.md "The network retrained on 1 500
simulated objects")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from retrain36_score import COUNTS, main


@pytest.fixture(scope="module")
def grasp_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("retrain36") / "two.h5"
    with GraspWriter(path) as writer:
        for i, modulus in enumerate((5e4, 2e11)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus, name=f"o{i}")
            writer.append(simulate_grasp(obj, SimGraspConfig(), seed=i, grasp_id=f"g{i}"))
    return path


def test_score_and_pool(
    grasp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    assert (
        main([str(grasp_file), "--model", "a=default", "--model", "b=default", "--json", str(out)])
        == 0
    )
    rep = json.loads(out.read_text())
    assert set(rep["models"]) == {"a", "b"}
    a, b = rep["models"]["a"], rep["models"]["b"]
    for k in COUNTS:  # the same model twice: the same counts
        assert a[k] == b[k]
    assert a["objects"] == 2
    assert a["below_hits"] <= a["below_n"] <= a["objects"]
    assert a["net_covered_68"] <= a["net_scored"] <= a["objects"]
    capsys.readouterr()
    assert main(["--pool", str(out), str(out), "--label", "twice"]) == 0
    text = capsys.readouterr().out
    assert "**twice, pooled** | a |" in text
    assert (
        f"{2 * a['below_hits']} of {2 * a['below_n']}" in text.split("**twice, pooled** | a |")[1]
    )


def test_needs_one_file_and_a_model(grasp_file: Path) -> None:
    with pytest.raises(SystemExit):
        main([str(grasp_file)])
