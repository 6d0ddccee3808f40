"""Issue 11, "bounds that never lie": tiny soft densifying foams squeezed past their
densification (BENCHMARKS.md "Blind: bounds for densifying foams").

The 40-object sweep measured there: every shape family (sphere, cylinder on its side and on
its end, cube, ellipsoid), 7 and 10 mm, 5 and 15 kPa, densification onset 0.55, on the
realistic preset and on one randomised rig, one grasp each (~0.5 s apiece). Before the foam
bound main flagged 17 of them, 14 with a bound above the foam's modulus (sphere, cylinder and
ellipsoid of 7 mm, cylinders of 10 mm, one 7 mm cylinder on its end); with it no bound is
false, but 11 of the 40 are still flagged, with true bounds of 1 Pa-2.4 kPa (cylinders on
their side, 7 mm cylinders on their end): two of them are the strict xfail below.
"""

from __future__ import annotations

import dataclasses

import pytest
from blind_helpers import FOAM_TEST_RIG

from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.rigs import apply_rig
from tactile.types import ModulusEstimate


def _config(rig: str) -> SimGraspConfig:
    return (
        apply_rig(SimGraspConfig.realistic(), FOAM_TEST_RIG)
        if rig == "rig"
        else SimGraspConfig.realistic()
    )


def _foam(shape: str, size_mm: float, modulus_pa: float) -> SimObject:
    kw = {
        "modulus_pa": modulus_pa, "poisson": 0.3, "foam": True, "densification_strain": 0.55,
        "material": "foam", "name": f"{shape}_{size_mm:g}_{modulus_pa:g}",
    }  # fmt: skip
    if shape == "sphere":
        return SimObject(shape="sphere", radius_mm=size_mm / 2, **kw)
    if shape == "cylinder":
        return SimObject(shape="cylinder", radius_mm=size_mm / 2, length_mm=18.0, **kw)
    if shape == "cylinder_end":
        return SimObject(shape="cylinder_end", radius_mm=size_mm / 2, length_mm=size_mm, **kw)
    if shape == "box":
        return SimObject(shape="box", size_mm=(size_mm, size_mm, size_mm), **kw)
    return SimObject(shape="ellipsoid", size_mm=(size_mm * 0.8, size_mm * 0.6, size_mm / 2), **kw)


def _estimate(foam: SimObject, rig: str) -> ModulusEstimate:
    grasp = simulate_grasp(foam, _config(rig), seed=1, grasp_id="foam")
    return BlindEstimator().estimate(dataclasses.replace(grasp, meta=blind_metadata(grasp.meta)))


@pytest.mark.parametrize("rig", ["default", "rig"])
@pytest.mark.parametrize("modulus_pa", [5e3, 15e3])
@pytest.mark.parametrize("size_mm", [7.0, 10.0])
@pytest.mark.parametrize("shape", ["sphere", "cylinder", "cylinder_end", "box", "ellipsoid"])
def test_a_tiny_soft_foam_is_never_flagged_with_a_false_bound(
    shape: str, size_mm: float, modulus_pa: float, rig: str
) -> None:
    """Done-when: false bounds <= 1 %. A flagged foam's lower bound must hold (be at most its
    modulus), whatever its shape; a point estimate is not checked here."""
    foam = _foam(shape, size_mm, modulus_pa)
    est = _estimate(foam, rig)
    assert not (est.lower_bound_only and est.modulus_pa > modulus_pa), (
        f"{foam.name} ({rig}): flagged with a bound of {est.modulus_pa:.3g} Pa"
    )


@pytest.mark.xfail(
    strict=True,
    reason="issue 11 requires no soft object flagged: a 7 mm foam cylinder (on its side or on "
    "its end) squashed past its densification by the hold is still flagged, with a bound that "
    "holds but says little (1 Pa and 0.5 kPa): with the gel's flat-punch closure removed no "
    "foam ten times softer than the linear bound fits the record, so the flag stays "
    "(BENCHMARKS.md 'Blind: bounds for densifying foams')",
)
@pytest.mark.parametrize(("shape", "rig"), [("cylinder", "default"), ("cylinder_end", "rig")])
def test_a_tiny_soft_foam_is_not_flagged(shape: str, rig: str) -> None:
    """Done-when: no soft object flagged (the objects above: 7 mm, 5 kPa)."""
    est = _estimate(_foam(shape, 7.0, 5e3), rig)
    assert not est.lower_bound_only, f"flagged with a bound of {est.modulus_pa:.3g} Pa"
