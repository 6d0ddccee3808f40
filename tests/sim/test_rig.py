"""SimRig: the stepping model behind sim:// hardware backends."""

from __future__ import annotations

import numpy as np
from sim_helpers import SMALL_CAL, SMALL_HW

from tactile.sim import SensorNoise, SimObject, SimRig

BALL = SimObject(radius_mm=20.0, modulus_pa=2e5)


def _rig(seed: int = 0, noise: SensorNoise | None = None) -> SimRig:
    return SimRig(BALL, calibration=SMALL_CAL, seed=seed, noise=noise, size_hw=SMALL_HW)


def test_closing_raises_force_and_contact() -> None:
    rig = _rig(noise=SensorNoise.clean())
    assert rig.width_mm() == rig.open_width_mm
    assert rig.force_n() == 0.0
    forces, areas = [], []
    for w in (40.0, 38.0, 36.0, 34.0):
        rig.set_width_mm(w)
        forces.append(rig.force_n())
        areas.append(rig.truth()["contact_area_mm2"])
    assert forces[0] == 0.0 and np.all(np.diff(forces) > 0) and np.all(np.diff(areas) > 0)
    assert rig.width_mm() == 34.0
    frame = rig.frame()
    assert frame.shape == (*SMALL_HW, 3) and frame.dtype == np.uint8
    assert np.abs(frame.astype(int) - rig.reference_frame().astype(int)).max() > 12


def test_rig_is_deterministic_per_seed_and_cannot_pass_through_the_object() -> None:
    a, b = _rig(seed=4), _rig(seed=4)
    for rig in (a, b):
        rig.set_width_mm(35.0)
    assert a.force_n() == b.force_n()
    assert np.array_equal(a.frame(), b.frame())
    a.set_width_mm(-5.0)
    assert a.width_mm() >= a.min_width_mm - 0.1
