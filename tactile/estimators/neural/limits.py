"""Physics limits of one grasp from the calibrated rig, for the network and the hybrid.

Not one training run's accuracy boundary: what the rig's calibration says the grasp can
resolve. The object's own deformation at the peak force F is bounded below by a flat punch of
the measured contact radius a on a half-space, ``delta >= F (1 - nu^2) / (2 a E)`` per finger
(Johnson, *Contact Mechanics*, 1985, §3.8: for the same F and a a Hertz sphere deforms 1.5x
more, δ = 3F/(4E* a)), or a block between the pads, ``delta >= F D / (2 E pi a^2)`` when the
object is thinner than its contact (D: its size along the squeeze axis); ν = 0.5 (the
smallest 1 - ν²). So ``delta_per_finger = F g / (2 E)`` with ``g = min(0.75 / a, D / (pi a²))``
can only *under*-state how much any object of modulus E deforms.

The rig's calibration (the rigid-press curve of ``tactile calibrate rig``) gives
the closure a rigid object causes at each force (gel, fingers, mount, the width reading's
latency), and the closure's uncertainty ``sigma_c`` (the reading's step, the presses' spread,
10 % of the rigid closure for the gel's dependence on the object's radius). Then

- **resolvable limit** ``E_res = F g / (2 sigma_c)``: above it the object deforms by less than
  the closure resolves, whatever its shape;
- **physics lower bound** ``E_lb = BOUND_SAFETY * densify * F g / (2 delta_max)`` with
  ``delta_max = (closure - rig_min + 2 sigma_c) / 2``, ``rig_min`` the part of the rigid-press
  closure the gel cannot take (it bottoms out at 0.9 of its thickness on each finger; a flat
  face indents the gel far less than the calibration sphere, so the bound may not subtract the
  sphere's gel share) and ``densify = (1 - eps/0.5)^2`` the most a foam can stiffen at the
  measured strain eps (Gibson & Ashby 1997, ch. 5): an object softer than ``E_lb`` would have
  closed the gripper further. It holds for every shape and material the assumptions cover
  (the object at least as compliant as a flat punch of its contact or a block, the rig as
  calibrated within 2 sigma_c, the image not understating the contact area by more than the
  safety factor);
- **unresolved** when ``excess <= 2 sigma_c`` (``excess``: the closure beyond the rigid
  sphere's at the same force): the closure cannot tell the object from a rigid *sphere*
  (reported in ``details``; a flat face can be unresolved and soft).

The estimators answer with the lower bound (flag ``stiffer_than_gel`` where the bound is at
least the gel's modulus, else ``unresolved``) when their estimate is at
or above ``E_res`` and the closure is unresolved (without a rig calibration: above ``E_res``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.estimators.neural.rig import rigid_closure_mm, width_step_mm
from tactile.sensor import SensorCalibration

#: Where the gel bottoms out, as a share of its thickness (the simulator's and the Wedge
#: profiles' ``gel_max_strain``); the bound assumes the gel takes at most this much.
GEL_MAX_STRAIN = 0.9
#: Closure uncertainty (mm) assumed when the rig has no calibration (the span of rigid closures
#: across the randomised rigs and the two real sessions is several mm).
UNCALIBRATED_SIGMA_MM = 2.0
#: Relative uncertainty of the rigid closure for objects that are not the calibration sphere
#: (the gel's indentation depends on the radius as R^(-1/3)).
RIGID_CLOSURE_REL_SD = 0.1
#: The physics lower bound is divided by 2: an object squashed beyond its linear range stiffens
#: (a block at 80 % strain, the simulator's lock-up: the linear bound was 9 % too high there,
#: tests/estimators/neural/test_limits_ood.py), and the image may understate the contact area.
BOUND_SAFETY = 0.5
#: Lowest densification onset strain of the foams the bound must cover.
MIN_DENSIFICATION_STRAIN = 0.5
#: Smallest contact radius (mm) trusted for the bounds (below it the image barely shows contact).
MIN_CONTACT_RADIUS_MM = 1.0


@dataclass(frozen=True)
class PhysicsLimits:
    """Limits of one grasp (moduli in Pa, lengths in mm)."""

    resolvable_limit_pa: float
    lower_bound_pa: float | None  # None without a rig calibration
    excess_closure_mm: float | None
    sigma_closure_mm: float
    unresolved: bool

    def details(self) -> dict[str, float | bool | None]:
        return {
            "resolvable_limit_pa": self.resolvable_limit_pa,
            "physics_lower_bound_pa": self.lower_bound_pa,
            "excess_closure_mm": self.excess_closure_mm,
            "sigma_closure_mm": self.sigma_closure_mm,
            "closure_unresolved": self.unresolved,
        }


def closure_sigma_mm(calibration: SensorCalibration | None, force_n: float) -> float:
    """The closure uncertainty of this rig at this force (see the module docstring);
    ``calibration``: one with a rigid-press curve, or None (uncalibrated rig)."""
    if calibration is None:
        return UNCALIBRATED_SIGMA_MM
    rigid = float(rigid_closure_mm(calibration, np.array([force_n]))[0])
    # a calibration file may say ``"rigid_press_closure_sd_mm": null`` (validated as "a number
    # >= 0 or null"): no measured spread, as the field's default 0.0 (review40 M1)
    spread = calibration.rigid_press_closure_sd_mm or 0.0
    return math.sqrt(
        width_step_mm(calibration) ** 2 + spread**2 + (RIGID_CLOSURE_REL_SD * rigid) ** 2
    )


def geometry_factor_per_m(contact_area_mm2: float, size_mm: float) -> float:
    """``g`` of the module docstring (1/m) from the contact area and the object's size."""
    a_m = max(math.sqrt(max(contact_area_mm2, 0.0) / math.pi), MIN_CONTACT_RADIUS_MM) * 1e-3
    d_m = max(size_mm, 1.0) * 1e-3
    return min(0.75 / a_m, d_m / (math.pi * a_m * a_m))


def physics_limits(
    *,
    force_n: float,
    contact_area_mm2: float,
    size_mm: float,
    closure_mm: float,
    calibration: SensorCalibration | None,
    bound_contact_area_mm2: float | None = None,
) -> PhysicsLimits:
    """Resolvable limit, physics lower bound and whether the closure is resolved (docstring);
    ``calibration``: one with a rigid-press curve (``tactile calibrate rig``), or None.
    ``bound_contact_area_mm2``: a larger contact the bound must allow for (the pad's area when
    the camera did not see the contact: a face covering the pad shows no edge); the bound uses
    the larger area (a smaller ``g``), the resolvable limit the measured one."""
    f = max(force_n, 0.0)
    g = geometry_factor_per_m(contact_area_mm2, size_mm)
    g_bound = geometry_factor_per_m(max(contact_area_mm2, bound_contact_area_mm2 or 0.0), size_mm)
    sigma = closure_sigma_mm(calibration, f)
    e_res = f * g / (2.0 * sigma * 1e-3)
    if calibration is None:
        return PhysicsLimits(max(e_res, 1.0), None, None, sigma, False)
    rig = calibration
    rigid = float(rigid_closure_mm(calibration, np.array([f]))[0])
    excess = closure_mm - rigid
    # the bound may not assume the gel takes as much as under the calibration sphere (a flat
    # face barely indents it): only what the gel cannot take on two fingers (bottoming at
    # GEL_MAX_STRAIN of its thickness) is surely the rig's
    rig_min = max(rigid - 2.0 * GEL_MAX_STRAIN * rig.gel_thickness_mm, 0.0)
    deform_mm = max(closure_mm - rig_min, 0.0)
    delta_max_mm = (deform_mm + 2.0 * sigma) / 2.0
    # a foam squeezed to the nominal strain eps is up to 1/(1 - eps/eps_d)^2 stiffer than its
    # small-strain modulus (densification; Gibson & Ashby 1997, ch. 5; eps_d >= 0.5)
    strain = min((deform_mm + 2.0 * sigma) / max(size_mm, 1.0), 1.0)
    densify = max(1.0 - strain / MIN_DENSIFICATION_STRAIN, 0.05) ** 2
    e_lb = BOUND_SAFETY * densify * f * g_bound / (2.0 * delta_max_mm * 1e-3)
    return PhysicsLimits(max(e_res, 1.0), max(e_lb, 1.0), excess, sigma, excess <= 2.0 * sigma)
