"""benchmarks/bench_touch_fit.py: the line law's hinge reads a cylinder's touch, the opt-in
per-hypothesis touch moves blind's estimate of a simulated soft ball and nothing when off, and
the clauses are scored as pre-registered. Findings: BENCHMARKS.md "Blind: a per-hypothesis
touch (touchfit ...)"."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_rig_split import _base_config
from bench_touch_fit import compare_real, false_bounds, rigid_flagged, verdicts, within_share

from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.processing.grasp_geometry import line_contact_width, line_unit_half_width
from tactile.sensor import resolve_calibration
from tactile.sim import SimObject, simulate_grasp
from tactile.sim.rigs import RigRanges, apply_rig, draw_rig


def test_line_hinge_reads_a_line_contact() -> None:
    # a cylinder of radius 10 mm on its side touched at 30 mm (bias 10 mm: R = 10), the law
    # itself plus a small noise, closing from 36 to 20 mm
    width = np.linspace(36.0, 20.0, 160)
    delta = np.maximum(30.0 - width, 0.0) / 2.0
    beta = np.interp(np.minimum(delta / 10.0, 2.0), np.linspace(0, 2, 801), line_unit_half_width())
    force = 40.0 * 10.0 * beta**2 + np.random.default_rng(1).normal(0.0, 0.01, width.size)
    read = line_contact_width(force, width, bias_mm=10.0)
    assert read is not None and abs(read - 30.0) <= 0.15
    # the law is between the two power hinges: locally F ∝ δ^1.15-1.3
    small = (delta > 0.2) & (delta < 1.0)
    slope = np.polyfit(np.log(delta[small]), np.log(10.0 * beta[small] ** 2), 1)[0]
    assert 1.05 < slope < 1.4


def test_per_hypothesis_touch_is_opt_in_and_reads_wider() -> None:
    cfg = apply_rig(_base_config(), draw_rig(np.random.default_rng(7), RigRanges()))
    obj = SimObject(
        shape="sphere", radius_mm=12.0, modulus_pa=4.0e4, poisson=0.45, name="foam_sphere",
        material="foam",
    )  # fmt: skip
    grasp = simulate_grasp(obj, config=cfg, seed=3)
    g = replace(grasp, meta=blind_metadata(grasp.meta))
    cal = resolve_calibration(grasp.meta)
    main = BlindEstimator().estimate(g, calibration=cal)
    off = BlindEstimator(touch_per_hypothesis=None).estimate(g, calibration=cal)
    assert off.modulus_pa == main.modulus_pa and off.interval_68_pa == main.interval_68_pa
    v1 = BlindEstimator(touch_per_hypothesis="all").estimate(g, calibration=cal)
    est = main.details["geometry"]["contact_width_estimates_mm"]
    # this grasp reads hinge_1.5 3 mm wider than the median: the sphere hypothesis from that
    # touch has more closure, a softer sphere (both resolved)
    assert est["hinge_1.5"] > main.details["geometry"]["contact_width_mm"] + 1.0
    assert not (main.lower_bound_only or v1.lower_bound_only)
    assert v1.details["sphere_modulus_pa"] < 0.8 * main.details["sphere_modulus_pa"]
    with pytest.raises(ValueError):
        BlindEstimator(touch_per_hypothesis="bogus").estimate(g, calibration=cal)


def _row(grasp: str, obj: str, label: float, log10: float, flagged: bool) -> dict[str, object]:
    return {
        "grasp": grasp, "object": obj, "label": label, "family": "foam", "material": "foam",
        "log10": log10, "flagged": flagged, "lo68": log10 - 0.3, "hi68": log10 + 0.3,
        "true_gel_pa": 1.0e5,
    }  # fmt: skip


def test_clauses_are_scored_as_registered() -> None:
    rows = [
        _row("g1", "a", 4.0, 4.5, False),  # within
        _row("g2", "b", 4.0, 5.2, False),  # out
        _row("g3", "c", 4.0, 3.5, True),  # a bound that holds: wrong below the limit
        _row("g4", "d", 8.0, 8.5, True),  # a false bound, and rigid (≥ 100 × 1e5 Pa)
    ]
    share, ok, n = within_share(rows)
    assert (ok, n) == (1, 4) and math.isclose(share, 0.25)
    assert false_bounds(rows) == ["g4"]
    assert rigid_flagged(rows) == (1, 1)
    real_main = {"x": {"log10": 5.0, "flagged": False}, "y": {"log10": 6.0, "flagged": True}}
    real_v = {"x": {"log10": 5.05, "flagged": False}, "y": {"log10": 6.3, "flagged": True}}
    d = compare_real(real_main, real_v)
    assert math.isclose(d["max_dex"], 0.3) and list(d["moved"]) == ["y"] and not d["flag_changes"]
    results = {
        "clauses": {
            "main": {"c_rigid_flagged": 28},
            "V1": {
                "a_within": 0.85,
                "b_false_bounds": 0,
                "c_rigid_flagged": 28,
                "d_real": compare_real(real_main, real_main),
                "e_within_gel": 0.94,
            },
        }
    }
    assert verdicts(results, "V1") == {"a": True, "b": True, "c": True, "d": True, "e": False}
