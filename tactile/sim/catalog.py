"""Material catalog and object populations for synthetic datasets.

The ``reference`` population mimics the label table of Burgess et al. 2024
(``objects_and_compliance.csv`` in ``../shared/data``: 286 usable rows): the joint counts of
shape x material and, per material, the mean/sd/range of log10 E were computed from that table
and are shipped here as numbers (see ``datasets/materials.md``). Irregular objects are
approximated by ellipsoids, hexagonal ones by cylinders on their side.
The ``loguniform`` population draws E log-uniformly over 5 kPa .. 250 GPa and shapes uniformly.
The ``independent`` population draws E log-uniformly too, but the material family independently
of it (:data:`FAMILIES`), with dimpled and ridged/threaded surfaces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.sim.objects import SHAPES, SimObject

E_MIN_PA = 5.0e3
E_MAX_PA = 2.5e11


@dataclass(frozen=True)
class Material:
    """A material class: log10 E distribution (Pa), Poisson's ratio, foam behaviour, texture."""

    name: str
    log10_mean: float
    log10_sd: float
    log10_min: float
    log10_max: float
    poisson: float
    foam: bool = False
    roughness_mm: float = 0.0


#: From objects_and_compliance.csv (n per class in the comment); Poisson's ratios are
#: textbook values (the table has none).
MATERIALS: dict[str, Material] = {
    m.name: m
    for m in (
        Material("rubber", 5.99, 0.94, 4.11, 9.50, 0.49, roughness_mm=0.01),  # 81
        Material("food", 5.90, 1.28, 4.48, 9.00, 0.45, roughness_mm=0.02),  # 9
        Material("foam", 5.09, 1.13, 3.70, 8.60, 0.2, foam=True, roughness_mm=0.03),  # 18
        Material("paper", 6.11, 0.30, 5.50, 6.70, 0.3, roughness_mm=0.02),  # 1
        Material("wood", 9.93, 0.40, 8.00, 10.10, 0.35, roughness_mm=0.02),  # 24
        Material("plastic", 9.38, 0.18, 8.41, 9.95, 0.38),  # 69
        Material("ceramic", 10.58, 0.32, 10.02, 10.77, 0.25),  # 4
        Material("glass", 10.65, 0.44, 9.49, 10.83, 0.22),  # 8
        Material("metal", 11.12, 0.20, 10.85, 11.34, 0.30),  # 72
    )
}

#: (shape in the table, material) -> number of usable objects in objects_and_compliance.csv.
REFERENCE_SHAPE_MATERIAL_COUNTS: dict[tuple[str, str], int] = {
    ("irregular", "rubber"): 46, ("irregular", "plastic"): 43, ("irregular", "metal"): 40,
    ("cylinder", "metal"): 18, ("sphere", "rubber"): 16, ("rectangular", "foam"): 14,
    ("cylinder", "plastic"): 13, ("cylinder", "rubber"): 11, ("rectangular", "rubber"): 9,
    ("cylinder", "wood"): 8, ("rectangular", "metal"): 8, ("irregular", "wood"): 7,
    ("rectangular", "wood"): 7, ("sphere", "plastic"): 7, ("irregular", "food"): 6,
    ("rectangular", "plastic"): 5, ("hex", "metal"): 4, ("cylinder", "glass"): 3,
    ("sphere", "glass"): 3, ("cylinder", "foam"): 2, ("cylinder", "ceramic"): 2,
    ("irregular", "glass"): 2, ("sphere", "food"): 2, ("sphere", "metal"): 2,
    ("cylinder", "food"): 1, ("hex", "plastic"): 1, ("hex", "wood"): 1,
    ("irregular", "foam"): 1, ("irregular", "ceramic"): 1, ("rectangular", "paper"): 1,
    ("sphere", "foam"): 1, ("sphere", "wood"): 1, ("sphere", "ceramic"): 1,
}  # fmt: skip

POPULATIONS: tuple[str, ...] = ("reference", "loguniform", "independent")


@dataclass(frozen=True)
class MaterialFamily:
    """A family of materials for the ``independent`` population: the range of E it spans
    physically (log10 Pa), its Poisson's ratios, foam behaviour and surface roughness."""

    name: str
    log10_min: float
    log10_max: float
    poisson: tuple[float, float]
    foam: bool = False
    roughness_mm: tuple[float, float] = (0.0, 0.0)
    linear: bool = True  # linear-elastic up to the strains of a grasp (foams are not)


#: Material families drawn *independently of E*: an object's E is drawn first (log-uniform),
#: then a family among those that physically span it, so below ~1 MPa foams, gels and rubbers
#: overlap and a network cannot read the material off the modulus (issue 12: in ``loguniform``
#: every object below 316 kPa was a densifying foam). Ranges: open- and closed-cell polymer
#: foams 5 kPa-100 MPa (Gibson & Ashby, *Cellular Solids*, 1997, ch. 5); silicone and hydro
#: gels 5-500 kPa; rubbers and thermoplastic elastomers 0.1-100 MPa; plastics 0.1-10 GPa;
#: woods, glasses, ceramics and metals 1-250 GPa. A produce family (skin over soft flesh) is
#: added by the produce-object module (``register_family``).
FAMILIES: dict[str, MaterialFamily] = {
    f.name: f
    for f in (
        MaterialFamily("foam", 3.7, 8.0, (0.1, 0.3), foam=True, roughness_mm=(0.01, 0.05),
                       linear=False),
        MaterialFamily("gel", 3.7, 5.7, (0.47, 0.5), roughness_mm=(0.0, 0.005)),
        MaterialFamily("rubber", 5.0, 8.0, (0.45, 0.5), roughness_mm=(0.0, 0.02)),
        MaterialFamily("plastic", 8.0, 10.0, (0.33, 0.42), roughness_mm=(0.0, 0.01)),
        MaterialFamily("hard", 9.0, 11.4, (0.22, 0.35), roughness_mm=(0.0, 0.02)),
    )
}  # fmt: skip


def register_family(family: MaterialFamily, *, overwrite: bool = False) -> None:
    """Add a material family to the ``independent`` population (e.g. produce)."""
    if family.name in FAMILIES and not overwrite:
        raise ConfigError(
            f"material family {family.name!r} exists", hint="pass overwrite=True to replace it"
        )
    FAMILIES[family.name] = family


#: Irregular surface features of the ``independent`` population: probability per object of
#: dimples (pitch 2-6 mm, 0.1-0.4 mm deep) and of ridges/threads (pitch 1-4 mm, 0.05-0.3 mm).
DIMPLE_PROBABILITY = 0.15
RIDGE_PROBABILITY = 0.15


def _independent(
    i: int, rng: np.random.Generator, e_range_pa: tuple[float, float] = (E_MIN_PA, E_MAX_PA)
) -> SimObject:
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    log_e = rng.uniform(math.log10(e_range_pa[0]), math.log10(e_range_pa[1]))
    options = [f for f in FAMILIES.values() if f.log10_min <= log_e <= f.log10_max]
    if not options:  # outside every family: the nearest one
        options = [min(FAMILIES.values(), key=lambda f: abs(f.log10_min - log_e))]
    fam = options[int(rng.integers(len(options)))]
    texture: dict[str, float] = {}
    if rng.random() < DIMPLE_PROBABILITY:
        texture["dimple_pitch_mm"] = float(rng.uniform(2.0, 6.0))
        texture["dimple_depth_mm"] = float(rng.uniform(0.1, 0.4))
    if rng.random() < RIDGE_PROBABILITY:
        texture["ridge_pitch_mm"] = float(rng.uniform(1.0, 4.0))
        texture["ridge_depth_mm"] = float(rng.uniform(0.05, 0.3))
        texture["ridge_angle_deg"] = float(rng.choice([0.0, 90.0, float(rng.uniform(0, 180))]))
    return SimObject(
        shape=shape,
        modulus_pa=float(10.0**log_e),
        poisson=float(rng.uniform(*fam.poisson)),
        name=f"{fam.name}_{shape}_{i:04d}",
        material=fam.name,
        foam=fam.foam,
        densification_strain=float(rng.uniform(0.5, 0.8)) if fam.foam else 0.7,
        roughness_mm=float(rng.uniform(*fam.roughness_mm)),
        **texture,  # type: ignore[arg-type]
        **_geometry(shape, rng),  # type: ignore[arg-type]
    )


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _geometry(shape: str, rng: np.random.Generator) -> dict[str, object]:
    """Random size for a simulated shape, within a gripper opening of ~80 mm."""
    if shape == "sphere":
        return {"radius_mm": _log_uniform(rng, 5.0, 35.0)}
    if shape in ("cylinder", "cylinder_end"):
        return {"radius_mm": _log_uniform(rng, 3.0, 30.0), "length_mm": _log_uniform(rng, 10, 70)}
    if shape == "box":
        return {"size_mm": tuple(_log_uniform(rng, 8.0, 70.0) for _ in range(3))}
    return {"size_mm": tuple(_log_uniform(rng, 5.0, 35.0) for _ in range(3))}


def _table_shape(table_shape: str, rng: np.random.Generator) -> str:
    if table_shape == "irregular":
        return "ellipsoid"
    if table_shape == "rectangular":
        return "box"
    if table_shape == "hex":
        return "cylinder"
    if table_shape == "cylinder":
        return "cylinder" if rng.random() < 0.7 else "cylinder_end"
    return table_shape


def _modulus(material: Material, rng: np.random.Generator) -> float:
    lo, hi = material.log10_min, material.log10_max
    value = float(np.clip(rng.normal(material.log10_mean, material.log10_sd), lo, hi))
    return float(np.clip(10.0**value, E_MIN_PA, E_MAX_PA))


def material_for_modulus(modulus_pa: float) -> Material:
    """The catalog material whose typical log10 E is closest."""
    x = math.log10(modulus_pa)
    return min(MATERIALS.values(), key=lambda m: abs(m.log10_mean - x))


def _make(
    i: int, shape: str, material: Material, modulus_pa: float, rng: np.random.Generator
) -> SimObject:
    return SimObject(
        shape=shape,
        modulus_pa=modulus_pa,
        poisson=material.poisson,
        name=f"{material.name}_{shape}_{i:04d}",
        material=material.name,
        foam=material.foam,
        roughness_mm=material.roughness_mm,
        **_geometry(shape, rng),  # type: ignore[arg-type]
    )


def check_e_range(kind: str, e_range_pa: tuple[float, float] | None) -> tuple[float, float]:
    """The log-uniform range of E (Pa) for ``kind``: ``e_range_pa`` checked, or the default
    5 kPa .. 250 GPa. Only the log-uniform populations take a range (``reference`` draws E per
    material from the label table)."""
    if e_range_pa is None:
        return (E_MIN_PA, E_MAX_PA)
    if kind == "reference":
        raise ConfigError(
            "an E range applies to the log-uniform populations only (reference draws E per "
            "material from the label table)",
            hint="use --population independent or loguniform with --e-range-pa",
        )
    lo, hi = (float(v) for v in e_range_pa)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise ConfigError(
            f"E range {e_range_pa!r} must be two finite moduli 0 < LO < HI (Pa)",
            hint="e.g. --e-range-pa 3.16e3 3.16e5",
        )
    return (lo, hi)


def sample_population(
    n: int,
    kind: str = "reference",
    seed: int = 0,
    e_range_pa: tuple[float, float] | None = None,
) -> list[SimObject]:
    """Draw ``n`` objects: ``reference`` (like the Burgess et al. label table),
    ``loguniform`` (E log-uniform over 5 kPa .. 250 GPa, shapes uniform, material following E)
    or ``independent`` (E log-uniform, material family drawn independently among those that
    span it, irregular surface features; :data:`FAMILIES`). ``e_range_pa`` (LO, HI) replaces
    the log-uniform range of the last two (None: the default, same draws as without it)."""
    if not isinstance(n, int) or n < 0:
        raise ConfigError(f"population size n={n!r} must be a non-negative integer", hint="n=10")
    if kind not in POPULATIONS:
        raise ConfigError(
            f"unknown population {kind!r}", hint=f"use one of {', '.join(POPULATIONS)}"
        )
    e_lo, e_hi = check_e_range(kind, e_range_pa)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7001]))
    keys = list(REFERENCE_SHAPE_MATERIAL_COUNTS)
    weights = np.array([REFERENCE_SHAPE_MATERIAL_COUNTS[k] for k in keys], dtype=float)
    weights /= weights.sum()
    objects: list[SimObject] = []
    for i in range(n):
        if kind == "independent":
            objects.append(_independent(i, rng, (e_lo, e_hi)))
            continue
        if kind == "reference":
            table_shape, mat_name = keys[int(rng.choice(len(keys), p=weights))]
            material = MATERIALS[mat_name]
            shape = _table_shape(table_shape, rng)
            modulus = _modulus(material, rng)
        else:
            shape = SHAPES[int(rng.integers(len(SHAPES)))]
            modulus = _log_uniform(rng, e_lo, e_hi)
            material = material_for_modulus(modulus)
        objects.append(_make(i, shape, material, modulus, rng))
    return objects
