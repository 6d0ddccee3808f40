"""benchmarks/bench_cut_records.py: the cuts, the reading with the rig's lag and the table.
Findings: BENCHMARKS.md "Records without their release"."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_cut_records import cut, read_with_lag, summarize

from tactile.processing.grasp_signals import aligned_width_mm
from tactile.sim import SimGraspConfig, simulate_grasp
from tactile.sim.objects import SimObject


@pytest.fixture(scope="module")
def grasp() -> Any:
    ball = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=5e4, name="ball")
    return simulate_grasp(ball, config=SimGraspConfig(), seed=1)


def test_cuts_end_at_70_percent_of_the_peak_or_at_the_peak(grasp: Any) -> None:
    peak = float(np.max(grasp.force_n))
    lighter = cut(grasp, "lighter")
    assert lighter.force_n[-1] >= 0.7 * peak > float(np.max(lighter.force_n[:-1]))
    at_peak = cut(grasp, "peak")
    assert at_peak.force_n[-1] == peak and at_peak.frames.shape[0] == at_peak.t_s.size


def test_reading_with_the_lag_drops_the_frames_not_yet_read(grasp: Any) -> None:
    c = cut(grasp, "peak")
    lag = 0.2
    read = read_with_lag(c, lag)
    assert read is not None
    t = np.asarray(c.t_s)
    assert read.t_s[-1] <= t[-1] - lag < t[read.t_s.size]
    # each kept frame's width is the reading lag seconds later, as blind aligns a measured lag
    # (between fresh readings of the stair-stepped width), so never more open than that frame's
    # own reading and never more closed than the record's last
    n = read.t_s.size
    assert np.array_equal(read.width_mm, aligned_width_mm(t, c.width_mm, lag)[:n])
    assert np.all(read.width_mm <= c.width_mm[:n]) and np.all(read.width_mm >= c.width_mm[-1])
    assert read_with_lag(c, 0.0) is not None and read_with_lag(c, 0.0).t_s.size == t.size
    assert read_with_lag(c, 1e3) is None


def test_the_table_counts_points_bounds_and_false_claims() -> None:
    def est(log10: float, bound: bool = False) -> dict[str, Any]:
        return {"log10": log10, "bound": bound, "lo95": log10 - 0.5, "hi95": log10 + 0.5}

    rows = [
        {  # a point within a decade; read with the lag it becomes a false bound
            "file": "f", "grasp": "a", "label": 4.0, "rig_latency_s": 0.2,
            "calibrated_lag_s": 0.2, "whole": est(4.2),
            "lighter:stored": est(4.4), "lighter:lag": est(4.5, bound=True),
            "peak:stored": est(4.3), "peak:lag": None,
        },
    ]  # fmt: skip
    table = "\n".join(summarize(rows))
    whole = "| f (1) | whole | as stored | 1 | 1/1 | 0.200 | 0 (0) | 0.000 / 0.000 | 0 | 0 |"
    assert whole in table
    assert "| f (1) | lighter | read with the presses' lag | 1 | 0/0 | nan | 1 (0) |" in table
    assert "| f (1) | peak | read with the presses' lag | 0 |" in table
