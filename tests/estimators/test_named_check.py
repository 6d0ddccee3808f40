"""A given-geometry estimator named by the user (``hertz``, ``mdr``, ``elastic``, ``line``) on a
grasp with its geometry given checks its answer with the blind physics as ``auto`` does
(named43, :func:`tactile.estimators.auto.check_given_geometry`): its lower bounds were false
where auto's hold (ref_0612: ``mdr`` 12 of 15 grasp bounds, ``elastic`` 4, ``hertz`` 3; the
grasps below: main's named ``hertz`` bounded the 177 kPa foam sphere at 1.05 MPa). The paths
that must not move build them with ``check_bounds=False``."""

from __future__ import annotations

import dataclasses
import math

import pytest
from blind_helpers import grasp_on_drawn_rig
from test_auto_given_cap import FOAM_CYLINDER, FOAM_SPHERE, RIG_CYLINDER, RIG_SPHERE
from test_auto_given_point import RIG, _box

from tactile.errors import ConfigError
from tactile.estimators import AnalyticalEstimator, get_estimator
from tactile.estimators.auto import choose_estimator, estimator_without_point_check
from tactile.estimators.base import GivenGeometryEstimator
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.hertz import HertzEstimator
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.rigs import RigDraw
from tactile.types import Flag, GraspMetadata

CAL = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)


@pytest.mark.parametrize(
    ("obj", "rig", "seed", "name", "shape"),
    [
        (FOAM_SPHERE, RIG_SPHERE, 40, "hertz", None),
        (FOAM_CYLINDER, RIG_CYLINDER, 47, "line", None),
        (FOAM_SPHERE, RIG_SPHERE, 40, "mdr", "irregular"),  # unchecked: 338 kPa for 177 kPa
    ],
)
def test_a_named_estimators_bound_holds_as_autos_does(
    obj: SimObject, rig: RigDraw, seed: int, name: str, shape: str | None
) -> None:
    """The densifying foams of test_auto_given_cap: the linear model's bound is false (main's
    named estimator answered it); checked, it holds, and equals auto's answer (one check, not
    two: auto builds its inner estimator unchecked). ``shape``: the grasp's given shape
    replaced (an irregular object: auto chooses ``mdr``)."""
    _, grasp = grasp_on_drawn_rig(obj, rig, seed)
    if shape is not None:
        grasp = dataclasses.replace(grasp, meta=dataclasses.replace(grasp.meta, shape=shape))
    est = get_estimator(name).estimate(grasp)
    assert est.lower_bound_only and est.modulus_pa <= obj.modulus_pa  # main: false
    unchecked = estimator_without_point_check(name).estimate(grasp)
    assert unchecked.lower_bound_only and unchecked.modulus_pa > obj.modulus_pa
    assert est.estimator == name and "auto_chose" not in est.details
    assert est.details["given_bound_pa"] == unchecked.modulus_pa
    assert est.modulus_pa == est.details["blind_cap_pa"] == est.interval_95_pa[0]
    assert math.isinf(est.interval_95_pa[1]) and Flag.STIFFER_THAN_GEL in est.flags
    auto = get_estimator("auto").estimate(grasp)
    assert auto.details["auto_chose"] == name
    assert (auto.modulus_pa, auto.interval_68_pa, auto.interval_95_pa, auto.flags) == (
        est.modulus_pa,
        est.interval_68_pa,
        est.interval_95_pa,
        est.flags,
    )
    assert str(auto.details["note"]).count("by the blind physics") == 1


def test_a_named_elastic_bound_on_a_small_stiff_box_holds() -> None:
    """test_auto_bound's 1.08 MPa box: ``elastic`` alone bounds it at 1.5-2.6 MPa (false); named
    and checked (``flat``: blind's own bound), it holds."""
    box = SimObject(shape="box", size_mm=(17.0, 17.0, 48.6), modulus_pa=1.08e6, name="box")
    lowered = 0
    for seed in range(3):
        grasp = simulate_grasp(box, config=SimGraspConfig(), seed=seed)
        e = get_estimator("elastic").estimate(grasp, calibration=CAL)
        assert e.lower_bound_only and e.modulus_pa <= box.modulus_pa
        lowered += e.details["given_bound_pa"] > box.modulus_pa
    assert lowered >= 2


def test_a_named_elastic_on_a_steel_ball_keeps_its_flag() -> None:
    """test_auto_given_cap's steel ball (R 20 mm, seed 7): ``elastic`` named on a sphere reads a
    bound (4.9 MPa), blind only a bound below the 200 kPa gel. Capped as a flat contact (blind's
    own bound, named43: 108 kPa) the steel ball lost "stiffer than the gel", which auto keeps;
    on a non-flat shape the cap is hertz's (blind's bound or the gel, named43b). On a box the
    flat cap stays (test_a_named_elastic_bound_on_a_small_stiff_box_holds)."""
    steel = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=2e11, name="steel")
    grasp = simulate_grasp(steel, SimGraspConfig(), seed=7)
    est = get_estimator("elastic").estimate(grasp, calibration=CAL)
    assert est.details["blind_lower_bound_only"] and est.details["given_bound_pa"] > 1e6
    assert est.lower_bound_only and Flag.STIFFER_THAN_GEL in est.flags
    assert est.modulus_pa == est.details["blind_cap_pa"] == CAL.gel_modulus_pa
    assert "no lower than the gel" in str(est.details["note"])


def test_a_named_elastic_point_on_a_rigid_box_gives_way_to_blinds_flagged_bound() -> None:
    """test_auto_given_point's steel box: the elastic point is five decades low; blind's bound is
    flagged stiffer than the gel, so the named estimator (``check_points="flagged"``, auto's
    default) answers it; ``check_points=False`` keeps the point."""
    _, grasp = grasp_on_drawn_rig(_box(1.97e11, "hard"), RIG, 1)
    est = get_estimator("elastic").estimate(grasp)
    assert est.lower_bound_only and Flag.STIFFER_THAN_GEL in est.flags  # main: a point
    point = get_estimator("elastic", check_points=False).estimate(grasp)
    assert not point.lower_bound_only and point.modulus_pa < 1e6
    blind = get_estimator("blind").estimate(grasp)
    assert est.modulus_pa == blind.modulus_pa and est.estimator == "elastic"
    assert est.details["given_point_pa"] == point.modulus_pa
    assert est.details["bound_from"] == "blind" and "auto_chose" not in est.details
    assert Flag.SHAPE_ASSUMED not in est.flags


def test_the_paths_that_must_not_move_are_unchecked() -> None:
    """The produce decision's sphere Hertz and fit_gel_from_reference's: tests/decisions
    test_estimator.py and tests/calibration test_gel_rigid.py."""
    meta = GraspMetadata(object_id="b", shape="sphere", radius_mm=10.0)
    for name in ("hertz", "mdr", "elastic", "line"):
        named, unchecked = get_estimator(name), estimator_without_point_check(name)
        assert isinstance(named, GivenGeometryEstimator) and named.check_bounds
        assert isinstance(unchecked, GivenGeometryEstimator) and not unchecked.check_bounds
    for shape, radius in (("sphere", 10.0), ("box", None), ("cylinder", 5.0), ("irregular", None)):
        inner = choose_estimator(dataclasses.replace(meta, shape=shape, radius_mm=radius))
        assert isinstance(inner, GivenGeometryEstimator)
        assert not inner.check_bounds  # auto checks once itself


def test_a_checked_estimator_decodes_blinds_frames() -> None:
    meta = GraspMetadata(object_id="b", shape="sphere", radius_mm=10.0)
    blind_frames = BlindEstimator().image_frames(meta)
    assert blind_frames is not None and blind_frames > 1
    checked, unchecked = get_estimator("hertz"), HertzEstimator(check_bounds=False)
    assert isinstance(checked, AnalyticalEstimator)
    assert unchecked.image_frames(meta) == 1 and checked.image_frames(meta) == blind_frames


def test_check_points_rejects_an_unknown_option() -> None:
    for name in ("hertz", "mdr", "elastic", "line"):
        for value in ("weak", 0, 1, None):
            with pytest.raises(ConfigError, match="check_points"):
                get_estimator(name, check_points=value)
