"""Can the golf-ball press's imprint (contact area vs force) split gel and rig? (split31)

    python benchmarks/bench_imprint_area_split.py simulate --fresh N --seed S OUT.jsonl
    python benchmarks/bench_imprint_area_split.py simulate --stored SIM.h5 [--rigs N] OUT.jsonl
    python benchmarks/bench_imprint_area_split.py fit TRAIN.jsonl TEST.jsonl [--json OUT]
    python benchmarks/bench_imprint_area_split.py real TRAIN.jsonl [--data ../shared/data]
    python benchmarks/bench_imprint_area_split.py fitfile TRAIN.jsonl RIGS.jsonl OUT.json
    python benchmarks/bench_imprint_area_split.py whatif SIM.h5 FITS.json METHOD OUT.json

``tactile calibrate rig`` reads the rig's compliance from the closure alone, with the gel the
base calibration models (``wedge-reference-v3``, 55 kPa), so a rig whose gel is stiffer reads
short. On a rigid sphere of radius R the contact radius at force F depends on the gel alone
(a^2 = R delta per pad, Hertz, with the gel's bottoming), not on the fingers. This fits the gel
from the presses' contact radius over the loading frames, then ``c_rig = (closure -
gel_closure(F_hold))/F_hold`` (median over the presses ``fit_rig`` keeps).

``simulate``: three presses of the rigid golf ball with raw Wedge frames per rig, rigs and seeds
as ``bench_imprint_split.py`` builds them; per press the force and the intensity mask's area at
every loading frame (``extract_features`` with the rig's own calibration), the simulator's true
contact area there, the hold force and closure as ``fit_rig`` reads them. The mask takes in
the dent around the contact (its area is ~2.6x the Hertz area), so the fits map it to a Hertz
radius with what TRAINING rigs (a separate seed) show:

- ``A``: a constant factor k (median sqrt(A_mask/A_true)), half-space gel with bottoming at
  0.9 x 3 mm (the simulator's law, the calibration's thickness), one parameter E;
- ``A-thin``: the same with ``wedge-reference-v3``'s thin-layer law (and that bottoming);
- ``N``: k = 1; ``Ek``: E and k per rig from the curve's shape;
- ``X2``: log a_true = c0 + c1 log a_mask + c2 h (least squares on the training frames) and a
  joint (E, h) grid fit (h 1-5 mm);
- ``oracleEH``: (E, h) on the simulator's true contact areas; ``truegel``: the rig's true gel
  (the closure reading's own error).

Findings and commands: benchmarks/results/split31_feasibility.md (criteria written before:
split31_prereg.md).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tactile.processing.rig_fit import rigid_sphere_gel_closure_mm
from tactile.sensor import SensorCalibration, get_calibration

DIAMETER_MM = 42.67
R = DIAMETER_MM / 2.0
NU = 0.48  # the simulator's and wedge-reference-v3's gel Poisson ratio
LOG_E = np.arange(3.5, 7.5, 0.005)
THICKNESS_MM = np.round(np.arange(1.0, 5.01, 0.1), 2)
MIN_FRACTION = 0.2  # frames at >= this share of the press's peak force
MAX_STRAIN = 0.9
METHODS = ("A", "A-thin", "N", "Ek", "X2", "oracleEH", "truegel")


def gel_calibration(e_pa: float, h_mm: float = 3.0, thin: bool = False) -> SensorCalibration:
    """``wedge-reference-v3`` with this gel (bottoming at 0.9 x h)."""
    return replace(
        get_calibration("wedge-reference-v3"),
        gel_modulus_pa=float(e_pa),
        gel_thickness_mm=float(h_mm),
        gel_model="thin-layer" if thin else "half-space",
        gel_max_strain=MAX_STRAIN,
    )


def a_model(force: np.ndarray, e_pa: float, h_mm: float = 3.0, thin: bool = False) -> np.ndarray:
    """Contact radius (mm) of the rigid golf ball at these forces: the law of
    ``rigid_sphere_gel_closure_mm`` (a^2 = R delta), tabulated over delta and inverted."""
    e_star = e_pa / (1.0 - NU**2) / 1e6
    lock = MAX_STRAIN * h_mm
    d = np.linspace(1e-6, lock * (1 - 1e-6), 1500)
    stiff = 1.0 + 0.33 * (np.sqrt(R * d) / h_mm) ** 3 if thin else np.ones_like(d)
    stiff = stiff / np.maximum(1.0 - (d / lock) ** 3, 1e-12)
    f = 4.0 / 3.0 * e_star * stiff * math.sqrt(R) * d**1.5
    return np.sqrt(R * np.interp(force, f, d))


def frames(rec: dict[str, Any], true_area: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(force N, contact radius mm) over the kept presses' loading frames >= 20 % of peak."""
    forces: list[float] = []
    areas: list[float] = []
    for p in rec["presses"]:
        if p.get("rejected") or "error" in p or not p["force_n"]:
            continue
        f = np.array(p["force_n"])
        a = np.array(p["true_area_mm2" if true_area else "area_mm2"])
        keep = (f >= MIN_FRACTION * f.max()) & np.isfinite(a) & (a > 0)
        forces += list(f[keep])
        areas += list(a[keep])
    return np.array(forces), np.sqrt(np.array(areas) / math.pi)


def fit_e(
    force: np.ndarray, a: np.ndarray, k: float = 1.0, thin: bool = False, free_k: bool = False
) -> tuple[float, float]:
    """(E Pa, k) minimising the log-radius residuals, h = 3 mm."""
    la = np.log(a)
    best = (math.inf, 0.0, 0.0)
    for le in LOG_E:
        m = np.log(a_model(force, 10**le, 3.0, thin))
        lk = float(np.mean(la - m)) if free_k else math.log(k)
        s = float(np.sum((la - m - lk) ** 2))
        if s < best[0]:
            best = (s, float(le), lk)
    return 10 ** best[1], math.exp(best[2])


def fit_eh(
    force: np.ndarray, a_mask: np.ndarray | None, coef: Sequence[float], a_true: Any = None
) -> tuple[float, float]:
    """(E Pa, h mm) on a grid; the mask radius mapped per h with ``coef`` (or ``a_true``)."""
    best = (math.inf, 0.0, 0.0)
    for h in THICKNESS_MM:
        if a_true is not None:
            la = np.log(a_true)
        else:
            la = coef[0] + coef[1] * np.log(np.asarray(a_mask)) + coef[2] * h
        for le in LOG_E[::2]:
            r = la - np.log(a_model(force, 10**le, float(h)))
            s = float(np.sum(r * r))
            if s < best[0]:
                best = (s, 10**le, float(h))
    return best[1], best[2]


def rig_c(rec: dict[str, Any], e_pa: float, h_mm: float = 3.0, thin: bool = False) -> float:
    """Median over kept presses of (closure - gel closure at the hold)/F_hold (unclipped)."""
    cal = gel_calibration(e_pa, h_mm, thin)
    cs = [
        (p["closure_mm"] - rigid_sphere_gel_closure_mm(p["hold_force_n"], R, cal))
        / p["hold_force_n"]
        for p in rec["presses"]
        if not p.get("rejected")
    ]
    return float(np.median(cs)) if cs else math.nan


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def train_maps(recs: Iterable[dict[str, Any]]) -> tuple[float, list[float]]:
    """The mask factor k and X2's map, from training rigs' true areas."""
    xs: list[float] = []
    ys: list[float] = []
    hs: list[float] = []
    for r in recs:
        _, at = frames(r, true_area=True)
        _, am = frames(r)
        xs += list(np.log(am))
        ys += list(np.log(at))
        hs += [r["true_gel_mm"]] * len(at)
    x, y = np.array(xs), np.array(ys)
    k = float(np.median(np.exp(x - y)))
    design = np.c_[np.ones_like(x), x, np.array(hs)]
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return k, [float(v) for v in coef]


def fit_rig_record(
    rec: dict[str, Any], k: float, coef: Sequence[float], methods: Sequence[str]
) -> dict[str, tuple[float, float, float]]:
    """Per method (E Pa, h mm, c_rig unclipped) for one rig's presses."""
    force, am = frames(rec)
    out: dict[str, tuple[float, float, float]] = {}
    for m in methods:
        if m == "X2":
            e, h = fit_eh(force, am, coef)
            out[m] = (e, h, rig_c(rec, e, h))
        elif m == "oracleEH":
            ft, at = frames(rec, true_area=True)
            e, h = fit_eh(ft, None, coef, a_true=at)
            out[m] = (e, h, rig_c(rec, e, h))
        elif m == "truegel":
            e, h = rec["true_gel_pa"], rec["true_gel_mm"]
            cal = replace(
                gel_calibration(e, h), gel_max_strain=float(rec.get("true_max_strain", 0.9))
            )
            cs = [
                (p["closure_mm"] - rigid_sphere_gel_closure_mm(p["hold_force_n"], R, cal))
                / p["hold_force_n"]
                for p in rec["presses"]
                if not p.get("rejected")
            ]
            out[m] = (e, h, float(np.median(cs)))
        else:
            thin = m == "A-thin"
            e, _ = fit_e(force, am, 1.0 if m == "N" else k, thin=thin, free_k=m == "Ek")
            out[m] = (e, 3.0, rig_c(rec, e, 3.0, thin))
    return out


# --- simulation ---------------------------------------------------------------------------


def _press_record(grasp: Any, truth: Any, calibration: SensorCalibration) -> dict[str, Any]:
    from tactile.processing.features import extract_features

    feat = extract_features(grasp, calibration)
    idx = [
        i
        for i in range(feat.contact_index, feat.peak_index + 1)
        if math.isfinite(feat.contact_area_mm2[i])
    ]
    return {
        "force_n": [float(feat.force_n[i]) for i in idx],
        "area_mm2": [float(feat.contact_area_mm2[i]) for i in idx],
        "true_area_mm2": [float(truth.contact_area_mm2[i]) for i in idx],
        "true_gel_depth_mm": [float(truth.gel_depth_mm[i]) for i in idx],
    }


def simulate_rig(rig: Any, presses: int = 3) -> dict[str, Any]:
    """Presses of the rigid golf ball with frames on one rig (``bench_imprint_split.Rig``)."""
    from bench_rig_split import BASE_ID

    from tactile.processing.rig_fit import fit_rig
    from tactile.sim.grasp import simulate_grasp_truth
    from tactile.sim.objects import SimObject

    ball = SimObject(shape="sphere", radius_mm=R, modulus_pa=1e11, poisson=0.3, name="golf_ball")
    t0 = time.process_time()
    pairs = [
        simulate_grasp_truth(ball, rig.cfg, rig.seed + i, grasp_id=f"golf_{rig.seed + i}")
        for i in range(presses)
    ]
    fit = fit_rig([g for g, _ in pairs], get_calibration(BASE_ID), size_mm=DIAMETER_MM)
    rows = []
    for (g, t), p in zip(pairs, fit.presses, strict=True):
        row: dict[str, Any] = {
            "press": p.grasp_id,
            "rejected": p.grasp_id in fit.rejected,
            "hold_force_n": p.hold_force_n,
            "closure_mm": p.closure_mm,
        }
        try:
            row.update(_press_record(g, t, rig.cfg.rig_calibration))
        except Exception as exc:  # an unreadable imprint: recorded, the press left out
            row["error"] = repr(exc)
        rows.append(row)
    return {
        "rig": rig.name,
        "true_c": rig.true_c,
        "true_gel_pa": rig.true_gel_pa,
        "true_gel_mm": rig.true_gel_mm,
        "true_max_strain": float(rig.cfg.calibration.gel_max_strain),
        "current_c": rig.calibration.rig_compliance_mm_per_n,
        "refit_c": fit.rig_compliance_mm_per_n,
        "cal_id": rig.calibration.calibration_id,
        "cpu_s": time.process_time() - t0,
        "presses": rows,
    }


# --- commands -----------------------------------------------------------------------------


def _summary(rows: list[dict[str, Any]], methods: Sequence[str]) -> list[str]:
    cur = np.array([abs(r["current_c"] - r["true_c"]) for r in rows])
    lines = [
        f"{len(rows)} rigs; current fit |c err| median {np.median(cur):.3f} q90 "
        f"{np.percentile(cur, 90):.3f} worst {cur.max():.3f} mm/N"
    ]
    for m in methods:
        le = np.array([math.log10(r[m][0] / r["true_gel_pa"]) for r in rows])
        ce = np.array([max(r[m][2], 0.0) - r["true_c"] for r in rows])
        lines.append(
            f"{m:9s} gel log10 err: signed median {np.median(le):+.3f}, |.| median "
            f"{np.median(np.abs(le)):.3f} q90 {np.percentile(np.abs(le), 90):.3f} | c err: signed "
            f"median {np.median(ce):+.3f}, |.| median {np.median(np.abs(ce)):.3f} q90 "
            f"{np.percentile(np.abs(ce), 90):.3f} worst {np.abs(ce).max():.3f}"
        )
    return lines


def _real(train: Path, data: Path) -> dict[str, Any]:
    from tactile.io import load_grasps
    from tactile.processing.features import extract_features
    from tactile.processing.rig_fit import fit_rig

    k, coef = train_maps(load(train))
    cal = get_calibration("wedge-reference-v4")
    sessions = {
        "2023-12-06": sorted((data / "reference_grasps").glob("golf_ball_[0-9].avi")),
        "2023-12-16": sorted((data / "reference_grasps_2023-12-16").glob("golf_ball__t=*.avi")),
    }
    out: dict[str, Any] = {"k": k, "coef": coef}
    for name, files in sessions.items():
        grasps = [g for p in files for g in load_grasps(p)]
        fit = fit_rig(grasps, get_calibration("wedge-reference-v3"), size_mm=DIAMETER_MM)
        presses = []
        for g, p in zip(grasps, fit.presses, strict=True):
            feat = extract_features(g, cal)
            idx = range(feat.contact_index, feat.peak_index + 1)
            idx = [i for i in idx if math.isfinite(feat.contact_area_mm2[i])]
            presses.append(
                {
                    "press": p.grasp_id,
                    "rejected": p.grasp_id in fit.rejected,
                    "hold_force_n": p.hold_force_n,
                    "closure_mm": p.closure_mm,
                    "force_n": [float(feat.force_n[i]) for i in idx],
                    "area_mm2": [float(feat.contact_area_mm2[i]) for i in idx],
                }
            )
        rec = {"presses": presses}
        out[name] = {"presses": presses, "fit_rig_c": fit.rig_compliance_mm_per_n}
        for s in (0.9, 1.0, 1.1):  # the mask factor is the simulator's: its sensitivity
            c2 = [coef[0] - math.log(s), coef[1], coef[2]]
            fits = fit_rig_record(rec, k * s, c2, ("A", "A-thin", "X2"))
            out[name][f"k_x{s:g}"] = {m: list(v) for m, v in fits.items()}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("simulate")
    s.add_argument("out", type=Path)
    s.add_argument("--fresh", type=int, default=0)
    s.add_argument("--seed", type=int, default=3131)
    s.add_argument("--stored", type=Path, default=None)
    s.add_argument("--rigs", type=int, default=None)
    f = sub.add_parser("fit")
    f.add_argument("train", type=Path)
    f.add_argument("test", type=Path)
    f.add_argument("--json", type=Path, default=None)
    r = sub.add_parser("real")
    r.add_argument("train", type=Path)
    r.add_argument("--data", type=Path, default=Path("../shared/data"))
    r.add_argument("--json", type=Path, default=None)
    ff = sub.add_parser("fitfile")
    ff.add_argument("train", type=Path)
    ff.add_argument("rigs", type=Path)
    ff.add_argument("out", type=Path)
    w = sub.add_parser("whatif")
    w.add_argument("data", type=Path)
    w.add_argument("fits", type=Path)
    w.add_argument("method")
    w.add_argument("out", type=Path)
    w.add_argument("--c-offset", type=float, default=0.0, help="mm/N added to the split's c")
    w.add_argument("--true-c", action="store_true", help="the rig's true c instead")
    sc = sub.add_parser("score")
    sc.add_argument("base", type=Path, help="score_rigid_points.py --json of the same file")
    sc.add_argument("runs", nargs="+", help="NAME=WHATIF.json")
    args = p.parse_args(argv)
    if args.cmd == "simulate":
        from bench_imprint_split import fresh_rigs, stored_rigs

        rigs = (
            stored_rigs([args.stored], limit=args.rigs)
            if args.stored
            else fresh_rigs(args.fresh, args.seed)
        )
        with args.out.open("a") as out:
            for rig in rigs:
                out.write(json.dumps(simulate_rig(rig)) + "\n")
                out.flush()
    elif args.cmd == "fit":
        k, coef = train_maps(load(args.train))
        print(f"mask factor k {k:.3f}; X2 map {coef}")
        # the closure reading's bias of each split's c on the TRAINING rigs (whatif --c-offset)
        train_fits = [(r, fit_rig_record(r, k, coef, ("A", "X2"))) for r in load(args.train)]
        for m in ("A", "X2"):
            bias = np.median([f[m][2] - r["true_c"] for r, f in train_fits])
            print(f"training rigs: {m} c (unclipped) - true c, median {bias:+.4f} mm/N")
        rows = []
        for rec in load(args.test):
            fits = fit_rig_record(rec, k, coef, METHODS)
            rows.append({**{x: rec[x] for x in ("rig", "true_c", "true_gel_pa")}, **fits})
            rows[-1].update(true_gel_mm=rec["true_gel_mm"], current_c=rec["current_c"])
        print("\n".join(_summary(rows, METHODS)))
        if args.json:
            args.json.write_text(json.dumps({"k": k, "coef": coef, "rows": rows}))
    elif args.cmd == "real":
        res = _real(args.train, args.data)
        for name in ("2023-12-06", "2023-12-16"):
            for key in ("k_x0.9", "k_x1", "k_x1.1"):
                fits = res[name][key]
                print(
                    name,
                    key,
                    " | ".join(
                        f"{m}: {v[0] / 1e3:.0f} kPa, h {v[1]:.1f} mm, c {v[2]:.3f} mm/N"
                        for m, v in fits.items()
                    ),
                )
        if args.json:
            args.json.write_text(json.dumps(res, indent=1))
    elif args.cmd == "fitfile":
        k, coef = train_maps(load(args.train))
        out = {}
        for rec in load(args.rigs):
            fits = fit_rig_record(rec, k, coef, ("A", "X2"))
            out[rec["cal_id"]] = {
                "rig": rec["rig"],
                **{m: list(v) for m, v in fits.items()},
                "true": [rec["true_gel_pa"], rec["true_gel_mm"], rec["true_c"]],
                "current_c": rec["current_c"],
            }
        args.out.write_text(json.dumps(out))
    elif args.cmd == "whatif":
        _whatif(args.data, args.fits, args.method, args.out, args.c_offset, args.true_c)
    else:
        _score(args.base, args.runs)
    return 0


def _whatif(
    data: Path, fits_path: Path, method: str, out: Path, c_offset: float, true_c: bool
) -> None:
    """blind on every grasp with its calibration's gel and rig compliance replaced by the
    imprint split of its rig (gel half-space with bottoming at 0.9 h; c + ``c_offset``, or
    the rig's true c, clipped at 0)."""
    from tactile.errors import TactileError
    from tactile.estimators.registry import get_estimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration
    from tactile.types import Flag

    fits = json.loads(fits_path.read_text())
    reader = GraspReader(data)
    est = get_estimator("blind")
    rows = []
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        cal = resolve_calibration(meta)
        row: dict[str, Any] = {"grasp": gid, "object": meta.object_id}
        fit = fits.get(cal.calibration_id)
        if fit is None:
            rows.append({**row, "error": "no fit"})
            continue
        e, h, c = fit[method]
        c = fit["true"][2] if true_c else c + c_offset
        cal2 = replace(
            cal,
            calibration_id=f"{cal.calibration_id}+split31-{method}",
            gel_model="half-space",
            gel_modulus_pa=float(e),
            gel_thickness_mm=float(h),
            gel_max_strain=MAX_STRAIN,
            rig_compliance_mm_per_n=max(float(c), 0.0),
        )
        try:
            grasp = replace(reader.read(gid), meta=blind_metadata(meta))
            res = est.estimate(grasp, calibration=cal2)
        except TactileError as exc:
            rows.append({**row, "error": exc.message})
            continue
        rows.append(
            {
                **row,
                "E": res.modulus_pa,
                "lb": res.lower_bound_only,
                "stiffer": Flag.STIFFER_THAN_GEL in res.flags,
                "cal_gel": float(e),
            }
        )
    out.write_text(json.dumps(rows, default=str))


def _score(base_path: Path, runs: Sequence[str]) -> None:
    """blind's per-object counts (one grasp per object), as ``score_rigid_points.py`` counts
    them, for each what-if run; limits, labels and true gels from ``base_path`` (that script's
    JSON for the same file, run with ``--estimators hybrid blind``)."""
    base = json.loads(base_path.read_text())["blind"]["objects_detail"]
    info = {o["object"]: o for o in base}
    print(
        "| run | rigid points | false bounds / bounds | soft (true gel) flagged stiffer | "
        "soft (cal. gel) flagged stiffer | below limit within a decade | correct vs rig gel |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        name, path = run.split("=", 1)
        rows = json.loads(Path(path).read_text())
        n = {"rigid": 0, "points": 0, "false": 0, "bounds": 0, "soft": 0, "softcal": 0}
        below = within = correct = 0
        for r in rows:
            if "E" not in r:
                continue
            o = info[r["object"]]
            lab, gel, est = o["label"], o["gel_log10"], math.log10(r["E"])
            flagged = bool(r["lb"])
            n["rigid"] += lab >= gel + 2.0
            n["points"] += lab >= gel + 2.0 and not flagged
            n["false"] += flagged and est > lab
            n["bounds"] += flagged
            stiff = flagged and bool(r["stiffer"])
            n["soft"] += stiff and lab < gel
            n["softcal"] += stiff and lab < math.log10(r["cal_gel"])
            if lab < o["limit_log10"]:
                below += 1
                within += (not flagged) and abs(est - lab) <= 1.0
            correct += (flagged and est <= lab and lab >= gel + 1.0) or (
                not flagged and abs(est - lab) <= 1.0
            )
        print(
            f"| {name} | {n['points']} of {n['rigid']} | {n['false']} / {n['bounds']} | "
            f"{n['soft']} | {n['softcal']} | {within}/{below} = "
            f"{100 * within / max(below, 1):.1f} % | {correct} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
