"""Issue 11: a Hertz or line bound on a given sphere or cylinder, kept where blind too reads
only a bound, is capped at blind's bound or the gel's modulus, whichever is higher
(:func:`tactile.estimators.auto.checked_by_blind`; benchmarks/results/given34_prereg.md).

The foams and rigs below were drawn by given32's exploratory sweep of randomised rigs: with the
shape and radius given, main bounded them with the linear model above their modulus while blind
too answered only a bound, so the false bound was kept. The steel spheres keep their flag.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from blind_helpers import grasp_on_drawn_rig

from tactile.estimators import get_estimator
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.rigs import RigDraw
from tactile.types import Flag

CAL = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)

#: a rig of the sweep (gel 154 kPa, 3.2 mm width offset, 0.37 s width latency)
RIG_SPHERE = RigDraw(
    gel_modulus_pa=153522.8859939112, gel_thickness_mm=2.311475207445044,
    gel_max_strain=0.8563473496858586, rig_compliance_mm_per_n=0.07080796570781396,
    width_offset_mm=3.209886986724859, width_update_period_s=0.08469164182523706,
    width_resolution_mm=0.02537112878303703, width_latency_s=0.3677186487480222,
    motion_force_n_per_mm=0.0, close_speed_mm_s=19.9289767234053,
    force_target_n=16.541743248915363, image_gain=1.106604737292555,
    ambient_scale=0.9790216813563626, raw_shift_scale=1.2885523895718225,
    contact_texture_scale=0.8611573350972841,
    pose_offset_px=(0.025757914231248957, -1.0397545417777811),
    offset_jitter_mm=3.0,
)  # fmt: skip
#: another (gel 580 kPa, a motion force while closing)
RIG_CYLINDER = RigDraw(
    gel_modulus_pa=579522.8923864368, gel_thickness_mm=2.0398949870081173,
    gel_max_strain=0.8314808289070404, rig_compliance_mm_per_n=0.01475062042693951,
    width_offset_mm=2.1124213177094973, width_update_period_s=0.09562150219843504,
    width_resolution_mm=0.01602553458464371, width_latency_s=0.37498986563138137,
    motion_force_n_per_mm=0.024149046783309248, close_speed_mm_s=18.052308986956948,
    force_target_n=17.829523067406825, image_gain=0.953363445545104,
    ambient_scale=1.0859026931855527, raw_shift_scale=1.1455904658063878,
    contact_texture_scale=1.2638948066736542,
    pose_offset_px=(-1.1693046357928152, 1.4054849372275173),
    offset_jitter_mm=3.0,
)  # fmt: skip

FOAM_SPHERE = SimObject(
    shape="sphere", radius_mm=15.003459288276284, modulus_pa=176800.39053009838, poisson=0.3,
    name="foam_sphere", foam=True, densification_strain=0.7029898049540292, material="foam",
)  # fmt: skip
FOAM_CYLINDER = SimObject(
    shape="cylinder", radius_mm=10.900935380909063, length_mm=24.61710153744551,
    modulus_pa=356268.38444843696, poisson=0.3, name="foam_cylinder", foam=True,
    densification_strain=0.6296465055431231, material="foam",
)  # fmt: skip


@pytest.mark.parametrize(
    ("obj", "rig", "seed", "chose"),
    [(FOAM_SPHERE, RIG_SPHERE, 40, "hertz"), (FOAM_CYLINDER, RIG_CYLINDER, 47, "line")],
)
def test_a_densifying_foam_of_given_geometry_is_bounded_truly(
    obj: SimObject, rig: RigDraw, seed: int, chose: str
) -> None:
    """The linear model's bound is false (main: 1.05 MPa for the 177 kPa sphere, 500 kPa for the
    356 kPa cylinder) and blind reads only a bound; capped at blind's bound or the gel's
    modulus, whichever is higher, it holds, and the given bound stays in the details."""
    _, grasp = grasp_on_drawn_rig(obj, rig, seed)
    assert grasp.meta.radius_mm == pytest.approx(obj.radius_mm)  # the geometry is given
    est = get_estimator("auto").estimate(grasp)
    assert est.details["auto_chose"] == chose
    assert est.details["blind_lower_bound_only"]  # blind, too, reads only a bound
    assert est.details["given_bound_pa"] > obj.modulus_pa  # the linear bound: false
    assert est.lower_bound_only and est.modulus_pa <= obj.modulus_pa  # capped: it holds
    assert est.modulus_pa == est.details["blind_cap_pa"] == est.interval_95_pa[0]
    assert est.interval_68_pa[0] >= est.modulus_pa and math.isinf(est.interval_95_pa[1])
    # the cap never takes the answer below the gel: the flag is the given geometry's
    assert Flag.STIFFER_THAN_GEL in est.flags and Flag.UNRESOLVED not in est.flags


@pytest.mark.parametrize(
    ("shape", "radius_mm"), [("sphere", 5.0), ("sphere", 10.0), ("sphere", 20.0), ("cylinder", 5.0)]
)
def test_a_steel_object_keeps_its_flag(shape: str, radius_mm: float) -> None:
    """On the default simulator with its exact calibration blind's bound on a small steel ball
    or rod is below the 200 kPa gel (any shape and material fit its closure); the given
    geometry's bound is capped no lower than the gel, so "stiffer than the gel" stays."""
    steel = SimObject(
        shape=shape, radius_mm=radius_mm, length_mm=40.0, modulus_pa=2e11, name="steel"
    )
    est = get_estimator("auto").estimate(
        simulate_grasp(steel, SimGraspConfig(), seed=7), calibration=CAL
    )
    assert est.details["auto_chose"] == ("hertz" if shape == "sphere" else "line")
    assert est.lower_bound_only and Flag.STIFFER_THAN_GEL in est.flags
    assert CAL.gel_modulus_pa <= est.modulus_pa <= steel.modulus_pa
