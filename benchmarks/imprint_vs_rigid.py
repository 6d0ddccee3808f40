"""Can the imprint tell a soft object from a rigid one where the closure cannot? (issue 11)

    python benchmarks/imprint_vs_rigid.py SIM.h5 [SIM2.h5 ...] [--json OUT.json]

For every grasp of simulated files (they carry the simulator's truth in the metadata), the
camera's imprint at the peak as ``blind`` extracts it (``compute_features``: the gel depth from
the calibration's depth model, the contact area) against what a *rigid* body of the size the
squeeze reads would print at the hold force under the grasp's calibration (the gel the
estimator knows; ``blind``'s own cylinder-on-its-side and sphere models, object compliance 0):

- ``r_depth_cyl`` / ``r_depth_sph``: measured peak gel depth over the rigid prediction (a soft
  object, sharing the closure with the gel, should print shallower: ratio < 1);
- ``r_area_cyl`` / ``r_area_sph``: measured peak contact area over the rigid prediction (a
  soft object flattens: ratio > 1);
- ``q_line`` = r_area_cyl² / r_depth_cyl and ``q_sph`` = r_area_sph / r_depth_sph: the imprint's
  shape against the read size, which for a rigid curved body is the same on *any* gel (Hertz:
  a² = R·d for a sphere, b² ∝ R·d for a line), so the unknown gel of a randomised rig cancels;
  a soft body on a stiffer gel gives 1 + E_gel/E_obj (sphere);
- ``depth_meas_over_true`` / ``area_meas_over_true``: the measurement's own error.

Objects are grouped as ``rigid`` (the simulator's peak object deformation < 0.1 mm), ``soft``
(label ≤ 316 kPa) and ``between``; for each statistic the table gives the range over rigid
objects and over soft objects ``blind`` flags "stiffer than the gel", and how many of those lie
beyond every rigid object in the soft direction (a rule that unflags them must not unflag any
rigid object). Findings: docs/estimators.md (blind, "soft cylinders flagged on randomised
rigs") and BENCHMARKS.md ("Blind: can the imprint unflag soft cylinders?").
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.base import compute_features, with_pad_area
from tactile.estimators.blind import (
    BlindEstimator,
    _cylinder_force_n,
    _line_half_width,
    _sphere_force_n,
    cylinder_contact_length_mm,
    geometry_of,
)
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.objects import MAX_MODULUS_PA, SimObject
from tactile.sim.rigs import RigRanges

RIGID_OBJECT_DEF_MM = 0.1
SOFT_MAX_LOG10 = 5.5
#: statistic -> the direction a soft object should move it (-1: lower, +1: higher)
STATS = {
    "r_depth_cyl": -1,
    "r_depth_sph": -1,
    "r_area_cyl": 1,
    "r_area_sph": 1,
    "q_line": 1,
    "q_sph": 1,
    "depth_meas_over_true": 0,
    "area_meas_over_true": 0,
}


def _rigid_depth_mm(force_n: np.ndarray, grid: np.ndarray, hold_n: float) -> float:
    """Per-pad approach of a rigid body at the hold force from a tabulated F(δ)."""
    return float(np.interp(hold_n, np.maximum.accumulate(force_n), grid))


def row_for(reader: GraspReader, gid: str, est: BlindEstimator) -> dict[str, Any] | None:
    meta = reader.read_signals(gid).meta
    extra = meta.extra
    if "true_peak_gel_depth_mm" not in extra or not meta.label_modulus_pa:
        return None
    grasp = reader.read(gid)
    cal = with_pad_area(resolve_calibration(meta), grasp)
    feats = compute_features(grasp, cal)
    blind = blind_metadata(meta)
    try:
        e = est.estimate_features(feats, meta=blind, calibration=cal)
    except TactileError:
        return None
    geo = geometry_of(feats, cal)
    hold = geo.hold_force_n
    radius = max(geo.size_mm, 2.0) / 2.0
    length = cylinder_contact_length_mm(geo, cal)
    grid = np.linspace(0.0, radius, 2001)
    d_cyl = _rigid_depth_mm(_cylinder_force_n(grid, radius, length, 0.0, cal), grid, hold)
    d_sph = _rigid_depth_mm(_sphere_force_n(grid, radius, 0.0, cal), grid, hold)
    b_cyl = float(_line_half_width(np.array([d_cyl]), np.array([radius]))[0])
    a_cyl = 2.0 * b_cyl * length
    a_sph = math.pi * radius * d_sph
    loading = feats.loading
    depth = float(np.nanmax(feats.depth_mm[loading])) if feats.depth_mm is not None else math.nan
    area = float(np.nanmax(feats.contact_area_mm2[loading]))
    label = math.log10(meta.label_modulus_pa)
    ideal = [x for x in (ideal_imprint(meta, cal, f) for f in (0.3, 1.0)) if x is not None]
    rigid = float(extra["true_peak_object_def_mm"]) < RIGID_OBJECT_DEF_MM
    r_dc, r_ds, r_ac, r_as = depth / d_cyl, depth / d_sph, area / a_cyl, area / a_sph
    return {
        "grasp": gid,
        "object": meta.object_id,
        "shape": meta.shape,
        "label_log10": label,
        "group": "rigid" if rigid else ("soft" if label <= SOFT_MAX_LOG10 else "between"),
        "flagged": bool(e.lower_bound_only),
        "hold_force_n": hold,
        "size_mm": geo.size_mm,
        "depth_mm": depth,
        "area_mm2": area,
        "rigid_depth_cyl_mm": d_cyl,
        "rigid_depth_sph_mm": d_sph,
        "r_depth_cyl": r_dc,
        "r_depth_sph": r_ds,
        "r_area_cyl": r_ac,
        "r_area_sph": r_as,
        "q_line": r_ac**2 / r_dc,
        "q_sph": r_as / r_ds,
        "depth_meas_over_true": depth / float(extra["true_peak_gel_depth_mm"]),
        "area_meas_over_true": area / float(extra["true_peak_contact_area_mm2"]),
        "ideal": ideal,
    }


def ideal_imprint(meta: Any, cal: Any, fraction: float) -> dict[str, Any] | None:
    """The simulator's own imprint (no camera) of this object on its rig's true gel at
    ``fraction`` of the true peak force, over a rigid body of the same shape: gel depth and
    contact area ratios, and the rigid body's depth and area on the softest-thickest and
    stiffest-thinnest gels a randomised rig draws (``RigRanges``). Spheres and cylinders on
    their side only (their radius is in the metadata)."""
    extra = meta.extra
    if meta.shape not in ("sphere", "cylinder") or not meta.radius_mm:
        return None
    pad = cal.pad_size_mm or (35.0, 25.5)
    strain = float(extra.get("rig_gel_max_strain", 0.9))
    true_gel = GelModel(
        float(extra["true_gel_modulus_pa"]),
        float(extra["true_gel_poisson"]),
        float(extra["true_gel_thickness_mm"]),
        False,
        strain,
    )
    ranges = RigRanges()
    corners = [
        GelModel(
            ranges.gel_modulus_pa[0], true_gel.poisson, ranges.gel_thickness_mm[1], False, strain
        ),
        GelModel(
            ranges.gel_modulus_pa[1], true_gel.poisson, ranges.gel_thickness_mm[0], False, strain
        ),
    ]
    force = fraction * float(extra["true_peak_force_n"])

    def imprint(modulus: float, gel: GelModel) -> tuple[float, float]:
        obj = SimObject(
            shape=meta.shape,
            radius_mm=float(meta.radius_mm),
            length_mm=float(extra.get("length_mm", 40.0)),
            modulus_pa=modulus,
            poisson=float(extra.get("object_poisson", 0.5)),
            foam=bool(extra.get("object_foam", False)),
        )
        curve = contact_curve(obj, gel, pad_x_mm=max(pad), pad_y_mm=min(pad))
        at = curve.at(curve.delta_for_force(force))
        area = math.pi * float(at["semi_x_mm"]) * float(at["semi_y_mm"])
        return float(at["gel_depth_mm"]), area

    soft = imprint(float(meta.label_modulus_pa), true_gel)
    rigid = imprint(MAX_MODULUS_PA, true_gel)
    lo, hi = (imprint(MAX_MODULUS_PA, g) for g in corners)
    return {
        "force_fraction": fraction,
        "depth_ratio": soft[0] / rigid[0],
        "area_ratio": soft[1] / rigid[1],
        "rigid_depth_mm_over_gels": (min(lo[0], hi[0]), max(lo[0], hi[0])),
        "rigid_area_mm2_over_gels": (min(lo[1], hi[1]), max(lo[1], hi[1])),
        "soft_depth_mm": soft[0],
        "soft_area_mm2": soft[1],
    }


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rigid = [r for r in rows if r["group"] == "rigid"]
    soft_flagged = [r for r in rows if r["group"] == "soft" and r["flagged"]]
    out = []
    for stat, sign in STATS.items():
        rv = [r[stat] for r in rigid if math.isfinite(r[stat])]
        sv = [r[stat] for r in soft_flagged if math.isfinite(r[stat])]
        if not rv or not sv:
            continue
        beyond = (
            sum(v < min(rv) for v in sv)
            if sign < 0
            else sum(v > max(rv) for v in sv)
            if sign > 0
            else None
        )
        out.append(
            {
                "statistic": stat,
                "rigid_n": len(rv),
                "rigid_range": (min(rv), max(rv)),
                "soft_flagged_n": len(sv),
                "soft_flagged_range": (min(sv), max(sv)),
                "soft_flagged_beyond_every_rigid": beyond,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+")
    ap.add_argument("--json", default=None, help="write every row and the summary here")
    args = ap.parse_args(argv)
    est = BlindEstimator()
    rows: list[dict[str, Any]] = []
    for path in args.data:
        reader = GraspReader(path)
        for gid in reader.ids():
            row = row_for(reader, gid, est)
            if row is not None:
                rows.append(row)
    table = summary(rows)
    print("| statistic | rigid (n): range | soft flagged (n): range | beyond every rigid |")
    print("|---|---|---|---|")
    for t in table:
        lo, hi = t["rigid_range"]
        slo, shi = t["soft_flagged_range"]
        beyond = t["soft_flagged_beyond_every_rigid"]
        print(
            f"| {t['statistic']} | {t['rigid_n']}: {lo:.2f}–{hi:.2f} | {t['soft_flagged_n']}: "
            f"{slo:.2f}–{shi:.2f} | {'n/a' if beyond is None else beyond} |"
        )
    print("\nsoft objects flagged stiffer than the gel:")
    for r in rows:
        if r["group"] == "soft" and r["flagged"]:
            print(
                f"  {r['object']}: label 10^{r['label_log10']:.2f}, depth {r['depth_mm']:.2f} mm "
                f"(rigid cyl {r['rigid_depth_cyl_mm']:.2f}), r_depth_cyl {r['r_depth_cyl']:.2f}, "
                f"r_area_cyl {r['r_area_cyl']:.2f}, q_line {r['q_line']:.2f}, "
                f"q_sph {r['q_sph']:.2f}"
            )
            for i in r["ideal"]:
                dlo, dhi = i["rigid_depth_mm_over_gels"]
                alo, ahi = i["rigid_area_mm2_over_gels"]
                print(
                    f"    simulator, no camera, at {i['force_fraction']:.0%} of the hold: "
                    f"soft/rigid depth {i['depth_ratio']:.2f}, area {i['area_ratio']:.2f} "
                    f"(soft {i['soft_depth_mm']:.2f} mm, {i['soft_area_mm2']:.0f} mm²; rigid over "
                    f"the rigs' gels {dlo:.2f}–{dhi:.2f} mm, {alo:.0f}–{ahi:.0f} mm²)"
                )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "summary": table}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
