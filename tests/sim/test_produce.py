"""Produce-like objects: a stiff skin over soft flesh, near-spherical, ripeness -> flesh E."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import ConfigError
from tactile.sim import SimGraspConfig, simulate_grasp_truth
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.objects import SimObject
from tactile.sim.produce import ProduceSpec, apparent_modulus_pa, make_produce

SPEC = ProduceSpec("tomato", 32.0, 3.0, 0.05, 0.1, 1e7, 3e6, 8e4)
GEL = GelModel(2e5, 0.48, 3.0)


def test_ripeness_lowers_the_flesh_modulus_log_linearly() -> None:
    assert SPEC.flesh_modulus_pa(0.0) == pytest.approx(3e6)
    assert SPEC.flesh_modulus_pa(1.0) == pytest.approx(8e4)
    assert SPEC.flesh_modulus_pa(0.5) == pytest.approx(math.sqrt(3e6 * 8e4))
    with pytest.raises(ConfigError, match="ripeness"):
        SPEC.flesh_modulus_pa(1.5)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_fruit_are_near_spherical_and_their_skin_stiffens_small_contacts(
    r: float, seed: int
) -> None:
    fruit = make_produce(SPEC, r, np.random.default_rng(seed))
    assert fruit.size_mm is not None
    axes = np.array(fruit.size_mm)
    assert np.all(np.abs(axes / fruit.radius_mm - 1) <= 0.25)
    e = apparent_modulus_pa(fruit, np.array([0.05, 0.5, 5.0, 1e5]))
    assert np.all(np.diff(e) < 0)  # the skin matters less as the contact grows
    assert e[-1] == pytest.approx(fruit.modulus_pa, rel=0.01)
    assert e[0] < float(fruit.extra["skin_modulus_pa"])


def test_layered_fruit_is_stiffer_than_its_flesh_alone() -> None:
    fruit = make_produce(SPEC, 0.7, np.random.default_rng(1))
    plain = SimObject(
        shape="ellipsoid", radius_mm=fruit.radius_mm, size_mm=fruit.size_mm,
        modulus_pa=fruit.modulus_pa, poisson=fruit.poisson,
    )  # fmt: skip
    layered = contact_curve(fruit, GEL, pad_x_mm=30, pad_y_mm=25)
    flesh = contact_curve(plain, GEL, pad_x_mm=30, pad_y_mm=25)
    d = np.linspace(0.2, 2.0, 5)
    assert np.all(layered.at(d)["force_n"] > flesh.at(d)["force_n"])


def test_a_fruit_grasp_simulates_with_its_flesh_as_the_label() -> None:
    fruit = make_produce(SPEC, 0.5, np.random.default_rng(2))
    grasp, truth = simulate_grasp_truth(fruit, SimGraspConfig.clean(size_hw=(40, 56)), 0)
    assert grasp.meta.label_modulus_pa == fruit.modulus_pa
    assert grasp.meta.shape == "ellipsoid" and truth.force_n.max() > 1.0


def test_unknown_contact_model_is_refused() -> None:
    bad = SimObject(extra={"contact_model": "jelly"})
    with pytest.raises(ConfigError, match="jelly"):
        contact_curve(bad, GEL, pad_x_mm=30, pad_y_mm=25)
