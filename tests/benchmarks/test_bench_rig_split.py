"""benchmarks/bench_rig_split.py: the joint gel/rig fit recovers a split its own model made, and
the rule's summary. Findings: BENCHMARKS.md "Blind: can the rigid-press curve split gel and
rig?"."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_rig_split import LOG_S, below_peak, gel_closures, joint_fit, summary

from tactile.sensor import RIGID_PRESS_FORCES_N, get_calibration

F = np.asarray(RIGID_PRESS_FORCES_N)


def _model_curve(s_index: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    table = gel_closures(get_calibration("wedge-reference-v3"), RIGID_PRESS_FORCES_N)
    return table, table[s_index] + c * F


def test_joint_fit_recovers_its_own_model() -> None:
    i = int(np.argmin(np.abs(LOG_S - math.log(4.0))))
    table, curve = _model_curve(i, 0.2)
    keep = np.ones(F.size, dtype=bool)
    fit = joint_fit(curve, keep, table)
    assert fit.s == pytest.approx(math.exp(LOG_S[i]))
    assert fit.c == pytest.approx(0.2, abs=1e-9)
    # the hold point on the same model and an offset on the curve change nothing
    gel_h = table[:, 3]
    held = joint_fit(curve + 1.5, keep, table, offset=True, hold=(20.0, curve[3], gel_h))
    assert held.c == pytest.approx(0.2, abs=1e-9)
    assert held.offset == pytest.approx(1.5, abs=1e-9)


def test_compliance_is_never_negative() -> None:
    table, curve = _model_curve(120, 0.0)
    fit = joint_fit(curve - 0.05 * F, np.ones(F.size, dtype=bool), table)
    assert fit.c >= 0.0


def test_points_past_the_peak_are_dropped() -> None:
    assert below_peak([1.0, 2.0, 3.0, 3.5, 3.5]).tolist() == [True, True, True, True, False]
    assert below_peak([1.0, 2.0, 3.0, 3.5, 4.0]).all()


def test_summary_applies_the_rule() -> None:
    def row(true: float, current: float, joint: float) -> dict[str, Any]:
        fit = {"c": joint, "s": 1.0, "offset": 0.0, "s_at_edge": False}
        return {
            "rig": f"r{true}",
            "true_c": true,
            "current_c": current,
            "curve": fit,
            "curve+hold": fit,
            "curve+offset+hold": fit,
        }

    rows = [row(0.2, 0.0, 0.19), row(0.3, 0.1, 0.29), row(0.1, 0.0, 0.4)]
    s = summary(rows)
    assert s["current"]["worst_abs_err"] == pytest.approx(0.2)
    assert s["curve"]["rule_median"] is True
    assert s["curve"]["rule_worst"] is False
    assert s["curve"]["worst_rig"] == "r0.1"
