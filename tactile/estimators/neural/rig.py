"""The rig as the network and its physics limits see it: the calibration's rigid-press curve.

There is one rig calibration: the typed fields of the grasp's
:class:`~tactile.sensor.SensorCalibration` that ``tactile calibrate rig`` fits on presses of a
rigid object (:mod:`tactile.processing.rig_fit`) — the rig compliance and contact-width bias the
``blind`` estimator reads, and the **rigid-press curve** read here: the closure since the loading
phase's first contact at 5–25 N (``rigid_press_closure_mm``), its spread between presses and the
width reading's step. A simulated rig gets its calibration from the same function, on simulated
presses, and its grasps carry it (``GraspMetadata.calibration``); a real rig's comes from the
calibration its grasps name (``wedge-reference-v4`` for the reference sessions) or the one given.

The network was trained with a golf ball (a rigid 42.67 mm sphere) as the reference. A curve
measured on another rigid sphere is moved to the golf ball's by the calibration's gel model
(the gel's closure under the two spheres,
:func:`~tactile.processing.rig_fit.rigid_sphere_gel_closure_mm`);
a curve measured on a flat face is not used (the gel's share under a flat face differs too much
from a sphere's): the rig is then treated as uncalibrated.
"""

from __future__ import annotations

import math

import numpy as np

from tactile.processing.rig_fit import rigid_sphere_gel_closure_mm
from tactile.sensor import RIGID_PRESS_FORCES_N, SensorCalibration

#: The rigid reference the network was trained with: a regulation golf ball (42.67 mm).
REFERENCE_SPHERE_DIAMETER_MM = 42.67
#: Curves measured on a sphere within this much (mm) of the reference's size are used as they are.
SAME_SIZE_TOLERANCE_MM = 2.0


def has_rig(calibration: SensorCalibration | None) -> bool:
    """Whether the calibration carries a rigid-press curve the network can use."""
    return (
        calibration is not None
        and calibration.rigid_press_closure_mm is not None
        and calibration.rigid_press_shape == "sphere"
    )


def reference_curve_mm(calibration: SensorCalibration) -> np.ndarray:
    """The calibration's rigid-press closures at ``RIGID_PRESS_FORCES_N``, as they would be on
    the reference golf ball (see the module docstring)."""
    curve = np.asarray(calibration.rigid_press_closure_mm, dtype=np.float64)
    size = float(calibration.rigid_press_size_mm or REFERENCE_SPHERE_DIAMETER_MM)
    if abs(size - REFERENCE_SPHERE_DIAMETER_MM) <= SAME_SIZE_TOLERANCE_MM:
        return curve
    shift = [
        rigid_sphere_gel_closure_mm(f, REFERENCE_SPHERE_DIAMETER_MM / 2.0, calibration)
        - rigid_sphere_gel_closure_mm(f, size / 2.0, calibration)
        for f in RIGID_PRESS_FORCES_N
    ]
    return np.maximum.accumulate(np.maximum(curve + np.asarray(shift), 0.0))


def rigid_closure_mm(calibration: SensorCalibration, force_n: np.ndarray) -> np.ndarray:
    """Rigid-press closure (mm) at these forces: linear between the tabulated forces,
    ∝ F^(2/3) below the first (Hertz), the last slope above the last."""
    f = np.atleast_1d(np.asarray(force_n, dtype=np.float64))
    fs = np.asarray(RIGID_PRESS_FORCES_N)
    cs = reference_curve_mm(calibration)
    out = np.interp(f, fs, cs)
    low = f < fs[0]
    out[low] = cs[0] * (np.maximum(f[low], 0.0) / fs[0]) ** (2.0 / 3.0)
    high = f > fs[-1]
    slope = (cs[-1] - cs[-2]) / (fs[-1] - fs[-2])
    out[high] = cs[-1] + slope * (f[high] - fs[-1])
    return out


def width_step_mm(calibration: SensorCalibration) -> float:
    step = calibration.width_step_mm
    return float(step) if step is not None and math.isfinite(step) else 0.0
