"""benchmarks/path39_per_path.py and path39_fit.py: the pure parts (path39, issue 12)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from path39_fit import fit_scale_68, fit_scale_95, z_of
from path39_per_path import dropped_stiff_flags, physics_path

from tactile.types import ModulusEstimate


def _est(**details: Any) -> ModulusEstimate:
    return ModulusEstimate(1e5, (5e4, 2e5), (2e4, 5e5), "auto", details=details)


def test_physics_path_given_only_for_an_unreplaced_given_geometry_answer() -> None:
    assert physics_path(None) == "blind"
    assert physics_path(_est(auto_chose="blind")) == "blind"
    assert physics_path(_est()) == "blind"
    assert physics_path(_est(auto_chose="hertz")) == "given"
    assert physics_path(_est(auto_chose="hertz", given_point_pa=3e4)) == "blind"
    assert physics_path(_est(auto_chose="hertz", bound_from="blind")) == "blind"


def test_fit_rules_and_z() -> None:
    z = np.linspace(0.0, 4.0, 401)
    assert math.isclose(fit_scale_68(z), max(1.0, float(np.quantile(z, 0.68)) / 0.994458))
    assert fit_scale_68(np.zeros(5)) == 1.0  # floored
    assert fit_scale_95(z / 4) < 1.0 < fit_scale_95(z)  # not floored
    assert z_of(5.0, 1e4, 1e4, 1e5) is None
    got = z_of(5.0, 10**4.5, 10**5.5, 1e6)
    assert got is not None and math.isclose(got, 1.0 / (1.0 / (2 * 0.994458)))


def test_dropped_stiff_flags_only_above_the_limit() -> None:
    def run(flags: dict[str, bool]) -> dict[str, Any]:
        detail = [
            {"object": o, "label": 7.0, "log10": 5.0, "flagged": f, "below_limit": o == "c"}
            for o, f in flags.items()
        ]
        objects = [{"object_id": o, "answer": "point"} for o in flags]
        return {"summary": {"simulated_truth": {"objects_detail": detail}}, "objects": objects}

    old = run({"a": True, "b": True, "c": True})
    new = run({"a": False, "b": True, "c": False})
    got = dropped_stiff_flags(old, new)
    assert [d["object"] for d in got] == ["a"]
    assert got[0]["new_answer"] == "point" and got[0]["new_error_dex"] == -2.0
