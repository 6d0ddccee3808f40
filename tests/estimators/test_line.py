"""Line contact (cylinder on its side): the 2-D Hertz law inverted, and simulated cylinders."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.estimators import estimate_grasp
from tactile.estimators.line import line_approach_mm, line_half_width_mm
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import Flag


@settings(max_examples=60, deadline=None)
@given(
    radius_mm=st.floats(2.0, 60.0),
    share=st.floats(0.01, 1.4),  # b / R, below 4/e where the law is monotonic
)
def test_half_width_inverts_the_approach(radius_mm: float, share: float) -> None:
    b = share * radius_mm
    delta = line_approach_mm(np.array([b]), radius_mm)
    assert line_half_width_mm(delta, radius_mm)[0] == pytest.approx(b, rel=1e-6)
    # a deeper press gives a wider strip
    assert line_approach_mm(np.array([1.01 * b]), radius_mm)[0] > delta[0]


@pytest.mark.parametrize(
    ("modulus_pa", "radius_mm", "length_mm"), [(2e5, 10.0, 60.0), (1e6, 20.0, 25.0)]
)
def test_simulated_cylinder_on_its_side_is_recovered(
    modulus_pa: float, radius_mm: float, length_mm: float
) -> None:
    obj = SimObject(
        shape="cylinder", radius_mm=radius_mm, length_mm=length_mm, modulus_pa=modulus_pa, name="c"
    )
    est = estimate_grasp(simulate_grasp(obj, config=SimGraspConfig(), seed=1), "auto")
    assert est.details["auto_chose"] == "line"
    assert not est.lower_bound_only
    assert 0.8 <= est.modulus_pa / modulus_pa <= 1.25
    assert est.interval_95_pa[0] <= modulus_pa <= est.interval_95_pa[1]


def test_stiff_cylinder_gets_a_bound_that_holds() -> None:
    obj = SimObject(shape="cylinder", radius_mm=10.0, length_mm=60.0, modulus_pa=1e9, name="rod")
    est = estimate_grasp(simulate_grasp(obj, config=SimGraspConfig(), seed=2), "line")
    assert est.lower_bound_only and Flag.STIFFER_THAN_GEL in est.flags
    assert est.modulus_pa <= 1e9
