"""benchmarks/bench_signal_drift.py: the signal changes do what they say, the summary applies
the pre-registered rule, and real grasps keep their estimate under the mild changes (skipped
without ../shared/data). Findings: BENCHMARKS.md "Blind: signal drift on the real grasps
(issue 11)"."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from tactile.io import iter_grasps
from tactile.types import Grasp, GraspMetadata

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_signal_drift import PERTURBATIONS, estimate_changed, perturb, summarize


def _grasp() -> Grasp:
    n = 20
    force = np.r_[np.full(5, 0.05), np.linspace(0.5, 10.0, 10), np.full(5, 10.0)]
    return Grasp(
        grasp_id="g",
        frames=np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None, None], (n, 4, 4, 3)),
        t_s=np.arange(n) / 30.0,
        force_n=force,
        width_mm=np.linspace(60.0, 40.0, n),
        meta=GraspMetadata(object_id="o"),
    )


def test_changes_do_what_they_say() -> None:
    g = _grasp()
    np.testing.assert_allclose(perturb(g, "gain0.95").force_n, 0.95 * g.force_n)
    np.testing.assert_allclose(perturb(g, "tare-0.1").force_n, g.force_n - 0.1)
    np.testing.assert_allclose(perturb(g, "width+0.3").width_mm, g.width_mm + 0.3)
    half = perturb(g, "force_half").force_n
    np.testing.assert_array_equal(half[0::2], g.force_n[0::2])
    np.testing.assert_array_equal(half[1::2], g.force_n[0::2])
    np.testing.assert_array_equal(perturb(g, "width_half").width_mm[1::2], g.width_mm[0::2])
    cam = perturb(g, "camera_half")
    np.testing.assert_array_equal(cam.frames[:, 0, 0, 0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(cam.force_n, g.force_n[::2])
    late = perturb(g, "force_late1").force_n
    assert late[0] == g.force_n[0] and np.array_equal(late[1:], g.force_n[:-1])
    # the force first reaches 5 % of its peak at frame 5: the first floor(0.3 * 5) = 1 dropped
    assert perturb(g, "late_start").t_s[0] == pytest.approx(1 / 30.0)
    # 70 % of the peak (7 N) first reached at frame 12: frames 0-12 kept
    lighter = perturb(g, "lighter")
    assert len(lighter.force_n) == 13 and lighter.force_n[-1] >= 7.0 > lighter.force_n[-2]
    assert perturb(g, "none").force_n is g.force_n


def _row(log_e: float, bound: bool = False) -> dict:
    return {
        "log10_e": log_e,
        "stiffer_than_gel": bound,
        "lower_bound_only": bound,
        "log10_lo95": log_e - 0.5,
        "log10_hi95": None if bound else log_e + 0.5,
        "flags": [],
    }


def test_summary_applies_the_rule() -> None:
    objects = {"a1": "a", "a2": "a", "a3": "a", "s1": "s"}
    labels = {"a": 1e6, "s": 1e4}
    gel = dict.fromkeys(objects, 5e4)
    base = {**{g: _row(5.0) for g in objects}, "s1": _row(4.0)}
    rows = {
        "none": base,
        "gain0.95": {**base, "a1": _row(5.3)},  # one grasp moves, the median does not
        "gain1.05": {**base, **{g: _row(5.15) for g in ("a1", "a2", "a3")}},
        "tare+0.1": {**base, "a1": {"error": "no contact (fix: squeeze)", "hint": True}},
        "lighter": {**base, "a1": {"error": "no contact (fix: squeeze)", "hint": True}},
        "width+0.3": {**base, "a1": _row(6.5, bound=True)},  # a bound above the label
        "camera_half": {**base, "s1": _row(3.8, bound=True)},  # a soft object flagged
        "force_half": {**base, "a2": {"traceback": "Traceback ..."}},
        "late_start": {**base, "a1": {"error": "odd", "hint": False}},
    }
    s = summarize(rows, objects, labels, gel, 0.1)
    v, t = s["verdicts"], s["table"]
    assert v["gain0.95"]["pass"] and t["gain0.95"]["a"]["delta"] == pytest.approx(0.0)
    assert v["gain0.95"]["worst_grasp"] == "a1" and v["gain0.95"]["n_over_tol"] == 1
    assert not v["gain1.05"]["pass"] and t["gain1.05"]["a"]["delta"] == pytest.approx(0.15)
    assert not v["tare+0.1"]["pass"] and t["tare+0.1"]["a"]["failed"] == ["a1"]
    assert v["lighter"]["pass"]  # strong: a clear error is allowed
    assert v["width+0.3"]["false_claims"] == {"a1": ["bound_above_label"]}
    assert v["camera_half"]["false_claims"] == {"s1": ["soft_flagged_stiffer"]}
    assert not v["width+0.3"]["pass"] and not v["camera_half"]["pass"]
    assert v["force_half"]["tracebacks"] == ["a2"] and not v["force_half"]["pass"]
    assert v["late_start"]["errors_without_hint"] == ["a1"] and not v["late_start"]["pass"]
    assert not s["pass"]
    assert summarize({"none": base, "gain0.95": rows["gain0.95"]}, objects, labels, gel)["pass"]


def _real(reference_grasps_dir: Path, gid: str) -> Grasp:
    ((_, load),) = list(iter_grasps(reference_grasps_dir, grasp_ids=[gid]))
    return load()


def test_a_real_grasp_keeps_its_estimate_under_every_change(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    """The foam brick that starts on its rise: a force gain of 0.95 or a tare of -0.1 N moved
    it by -0.35 dex before the hinge fit's ties went to the narrowest contact. Every change of
    the benchmark but the half-rate force (below) keeps it within 0.1 dex (measured: ≤ 0.035),
    never flagged, estimated."""
    names = [n for n in PERTURBATIONS if n != "force_half"]
    out = estimate_changed(_real(reference_grasps_dir, "foam_brick_3"), names, tmp_path)
    assert all("log10_e" in out[n] for n in names), out
    base = out["none"]["log10_e"]
    assert out["gain0.95"]["log10_e"] - base == pytest.approx(math.log10(0.95), abs=0.01)
    assert out["width+0.3"]["log10_e"] == pytest.approx(base, abs=0.01)
    assert {
        n: round(out[n]["log10_e"] - base, 3) for n in names if abs(out[n]["log10_e"] - base) > 0.1
    } == {}
    assert {out[n]["stiffer_than_gel"] for n in names} == {False}
    assert not list(tmp_path.iterdir())  # the scratch stores are removed


def test_a_soft_real_ball_is_never_flagged(reference_grasps_dir: Path, tmp_path: Path) -> None:
    """orange_ball_softest (31.9 kPa, softer than wedge-reference-v4's 54.7 kPa gel) under the
    strong changes and the half-rate camera: an estimate, never a bound or the flag."""
    names = ["none", "lighter", "width+0.3", "camera_half"]
    out = estimate_changed(_real(reference_grasps_dir, "orange_ball_softest_3"), names, tmp_path)
    for n in names:
        assert "log10_e" in out[n], (n, out[n])
        assert not out[n]["stiffer_than_gel"] and not out[n]["lower_bound_only"], n


@pytest.mark.xfail(
    strict=True,
    reason="a force gauge at half the frame rate (each odd frame repeats the even one): the "
    "late-read test no longer rules out a touch 2.5 mm before the rise on golf_ball_3, so its "
    "bound becomes an estimate open upwards (no false claim; golf_ball median +0.106 dex)",
)
def test_a_golf_ball_keeps_its_bound_with_the_force_at_half_rate(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    out = estimate_changed(
        _real(reference_grasps_dir, "golf_ball_3"), ["none", "force_half"], tmp_path
    )
    assert out["none"]["lower_bound_only"]
    assert out["force_half"]["lower_bound_only"]
