"""Depth calibration of the simulated sensor from simulated rigid-ball presses (exact truth).

The simulator's renderer is a model like any camera: its colour -> slope response is fitted
the same way as a real sensor's (:func:`~tactile.calibration.depth_fit.calibrate_depth` on a
ball press), and the depth scale is then set from the simulator's *true* gel depth over the
loading phase, which a real rig cannot offer. Re-run this whenever the renderer changes;
``tests/calibration`` checks that the shipped ``sim-wedge-v1`` still matches the simulator.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tactile.calibration.depth_fit import calibrate_depth
from tactile.errors import CalibrationError
from tactile.processing import extract_features
from tactile.sensor import SIM_WEDGE, SensorCalibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp_truth


def calibrate_sim_depth(
    calibration: SensorCalibration = SIM_WEDGE,
    *,
    ball_radius_mm: float = 10.0,
    seed: int = 3,
    press_depth_mm: float = 0.8,
) -> SensorCalibration:
    """``calibration`` with a depth model fitted on a simulated 10 GPa ball press."""
    ball = SimObject(shape="sphere", radius_mm=ball_radius_mm, modulus_pa=1e10, name="ball")
    cfg = SimGraspConfig(calibration=calibration)
    grasp, truth = simulate_grasp_truth(ball, cfg, seed=seed)
    deep = np.flatnonzero(truth.gel_depth_mm >= press_depth_mm)
    if deep.size == 0 or grasp.reference_frame is None:
        raise CalibrationError(
            f"the simulated press never reached {press_depth_mm} mm of gel depth",
            hint="lower press_depth_mm",
        )
    i = int(deep[0])
    cal = calibrate_depth(
        grasp.frames[i], grasp.reference_frame, calibration, ball_radius_mm=ball_radius_mm
    )
    cal = replace(cal, depth_scale_mm_per_unit=1.0, contact_method="depth")
    feats = extract_features(grasp, cal)
    load = feats.loading
    if feats.depth_mm is None:  # cannot happen: gradient_matrix is set just above
        raise CalibrationError("depth model missing after the fit", hint="report a bug")
    measured, true = feats.depth_mm[load], truth.gel_depth_mm[load]
    ok = (true > 0.2) & (measured > 0)
    scale = float(np.median(true[ok] / measured[ok]))
    provenance = dict(cal.provenance)
    provenance["depth_fit"] = {
        **provenance["depth_fit"],
        "source": f"simulate_grasp(sphere R={ball_radius_mm} mm, 10 GPa, seed={seed}), "
        f"frame {i}; depth scale from the simulator's true gel depth",
    }
    return replace(cal, depth_scale_mm_per_unit=round(scale, 4), provenance=provenance)
