"""Contact mechanics of one finger: object and gel pad as two springs in series.

Every shape is reduced to a *contact curve*: a table over the approach ``delta_mm`` of one
finger (object deformation + gel indentation at that finger) of the force, the contact
semi-axes, the gel's indentation depth and the object's deformation. The gripper closes both
fingers symmetrically, so the closure (width at first contact minus width) is ``2 * delta_mm``.

Models (Johnson, *Contact Mechanics*, CUP 1985):

- point contact (sphere, ellipsoid pole), Hertz theory (Johnson ch. 4):
  ``F = 4/3 E* sqrt(R) delta^(3/2)``, ``a^2 = R delta``, ``1/E* = c_o + c_g`` with the
  reduced compliances ``c = (1 - nu^2) / E``. An ellipsoid uses the effective radius
  ``R_e = sqrt(R_x R_y)`` and an elliptical contact with semi-axes ``a sqrt(R_x/R_e)``,
  ``a sqrt(R_y/R_e)`` (same area as the circle; an approximation of Johnson's treatment
  of general profiles, ch. 4).
- line contact (cylinder on its side, contact length ``L`` limited by the pad), 2D Hertz
  contact of cylinders and the approach of a cylinder pressed on a half-space (Johnson ch. 4-5):
  ``F/L = pi E* b^2 / (4 R)``, ``delta = b^2/(4R) (2 ln(4R/b) - 1)``.
- flat contact (box face, cylinder end; area limited by the pad): the object is a block
  compressed between the pads, ``F = E_o A (2 delta_o) / D``; the gel is a flat punch of the
  equivalent radius ``a = sqrt(A/pi)`` (Boussinesq), ``F = 2 a E_g / (1 - nu_g^2) delta_g``.

The approach splits between object and gel in proportion to their compliances, so the gel's
share of the approach is ``f = c_g / (c_g + c_o)``.

Optional corrections:

- finite gel thickness ``h`` (a thin elastomer bonded to the rigid window): the gel stiffens as
  the contact grows, ``E_g,eff = E_g (1 + beta (a/h)^3)`` with ``beta = 0.33`` (bonded, full
  friction), after K. R. Shull, "Contact mechanics and the adhesion of soft solids",
  Mater. Sci. Eng. R 36 (2002) 1-45 (layer corrections for a spherical indenter).
- foam densification: ``E_o,eff = E_o / (1 - eps/eps_d)^2`` with the nominal compressive
  strain ``eps = 2 delta_o / D`` (capped at ``0.95 eps_d``), a smooth stand-in for the
  densification regime of Gibson & Ashby, *Cellular Solids*, CUP 1997, ch. 5.

Always on: the gel cannot be pressed deeper than its thickness ``h`` (it sits on a rigid
window). As its indentation ``d_g`` approaches ``h`` the thin layer left under the object is
squeezed against the window and stiffens without bound; we model this with the gel compliance
multiplier ``m(s) = 1 - (s / s_max)^3``, ``s = d_g / h``, ``s_max`` the calibration's
``gel_max_strain`` (``GEL_MAX_STRAIN`` = 0.9 for the simulator's profiles; our
heuristic: within 0.5 % of the half-space law below ``s = 0.15``, 6.3x stiffer at
``s = 0.85``, 0 at ``s_max``): the object takes whatever the gel cannot, so a rigid object
meets a steeply rising force as the gel bottoms out. In the lock-up beyond the contact model
the gel depth saturates below ``s_max h`` too, so no state has the gel deeper than its
thickness.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.sensor import SensorCalibration
from tactile.sim.objects import SimObject

N_GRID = 400
SHULL_BETA = 0.33
LOCKUP_FRACTION = 0.48  # an object squeezed from both sides locks up at 4 % of its size
_LOCKUP_POINTS = 120
_SPLIT_ITERATIONS = 48  # bisection steps: the share is resolved to 2^-48
#: The gel's indentation never exceeds this fraction of its thickness (it bottoms out): the
#: ``gel_max_strain`` of the simulator's sensor profiles (``sim-wedge-v1`` and its variants).
GEL_MAX_STRAIN = 0.9


@dataclass(frozen=True)
class GelModel:
    """The gel pad's mechanics (from a :class:`SensorCalibration`)."""

    modulus_pa: float
    poisson: float
    thickness_mm: float
    thin_layer: bool = False
    max_strain: float = GEL_MAX_STRAIN

    @classmethod
    def from_calibration(cls, cal: SensorCalibration) -> GelModel:
        """The gel the calibration describes: its ``gel_model`` and ``gel_max_strain`` too, so
        the estimators, which read the same profile, know the simulated gel exactly."""
        if cal.gel_max_strain is None:
            raise ConfigError(
                f"calibration {cal.calibration_id!r} does not say where its gel bottoms out "
                "(gel_max_strain), which the simulator's gel always does",
                hint="simulate with a simulator profile (sim-wedge-v1, sim-wedge-thin-v1, "
                "sim-wedge-raw-v1) or dataclasses.replace(cal, gel_max_strain=0.9, "
                "calibration_id='my-sim-rig-v1')",
            )
        return cls(
            cal.gel_modulus_pa,
            cal.gel_poisson,
            cal.gel_thickness_mm,
            cal.thin_layer,
            cal.gel_max_strain,
        )

    def compliance_per_pa(self, contact_radius_mm: np.ndarray) -> np.ndarray:
        """Reduced compliance (1 - nu^2)/E_eff of the gel for a contact of this radius."""
        c = (1.0 - self.poisson**2) / self.modulus_pa
        if not self.thin_layer:
            return np.full_like(contact_radius_mm, c, dtype=np.float64)
        ratio = contact_radius_mm / self.thickness_mm
        return c / (1.0 + SHULL_BETA * ratio**3)


@dataclass(frozen=True)
class ContactCurve:
    """Per-finger contact state tabulated over the approach ``delta_mm`` (increasing from 0)."""

    kind: str  # "point", "line" or "flat"
    delta_mm: np.ndarray
    force_n: np.ndarray
    semi_x_mm: np.ndarray
    semi_y_mm: np.ndarray
    gel_depth_mm: np.ndarray
    object_def_mm: np.ndarray
    radius_x_mm: float  # curvature radii of the object surface (inf = flat)
    radius_y_mm: float
    model_limit_mm: float = math.inf  # approach where the contact model ends (lock-up beyond)

    @property
    def max_delta_mm(self) -> float:
        return float(self.delta_mm[-1])

    @property
    def max_force_n(self) -> float:
        return float(self.force_n[-1])

    def at(self, delta_mm: np.ndarray | float) -> dict[str, np.ndarray]:
        """Contact state at given approaches (clipped to the tabulated range; <= 0: no contact)."""
        d = np.clip(np.asarray(delta_mm, dtype=np.float64), 0.0, self.max_delta_mm)
        return {
            "delta_mm": d,
            "force_n": np.interp(d, self.delta_mm, self.force_n),
            "semi_x_mm": np.interp(d, self.delta_mm, self.semi_x_mm),
            "semi_y_mm": np.interp(d, self.delta_mm, self.semi_y_mm),
            "gel_depth_mm": np.interp(d, self.delta_mm, self.gel_depth_mm),
            "object_def_mm": np.interp(d, self.delta_mm, self.object_def_mm),
        }

    def delta_for_force(self, force_n: np.ndarray | float) -> np.ndarray:
        """Inverse of the force curve (forces above the table give the last approach)."""
        f = np.asarray(force_n, dtype=np.float64)
        return np.interp(f, self.force_n, self.delta_mm)


def _foam_factor(strain: np.ndarray, obj: SimObject) -> np.ndarray:
    if not obj.foam:
        return np.ones_like(strain)
    r = np.clip(strain / obj.densification_strain, 0.0, 0.95)
    return 1.0 / (1.0 - r) ** 2


def gel_bottoming_multiplier(
    gel_depth_mm: np.ndarray, thickness_mm: float, max_strain: float = GEL_MAX_STRAIN
) -> np.ndarray:
    """Compliance multiplier of a gel layer indented by ``gel_depth_mm``: ``1 - (s/s_max)^3``
    with ``s = depth / thickness``; 0 at ``s_max`` and beyond (see the module doc)."""
    s = np.asarray(gel_depth_mm, dtype=np.float64) / (max_strain * thickness_mm)
    return 1.0 - np.clip(s, 0.0, 1.0) ** 3


def _solve_split(
    delta_of: np.ndarray,
    c_gel: np.ndarray,
    obj: SimObject,
    gel: GelModel,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Object and gel compliances and the gel's share ``f`` of the approach.

    The share solves ``f = c_g m(f delta) / (c_g m(f delta) + c_o(f))`` per grid point, with
    the gel bottoming multiplier ``m`` and the object's foam densification ``c_o`` (its strain
    ``2 (1 - f) delta / D``). The right side falls as ``f`` grows, so the root is unique and
    found by bisection; since ``m`` vanishes at ``gel.max_strain`` the gel depth ``f delta``
    stays below that share of the thickness. ``delta_of`` is the approach per grid point,
    ``c_gel`` the gel's compliance before bottoming; returns ``(c_obj, c_gel_eff, f_gel)``.
    """
    c0 = (1.0 - obj.poisson**2) / obj.modulus_pa

    def compliances(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        strain = 2.0 * (1.0 - f) * delta_of / obj.size_z_mm
        c_o = c0 / _foam_factor(strain, obj)
        m = gel_bottoming_multiplier(f * delta_of, gel.thickness_mm, gel.max_strain)
        return c_o, c_gel * m

    lo, hi = np.zeros_like(delta_of), np.ones_like(delta_of)
    for _ in range(_SPLIT_ITERATIONS):
        mid = 0.5 * (lo + hi)
        c_o, c_g = compliances(mid)
        above = mid > c_g / (c_g + c_o)
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    f_gel = lo  # the lower bracket: the gel depth never overshoots the root
    c_o, c_g = compliances(f_gel)
    return c_o, c_g, f_gel


def _grid(max_value: float) -> np.ndarray:
    """Grid from 0 to max_value, denser near 0 (where the curves bend most)."""
    return max_value * np.linspace(0.0, 1.0, N_GRID) ** 2


def _outline_mm(obj: SimObject) -> tuple[float, float]:
    if obj.shape == "ellipsoid" and obj.size_mm is not None:
        return obj.size_mm[0], obj.size_mm[1]
    return obj.radius_mm, obj.radius_mm


def _point_curve(obj: SimObject, gel: GelModel) -> ContactCurve:
    rx, ry = obj.curvature_radii_mm
    re = math.sqrt(rx * ry)
    # the contact ellipse must stay inside the object's outline (semi-axes of the body in x, y)
    # and the approach below half its size
    half_x, half_y = _outline_mm(obj)
    a_max = min(
        0.9 * half_x * math.sqrt(re / rx),
        0.9 * half_y * math.sqrt(re / ry),
        math.sqrt(0.45 * obj.size_z_mm * re),
    )
    a = _grid(a_max)
    delta = a * a / re
    c_obj, c_gel, f_gel = _solve_split(delta, gel.compliance_per_pa(a), obj, gel)
    e_star = 1.0 / (c_obj + c_gel)
    force = 4.0 / 3.0 * e_star * a**3 / re * 1e-6  # Pa * mm^2 -> N
    return ContactCurve(
        "point",
        delta,
        np.maximum.accumulate(force),
        a * math.sqrt(rx / re),
        a * math.sqrt(ry / re),
        f_gel * delta,
        (1.0 - f_gel) * delta,
        rx,
        ry,
    )


def _line_curve(obj: SimObject, gel: GelModel, pad_x_mm: float) -> ContactCurve:
    radius = obj.radius_mm
    length = min(obj.length_mm, pad_x_mm)
    b = _grid(0.9 * radius)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(b > 0, b * b / (4 * radius) * (2 * np.log(4 * radius / b) - 1), 0.0)
    c_obj, c_gel, f_gel = _solve_split(delta, gel.compliance_per_pa(b), obj, gel)
    e_star = 1.0 / (c_obj + c_gel)
    force = math.pi * e_star * b * b * length / (4 * radius) * 1e-6
    return ContactCurve(
        "line",
        delta,
        np.maximum.accumulate(force),
        np.full_like(b, length / 2.0),
        b,
        f_gel * delta,
        (1.0 - f_gel) * delta,
        math.inf,
        radius,
    )


def flat_face_mm(obj: SimObject, pad_x_mm: float, pad_y_mm: float) -> tuple[float, float]:
    """Half-extents (x, y) of a flat contact, clipped to the pad."""
    if obj.shape == "cylinder_end":
        r = obj.radius_mm
        return min(r, pad_x_mm / 2), min(r, pad_y_mm / 2)
    assert obj.size_mm is not None
    return min(obj.size_mm[0], pad_x_mm) / 2, min(obj.size_mm[1], pad_y_mm) / 2


def flat_area_mm2(obj: SimObject, pad_x_mm: float, pad_y_mm: float) -> float:
    hx, hy = flat_face_mm(obj, pad_x_mm, pad_y_mm)
    if obj.shape != "cylinder_end":
        return 4.0 * hx * hy
    # circle of radius R clipped to the pad rectangle: integrate the chord length
    x = np.linspace(-hx, hx, 2001)
    chord = 2.0 * np.minimum(np.sqrt(np.maximum(obj.radius_mm**2 - x * x, 0.0)), hy)
    return float(np.sum((chord[1:] + chord[:-1]) / 2 * np.diff(x)))


def _flat_curve(obj: SimObject, gel: GelModel, pad_x_mm: float, pad_y_mm: float) -> ContactCurve:
    area = flat_area_mm2(obj, pad_x_mm, pad_y_mm)
    hx, hy = flat_face_mm(obj, pad_x_mm, pad_y_mm)
    a_eq = math.sqrt(area / math.pi)
    delta = _grid(0.45 * obj.size_z_mm)
    # springs per finger (N/mm): block half of length D/2 and a flat punch on the gel
    c_gel_pa = gel.compliance_per_pa(np.full_like(delta, a_eq))
    # express both springs as equivalent "compliances" with the same gel-share algebra: the
    # object (block, k_obj0 = 2 E A / D) maps c_obj0 to 1/k_obj0, the gel (flat punch,
    # k_gel = 2 a E_g / (1 - nu_g^2)) likewise; forces are delta / (1/k_obj + 1/k_gel)
    k_obj0 = 2.0 * obj.modulus_pa * area / obj.size_z_mm * 1e-6
    scale = (1.0 - obj.poisson**2) / obj.modulus_pa * k_obj0
    c_obj, c_gel, f_gel = _solve_split(delta, c_gel_pa / (2.0 * a_eq * 1e-6) * scale, obj, gel)
    force = delta * scale / (c_obj + c_gel)
    return ContactCurve(
        "flat",
        delta,
        np.maximum.accumulate(force),
        np.full_like(delta, hx),
        np.full_like(delta, hy),
        f_gel * delta,
        (1.0 - f_gel) * delta,
        math.inf,
        math.inf,
    )


#: Contact models chosen by ``SimObject.extra["contact_model"]`` (name -> curve builder), added
#: by the modules that define them; a name below is imported on first use.
CONTACT_MODELS: dict[str, Callable[[SimObject, GelModel], ContactCurve]] = {}
_CONTACT_MODEL_MODULES = {"layered": "tactile.sim.produce"}


def _registered_model(name: str) -> Callable[[SimObject, GelModel], ContactCurve]:
    if name not in CONTACT_MODELS and name in _CONTACT_MODEL_MODULES:
        import importlib

        importlib.import_module(_CONTACT_MODEL_MODULES[name])
    if name not in CONTACT_MODELS:
        raise ConfigError(
            f"SimObject.extra['contact_model']={name!r} is not a registered contact model",
            hint=f"use one of {sorted(set(CONTACT_MODELS) | set(_CONTACT_MODEL_MODULES))}",
        )
    return CONTACT_MODELS[name]


def contact_curve(
    obj: SimObject, gel: GelModel, *, pad_x_mm: float, pad_y_mm: float
) -> ContactCurve:
    """The per-finger contact curve of ``obj`` pressed into the gel, with a lock-up beyond the
    model's range (see :func:`_with_lockup`)."""
    model = obj.extra.get("contact_model")
    if model:
        return _with_lockup(_registered_model(str(model))(obj, gel), obj, gel.thickness_mm)
    if obj.shape in ("sphere", "ellipsoid"):
        curve = _point_curve(obj, gel)
    elif obj.shape == "cylinder":
        curve = _line_curve(obj, gel, pad_x_mm)
    else:
        curve = _flat_curve(obj, gel, pad_x_mm, pad_y_mm)
    return _with_lockup(curve, obj, gel.max_strain * gel.thickness_mm)


def _lockup_gel_depth(curve: ContactCurve, force_n: np.ndarray, cap: float) -> np.ndarray:
    """Gel depth in the lock-up: its share of the force (``d_end F / F_end``), saturating
    smoothly below ``cap``, the depth at which the gel bottoms out."""
    end = float(curve.gel_depth_mm[-1])
    linear = end * force_n / max(curve.max_force_n, 1e-12)
    if end >= cap:
        return np.full_like(force_n, end)
    return cap - (cap - end) * np.exp(-(linear - end) / (cap - end))


def _with_lockup(curve: ContactCurve, obj: SimObject, gel_cap_mm: float) -> ContactCurve:
    """Continue the curve past the contact model's range until the object is squashed to
    ``1 - 2 LOCKUP_FRACTION`` of its size: the force keeps the end slope ``k`` and stiffens as
    ``k x / (1 - x/L)^2`` (x: approach beyond the end, L: what is left), the contact keeps its
    last size and the gel its share of the force, saturating below its thickness. Not a
    physical model of any material: it keeps
    a gripper from passing through a soft object whose contact model ran out, the way a real
    squashed object locks up."""
    end = curve.max_delta_mm
    room = LOCKUP_FRACTION * obj.size_z_mm - end
    if room <= 1e-6:
        return curve
    slope = float(
        (curve.force_n[-1] - curve.force_n[-2])
        / max(curve.delta_mm[-1] - curve.delta_mm[-2], 1e-12)
    )
    slope = max(slope, curve.max_force_n / max(end, 1e-6), 1e-3)
    x = room * np.linspace(0.0, 0.98, _LOCKUP_POINTS)[1:]
    force = curve.max_force_n + slope * x / (1.0 - x / room) ** 2
    delta = end + x
    gel = np.minimum(_lockup_gel_depth(curve, force, gel_cap_mm), delta)
    ones = np.ones_like(x)
    return ContactCurve(
        curve.kind,
        np.concatenate([curve.delta_mm, delta]),
        np.concatenate([curve.force_n, force]),
        np.concatenate([curve.semi_x_mm, curve.semi_x_mm[-1] * ones]),
        np.concatenate([curve.semi_y_mm, curve.semi_y_mm[-1] * ones]),
        np.concatenate([curve.gel_depth_mm, gel]),
        np.concatenate([curve.object_def_mm, delta - gel]),
        curve.radius_x_mm,
        curve.radius_y_mm,
        model_limit_mm=end,
    )
