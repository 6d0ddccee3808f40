"""``auto`` with the geometry given: a bound of the given-geometry estimator is capped by the
blind physics' reading of the same grasp (it must hold whatever the material)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tactile.estimators import AnalyticalEstimator, get_estimator
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.runner import estimate_stored
from tactile.io import GraspReader, GraspWriter
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


def test_the_check_reads_as_many_frames_as_blind_whatever_the_estimator(tmp_path: Path) -> None:
    """The Hertz hold and the line contact need only the peak image, but blind, which checks
    their bounds on the same features, judges the imprint on its own frames: on the peak alone
    its early frame is the peak, and `tactile estimate` (few frames) and every frame gave
    different bounds (sim_below foam_sphere_0009: 10^2.82 on the fast path, 10^5.78 with every
    frame). ``auto`` with the geometry given decodes at least blind's frames, so both agree."""
    auto = get_estimator("auto")
    assert isinstance(auto, AnalyticalEstimator)
    ball = SimObject(shape="sphere", radius_mm=15.0, modulus_pa=2e8, name="stiff_ball")
    rod = SimObject(shape="cylinder", radius_mm=10.0, length_mm=50.0, modulus_pa=2e8, name="rod")
    path = tmp_path / "given.h5"
    with GraspWriter(path) as w:
        for i, obj in enumerate((ball, rod)):
            w.append(simulate_grasp(obj, SimGraspConfig(), seed=i))
    with GraspReader(path) as reader:
        for gid in reader.ids():
            meta = reader.read_signals(gid).meta
            blind_frames = BlindEstimator().image_frames(meta)
            assert blind_frames is not None and auto.image_frames(meta) == blind_frames
            _, fast = estimate_stored(reader, gid, auto, calibration=CAL)
            _, full = estimate_stored(reader, gid, auto, calibration=CAL, max_image_frames=None)
            assert fast.details["auto_chose"] in ("hertz", "line")
            assert fast.lower_bound_only and full.lower_bound_only, gid
            assert "blind_lower_bound_only" in fast.details  # the check ran
            for key in ("blind_lower_bound_only", "blind_cap_pa", "given_bound_pa"):
                assert fast.details.get(key) == full.details.get(key), (gid, key)
            assert fast.modulus_pa == full.modulus_pa and fast.flags == full.flags, gid
