"""benchmarks/hyb36_diagnosis.py: the hybrid's below-limit misses, what its combination saw, and
what-ifs on the combination rule (findings: benchmarks/results/hyb36_diagnosis.md, BENCHMARKS.md
"Where the hybrid misses below the limit")."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import ModulusEstimate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from hyb36_diagnosis import WHATIFS, _open_gaussian, kind, main, oracle


@pytest.fixture(scope="module")
def grasp_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hyb36") / "two.h5"
    with GraspWriter(path) as writer:
        for i, modulus in enumerate((5e4, 2e11)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus, name=f"o{i}")
            writer.append(simulate_grasp(obj, SimGraspConfig(), seed=i, grasp_id=f"g{i}"))
    return path


def test_run_and_report(
    grasp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    assert main(["run", str(grasp_file), str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["object"] for r in rows] == ["o0", "o1"]
    for r in rows:
        if "error" in r["hybrid"]:
            continue
        # the shipped rule re-run on the recorded inputs is the answer itself
        assert r["whatif"]["main"]["log10"] == pytest.approx(r["hybrid"]["log10"])
        assert set(r["whatif"]) == set(WHATIFS)
        assert "mu" in r["net"] and "sigma" in r["net"]
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| what-if |" in text and "oracle" in text


def test_open_gaussian_reads_the_lower_half() -> None:
    open_ended = ModulusEstimate(1e5, (1e4, math.inf), (1e3, math.inf), "blind")
    mu, sigma = _open_gaussian(open_ended, 1.0) or (0.0, 0.0)
    assert mu == pytest.approx(5.0)
    assert sigma == pytest.approx(1.0 / 0.994458)
    two_sided = ModulusEstimate(1e5, (1e4, 1e6), (1e3, 1e7), "blind")
    assert _open_gaussian(two_sided, 1.0) is None
    bound = ModulusEstimate(1e5, (1e5, math.inf), (1e5, math.inf), "blind", lower_bound_only=True)
    assert _open_gaussian(bound, 1.0) is None


def test_kind_and_oracle() -> None:
    point = {"log10": 5.0, "bound": False}
    assert kind(point, 5.5) == "hit"
    assert kind(point, 3.5) == "stiff"
    assert kind({"log10": 4.0, "bound": True}, 5.0) == "bound"
    assert kind({"error": "no"}, 5.0) == "refused"
    row = {"label": 4.0, "hybrid": {"log10": 4.0, "bound": True}, "net": {"mu": 7.0}}
    assert not oracle(row)
    row["ana"] = {"log10": 4.5, "bound": False}
    assert oracle(row)
