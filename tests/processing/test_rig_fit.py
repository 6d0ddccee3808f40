"""``tactile calibrate rig``: rig compliance from rigid presses (simulated and real)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tactile.errors import CalibrationError
from tactile.processing.rig_fit import fit_rig, rigid_sphere_gel_closure_mm
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.gripper import GripperProfile

STEEL = SimObject(shape="sphere", radius_mm=20, modulus_pa=2e11, name="steel_ball")


def _sim_calibration():  # the simulator's gel, bottoming included
    cal = get_calibration("sim-wedge-v1")
    return dataclasses.replace(cal, gel_max_strain=GEL_MAX_STRAIN)


def _presses(finger_stiffness: float, n: int = 2):
    gripper = GripperProfile(finger_stiffness_n_per_mm=finger_stiffness)
    cfg = SimGraspConfig(gripper=gripper)
    return [simulate_grasp(STEEL, config=cfg, seed=s) for s in range(n)]


def test_rigid_presses_fit_the_rig_compliance_they_were_simulated_with() -> None:
    cal = _sim_calibration()
    rigid = fit_rig(_presses(0.0), cal, size_mm=40.0)
    soft = fit_rig(_presses(10.0), cal, size_mm=40.0)  # 10 N/mm per finger: 0.2 mm/N in all

    # the contact-width reading's own lag (about 1.3 mm on a stiff press) shifts the per-press
    # values of both by the same amount (rigid fingers read -0.065 mm/N, clipped to 0 in the
    # fit); the rig's compliance is the difference
    def per_press(fit):
        return float(np.median([p.rig_compliance_mm_per_n for p in fit.presses]))

    assert per_press(soft) - per_press(rigid) == pytest.approx(0.2, rel=0.15)
    assert rigid.rig_compliance_mm_per_n == 0.0
    assert soft.rig_compliance_mm_per_n == pytest.approx(0.2, abs=0.08)
    assert soft.contact_width_bias_mm == pytest.approx(rigid.contact_width_bias_mm, abs=1.0)
    # the same presses give the rigid-press curve the network reads: 0.2 mm/N more compliance
    # closes about 0.2 mm more per newton (25 N: ~5 mm), measured from the loading phase
    assert rigid.curve is not None and soft.curve is not None
    extra = np.asarray(soft.curve.closure_mm) - np.asarray(rigid.curve.closure_mm)
    assert extra[-1] == pytest.approx(0.2 * 25.0, rel=0.3)
    assert np.all(np.diff(soft.curve.closure_mm) >= 0)
    written = soft.apply(cal, "sim-rig-test")
    assert written.rigid_press_closure_mm == soft.curve.closure_mm
    assert written.rigid_press_size_mm == 40.0 and written.rigid_press_shape == "sphere"


def test_gel_closure_grows_with_force_and_saturates_when_the_gel_bottoms() -> None:
    cal = _sim_calibration()
    values = [rigid_sphere_gel_closure_mm(f, 20.0, cal) for f in (1.0, 5.0, 20.0, 200.0)]
    assert values == sorted(values)
    assert values[-1] <= 2.0 * GEL_MAX_STRAIN * cal.gel_thickness_mm + 1e-6


def test_fit_rig_refuses_bad_input() -> None:
    cal = _sim_calibration()
    with pytest.raises(CalibrationError, match="at least one press"):
        fit_rig([], cal, size_mm=40.0)
    with pytest.raises(CalibrationError, match="shape"):
        fit_rig(_presses(0.0, n=1), cal, size_mm=40.0, shape="cone")


REAL = Path(
    os.environ.get(
        "TACTILE_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)


@pytest.mark.skipif(not (REAL / "reference_grasps").is_dir(), reason="real data not present")
def test_calibrate_rig_cli_on_the_real_golf_ball(tmp_path: Path) -> None:
    out = tmp_path / "rig.json"
    presses = [str(REAL / "reference_grasps" / f"golf_ball_{i}.avi") for i in (1, 2, 3)]
    cmd = [sys.executable, "-m", "tactile.cli.main", "calibrate", "rig", *presses,
           "--rigid-size-mm", "42.67", "--calibration", "wedge-reference-v3",
           "--id", "test-rig", "--out", str(out), "--json"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout)
    assert summary["rejected"] == ["golf_ball_2"]  # its width reading missed the squeeze
    cal = json.loads(out.read_text())
    assert 0.0 <= cal["rig_compliance_mm_per_n"] < 0.2
    assert 0.0 < cal["contact_width_bias_mm"] < 4.0
    assert cal["provenance"]["rig_fit"]["rejected"] == ["golf_ball_2"]
    # the rigid-press curve the network reads, from the two presses kept: ~9 mm at 20-25 N
    curve = cal["rigid_press_closure_mm"]
    assert len(curve) == 5 and curve == sorted(curve) and 7.0 < curve[-1] < 11.0
    assert cal["rigid_press_size_mm"] == 42.67 and cal["width_step_mm"] > 0
    # the real rig's width reading does not lag (the presses' loops close at 0 s)
    assert cal["width_lag_s"] == summary["width_lag_s"] == 0.0
    assert [p["width_lag_s"] for p in cal["provenance"]["rig_fit"]["presses"]] == [0.0] * 3


def test_calibrate_rig_is_the_fit_written_into_the_calibration() -> None:
    from tactile.calibration.rig import calibrate_rig

    cal = _sim_calibration()
    presses = _presses(10.0, n=1)
    written, fit = calibrate_rig(presses, cal, size_mm=40.0, calibration_id="sim-rig-test")
    assert fit == fit_rig(presses, cal, size_mm=40.0)
    assert written == dataclasses.replace(fit.apply(cal, "sim-rig-test"), notes=written.notes)
    same_id, _ = calibrate_rig(presses, cal, size_mm=40.0)
    assert same_id.calibration_id == cal.calibration_id
    assert same_id == fit.apply(cal, cal.calibration_id)
    # under a new id the base's notes (about the base's own fits) are not copied
    assert written.notes.startswith(f"{cal.calibration_id} with the rig fitted")
    assert "1 presses of a rigid sphere of 40 mm" in written.notes


def test_a_rig_fit_says_how_its_presses_were_read_and_older_fits_are_recognised() -> None:
    from tactile.processing.rig_fit import RIG_FIT_SIGNALS, rig_fit_predates_signal_correction
    from tactile.sim.rigs import apply_rig, draw_rig

    cal = _sim_calibration()
    fitted = fit_rig(_presses(0.0), cal, size_mm=40.0).apply(cal, "bench")
    assert fitted.provenance["rig_fit"]["signals"] == RIG_FIT_SIGNALS
    assert not rig_fit_predates_signal_correction(fitted)
    assert not rig_fit_predates_signal_correction(cal)  # no rig fitted at all
    # a fit written before the width-lag correction: its evidence has no "signals"
    old_evidence = {k: v for k, v in fitted.provenance["rig_fit"].items() if k != "signals"}
    older = dataclasses.replace(fitted, provenance={"rig_fit": old_evidence})
    assert rig_fit_predates_signal_correction(older)
    # a simulated rig's calibration keeps only the marker; files simulated earlier have none
    sim = apply_rig(SimGraspConfig.clean(), draw_rig(np.random.default_rng(3))).rig_calibration
    assert sim.provenance["rig_fit"] == {"signals": RIG_FIT_SIGNALS}
    assert not rig_fit_predates_signal_correction(sim)
    assert rig_fit_predates_signal_correction(dataclasses.replace(sim, provenance={}))


# --- a measured gel: Fix A (the rig counted from the read touch) -----------------------------

#: Randomised rigs (``draw_rig(default_rng(seed))``) whose rig compliance today's fit on the
#: processing calibration's reference gel misses by >= 0.05 mm/N: the first three of seeds 0-7
#: (benchmarks/results/gelcal35_prereg.md). Per seed: today's fit on main (2026-12-07, exact)
#: and the simulated rig's calibration id, which must not move.
REFERENCE_GEL_FITS = {
    3: (0.0687217446867784, "sim-wedge-v1+simrig-523e2cf7"),
    5: (0.05033571511419954, "sim-wedge-v1+simrig-df54e588"),
    6: (0.031576081461523284, "sim-wedge-v1+simrig-80600e17"),
}
#: |fitted - true| rig compliance (mm/N) a gel measured to ±10 % must reach (calcon35 on 660
#: simulated rigs with a ±15 % coupon: 0.009-0.014 median, 0.022-0.029 q90). On these seeds the
#: errors are 0.002-0.027 (review24): little slack, but deterministic (the presses are simulated
#: from fixed seeds), so the test is not flaky; a rig-fit change that moves them past the q90 is
#: what it should catch.
MEASURED_GEL_TOL_MM_PER_N = 0.03


def _rig_presses(seed: int):
    from tactile.sim.rigs import CALIBRATION_PRESSES, apply_rig, draw_rig, press_signals

    draw = draw_rig(np.random.default_rng(seed))
    cfg = apply_rig(SimGraspConfig(), draw)
    first = int(1e6 * (draw.gel_thickness_mm % 1.0))  # the seeds apply_rig calibrates with
    presses = [press_signals(cfg, first + i) for i in range(CALIBRATION_PRESSES)]
    return draw, cfg, presses


@pytest.mark.parametrize("seed", sorted(REFERENCE_GEL_FITS))
def test_a_measured_gel_fits_the_rig_compliance_the_reference_gel_misses(seed: int) -> None:
    from tactile.calibration.gel_measured import measured_gel_calibration
    from tactile.sim.rigs import REFERENCE_SPHERE_DIAMETER_MM as GOLF

    draw, cfg, presses = _rig_presses(seed)
    base = get_calibration("sim-wedge-v1")  # what the simulated rigs are processed with
    today = fit_rig(presses, base, size_mm=GOLF)
    # today's fit on the reference gel, exactly as on main, and the rig's calibration with it
    assert today.rig_compliance_mm_per_n == REFERENCE_GEL_FITS[seed][0]
    assert cfg.rig_calibration.calibration_id == REFERENCE_GEL_FITS[seed][1]
    assert today.contact_force_n is None and "counted_from" not in today.evidence()
    assert all("contact_force_n" not in p for p in today.evidence()["presses"])
    assert abs(today.rig_compliance_mm_per_n - draw.rig_compliance_mm_per_n) >= 0.05
    for factor in (1.1, 0.9):  # the coupon 10 % high / low; calipers exact
        measured = measured_gel_calibration(
            base,
            calibration_id="measured",
            thickness_mm=draw.gel_thickness_mm,
            coupon_modulus_pa=draw.gel_modulus_pa * factor,
        )
        fit = fit_rig(presses, measured, size_mm=GOLF)
        error = abs(fit.rig_compliance_mm_per_n - draw.rig_compliance_mm_per_n)
        assert error <= MEASURED_GEL_TOL_MM_PER_N, (seed, factor, error)
        # counted from the read touch (0.57-1.02 N, median, on these rigs), kept in the evidence
        assert fit.contact_force_n is not None and 0.1 < fit.contact_force_n < 2.0
        evidence = fit.apply(measured, "measured-rig").provenance["rig_fit"]
        assert evidence["contact_force_n"] == fit.contact_force_n
        assert all(p["contact_force_n"] is not None for p in evidence["presses"])


def test_a_reference_gel_keeps_todays_fit_even_with_the_same_numbers() -> None:
    """Only ``gel_source == "measured"`` switches the fit: the same gel numbers without it give
    today's fit, value for value."""
    from tactile.calibration.gel_measured import measured_gel_calibration
    from tactile.sim.rigs import REFERENCE_SPHERE_DIAMETER_MM as GOLF

    draw, _, presses = _rig_presses(3)
    base = get_calibration("sim-wedge-v1")
    measured = measured_gel_calibration(
        base,
        calibration_id="measured",
        thickness_mm=draw.gel_thickness_mm,
        coupon_modulus_pa=draw.gel_modulus_pa,
    )
    unmarked = dataclasses.replace(measured, gel_source=None)
    today = fit_rig(presses, unmarked, size_mm=GOLF)
    fix_a = fit_rig(presses, measured, size_mm=GOLF)
    assert today.contact_force_n is None and fix_a.contact_force_n is not None
    assert today != fix_a
    assert [p.gel_closure_mm for p in today.presses] == [
        rigid_sphere_gel_closure_mm(p.hold_force_n, GOLF / 2.0, unmarked) for p in today.presses
    ]


SOFT = SimObject(shape="sphere", radius_mm=20, modulus_pa=5e4, name="soft_ball")


def test_presses_of_a_soft_ball_are_warned_about_and_refused_above_the_limit() -> None:
    from tactile.calibration.rig import calibrate_rig

    cal = _sim_calibration()
    soft = [simulate_grasp(SOFT, seed=s) for s in range(2)]
    # about 1.1 mm/N beyond the gel: under the 2 mm/N limit (a gripper may be that compliant),
    # kept with warnings on the presses and on the fit far above the base's rig (0)
    _, fit = calibrate_rig(soft, cal, size_mm=40.0, calibration_id="x")
    assert not fit.not_rigid and len(fit.warnings) == 2
    assert "read more compliance than 0.6 mm/N" in fit.warnings[0]
    assert "the object deformed" in fit.warnings[0] and "fingers are this" in fit.warnings[0]
    assert "far above the base calibration's own" in fit.warnings[1]
    # under a lower limit: refused, each with its reason and both causes named
    with pytest.raises(CalibrationError, match="none of the 2 presses reads rigid") as err:
        calibrate_rig(
            soft, cal, size_mm=40.0, calibration_id="x", max_press_compliance_mm_per_n=0.6
        )
    text = str(err.value)
    assert "the object deformed, or the fingers are this compliant" in text
    assert "stiffer gel" in text and "--max-press-compliance" in text
    # one soft press among rigid ones: left out with its reason, the rig fitted on the rest
    steel = _presses(10.0, n=2)
    soft_one = dataclasses.replace(soft[0], grasp_id="soft_0")
    written, fit = calibrate_rig(
        [*steel, soft_one], cal, size_mm=40.0, calibration_id="x", max_press_compliance_mm_per_n=0.6
    )
    assert fit == dataclasses.replace(
        fit_rig(steel, cal, size_mm=40.0), not_rigid=fit.not_rigid, warnings=fit.warnings
    )
    assert [g for g, _ in fit.not_rigid] == ["soft_0"]
    assert written.provenance["rig_fit"]["not_rigid"][0]["grasp_id"] == "soft_0"
    assert "1 not rigid, left out" in written.notes


def test_a_rigid_press_on_compliant_fingers_is_fitted_with_a_warning() -> None:
    from tactile.calibration.rig import calibrate_rig

    cal = _sim_calibration()
    # a steel ball on fingers of 0.8 mm/N together (2.5 N/mm each): was refused as not rigid
    _, fit = calibrate_rig(_presses(2.5), cal, size_mm=40.0, calibration_id="x")
    assert not fit.not_rigid and fit.rig_compliance_mm_per_n == pytest.approx(0.75, abs=0.15)
    assert any("or the fingers are this compliant" in w for w in fit.warnings)
    # a stiffer rig (0.1 mm/N) on the simulator's base (0): no warning
    _, stiff = calibrate_rig(_presses(20.0), cal, size_mm=40.0, calibration_id="x")
    assert not stiff.warnings


def test_a_clearly_negative_rig_compliance_is_clipped_with_a_warning() -> None:
    cal = _sim_calibration()
    # steel on rigid fingers reads -0.065 mm/N (the width reading's own lag): clipped, said
    fit = fit_rig(_presses(0.0), cal, size_mm=40.0)
    assert fit.rig_compliance_mm_per_n == 0.0
    assert (
        len(fit.warnings) == 1
        and "closed less than the base calibration's gel" in (fit.warnings[0])
    )
    assert "steel_ball_s0" in fit.warnings[0] and "--rigid-size-mm" in fit.warnings[0]
    assert fit.evidence()["warnings"] == list(fit.warnings)
    # a compliant rig's fit has none, and its record is as before
    soft = fit_rig(_presses(10.0), cal, size_mm=40.0)
    assert not soft.warnings
    assert "warnings" not in soft.evidence() and "not_rigid" not in soft.evidence()


def test_calibrate_rig_cli_warns_on_stderr_and_takes_a_press_compliance_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tactile.cli.main import main
    from tactile.io import GraspWriter

    src = tmp_path / "steel.h5"
    with GraspWriter(src) as w:
        for g in _presses(2.5):  # rigid presses on fingers of 0.8 mm/N together
            w.append(g)
    argv = ["calibrate", "rig", str(src), "--rigid-size-mm", "40", "--calibration",
            "sim-wedge-v1", "--id", "x", "--json"]  # fmt: skip
    assert main([*argv, "--out", str(tmp_path / "a.json")]) == 0
    out, err = capsys.readouterr()
    assert "tactile calibrate rig: warning: 2 press(es) read more compliance" in err
    assert json.loads(out)["warnings"][0] in err
    assert main([*argv, "--out", str(tmp_path / "b.json"), "--max-press-compliance", "0.5"]) != 0
    assert "the object deformed, or the fingers are this compliant" in capsys.readouterr().err


def test_presses_of_a_gauge_not_zeroed_fit_as_the_zeroed_ones() -> None:
    """Issue 11 note: presses recorded with --no-tare on a gauge reading -3 N at rest read the
    hold 3 N low; the rest level is taken off as the loading phase takes it off."""
    cal = _sim_calibration()
    presses = _presses(10.0)
    zeroed = fit_rig(presses, cal, size_mm=40.0)
    shifted = [dataclasses.replace(g, force_n=g.force_n - 3.0) for g in presses]
    fit = fit_rig(shifted, cal, size_mm=40.0)
    assert fit.rig_compliance_mm_per_n == pytest.approx(zeroed.rig_compliance_mm_per_n, abs=0.001)
    assert fit.contact_width_bias_mm == pytest.approx(zeroed.contact_width_bias_mm, abs=0.1)
    assert [p.force_offset_n for p in fit.presses] == pytest.approx([-3.0, -3.0], abs=0.05)
    assert all(p.force_offset_n == 0.0 for p in zeroed.presses)
    assert "force_offset_n" not in zeroed.apply(cal, "x").provenance["rig_fit"]["presses"][0]
