"""A given geometry the grasp contradicts (prior44, bug hunt newuser42 finding 6, issue 11): a
ball or a cylinder on its side whose given radius is too small for the size the grasp measures,
or too large for the gripper's opening before the squeeze, is answered by the blind physics,
flagged ``geometry_mismatch`` (:func:`tactile.estimators.auto.geometry_mismatch`); main
answered the given radius's point, unflagged (a 20 mm ball given 5 mm: 156 kPa [102, 240], E
50 kPa)."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from tactile.errors import EstimatorError
from tactile.estimators import get_estimator
from tactile.estimators.auto import (
    AutoEstimator,
    MeasuredGeometry,
    estimator_without_point_check,
    geometry_mismatch,
)
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import Flag, Grasp, GraspMetadata


@functools.cache
def _grasp(shape: str, modulus_pa: float) -> Grasp:
    obj = SimObject(shape=shape, size_mm=(40.0, 40.0, 40.0), modulus_pa=modulus_pa, name=shape)
    return simulate_grasp(obj, config=SimGraspConfig(), seed=0)


def _with_radius(grasp: Grasp, radius_mm: float) -> Grasp:
    return dataclasses.replace(grasp, meta=dataclasses.replace(grasp.meta, radius_mm=radius_mm))


@pytest.mark.parametrize("factor", [0.25, 4.0])
@pytest.mark.parametrize("name", ["auto", "hertz"])
def test_a_ball_given_a_wrong_radius_is_answered_by_blind_flagged(factor: float, name: str) -> None:
    ball = _grasp("sphere", 5e4)
    assert ball.meta.radius_mm is not None
    right = get_estimator(name).estimate(ball)
    assert Flag.GEOMETRY_MISMATCH not in right.flags and "geometry_mismatch" not in right.details
    wrong = _with_radius(ball, ball.meta.radius_mm * factor)
    given = estimator_without_point_check(name).estimate(wrong)
    est = get_estimator(name).estimate(wrong)
    blind = get_estimator("blind").estimate(wrong)
    assert Flag.GEOMETRY_MISMATCH in est.flags and Flag.GEOMETRY_MISMATCH not in given.flags
    assert (est.modulus_pa, est.interval_95_pa) == (blind.modulus_pa, blind.interval_95_pa)
    assert est.estimator == name
    assert est.details["given_point_pa"] == given.modulus_pa
    reason = str(est.details["geometry_mismatch"])
    assert f"{ball.meta.radius_mm * factor:.3g} mm" in reason and "measures" in reason
    assert ("too small" if factor < 1 else "too large") in reason
    assert reason in str(est.details["note"])


def test_the_check_off_answers_as_before() -> None:
    ball = _grasp("sphere", 5e4)
    assert ball.meta.radius_mm is not None
    wrong = _with_radius(ball, ball.meta.radius_mm / 4)
    off = AutoEstimator(check_geometry=False).estimate(wrong)
    assert Flag.GEOMETRY_MISMATCH not in off.flags
    assert off.modulus_pa == estimator_without_point_check("auto").estimate(wrong).modulus_pa


def test_a_cylinder_whose_model_fails_on_a_wrong_radius_is_answered_by_blind() -> None:
    """``line`` with a quarter of the radius: the closure is beyond the cylinder's range and the
    model fails; the grasp contradicts the radius, so blind answers (the failure noted)."""
    cyl = _grasp("cylinder", 1e6)
    assert cyl.meta.radius_mm is not None
    wrong = _with_radius(cyl, cyl.meta.radius_mm / 4)
    with pytest.raises(EstimatorError):
        estimator_without_point_check("line").estimate(wrong)
    for name in ("auto", "line"):
        est = get_estimator(name).estimate(wrong)
        assert Flag.GEOMETRY_MISMATCH in est.flags and "given_error" in est.details
        assert est.modulus_pa == get_estimator("blind").estimate(wrong).modulus_pa


def _measured(**kw: object) -> MeasuredGeometry:
    base = MeasuredGeometry(40.0, 1.5, 46.0, "unknown", "not decisive", 0.3)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_what_is_checked() -> None:
    meta = GraspMetadata(object_id="o", shape="sphere", radius_mm=20.0)
    assert geometry_mismatch(meta, _measured()) is None
    assert geometry_mismatch(dataclasses.replace(meta, radius_mm=22.0), _measured()) is None
    assert "too small" in str(
        geometry_mismatch(dataclasses.replace(meta, radius_mm=5.0), _measured())
    )
    assert "too large" in str(
        geometry_mismatch(dataclasses.replace(meta, radius_mm=40.0), _measured())
    )
    # a recording that starts loaded shows no opening: too large is not judged
    assert (
        geometry_mismatch(dataclasses.replace(meta, radius_mm=40.0), _measured(opening_mm=None))
        is None
    )
    # an ellipsoid's radius is its local curvature, a bare radius may be one: not checked
    for shape in ("ellipsoid", "irregular", None):
        assert (
            geometry_mismatch(dataclasses.replace(meta, shape=shape, radius_mm=5.0), _measured())
            is None
        )
    # a cylinder on its side: its size is its diameter too
    assert geometry_mismatch(
        dataclasses.replace(meta, shape="cylinder", radius_mm=5.0), _measured()
    )
    # a ball whose imprint is a flat face over the pad
    flat = _measured(shape_class="flat", evidence="imprint covers 90 % of the pad")
    assert "flat" in str(geometry_mismatch(meta, flat))
    assert geometry_mismatch(dataclasses.replace(meta, shape="box", radius_mm=None), flat) is None


def test_a_size_reading_that_is_the_opening_is_not_judged_too_small() -> None:
    """review54: a rigid 10 mm ball on a stiff rig whose width reading lags read 15.3 ± 1.4 mm,
    about the opening before the squeeze (16.5 mm): its true radius is not flagged too small
    (prior44b); a size well inside the opening still is."""
    meta = GraspMetadata(object_id="o", shape="sphere", radius_mm=5.0)
    lagged = _measured(size_mm=15.3, size_sd_mm=1.41, opening_mm=16.5)
    assert geometry_mismatch(meta, lagged) is None
    # without the opening's slack it would be (the 15.3 mm lies beyond 3 sd + 10 % of 10 mm)
    assert "too small" in str(geometry_mismatch(meta, dataclasses.replace(lagged, opening_mm=30.0)))
    # the same size with the gripper opened well beyond it: the size is the object's
    assert "too small" in str(geometry_mismatch(meta, _measured(size_mm=17.0, opening_mm=22.0)))
    # with no opening known (a recording that starts loaded) the size is judged as before
    assert "too small" in str(geometry_mismatch(meta, _measured(size_mm=17.0, opening_mm=None)))
