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

import numpy as np

PA_PER_N_PER_MM2 = 1.0e6

#: Poisson's ratio assumed for the object when none is given: rubbers, gels and foams in the
#: soft range where the estimate matters are close to incompressible (0.5). For a stiff object
#: (metal ~0.3) the choice changes E by at most (1 − 0.3²)/(1 − 0.5²) = 1.21.
DEFAULT_OBJECT_POISSON = 0.5


THIN_LAYER_BETA = 0.33


def thin_layer_factor(contact_radius_mm: np.ndarray | float, gel_thickness_mm: float) -> np.ndarray:
    """Factor on a gel's compliance for a thin layer bonded to a rigid window.

    The layer stiffens as the contact grows, ``E_eff = E·(1 + 0.33·(a/h)³)`` (K. R. Shull,
    "Contact mechanics and the adhesion of soft solids", Mater. Sci. Eng. R 36 (2002) 1-45,
    eq. 37, bonded layer); the simulator's ``thin-layer`` gel model uses the same law.
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
