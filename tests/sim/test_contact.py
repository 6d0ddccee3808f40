"""Mechanics: series springs, Hertz limits, monotonicity, thin layer and foam corrections."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.sensor import SIM_WEDGE, SIM_WEDGE_THIN
from tactile.sim import GelModel, SimObject, contact_curve
from tactile.sim.contact import GEL_MAX_STRAIN, gel_bottoming_multiplier

PAD = {"pad_x_mm": 35.0, "pad_y_mm": 25.5}
GEL = GelModel.from_calibration(SIM_WEDGE)

SHAPED = [
    SimObject(shape="sphere", radius_mm=20.0, modulus_pa=1e5),
    SimObject(shape="cylinder", radius_mm=8.0, length_mm=30.0, modulus_pa=1e6),
    SimObject(shape="cylinder_end", radius_mm=5.0, length_mm=30.0, modulus_pa=1e6),
    SimObject(shape="box", size_mm=(20.0, 15.0, 30.0), modulus_pa=3e5),
    SimObject(shape="ellipsoid", size_mm=(25.0, 15.0, 12.0), modulus_pa=2e9),
]


@pytest.mark.parametrize("obj", SHAPED, ids=lambda o: o.shape)
def test_more_closure_more_force_and_area(obj: SimObject) -> None:
    curve = contact_curve(obj, GEL, **PAD)
    d = np.linspace(0.0, curve.max_delta_mm, 50)
    s = curve.at(d)
    assert np.all(np.diff(s["force_n"]) > 0)
    assert np.all(np.diff(s["semi_x_mm"] * s["semi_y_mm"]) >= 0)
    assert np.all(np.diff(s["gel_depth_mm"]) >= 0)
    assert s["gel_depth_mm"][1] > 0 and s["gel_depth_mm"][-1] > s["gel_depth_mm"][1]
    np.testing.assert_allclose(s["gel_depth_mm"] + s["object_def_mm"], d, atol=1e-9)


@pytest.mark.parametrize("shape", ["sphere", "cylinder", "ellipsoid"])
def test_softer_object_smaller_gel_indentation_at_equal_force(shape: str) -> None:
    def gel_depth(modulus: float) -> float:
        obj = SimObject(shape=shape, radius_mm=15.0, modulus_pa=modulus, size_mm=(20, 15, 30))
        curve = contact_curve(obj, GEL, **PAD)
        return float(curve.at(curve.delta_for_force(5.0))["gel_depth_mm"])

    assert gel_depth(3e4) < gel_depth(3e5) < gel_depth(3e6)


def test_flat_contact_gel_depth_depends_only_on_force() -> None:
    # series springs with a fixed contact area: the gel deflects F / k_gel whatever the object
    def gel_depth(modulus: float) -> float:
        obj = SimObject(shape="box", size_mm=(20, 15, 30), modulus_pa=modulus)
        curve = contact_curve(obj, GEL, **PAD)
        return float(curve.at(curve.delta_for_force(5.0))["gel_depth_mm"])

    assert gel_depth(3e4) == pytest.approx(gel_depth(3e6), rel=1e-6)


def test_hertz_formula_and_equal_split() -> None:
    # object with the gel's reduced compliance: each takes half of the approach
    e_obj = GEL.modulus_pa / (1 - GEL.poisson**2) * (1 - 0.3**2)
    obj = SimObject(radius_mm=20.0, modulus_pa=e_obj, poisson=0.3)
    curve = contact_curve(obj, GEL, **PAD)
    delta_mm = 0.2  # gel depth 0.1 mm: far from bottoming out (multiplier 1 - 5e-5)
    s = curve.at(delta_mm)
    e_star = 1.0 / (2 * (1 - GEL.poisson**2) / GEL.modulus_pa)
    expected = 4 / 3 * e_star * math.sqrt(20e-3) * (delta_mm * 1e-3) ** 1.5
    assert float(s["force_n"]) == pytest.approx(expected, rel=2e-3)
    assert float(s["semi_x_mm"]) == pytest.approx(math.sqrt(20.0 * delta_mm), rel=2e-3)
    assert float(s["gel_depth_mm"]) == pytest.approx(delta_mm / 2, rel=1e-4)


@pytest.mark.parametrize("delta_mm", [0.3, 1.0, 2.0])
def test_stiff_limit_gel_takes_all_deformation(delta_mm: float) -> None:
    # series springs: a steel ball leaves the whole approach to the gel, and the force is Hertz
    # with the gel's modulus alone (times the bottoming-out stiffening at this depth)
    steel = SimObject(radius_mm=10.0, modulus_pa=2e11, poisson=0.3)
    curve = contact_curve(steel, GEL, **PAD)
    s = curve.at(delta_mm)
    assert float(s["gel_depth_mm"]) == pytest.approx(delta_mm, rel=1e-5)
    assert float(s["object_def_mm"]) < 1e-5
    m = float(gel_bottoming_multiplier(np.array(delta_mm), GEL.thickness_mm))
    e_star = GEL.modulus_pa / (1 - GEL.poisson**2) / m
    expected = 4 / 3 * e_star * math.sqrt(10e-3) * (delta_mm * 1e-3) ** 1.5
    assert float(s["force_n"]) == pytest.approx(expected, rel=2e-3)


def test_gel_bottoms_out_instead_of_exceeding_its_thickness() -> None:
    steel = SimObject(radius_mm=10.0, modulus_pa=2e11, poisson=0.3)
    curve = contact_curve(steel, GEL, **PAD)
    cap = GEL_MAX_STRAIN * GEL.thickness_mm
    assert curve.gel_depth_mm.max() <= cap
    # half-space Hertz would reach 20 N at 4.5 mm; the bottomed-out gel stops it before 2.7 mm
    assert float(curve.delta_for_force(20.0)) < cap
    # the multiplier is ~1 for shallow contacts and vanishes at the cap
    depths = np.array([0.0, 0.15 * GEL.thickness_mm, cap])
    np.testing.assert_allclose(
        gel_bottoming_multiplier(depths, GEL.thickness_mm), [1.0, 0.9954, 0.0], atol=1e-3
    )


@settings(max_examples=60, deadline=None)
@given(
    log_e=st.floats(3.7, 11.4),
    radius=st.floats(2.0, 40.0),
    shape=st.sampled_from(["sphere", "cylinder", "box", "ellipsoid", "cylinder_end"]),
    foam=st.booleans(),
    thin_layer=st.booleans(),
    thickness=st.floats(0.5, 6.0),
)
def test_gel_depth_never_exceeds_the_gel_thickness(
    log_e: float, radius: float, shape: str, foam: bool, thin_layer: bool, thickness: float
) -> None:
    gel = GelModel(GEL.modulus_pa, GEL.poisson, thickness, thin_layer)  # bottoms at 0.9 h
    size = (radius * 1.3, radius, radius * 0.8)
    obj = SimObject(shape=shape, radius_mm=radius, modulus_pa=10**log_e, size_mm=size, foam=foam)
    curve = contact_curve(obj, gel, **PAD)  # model range and lock-up
    assert curve.gel_depth_mm.max() <= GEL_MAX_STRAIN * thickness + 1e-9
    assert np.all(curve.gel_depth_mm >= 0) and np.all(curve.object_def_mm >= -1e-9)


def test_line_contact_force_scales_with_length() -> None:
    short = SimObject(shape="cylinder", radius_mm=8.0, length_mm=10.0, modulus_pa=1e6)
    long_ = SimObject(shape="cylinder", radius_mm=8.0, length_mm=20.0, modulus_pa=1e6)
    f_short = float(contact_curve(short, GEL, **PAD).at(0.5)["force_n"])
    f_long = float(contact_curve(long_, GEL, **PAD).at(0.5)["force_n"])
    assert f_long == pytest.approx(2 * f_short, rel=1e-3)


def test_flat_contact_area_limited_by_pad() -> None:
    big = SimObject(shape="box", size_mm=(80.0, 60.0, 30.0), modulus_pa=1e9)
    curve = contact_curve(big, GEL, **PAD)
    assert float(curve.semi_x_mm[-1]) == pytest.approx(35.0 / 2)
    assert float(curve.semi_y_mm[-1]) == pytest.approx(25.5 / 2)


def test_thin_gel_layer_stiffens_the_contact() -> None:
    obj = SimObject(radius_mm=20.0, modulus_pa=1e9)
    thin = GelModel.from_calibration(SIM_WEDGE_THIN)
    assert thin.thin_layer and not GelModel.from_calibration(SIM_WEDGE).thin_layer
    f_half_space = float(contact_curve(obj, GEL, **PAD).at(2.0)["force_n"])
    f_thin = float(contact_curve(obj, thin, **PAD).at(2.0)["force_n"])
    assert f_thin > 2 * f_half_space


def test_foam_stiffens_as_it_compresses() -> None:
    plain = SimObject(shape="box", size_mm=(20, 20, 30), modulus_pa=5e4)
    foam = SimObject(shape="box", size_mm=(20, 20, 30), modulus_pa=5e4, foam=True)
    c_plain, c_foam = contact_curve(plain, GEL, **PAD), contact_curve(foam, GEL, **PAD)
    small, large = 0.2, 10.0
    assert float(c_foam.at(small)["force_n"]) == pytest.approx(
        float(c_plain.at(small)["force_n"]), rel=0.05
    )
    assert float(c_foam.at(large)["force_n"]) > 2 * float(c_plain.at(large)["force_n"])


@settings(max_examples=30, deadline=None)
@given(
    log_e=st.floats(3.7, 11.4),
    radius=st.floats(3.0, 40.0),
    shape=st.sampled_from(["sphere", "cylinder", "box", "ellipsoid", "cylinder_end"]),
    foam=st.booleans(),
)
def test_monotone_in_closure_and_in_modulus(
    log_e: float, radius: float, shape: str, foam: bool
) -> None:
    size = (radius, radius * 0.7, radius * 0.8)

    def curve_for(modulus: float):  # type: ignore[no-untyped-def]
        obj = SimObject(shape=shape, radius_mm=radius, modulus_pa=modulus, size_mm=size, foam=foam)
        return contact_curve(obj, GEL, **PAD)

    soft, stiff = curve_for(10**log_e), curve_for(10 ** min(log_e + 0.5, 12.0))
    assert np.all(np.diff(soft.force_n) >= 0)
    d = min(soft.max_delta_mm, stiff.max_delta_mm) * 0.5
    assert float(stiff.at(d)["force_n"]) >= float(soft.at(d)["force_n"])


def test_squashed_objects_lock_up_instead_of_passing_through() -> None:
    small_soft = SimObject(shape="sphere", radius_mm=5.0, modulus_pa=2e4)
    curve = contact_curve(small_soft, GEL, **PAD)
    assert math.isfinite(curve.model_limit_mm) and curve.model_limit_mm < curve.max_delta_mm
    assert curve.max_delta_mm < 0.48 * small_soft.size_z_mm + 1e-9  # never fully flattened
    delta_20n = float(curve.delta_for_force(20.0))
    assert curve.model_limit_mm < delta_20n < curve.max_delta_mm
    s = curve.at(np.linspace(0, curve.max_delta_mm, 200))
    assert np.all(np.diff(s["force_n"]) > 0) and np.all(np.diff(s["gel_depth_mm"]) >= 0)
