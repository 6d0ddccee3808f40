"""benchmarks/bench_imprint_split.py: a stored rig is rebuilt exactly (and a wrong one refused),
and on two rigs the golf-ball presses' imprint gives a finite, positive gel depth near the
simulated one. Findings: BENCHMARKS.md "Blind: can the press's imprint split gel and rig?"."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_imprint_split import FORMULAS, analyse_rig, fresh_rigs, gel_depths, stored_rigs
from bench_rig_split import _base_config

from tactile.sim.rigs import RigRanges, apply_rig, draw_rig


def _store(path: Path, n: int, *, tamper: bool = False) -> None:
    """A grasp file holding only what ``stored_rigs`` reads: each grasp's calibration and rig."""
    with h5py.File(path, "w") as f:
        for k in range(n):
            draw = draw_rig(np.random.default_rng(100 + k), RigRanges())
            cal = apply_rig(_base_config(), draw).rig_calibration
            if tamper:
                cal = replace(cal, rig_compliance_mm_per_n=cal.rig_compliance_mm_per_n + 0.01)
            g = f.create_group(f"grasps/g{k}")
            g.attrs["calibration"] = json.dumps(cal.to_dict())
            g.attrs["extra"] = json.dumps(draw.summary())


def test_stored_rigs_are_rebuilt_exactly(tmp_path: Path) -> None:
    _store(tmp_path / "ok.h5", 2)
    rigs = list(stored_rigs([tmp_path / "ok.h5"]))
    assert len(rigs) == 2
    assert all(0.0 <= r.true_c <= 0.4 and r.seed > 0 for r in rigs)
    _store(tmp_path / "bad.h5", 1, tamper=True)
    with pytest.raises(SystemExit, match="not the stored one"):
        list(stored_rigs([tmp_path / "bad.h5"]))


def test_gel_depth_readings() -> None:
    d = gel_depths({"a_mm": 6.0, "depth_peak_mm": 1.5})
    assert d["H"] == pytest.approx(36.0 / 21.335)
    assert d["cap"] == pytest.approx(d["H"] / 2)
    assert d["D"] == 1.5


def test_two_rigs_read_a_finite_positive_gel_depth() -> None:
    for rig in fresh_rigs(2, seed=6121):
        row = analyse_rig(rig)
        kept = [p for p in row["presses"] if not p["rejected"]]
        assert kept and all("error" not in p for p in kept)
        for p in kept:
            for k in FORMULAS:
                assert math.isfinite(p[f"delta_{k}_mm"]) and p[f"delta_{k}_mm"] > 0
            assert 0.0 < p["true_gel_depth_mm"] < 0.9 * rig.true_gel_mm + 1e-9
        # the current method on these full presses reads what the rig's stored fit reads
        assert row["refit_c"] == pytest.approx(row["current_c"], abs=0.06)
        assert row["D"]["c"] >= 0.0 and math.isfinite(row["D"]["gel_ratio"])
