"""Simulated objects: shape, size and material of the thing the gripper squeezes.

Geometry is described in the gripper frame: the fingers close along z (the squeeze axis), the
gel pad spans x (pad width, image columns) and y (pad height, image rows).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from tactile.errors import ConfigError

#: Shapes the contact models know. "cylinder" lies with its axis along the pad's x axis (line
#: contact on its side); "cylinder_end" presses its flat end (flat punch); "box" presses a flat
#: face; "ellipsoid" presses the pole of its z semi-axis.
SHAPES: tuple[str, ...] = ("sphere", "cylinder", "cylinder_end", "box", "ellipsoid")

MIN_MODULUS_PA = 1.0e3
MAX_MODULUS_PA = 1.0e12


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigError(
            f"SimObject.{name}={value!r} must be a positive finite number",
            hint=f"give {name} in the unit its name says, e.g. {name}=10.0",
        )


@dataclass(frozen=True)
class SimObject:
    """One object to squeeze.

    - ``sphere``: ``radius_mm``.
    - ``cylinder`` (side, line contact) and ``cylinder_end`` (flat end): ``radius_mm`` and
      ``length_mm`` (along the cylinder axis).
    - ``box``: ``size_mm`` = (x, y, z) edge lengths; z is the squeeze direction.
    - ``ellipsoid``: ``size_mm`` = (x, y, z) semi-axes; z is the squeeze direction.

    ``foam`` switches on large-strain stiffening (densification) with onset strain
    ``densification_strain``; ``roughness_mm`` is the RMS height of the surface texture
    the object prints into the gel (0 = perfectly smooth). ``dimple_pitch_mm`` > 0 adds a
    hexagonal lattice of round dimples ``dimple_depth_mm`` deep (a golf ball: ~4.4 mm pitch,
    ~0.25 mm deep). ``ridge_pitch_mm`` > 0 adds parallel grooves ``ridge_depth_mm`` deep at
    ``ridge_angle_deg`` to the pad's x axis (a screw thread, ribs, a ridged grip).
    """

    shape: str = "sphere"
    radius_mm: float = 25.0
    modulus_pa: float = 2.0e5
    poisson: float = 0.5
    name: str = "object"
    length_mm: float = 40.0
    size_mm: tuple[float, float, float] | None = None
    material: str = ""
    foam: bool = False
    densification_strain: float = 0.7
    roughness_mm: float = 0.0
    dimple_pitch_mm: float = 0.0
    dimple_depth_mm: float = 0.0
    ridge_pitch_mm: float = 0.0
    ridge_depth_mm: float = 0.0
    ridge_angle_deg: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ConfigError(
                f"SimObject.shape={self.shape!r} is not a simulated shape",
                hint=f"use one of {', '.join(SHAPES)}",
            )
        _positive("radius_mm", self.radius_mm)
        _positive("length_mm", self.length_mm)
        _positive("modulus_pa", self.modulus_pa)
        if not MIN_MODULUS_PA <= self.modulus_pa <= MAX_MODULUS_PA:
            raise ConfigError(
                f"SimObject.modulus_pa={self.modulus_pa:.3g} is outside "
                f"[{MIN_MODULUS_PA:.0e}, {MAX_MODULUS_PA:.0e}] Pa",
                hint="Young's modulus is in pascals: 5e3 for soft foam, 2e11 for steel",
            )
        if not -0.99 < self.poisson <= 0.5:
            raise ConfigError(
                f"SimObject.poisson={self.poisson} must be in (-1, 0.5]",
                hint="rubber ~0.5, plastics ~0.35, metals ~0.3, foams ~0.1-0.3",
            )
        if self.shape in ("box", "ellipsoid"):
            if self.size_mm is None or len(self.size_mm) != 3:
                raise ConfigError(
                    f"SimObject(shape={self.shape!r}) needs size_mm=(x, y, z)",
                    hint="give edge lengths (box) or semi-axes (ellipsoid) in mm; z is squeezed",
                )
            for v in self.size_mm:
                _positive("size_mm", v)
        if not 0.05 <= self.densification_strain <= 0.95:
            raise ConfigError(
                f"SimObject.densification_strain={self.densification_strain} not in [0.05, 0.95]",
                hint="open-cell foams densify at about 0.6-0.8 nominal strain",
            )
        for name in ("dimple_pitch_mm", "dimple_depth_mm", "ridge_pitch_mm", "ridge_depth_mm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(
                    f"SimObject.{name}={value!r} must be >= 0",
                    hint="use 0 for no dimples; a golf ball has ~4.4 mm pitch, ~0.25 mm depth",
                )
        if not (math.isfinite(self.roughness_mm) and self.roughness_mm >= 0):
            raise ConfigError(
                f"SimObject.roughness_mm={self.roughness_mm!r} must be >= 0",
                hint="use 0 for smooth objects, ~0.01-0.05 for textured ones",
            )

    @property
    def size_z_mm(self) -> float:
        """Extent along the squeeze axis: the width reading at first contact."""
        if self.shape in ("sphere", "cylinder"):
            return 2.0 * self.radius_mm
        if self.shape == "cylinder_end":
            return self.length_mm
        assert self.size_mm is not None  # checked in __post_init__
        return self.size_mm[2] * (2.0 if self.shape == "ellipsoid" else 1.0)

    @property
    def curvature_radii_mm(self) -> tuple[float, float]:
        """Principal radii of curvature (x, y) of the contacting surface (inf = flat)."""
        if self.shape == "sphere":
            return self.radius_mm, self.radius_mm
        if self.shape == "cylinder":
            return math.inf, self.radius_mm
        if self.shape == "ellipsoid":
            assert self.size_mm is not None
            ax, ay, az = self.size_mm
            return ax * ax / az, ay * ay / az
        return math.inf, math.inf

    @property
    def contact_radius_label_mm(self) -> float | None:
        """The radius a Hertz estimator should use (GraspMetadata.radius_mm), None if flat."""
        rx, ry = self.curvature_radii_mm
        if math.isinf(rx) and math.isinf(ry):
            return None
        if math.isinf(rx):
            return ry
        return math.sqrt(rx * ry)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size_mm"] = list(self.size_mm) if self.size_mm is not None else None
        return data
