"""Contact mechanics used by the analytical estimators (forward formulas, pure functions).

Units: lengths in mm, forces in N, moduli in Pa. Inside formulas a modulus in Pa is divided by
:data:`PA_PER_N_PER_MM2` (1e6) so that ``N / mm^2`` meets ``mm`` consistently.

Model (Johnson 1985, *Contact Mechanics*, ch. 4): a sphere of radius R squeezed between two flat
gel pads, one per finger. At each pad the approach δ (object + gel deformation) obeys Hertz::

    F = 4/3 · E* · √R · δ^{3/2},   a² = R·δ,   so also   F = 4/3 · E* · a · δ
    1/E* = (1 − ν_o²)/E_o + (1 − ν_g²)/E_g          (object and gel in series)

The gripper closes on both pads, so the total closure since first contact is 2δ. Within δ each
body takes a share proportional to its reduced compliance ``c = (1 − ν²)/E``; the gel's centre
indentation is ``d_g = c_g · E* · δ = c_g · 3F/(4a)``.
"""

from __future__ import annotations

import math

import numpy as np

from tactile.errors import ConfigError

PA_PER_N_PER_MM2 = 1.0e6

#: Poisson's ratio assumed for the object when none is given: rubbers, gels and foams in the
#: soft range where the estimate matters are close to incompressible (0.5). For a stiff object
#: (metal ~0.3) the choice changes E by at most (1 − 0.3²)/(1 − 0.5²) = 1.21.
DEFAULT_OBJECT_POISSON = 0.5


def reduced_compliance_per_pa(modulus_pa: float, poisson: float) -> float:
    """``(1 − ν²) / E``, one body's share of ``1/E*`` (1/Pa)."""
    if not (modulus_pa > 0 and math.isfinite(modulus_pa)):
        raise ConfigError(
            f"modulus_pa={modulus_pa!r} must be positive and finite",
            hint="give Young's modulus in pascals",
        )
    if not 0.0 <= poisson < 0.5 + 1e-12:
        raise ConfigError(
            f"poisson={poisson!r} must be in [0, 0.5]", hint="rubbers 0.5, metals ~0.3"
        )
    return (1.0 - poisson**2) / modulus_pa


def effective_modulus_pa(
    object_modulus_pa: float,
    gel_modulus_pa: float,
    *,
    object_poisson: float = DEFAULT_OBJECT_POISSON,
    gel_poisson: float = 0.48,
) -> float:
    """Hertz effective modulus E* of object and gel in series (Pa)."""
    c = reduced_compliance_per_pa(object_modulus_pa, object_poisson)
    c += reduced_compliance_per_pa(gel_modulus_pa, gel_poisson)
    return 1.0 / c


def hertz_sphere_curves(
    object_modulus_pa: float,
    radius_mm: float,
    closure_mm: np.ndarray,
    *,
    gel_modulus_pa: float,
    gel_poisson: float = 0.48,
    object_poisson: float = DEFAULT_OBJECT_POISSON,
    gel_thickness_mm: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force (N), contact radius (mm) and gel indentation depth (mm) of a sphere between two gels.

    ``closure_mm`` is the gripper closure since first contact (2δ). With ``gel_thickness_mm`` the
    gel is a thin bonded layer that stiffens as the contact grows, ``E_g,eff = E_g·(1 + 0.33·
    (a/h)³)`` (Shull 2002, eq. 37). This is the forward model the Hertz estimator inverts; tests
    use it to generate curves of known E.
    """
    c_obj = reduced_compliance_per_pa(object_modulus_pa, object_poisson) * PA_PER_N_PER_MM2
    c_gel0 = reduced_compliance_per_pa(gel_modulus_pa, gel_poisson) * PA_PER_N_PER_MM2
    delta = np.maximum(np.asarray(closure_mm, dtype=np.float64), 0.0) / 2.0
    a = np.sqrt(radius_mm * delta)
    c_gel = np.full_like(a, c_gel0)
    if gel_thickness_mm:
        c_gel = c_gel0 * thin_layer_factor(a, gel_thickness_mm)
    e_star = 1.0 / (c_obj + c_gel)
    force = 4.0 / 3.0 * e_star * a * delta
    depth = c_gel * e_star * delta
    return force, a, depth


THIN_LAYER_BETA = 0.33


def thin_layer_factor(contact_radius_mm: np.ndarray | float, gel_thickness_mm: float) -> np.ndarray:
    """Factor on a gel's compliance for a thin layer bonded to a rigid window.

    The layer stiffens as the contact grows, ``E_eff = E·(1 + 0.33·(a/h)³)`` (K. R. Shull,
    "Contact mechanics and the adhesion of soft solids", Mater. Sci. Eng. R 36 (2002) 1-45,
    eq. 37, bonded layer); the simulator's ``thin_layer`` option uses the same law.
    """
    a = np.asarray(contact_radius_mm, dtype=np.float64)
    return 1.0 / (1.0 + THIN_LAYER_BETA * (a / gel_thickness_mm) ** 3)


def gel_punch_compliance_mm_per_n(
    contact_radius_mm: np.ndarray | float,
    *,
    gel_modulus_pa: float,
    gel_poisson: float,
    gel_thickness_mm: float | None = None,
) -> np.ndarray:
    """Compliance (mm/N) of one gel pad under a flat contact of radius a.

    Flat punch on a half-space (Boussinesq): ``C = (1 − ν²) / (2 a E)``; with
    ``gel_thickness_mm`` the thin-layer factor :func:`thin_layer_factor` is applied. Used by the
    elastic estimator to remove the gel's share of the closure for flat objects.
    """
    a = np.maximum(np.asarray(contact_radius_mm, dtype=np.float64), 1e-9)
    e_gel = gel_modulus_pa / PA_PER_N_PER_MM2
    c = (1.0 - gel_poisson**2) / (2.0 * a * e_gel)
    if gel_thickness_mm:
        c = c * thin_layer_factor(a, gel_thickness_mm)
    return c


def elastic_block_curves(
    object_modulus_pa: float,
    thickness_mm: float,
    contact_area_mm2: float,
    force_n: np.ndarray,
    *,
    gel_modulus_pa: float,
    gel_poisson: float = 0.48,
    gel_thickness_mm: float | None = None,
) -> np.ndarray:
    """Closure (mm) of a block (uniaxial compression) between two gel pads at ``force_n``.

    Springs in series: ``closure = F·L/(E·A) + 2·F·C_gel(a)`` with a the radius of the circle of
    the contact's area (thin-layer gel when ``gel_thickness_mm`` is given). Forward model of the
    elastic estimator.
    """
    force = np.asarray(force_n, dtype=np.float64)
    e_obj = object_modulus_pa / PA_PER_N_PER_MM2
    a = math.sqrt(contact_area_mm2 / math.pi)
    c_gel = gel_punch_compliance_mm_per_n(
        a, gel_modulus_pa=gel_modulus_pa, gel_poisson=gel_poisson, gel_thickness_mm=gel_thickness_mm
    )
    return force * thickness_mm / (e_obj * contact_area_mm2) + 2.0 * force * c_gel


def mdr_shape_factor(exponent: float) -> float:
    """``κ_n = √π · Γ(n/2 + 1) / Γ(n/2 + 1/2)`` of the MDR rule for a power-law profile ``c·r^n``.

    (Popov & Heß 2015, *Method of Dimensionality Reduction in Contact Mechanics and Friction*,
    ch. 3.) For a sphere (n = 2) κ = 2, which turns ``r²/(2R)`` into the 1-D profile ``x²/R``.
    """
    n = float(exponent)
    return math.sqrt(math.pi) * math.gamma(n / 2.0 + 1.0) / math.gamma(n / 2.0 + 0.5)


def mdr_center_line_load_n_per_mm(
    force_n: np.ndarray | float, contact_radius_mm: np.ndarray | float, exponent: float = 2.0
) -> np.ndarray:
    """Line load at the centre of the MDR 1-D model, ``q(0) = E*·δ`` (N/mm).

    In MDR the 3-D contact becomes a row of independent springs of stiffness E* per unit length
    pressed by the 1-D profile ``g(x) = δ·(|x|/a)^n``. The force is
    ``F = ∫_{-a}^{a} E*(δ − g(x)) dx = 2·E*·δ·a·n/(n + 1)``, so
    ``q(0) = E*·δ = F·(n + 1)/(2·n·a)``. For a sphere (n = 2) this is ``3F/(4a)``, which equals
    ``π·a·p0/2`` with the Hertz peak pressure ``p0 = 3F/(2πa²)`` — *not* ``π·a·p0/4``.
    """
    n = float(exponent)
    force = np.asarray(force_n, dtype=np.float64)
    a = np.asarray(contact_radius_mm, dtype=np.float64)
    return force * (n + 1.0) / (2.0 * n * a)


def hertz_peak_pressure_pa(force_n: float, contact_radius_mm: float) -> float:
    """Hertz peak pressure ``p0 = 3F/(2πa²)`` (Pa)."""
    return 3.0 * force_n / (2.0 * math.pi * contact_radius_mm**2) * PA_PER_N_PER_MM2
