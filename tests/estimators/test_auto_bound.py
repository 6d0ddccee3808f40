"""``auto`` with the geometry given: a bound of the given-geometry estimator is capped by the
blind physics' reading of the same grasp (it must hold whatever the material)."""

from __future__ import annotations

import dataclasses

from tactile.estimators import get_estimator
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.types import Flag, bound_flag

CAL = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)


def test_a_given_geometry_bound_holds_on_a_small_stiff_box() -> None:
    """A 17 x 17 x 48.6 mm, 1.08 MPa box on the default simulator, its shape given: `elastic`
    alone bounds it at 1.5-2.6 MPa (false, measured before the cap); capped by blind, the bound
    holds and the given one stays in the details."""
    box = SimObject(shape="box", size_mm=(17.0, 17.0, 48.6), modulus_pa=1.08e6, name="box")
    est = get_estimator("auto")
    lowered = 0
    for seed in range(3):
        grasp = simulate_grasp(box, config=SimGraspConfig(), seed=seed)
        assert grasp.meta.shape == "box"  # the geometry is given
        e = est.estimate(grasp, calibration=CAL)
        assert e.details["auto_chose"] == "elastic"
        assert e.lower_bound_only and e.modulus_pa <= box.modulus_pa
        assert bound_flag(e.modulus_pa, CAL.gel_modulus_pa) in e.flags
        assert e.interval_95_pa[0] == e.modulus_pa <= e.interval_68_pa[0]
        lowered += e.details["given_bound_pa"] > box.modulus_pa
    assert lowered >= 2  # the cap acted where the given-geometry bound was false


def test_a_two_sided_given_geometry_answer_is_not_touched() -> None:
    soft = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=5e4, name="ball")
    e = get_estimator("auto").estimate(simulate_grasp(soft, seed=1), calibration=CAL)
    assert not e.lower_bound_only and "given_bound_pa" not in e.details
    assert Flag.UNRESOLVED not in e.flags and Flag.STIFFER_THAN_GEL not in e.flags
