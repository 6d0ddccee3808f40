"""Produce-like objects: a stiffer skin over softer flesh, near-spherical, ripeness -> flesh E.

A fruit is an ellipsoid whose three semi-axes scatter a few per cent around one radius (a
tomato, peach or kiwifruit is never a perfect ball), pressed at the pole of its z semi-axis
(:class:`~tactile.sim.objects.SimObject` ``shape="ellipsoid"``). Its material is two layers:

* the flesh (mesocarp), whose Young's modulus falls with ripeness. Ripeness ``r`` in [0, 1]
  maps to ``log10 E_flesh = unripe + r (overripe - unripe)`` (log-linear between the spec's
  unripe and overripe moduli), plus a per-fruit scatter;
* a thin skin (exocarp and cuticle) of thickness ``t``, much stiffer than the flesh.

Contact of a layered half-space: the object's apparent modulus at contact radius ``a`` is
``E_app(a) = E_flesh + (E_skin - E_flesh) w(t/a)`` with the leading term of the coating weight
function of H. Gao, C.-H. Chiu and J. Lee, "Elastic contact versus indentation modeling of
multi-layered materials", Int. J. Solids Struct. 29 (1992) 2471-2492:
``w(x) = (2/pi) arctan(x)`` (1 for a contact much smaller than the skin, 0 for a much larger
one). So a fruit looks stiffer at first touch and approaches its flesh modulus as the contact
grows: a systematic bias an estimator must live with (``tactile sort fit`` absorbs it).

The model plugs into :func:`tactile.sim.contact.contact_curve` through its registration hook
(``SimObject.extra["contact_model"] = "layered"``); everything else (gel in series, gel
bottoming, lock-up, rendering) is the simulator's own.

The grasp's label (``label_modulus_pa``) is the flesh modulus; ripeness and its class are
recorded by the tray that made the fruit (:mod:`tactile.decisions.tray`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.sim.contact import (
    CONTACT_MODELS,
    ContactCurve,
    GelModel,
    gel_bottoming_multiplier,
)
from tactile.sim.objects import SimObject

LAYERED = "layered"
_SPLIT_ITERATIONS = 48
_N_GRID = 400


@dataclass(frozen=True)
class ProduceSpec:
    """What a kind of produce looks like to the simulator (sizes in mm, moduli in Pa)."""

    kind: str
    radius_mm: float
    radius_sd_mm: float
    aspect_sd: float  # relative scatter of each semi-axis around the radius
    skin_thickness_mm: float
    skin_modulus_pa: float
    flesh_unripe_pa: float
    flesh_overripe_pa: float
    flesh_log10_sd: float = 0.05  # fruit-to-fruit scatter at the same ripeness
    poisson: float = 0.45

    def __post_init__(self) -> None:
        for name in (
            "radius_mm",
            "skin_thickness_mm",
            "skin_modulus_pa",
            "flesh_unripe_pa",
            "flesh_overripe_pa",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"ProduceSpec({self.kind!r}).{name}={value!r} must be positive",
                    hint="sizes in mm, moduli in Pa",
                )
        for name in ("radius_sd_mm", "aspect_sd", "flesh_log10_sd"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(
                    f"ProduceSpec({self.kind!r}).{name}={value!r} must be >= 0", hint="use 0"
                )
        if self.aspect_sd > 0.3:
            raise ConfigError(
                f"ProduceSpec({self.kind!r}).aspect_sd={self.aspect_sd} is not near-spherical",
                hint="use a relative scatter below 0.3 (e.g. 0.05)",
            )

    def flesh_modulus_pa(self, ripeness: float) -> float:
        """The flesh modulus at ripeness ``r`` in [0, 1] (no scatter)."""
        if not 0.0 <= ripeness <= 1.0:
            raise ConfigError(
                f"ripeness={ripeness!r} must be in [0, 1]", hint="0 unripe .. 1 overripe"
            )
        lo, hi = math.log10(self.flesh_unripe_pa), math.log10(self.flesh_overripe_pa)
        return float(10 ** (lo + ripeness * (hi - lo)))


def make_produce(
    spec: ProduceSpec, ripeness: float, rng: np.random.Generator, *, name: str | None = None
) -> SimObject:
    """One fruit of ``spec`` at ``ripeness``: random size, shape and flesh scatter from ``rng``."""
    base = spec.flesh_modulus_pa(ripeness)
    flesh = float(base * 10 ** rng.normal(0.0, spec.flesh_log10_sd))
    radius = max(spec.radius_mm + rng.normal(0.0, spec.radius_sd_mm), 0.3 * spec.radius_mm)
    axes = radius * (1.0 + np.clip(rng.normal(0.0, spec.aspect_sd, 3), -0.25, 0.25))
    return SimObject(
        shape="ellipsoid",
        radius_mm=float(radius),
        size_mm=(float(axes[0]), float(axes[1]), float(axes[2])),
        modulus_pa=flesh,
        poisson=spec.poisson,
        name=name or f"{spec.kind}_r{ripeness:.2f}",
        material=spec.kind,
        roughness_mm=0.01,
        extra={
            "contact_model": LAYERED,
            "skin_thickness_mm": spec.skin_thickness_mm,
            "skin_modulus_pa": spec.skin_modulus_pa,
            "ripeness": float(ripeness),
        },
    )


def skin_weight(contact_radius_mm: np.ndarray, skin_thickness_mm: float) -> np.ndarray:
    """Share of the skin in the apparent modulus: ``(2/pi) arctan(t/a)`` (1 at a = 0)."""
    a = np.asarray(contact_radius_mm, dtype=np.float64)
    with np.errstate(divide="ignore"):
        ratio = np.where(a > 0, skin_thickness_mm / np.maximum(a, 1e-12), np.inf)
    return (2.0 / math.pi) * np.arctan(ratio)


def apparent_modulus_pa(obj: SimObject, contact_radius_mm: np.ndarray) -> np.ndarray:
    """The layered fruit's apparent modulus at these contact radii (see the module doc)."""
    skin = float(obj.extra["skin_modulus_pa"])
    w = skin_weight(contact_radius_mm, float(obj.extra["skin_thickness_mm"]))
    return obj.modulus_pa + (skin - obj.modulus_pa) * w


def _gel_share(
    delta_mm: np.ndarray, c_obj: np.ndarray, c_gel: np.ndarray, h_mm: float
) -> np.ndarray:
    """The gel's share f of the approach: ``f = c_g m(f delta) / (c_g m(f delta) + c_o)``
    (bisection; the right side falls as f grows, so the root is unique)."""
    lo, hi = np.zeros_like(delta_mm), np.ones_like(delta_mm)
    for _ in range(_SPLIT_ITERATIONS):
        mid = 0.5 * (lo + hi)
        c_g = c_gel * gel_bottoming_multiplier(mid * delta_mm, h_mm)
        above = mid > c_g / (c_g + c_obj)
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return lo


def layered_point_curve(obj: SimObject, gel: GelModel) -> ContactCurve:
    """Hertz point contact of a layered ellipsoid pole against the gel (two springs in series,
    the object's compliance from :func:`apparent_modulus_pa` at each contact radius)."""
    if obj.shape != "ellipsoid" or obj.size_mm is None:
        raise ConfigError(
            f"the layered produce model needs an ellipsoid, got shape={obj.shape!r}",
            hint="build fruit with tactile.sim.produce.make_produce",
        )
    rx, ry = obj.curvature_radii_mm
    re = math.sqrt(rx * ry)
    half_x, half_y, _ = obj.size_mm
    a_max = min(
        0.9 * half_x * math.sqrt(re / rx),
        0.9 * half_y * math.sqrt(re / ry),
        math.sqrt(0.45 * obj.size_z_mm * re),
    )
    a = a_max * np.linspace(0.0, 1.0, _N_GRID) ** 2
    delta = a * a / re
    c_obj = (1.0 - obj.poisson**2) / apparent_modulus_pa(obj, a)
    c_gel = gel.compliance_per_pa(a)
    f_gel = _gel_share(delta, c_obj, c_gel, gel.thickness_mm)
    c_g = c_gel * gel_bottoming_multiplier(f_gel * delta, gel.thickness_mm)
    force = 4.0 / 3.0 * a**3 / re / (c_obj + c_g) * 1e-6  # Pa * mm^2 -> N
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


CONTACT_MODELS[LAYERED] = layered_point_curve
