"""Joint calibration of a rig's gel modulus AND rig compliance from presses of a rigid and a
soft reference sphere (helper gelref34, issue 11; an exploratory study, nothing in ``tactile/``).

    python benchmarks/gelref34_joint_cal.py rigs --seeds 500 540 OUT.jsonl
    python benchmarks/gelref34_joint_cal.py grasps DATA.h5 MAIN.json OUT.json [--ref-pa 3e5]
    python benchmarks/gelref34_joint_cal.py report RIGS.jsonl [GRASPS.json ...]

A rigid press alone cannot split its closure between the gel and the rig (``fit_rig`` charges
the rig with whatever the calibration's gel does not take). A soft sphere of known modulus and
radius adds a second spring: its closure is object + gel + rig. Two records, two unknowns.

Each press is read as ``fit_rig`` reads it (``correct_signals``, ``contact_width``,
``hold_point``), with lag31's Fix A: the model closure is counted from the read force at the read
touch ``F_c`` (``benchmarks/results/lag31_diagnosis.md``), so a press gives

    closure = [G(F_hold) − G(F_c)] + c (F_hold − F_c)

with ``G`` the two-finger closure of the sphere on the gel (the simulator's contact law: Hertz
with the object's and the gel's compliances in series, the gel bottoming at 0.9 of its
thickness; for the rigid ball the gel alone). For a trial gel modulus ``E``, the rigid presses
give ``c(E)`` (median over presses, at least 0); the soft presses' median residual is then
scanned over a log grid of ``E`` (30 kPa–1.5 MPa, 61 points) and its sign change refined by
bisection (see :func:`joint_fit` for several or none). The
reading is redone once with the fitted ``c`` for the motion-force correction, as ``fit_rig``
does.

``rigs``: fresh random rigs ``draw_rig(np.random.default_rng(s))`` on ``SimGraspConfig.
wedge_raw()`` with base ``wedge-reference-v3`` (``bench_rig_split._base_config``); per rig the
three ``calibrate_rig`` presses (same seeds) and three presses of each soft reference; fits with
the reference's modulus exact, x0.8, x1.25, x0.95 and x1.05, the gel thickness known or taken
as v3's 3.0 mm.

``grasps``: each grasp's rig rebuilt from its metadata extras (``rig_*``; the rebuilt
``calibrate_rig`` id must equal the grasp's calibration id), the joint fit on that rig, and the
blind estimator run with the grasp's calibration (main), the joint fit's (gel half-space at the
fitted modulus, true thickness, max strain 0.9, fitted rig compliance; the rest of the grasp's
calibration kept), optionally (``--direct``) the gel measured directly on the gel itself, told
x F, with ``c`` from the rigid presses given it (Fix A) or the stored one, and the true one
(``eval_sim_families.with_true_gel`` + the true rig compliance); scored as
``score_rigid_points.py`` with main's hybrid limits (from MAIN.json); also the true gel with the
stored ``c`` (``eval_sim_families``' ``blind+gel``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_sim_families as esf
from bench_rig_split import _base_config

from tactile.errors import TactileError
from tactile.estimators.neural.rig import REFERENCE_SPHERE_DIAMETER_MM
from tactile.processing.grasp_geometry import contact_width, hold_point
from tactile.processing.grasp_signals import correct_signals
from tactile.processing.rig_fit import OUTLIER_BIAS_MM, rigid_sphere_gel_closure_mm
from tactile.sensor import SensorCalibration, get_calibration
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.objects import SimObject
from tactile.sim.rigs import (
    CALIBRATION_PRESSES,
    PressSignals,
    RigDraw,
    apply_rig,
    draw_rig,
    press_signals,
)

RIGID_R_MM = REFERENCE_SPHERE_DIAMETER_MM / 2.0
SOFT_R_MM = 20.0
SOFT_POISSON = 0.49
FIT_MAX_STRAIN = 0.9  # the gel's bottoming is not measured: the simulator profiles' nominal
V3_THICKNESS_MM = 3.0
#: The gel moduli the fit considers (a prior a user has: a GelSight-style gel is 30 kPa–1.5 MPa;
#: the simulated rigs draw 150–600 kPa). Wider brackets give a second root at the stiff end,
#: where the rigid press's gel closure vanishes and both presses' gel shares look alike.
E_LO, E_HI = 3.0e4, 1.5e6
SOFT_SEED_OFFSET = 100
REF_SCALES = (1.0, 0.8, 1.25, 0.95, 1.05)


def sphere(radius_mm: float, modulus_pa: float, poisson: float) -> SimObject:
    return SimObject(shape="sphere", radius_mm=radius_mm, modulus_pa=modulus_pa, poisson=poisson)


RIGID = sphere(RIGID_R_MM, 1e11, 0.3)


def sphere_press(cfg: Any, obj: SimObject, seed: int) -> PressSignals:
    """One press of ``obj`` with these settings, signals only
    (:func:`tactile.sim.rigs.press_signals` with another sphere than the rigid golf ball)."""
    press = press_signals(cfg, seed, obj)
    return replace(press, grasp_id=f"press_{obj.modulus_pa:.3g}_{seed}")


@dataclass(frozen=True)
class Reading:
    """One press as read: closure since the read touch, hold force, force at the read touch,
    contact-width bias against the sphere's diameter."""

    closure_mm: float
    hold_force_n: float
    touch_force_n: float
    bias_mm: float


def read_press(p: PressSignals, size_mm: float, c_rig: float) -> Reading:
    corr = correct_signals(p.t_s, p.force_n, p.width_mm, c_rig)
    cw = contact_width(corr.force_n, corr.width_mm)
    hold = hold_point(corr.force_n, corr.width_mm)
    f = np.asarray(corr.force_n, dtype=np.float64)
    w = np.asarray(corr.width_mm, dtype=np.float64)
    pk = int(np.argmax(f))
    rest = float(np.median(f[:5]))
    order = np.argsort(w[: pk + 1])
    f_c = float(np.interp(cw.width_mm, w[: pk + 1][order], f[: pk + 1][order])) - rest
    f_c = min(max(f_c, 0.0), 0.5 * hold.force_n)
    return Reading(cw.width_mm - hold.width_mm, hold.force_n, f_c, cw.width_mm - size_mm)


def kept(reads: list[Reading]) -> list[Reading]:
    """``fit_rig``'s outlier rule: a contact width more than 3 mm from the others' median."""
    bias = np.array([r.bias_mm for r in reads])
    return [
        r for r, b in zip(reads, bias, strict=True) if abs(b - np.median(bias)) <= OUTLIER_BIAS_MM
    ]


def closure_law(obj: SimObject, gel: GelModel) -> Callable[[float], float]:
    """Two-finger closure (mm) at a force (N), the simulator's contact law."""
    curve = contact_curve(obj, gel, pad_x_mm=35.0, pad_y_mm=25.5)
    return lambda f: 2.0 * float(curve.delta_for_force(f))


def _gel(e_pa: float, thickness_mm: float, poisson: float) -> GelModel:
    return GelModel(e_pa, poisson, thickness_mm, False, FIT_MAX_STRAIN)


def rig_given_gel(rigid: list[Reading], gel: GelModel) -> float:
    law = closure_law(RIGID, gel)
    per = [
        (r.closure_mm - (law(r.hold_force_n) - law(r.touch_force_n)))
        / (r.hold_force_n - r.touch_force_n)
        for r in rigid
    ]
    return max(float(np.median(per)), 0.0)


def soft_residual(soft: list[Reading], obj: SimObject, gel: GelModel, c: float) -> float:
    law = closure_law(obj, gel)
    res = [
        r.closure_mm
        - (law(r.hold_force_n) - law(r.touch_force_n))
        - c * (r.hold_force_n - r.touch_force_n)
        for r in soft
    ]
    return float(np.median(res))


@dataclass(frozen=True)
class JointFit:
    gel_modulus_pa: float
    rig_compliance_mm_per_n: float
    clipped: str  # "": a root; "none": no sign change on the grid (the smallest residual taken)
    n_roots: int = 1


GRID_LOG10 = np.linspace(math.log10(E_LO), math.log10(E_HI), 61)  # 0.028 dex


def joint_fit(
    rigid: list[Reading], soft: list[Reading], ref: SimObject, thickness_mm: float, poisson: float
) -> JointFit:
    """The soft presses' median residual over a log grid of the gel modulus (``c`` from the rigid
    presses at each), each sign change refined by bisection; with several roots the one whose
    residual rises with the modulus (the regime of a gel near bottoming under the rigid ball)
    and then the softest; without one, the grid point of the smallest residual."""

    def resid(log_e: float) -> tuple[float, float]:
        gel = _gel(10.0**log_e, thickness_mm, poisson)
        c = rig_given_gel(rigid, gel)
        return soft_residual(soft, ref, gel, c), c

    vals = [resid(x) for x in GRID_LOG10]
    r = np.array([v[0] for v in vals])
    roots: list[tuple[bool, float]] = []
    for i in range(r.size - 1):
        if r[i] == 0.0 or (r[i] < 0.0) != (r[i + 1] < 0.0):
            lo, hi = float(GRID_LOG10[i]), float(GRID_LOG10[i + 1])
            rising = r[i + 1] > r[i]
            for _ in range(16):
                mid = 0.5 * (lo + hi)
                below = resid(mid)[0] < 0.0
                lo, hi = (mid, hi) if below == rising else (lo, mid)
            roots.append((rising, 0.5 * (lo + hi)))
    if not roots:
        i = int(np.argmin(np.abs(r)))
        return JointFit(10.0 ** float(GRID_LOG10[i]), vals[i][1], "none", 0)
    pick = next((x for rising, x in roots if rising), roots[0][1])
    return JointFit(10.0**pick, resid(pick)[1], "", len(roots))


def fit_rig_presses(
    rigid_p: list[PressSignals],
    soft_p: list[PressSignals],
    ref: SimObject,
    thickness_mm: float,
    poisson: float,
) -> JointFit:
    """Read, fit, read again with the fitted rig compliance (motion force), fit again."""
    c = 0.0
    fit = JointFit(math.nan, 0.0, "")
    for _ in range(2):
        rigid = kept([read_press(p, 2 * RIGID_R_MM, c) for p in rigid_p])
        soft = kept([read_press(p, 2 * ref.radius_mm, c) for p in soft_p])
        fit = joint_fit(rigid, soft, ref, thickness_mm, poisson)
        c = fit.rig_compliance_mm_per_n
    return fit


def v3_fix_a(rigid_p: list[PressSignals], base: SensorCalibration, c0: float) -> float:
    """Fix A alone on v3's gel (the rig compliance cal32 measured): for comparison."""
    rigid = kept([read_press(p, 2 * RIGID_R_MM, c0) for p in rigid_p])
    per = [
        (
            r.closure_mm
            - rigid_sphere_gel_closure_mm(r.hold_force_n, RIGID_R_MM, base)
            + rigid_sphere_gel_closure_mm(r.touch_force_n, RIGID_R_MM, base)
        )
        / (r.hold_force_n - r.touch_force_n)
        for r in rigid
    ]
    return max(float(np.median(per)), 0.0)


def rig_only(rigid_p: list[PressSignals], gel: GelModel) -> float:
    """Fix A's rig compliance given a gel (read, fit, read again with it, fit again)."""
    c = 0.0
    for _ in range(2):
        c = rig_given_gel(kept([read_press(p, 2 * RIGID_R_MM, c) for p in rigid_p]), gel)
    return c


def presses_for(cfg: Any, draw: RigDraw, refs: dict[str, SimObject]) -> tuple[Any, Any]:
    base_seed = int(1e6 * (draw.gel_thickness_mm % 1.0))  # calibrate_rig's seeds
    rigid_p = [press_signals(cfg, base_seed + i) for i in range(CALIBRATION_PRESSES)]
    soft_p = {
        name: [
            sphere_press(cfg, obj, base_seed + SOFT_SEED_OFFSET + i)
            for i in range(CALIBRATION_PRESSES)
        ]
        for name, obj in refs.items()
    }
    return rigid_p, soft_p


def run_rigs(seeds: range, ref_pas: list[float], out: Path) -> None:
    cfg0 = _base_config()
    base = get_calibration(cfg0.processing_calibration_id)
    refs = {f"{e:.0f}": sphere(SOFT_R_MM, e, SOFT_POISSON) for e in ref_pas}
    with out.open("w") as fh:
        for s in seeds:
            t0 = time.time()
            draw = draw_rig(np.random.default_rng(s))
            cfg = apply_rig(cfg0, draw)
            rigid_p, soft_p = presses_for(cfg, draw, refs)
            today = cfg.rig_calibration
            row: dict[str, Any] = {
                "seed": s,
                "gel_true_pa": draw.gel_modulus_pa,
                "c_true": draw.rig_compliance_mm_per_n,
                "thickness_mm": draw.gel_thickness_mm,
                "max_strain": draw.gel_max_strain,
                "today": {"gel_pa": today.gel_modulus_pa, "c": today.rig_compliance_mm_per_n},
                "v3_fix_a": {"gel_pa": base.gel_modulus_pa, "c": v3_fix_a(rigid_p, base, 0.0)},
                "v3_modulus_known_thickness_fix_a": {
                    "gel_pa": base.gel_modulus_pa,
                    "c": rig_only(rigid_p, _gel(base.gel_modulus_pa, draw.gel_thickness_mm, 0.48)),
                },
                "true_gel_fix_a": {
                    "gel_pa": draw.gel_modulus_pa,
                    "c": rig_only(
                        rigid_p,
                        GelModel(
                            draw.gel_modulus_pa,
                            0.48,
                            draw.gel_thickness_mm,
                            False,
                            draw.gel_max_strain,
                        ),
                    ),
                },
                "fits": {},
            }
            for name, obj in refs.items():
                for scale in REF_SCALES:
                    told = replace(obj, modulus_pa=obj.modulus_pa * scale)
                    for th_name, th in (("known", draw.gel_thickness_mm), ("v3", V3_THICKNESS_MM)):
                        if th_name == "v3" and scale != 1.0:
                            continue
                        fit = fit_rig_presses(rigid_p, soft_p[name], told, th, base.gel_poisson)
                        row["fits"][f"{name}|x{scale}|{th_name}"] = {
                            "gel_pa": fit.gel_modulus_pa,
                            "c": fit.rig_compliance_mm_per_n,
                            "clipped": fit.clipped,
                            "n_roots": fit.n_roots,
                        }
            row["seconds"] = round(time.time() - t0, 2)
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(s, row["seconds"], flush=True)


def run_diag(seeds: range, ref_pas: list[float]) -> None:
    """Why the soft presses do not pin the gel: per rig and reference, the soft presses' median
    residual at the TRUE gel and rig (the reading's error, mm), its change per decade of the gel
    modulus around the truth (c refitted from the rigid presses at each), its change when the
    reference's modulus is told x1.05, and whether the soft hold lies past the contact model's
    range (the lock-up, where the closure no longer follows the modulus)."""
    cfg0 = _base_config()
    print(
        "| E_ref | rigs | soft residual at the true gel and rig, mm | d residual / d log10 E_gel, "
        "mm/dex | d residual, E_ref told x1.05, mm | soft hold in the lock-up |"
    )
    print("|---|---:|---|---|---|---:|")
    out: dict[float, list[tuple[float, float, float, bool]]] = {e: [] for e in ref_pas}
    for s in seeds:
        draw = draw_rig(np.random.default_rng(s))
        cfg = apply_rig(cfg0, draw)
        refs = {f"{e:.0f}": sphere(SOFT_R_MM, e, SOFT_POISSON) for e in ref_pas}
        rigid_p, soft_p = presses_for(cfg, draw, refs)
        c_true = draw.rig_compliance_mm_per_n
        rigid = kept([read_press(p, 2 * RIGID_R_MM, c_true) for p in rigid_p])
        true_gel = GelModel(
            draw.gel_modulus_pa, 0.48, draw.gel_thickness_mm, False, draw.gel_max_strain
        )
        for e, (name, obj) in zip(ref_pas, refs.items(), strict=True):
            soft = kept([read_press(p, 2 * obj.radius_mm, c_true) for p in soft_p[name]])
            at_truth = soft_residual(soft, obj, true_gel, c_true)
            lo_gel = replace(true_gel, modulus_pa=draw.gel_modulus_pa / 10**0.1)
            hi_gel = replace(true_gel, modulus_pa=draw.gel_modulus_pa * 10**0.1)
            slope = (
                soft_residual(soft, obj, hi_gel, rig_given_gel(rigid, hi_gel))
                - soft_residual(soft, obj, lo_gel, rig_given_gel(rigid, lo_gel))
            ) / 0.2
            told = replace(obj, modulus_pa=e * 1.05)
            d_ref = soft_residual(soft, told, true_gel, c_true) - at_truth
            curve = contact_curve(
                obj, GelModel.from_calibration(cfg.calibration), pad_x_mm=35.0, pad_y_mm=25.5
            )
            hold = float(np.median([r.hold_force_n for r in soft]))
            locked = float(curve.delta_for_force(hold)) > curve.model_limit_mm
            out[e].append((at_truth, slope, d_ref, locked))
    for e, vals in out.items():
        a = np.array([v[:3] for v in vals])
        locked = sum(v[3] for v in vals)
        print(
            f"| {e / 1e3:.0f} kPa | {len(vals)} | median {np.median(a[:, 0]):+.3f}, "
            f"abs q90 {np.quantile(np.abs(a[:, 0]), 0.9):.3f} | median {np.median(a[:, 1]):+.3f}, "
            f"abs 10-90 % {np.quantile(np.abs(a[:, 1]), 0.1):.3f}-"
            f"{np.quantile(np.abs(a[:, 1]), 0.9):.3f} | median {np.median(a[:, 2]):+.3f} | "
            f"{locked} |"
        )


def draw_from_meta(meta: Any) -> RigDraw:
    d = {k[4:]: v for k, v in meta.extra.items() if k.startswith("rig_")}
    d["pose_offset_px"] = tuple(d["pose_offset_px"])
    return RigDraw(**d)


def run_grasps(
    data: Path,
    main_json: Path,
    out: Path,
    ref_pa: float,
    scales: list[float],
    limit: int | None,
    direct: list[float],
) -> None:
    from tactile.estimators.registry import get_estimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    main = json.loads(main_json.read_text())
    limit_of = {o["object"]: o["limit_log10"] for o in main["hybrid"]["objects_detail"]}
    cfg0 = _base_config()
    base = get_calibration(cfg0.processing_calibration_id)
    ref = sphere(SOFT_R_MM, ref_pa, SOFT_POISSON)
    reader = GraspReader(data)
    est = get_estimator("blind")
    names = ["main", "true", "true gel, stored c"] + [f"joint x{s}" for s in scales]
    names += [f"direct x{f}" for f in direct] + [f"direct x{f}, stored c" for f in direct]
    rows: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    limits: dict[str, float] = {}
    fits: list[dict[str, Any]] = []
    rebuilt = 0
    for gid in reader.ids()[:limit]:
        meta = reader.read_signals(gid).meta
        draw = draw_from_meta(meta)
        cal = resolve_calibration(meta)
        cfg = apply_rig(cfg0, draw)
        rebuilt += cfg.rig_calibration.calibration_id == cal.calibration_id
        rigid_p, soft_p = presses_for(cfg, draw, {"ref": ref})
        cals = {
            "main": cal,
            "true": replace(
                esf.with_true_gel(meta), rig_compliance_mm_per_n=draw.rig_compliance_mm_per_n
            ),
            "true gel, stored c": esf.with_true_gel(meta),  # eval_sim_families' blind+gel
        }
        fit_row: dict[str, Any] = {
            "grasp": gid,
            "gel_true_pa": draw.gel_modulus_pa,
            "c_true": draw.rig_compliance_mm_per_n,
        }
        for s in scales:
            told = replace(ref, modulus_pa=ref.modulus_pa * s)
            fit = fit_rig_presses(
                rigid_p, soft_p["ref"], told, draw.gel_thickness_mm, base.gel_poisson
            )
            fit_row[f"x{s}"] = {"gel_pa": fit.gel_modulus_pa, "c": fit.rig_compliance_mm_per_n}
            cals[f"joint x{s}"] = replace(
                cal,
                calibration_id=f"{cal.calibration_id}+joint",
                gel_model="half-space",
                gel_modulus_pa=fit.gel_modulus_pa,
                gel_thickness_mm=draw.gel_thickness_mm,
                gel_max_strain=FIT_MAX_STRAIN,
                rig_compliance_mm_per_n=fit.rig_compliance_mm_per_n,
            )
        for f in direct:  # the gel measured directly (told x f), c from the rigid presses
            gel = _gel(draw.gel_modulus_pa * f, draw.gel_thickness_mm, base.gel_poisson)
            c = rig_only(rigid_p, gel)
            fit_row[f"direct x{f}"] = {"gel_pa": gel.modulus_pa, "c": c}
            cals[f"direct x{f}"] = replace(
                cal,
                calibration_id=f"{cal.calibration_id}+direct",
                gel_model="half-space",
                gel_modulus_pa=gel.modulus_pa,
                gel_thickness_mm=draw.gel_thickness_mm,
                gel_max_strain=FIT_MAX_STRAIN,
                rig_compliance_mm_per_n=c,
            )
            cals[f"direct x{f}, stored c"] = replace(
                cals[f"direct x{f}"], rig_compliance_mm_per_n=cal.rig_compliance_mm_per_n
            )
        fits.append(fit_row)
        limits[gid] = 10.0 ** limit_of[meta.object_id]
        g = replace(reader.read(gid), meta=blind_metadata(meta))
        truth = {
            "grasp": gid,
            "object": meta.object_id,
            "label": math.log10(meta.label_modulus_pa or 1.0),
            "family": esf.family_of(str(meta.extra.get("object_material", ""))),
            "material": str(meta.extra.get("object_material", "")),
            "gel_log10": math.log10(draw.gel_modulus_pa),
        }
        for n in names:
            row = dict(truth)
            try:
                row.update(esf.estimate_fields(est.estimate(g, calibration=cals[n])))
            except TactileError as exc:
                row["error"] = exc.message
            rows[n].append(row)
    result: dict[str, Any] = {"file": str(data), "ref_pa": ref_pa, "rebuilt_exactly": rebuilt}
    result["n_grasps"] = len(fits)
    result["fits"] = fits
    main_below = {o["object"]: o["below_limit"] for o in main["blind"]["objects_detail"]}
    for n in names:
        objs = esf.per_object(rows[n], limits)
        for o in objs:
            o["below_main"] = main_below.get(o["object"])
        result[n] = {
            "summary": esf.summarize(objs)["all"],
            "rig": esf.against_rig_gel(objs),
            "objects": objs,
        }
    out.write_text(json.dumps(result, default=str) + "\n")


def _stats(x: Any) -> str:
    a = np.abs(np.asarray(x, dtype=np.float64))
    return f"{np.median(a):.3f} | {np.quantile(a, 0.9):.3f} | {np.max(a):.3f}"


def report(paths: list[Path]) -> None:
    for path in paths:
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.open()]
            print(f"\n{path}: {len(rows)} rigs (seeds {rows[0]['seed']}..{rows[-1]['seed']})")
            print(
                "| calibration | gel: median | q90 | max of abs(log10 fit/true) | signed median | "
                "c_rig: median | q90 | max of abs(fit - true) mm/N | signed median | no root | "
                "2+ roots |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

            def line(
                name: str,
                get: Callable[[dict[str, Any]], dict[str, Any]],
                rows: list[dict[str, Any]] = rows,
            ) -> None:
                dg = [math.log10(get(r)["gel_pa"] / r["gel_true_pa"]) for r in rows]
                dc = [get(r)["c"] - r["c_true"] for r in rows]
                clipped = sum(bool(get(r).get("clipped")) for r in rows)
                multi = sum(get(r).get("n_roots", 1) > 1 for r in rows)
                g, c = _stats(dg).split(" | "), _stats(dc).split(" | ")
                print(
                    f"| {name} | {' | '.join(g)} | {np.median(dg):+.3f} | {' | '.join(c)} | "
                    f"{np.median(dc):+.3f} | {clipped} | {multi} |"
                )

            line("today (v3 gel + fit_rig)", lambda r: r["today"])
            line("v3 gel + Fix A", lambda r: r["v3_fix_a"])
            line(
                "v3 modulus, known thickness (half-space, bottoming 0.9) + Fix A",
                lambda r: r["v3_modulus_known_thickness_fix_a"],
            )
            line("true gel + Fix A (oracle gel)", lambda r: r["true_gel_fix_a"])
            for key in rows[0]["fits"]:
                ref, scale, th = key.split("|")
                line(
                    f"joint, E_ref {float(ref) / 1e3:.0f} kPa told {scale}, thickness {th}",
                    lambda r, key=key: r["fits"][key],
                )
        else:
            res = json.loads(path.read_text())
            print(
                f"\n{path}: {res['n_grasps']} grasps, rigs rebuilt exactly: "
                f"{res['rebuilt_exactly']}, E_ref {res['ref_pa'] / 1e3:.0f} kPa"
            )
            print(
                "| blind calibration | below limit within a decade | false bounds / bounds | "
                "rigid points | correct vs rig gel | refused |"
            )
            print("|---|---|---|---|---|---|")
            keys = [k for k in res if k.startswith(("main", "true", "joint", "direct"))]
            for n in keys:
                s, rig = res[n]["summary"], res[n]["rig"]
                print(
                    f"| {n} | {s['below_within_decade']:.1%} of {s['below_limit_objects']} | "
                    f"{rig['false_bounds']} / {s['n_bounds']} | {rig['rigid_points']} of "
                    f"{rig['rigid_objects']} | {rig['correct']} | {rig['refused']} |"
                )
            for key in [k for k in res["fits"][0] if k.startswith(("x", "direct"))]:
                dg = [math.log10(f[key]["gel_pa"] / f["gel_true_pa"]) for f in res["fits"]]
                dc = [f[key]["c"] - f["c_true"] for f in res["fits"]]
                print(f"fits told {key}: gel abs dex {_stats(dg)}; c abs mm/N {_stats(dc)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("rigs")
    a.add_argument("--seeds", nargs=2, type=int, default=[500, 540])
    a.add_argument("--ref-pa", nargs="+", type=float, default=[1e5, 3e5, 3e4])
    a.add_argument("out", type=Path)
    b = sub.add_parser("grasps")
    b.add_argument("data", type=Path)
    b.add_argument("main_json", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("--ref-pa", type=float, default=3e5)
    b.add_argument("--scales", nargs="*", type=float, default=[1.0, 0.8, 1.25])
    b.add_argument("--limit", type=int, default=None, help="the first N grasps only (a test)")
    b.add_argument(
        "--direct",
        nargs="*",
        type=float,
        default=[],
        help="also: the gel measured directly, told x F (known thickness), c from rigid presses",
    )
    d = sub.add_parser("diag")
    d.add_argument("--seeds", nargs=2, type=int, default=[500, 540])
    d.add_argument("--ref-pa", nargs="+", type=float, default=[1e5, 3e5, 3e4])
    c = sub.add_parser("report")
    c.add_argument("paths", nargs="+", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "rigs":
        run_rigs(range(*args.seeds), args.ref_pa, args.out)
    elif args.cmd == "diag":
        run_diag(range(*args.seeds), args.ref_pa)
    elif args.cmd == "grasps":
        run_grasps(
            args.data, args.main_json, args.out, args.ref_pa, args.scales, args.limit, args.direct
        )
    else:
        report(args.paths)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
