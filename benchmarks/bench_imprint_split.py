"""Blind: can the press's imprint split gel and rig? (issue 11, "bounds that never lie")

    python benchmarks/bench_imprint_split.py SIM.h5 [SIM2.h5 ...] [--rigs N] [--fresh N]
        [--seed S] [--real DATA_DIR] [--per-rig] [--json OUT.json]

``tactile calibrate rig`` (:func:`tactile.processing.rig_fit.fit_rig`) reads the rig's series
compliance from force and width only, ``c_rig = (closure − gel(F))/F`` at the hold, with the
gel as the base calibration models it (``wedge-reference-v3``: 55 kPa thin layer, 3 mm). The
randomised rigs' gels are 150–600 kPa, 1.5–4 mm, so the fit reads short, and the loading
curve's shape does not identify the split (``bench_rig_split.py``, rigcurve). The camera sees
the gel's own indentation whatever the rig does: a rigid ball of radius R at contact radius
``a`` has indented each pad by ``δ_gel``, so ``c_rig = (closure − 2 δ_gel)/F`` at the hold.

Two readings of ``δ_gel`` (pre-registered, ``benchmarks/results/imprint_split_prereg.md``):

- ``H`` (primary): ``a²/R`` with ``a = √(A/π)``, ``A`` the contact area ``extract_features``
  measures at the loading peak (Hertz, ``a² = R δ``: the simulator's contact model for a sphere,
  ``tactile.sim.contact._point_curve``; the whole approach is the gel's on a rigid ball);
- ``D`` (secondary): the calibrated depth peak ``extract_features`` measures at that frame.

On the real rig the geometric cap ``a²/(2R)`` (a thin layer) is printed as a third reading, not
tested.

Per simulated rig: the rig rebuilt from the stored :class:`~tactile.sim.rigs.RigDraw`
(``apply_rig`` on ``SimGraspConfig.wedge_raw()``, base v3, checked against the stored fit
exactly, as ``bench_rig_split.py``), three full presses of a rigid golf ball (42.67 mm, 1e11 Pa)
rendered with frames on the rig's settings (seeds as ``apply_rig`` seeds its presses), read with
the rig's own calibration (what the grasps carry). Hold force and closure per press as
``fit_rig`` reads them (rejected presses dropped); per press ``c = (closure − 2 δ_gel)/F_h``,
the rig's value the median over presses clipped at 0 (as ``fit_rig``). The gel: ratio of the
median ``δ_gel`` read to the median true gel depth (``SimTruth.gel_depth_mm``, same frame).

Pre-registered rule, per formula: over the 160 stored rigs of sim_test, sim_below and sim_val,
median |c error| ≤ 0.076 mm/N (half the current fit's) AND worst ≤ 0.289 mm/N (the current
fit's worst) AND the gel ratio within ±30 % on ≥ 90 % of rigs; then on ``--fresh`` new rigs
(``draw_rig``, ``SeedSequence([seed, k])``) the same with the first two relative to the
current fit on those rigs. A formula passes only if it passes both. Findings: BENCHMARKS.md
"Blind: can the press's imprint split gel and rig?".

Result (2026-12-06): H fails every clause (the intensity mask's area is ~2.5x the Hertz
contact's); D passes on the 160 stored and 120 fresh rigs (median |c error| 0.045 / 0.043 mm/N,
worst 0.105 / 0.106; gel within 30 % on all), the rest of its error being the closure reading's.
On the real sessions D reads the same gel 27 % deeper on 2023-12-16, so the split is not
consistent between them.

Commands of the study (~1.2 s per press on one core; the stored part first, then the fresh)::

    python benchmarks/bench_imprint_split.py /tmp/data/sim_test.h5 /tmp/data/sim_below.h5 \\
        /tmp/data/sim_val.h5 --per-rig --json stored.json
    python benchmarks/bench_imprint_split.py --fresh 120 --seed 6121 --per-rig --json fresh.json
    python benchmarks/bench_imprint_split.py --real ../shared/data --json real.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rig_split import (
    BASE_ID,
    REFERENCE_DIAMETER_MM,
    _base_config,
    _fitted,
    abs_error_stats,
)

from tactile.errors import TactileError
from tactile.processing.rig_fit import RigFit, fit_rig
from tactile.sensor import SensorCalibration, get_calibration

RADIUS_MM = REFERENCE_DIAMETER_MM / 2.0
FORMULAS = ("H", "D")
#: Pre-registered thresholds on the stored rigs (mm/N): half the current fit's median |error|
#: and its worst (BENCHMARKS.md, rigcurve), and the gel's tolerance and share.
STORED_MEDIAN_MAX = 0.076
STORED_WORST_MAX = 0.289
GEL_TOLERANCE = 0.30
GEL_SHARE_MIN = 0.90


@dataclass(frozen=True)
class Rig:
    """One simulated rig: its settings, the calibration its grasps carry, the truth."""

    name: str
    cfg: Any
    calibration: SensorCalibration
    seed: int
    true_c: float
    true_gel_pa: float
    true_gel_mm: float


def _seed(thickness_mm: float) -> int:
    return int(1e6 * (float(thickness_mm) % 1.0))  # as apply_rig seeds its presses


def stored_rigs(paths: Sequence[Path], limit: int | None = None) -> Iterator[Rig]:
    """Each distinct rig of simulated grasp files, rebuilt from its stored draw; the rebuilt
    calibration's fitted fields must be the stored ones exactly."""
    import h5py

    from tactile.sim.rigs import RigDraw, apply_rig

    cfg0 = _base_config()
    fields = set(RigDraw.__dataclass_fields__)
    seen: set[str] = set()
    for path in paths:
        with h5py.File(path, "r") as f:
            items = [
                (gid, g.attrs["calibration"], g.attrs["extra"]) for gid, g in f["grasps"].items()
            ]
        for gid, cal_json, extra_json in items:
            if limit is not None and len(seen) >= limit:
                return
            stored = SensorCalibration.from_dict(json.loads(cal_json))
            if stored.calibration_id in seen:
                continue
            seen.add(stored.calibration_id)
            true = {k: v for k, v in json.loads(extra_json).items() if k.startswith("rig_")}
            args = {k[4:]: v for k, v in true.items() if k[4:] in fields}
            args["pose_offset_px"] = tuple(args["pose_offset_px"])
            cfg = apply_rig(cfg0, RigDraw(**args))
            if _fitted(cfg.rig_calibration) != _fitted(stored):
                raise SystemExit(f"{path}:{gid}: the rebuilt rig fit is not the stored one")
            yield Rig(
                f"{Path(path).stem}/{gid}",
                cfg,
                stored,
                _seed(true["rig_gel_thickness_mm"]),
                float(true["rig_rig_compliance_mm_per_n"]),
                float(true["rig_gel_modulus_pa"]),
                float(true["rig_gel_thickness_mm"]),
            )


def fresh_rigs(n: int, seed: int) -> Iterator[Rig]:
    """``n`` new randomised rigs (``draw_rig``), calibrated as the simulator does."""
    from tactile.sim.rigs import RigRanges, apply_rig, draw_rig

    cfg0 = _base_config()
    for k in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
        draw = draw_rig(rng, RigRanges())
        cfg = apply_rig(cfg0, draw)
        yield Rig(
            f"fresh/{k:03d}",
            cfg,
            cfg.rig_calibration,
            _seed(draw.gel_thickness_mm),
            draw.rig_compliance_mm_per_n,
            draw.gel_modulus_pa,
            draw.gel_thickness_mm,
        )


def _imprint(grasp: Any, calibration: SensorCalibration) -> dict[str, float]:
    """Contact area, its radius and the depth peak at the loading peak (``extract_features``)."""
    from tactile.processing.features import extract_features

    feat = extract_features(grasp, calibration)
    p = feat.peak_index
    area = float(feat.contact_area_mm2[p])
    depth = float(feat.depth_mm[p]) if feat.depth_mm is not None else float("nan")
    return {
        "peak_index": p,
        "peak_force_n": float(feat.force_n[p]),
        "area_mm2": area,
        "a_mm": math.sqrt(max(area, 0.0) / math.pi),
        "depth_peak_mm": depth,
    }


def gel_depths(imprint: dict[str, float]) -> dict[str, float]:
    """``δ_gel`` per pad (mm) by each reading: ``H`` a²/R, ``D`` the depth peak, ``cap``
    a²/(2R) (reported on the real rig only)."""
    a = imprint["a_mm"]
    return {"H": a * a / RADIUS_MM, "D": imprint["depth_peak_mm"], "cap": a * a / (2 * RADIUS_MM)}


def _kept(fit: RigFit) -> list[int]:
    return [i for i, p in enumerate(fit.presses) if p.grasp_id not in fit.rejected]


def press_rows(grasps: Sequence[Any], calibration: SensorCalibration) -> tuple[RigFit, list[dict]]:
    """Per press: hold force and closure as ``fit_rig`` reads them (base v3), the imprint at
    the loading peak and ``c = (closure − 2 δ_gel)/F_h`` per reading."""
    fit = fit_rig(grasps, get_calibration(BASE_ID), size_mm=REFERENCE_DIAMETER_MM)
    rows = []
    for g, p in zip(grasps, fit.presses, strict=True):
        row: dict[str, Any] = {
            "press": p.grasp_id,
            "rejected": p.grasp_id in fit.rejected,
            "hold_force_n": p.hold_force_n,
            "closure_mm": p.closure_mm,
            "current_c": p.rig_compliance_mm_per_n,
        }
        try:
            row.update(_imprint(g, calibration))
        except TactileError as exc:  # a press whose imprint cannot be read counts as unread
            row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        for k, d in gel_depths(row).items():
            row[f"delta_{k}_mm"] = d
            row[f"c_{k}"] = (p.closure_mm - 2.0 * d) / p.hold_force_n
        rows.append(row)
    return fit, rows


def analyse_rig(rig: Rig, presses: int = 3) -> dict[str, Any]:
    """Three presses of the rigid golf ball with frames on this rig, the split per formula."""
    from tactile.sim.grasp import simulate_grasp_truth
    from tactile.sim.objects import SimObject

    ball = SimObject(
        shape="sphere", radius_mm=RADIUS_MM, modulus_pa=1e11, poisson=0.3, name="golf_ball"
    )
    grasps, truths = [], []
    for i in range(presses):
        g, t = simulate_grasp_truth(ball, rig.cfg, rig.seed + i, grasp_id=f"golf_{rig.seed + i}")
        grasps.append(g)
        truths.append(t)
    fit, rows = press_rows(grasps, rig.cfg.rig_calibration)
    for row, t in zip(rows, truths, strict=True):
        if "peak_index" in row:
            p = int(row["peak_index"])
            row["true_gel_depth_mm"] = float(t.gel_depth_mm[p])
            row["true_area_mm2"] = float(t.contact_area_mm2[p])
    kept = [rows[i] for i in _kept(fit)]
    out: dict[str, Any] = {
        "rig": rig.name,
        "calibration_id": rig.calibration.calibration_id,
        "true_c": rig.true_c,
        "true_gel_pa": rig.true_gel_pa,
        "true_gel_mm": rig.true_gel_mm,
        "current_c": rig.calibration.rig_compliance_mm_per_n,
        "refit_c": fit.rig_compliance_mm_per_n,  # the current method on these presses
        "presses": rows,
    }
    read = [r for r in kept if "error" not in r]
    true_gel = float(np.median([r["true_gel_depth_mm"] for r in read])) if read else math.nan
    out["true_gel_depth_mm"] = true_gel
    for k in FORMULAS:
        vals = [r[f"c_{k}"] for r in read if math.isfinite(r[f"c_{k}"])]
        deltas = [r[f"delta_{k}_mm"] for r in read if math.isfinite(r[f"delta_{k}_mm"])]
        if not vals:  # imprint not read: counts with c = 0 and the gel failing
            out[k] = {"c": 0.0, "c_unclipped": math.nan, "delta_mm": math.nan, "gel_ratio": 0.0}
            continue
        d = float(np.median(deltas))
        out[k] = {
            "c": max(float(np.median(vals)), 0.0),
            "c_unclipped": float(np.median(vals)),
            "delta_mm": d,
            "gel_ratio": d / true_gel if true_gel > 0 else math.nan,
        }
    return out


def summary(rows: list[dict[str, Any]], thresholds: tuple[float, float] | None) -> dict[str, Any]:
    """|c error| of the current fit and each formula, the gel clause, and the rule; thresholds
    (median, worst) fixed, or None: relative to the current fit on these rigs."""
    err = {"current": np.array([abs(r["current_c"] - r["true_c"]) for r in rows])}
    err["refit"] = np.array([abs(r["refit_c"] - r["true_c"]) for r in rows])
    for k in FORMULAS:
        err[k] = np.array([abs(r[k]["c"] - r["true_c"]) for r in rows])
    if thresholds is None:
        thresholds = (0.5 * float(np.median(err["current"])), float(err["current"].max()))
    out: dict[str, Any] = {"rigs": len(rows), "thresholds": list(thresholds)}
    for k, e in err.items():
        out[k] = {**abs_error_stats(e, rows), "within_0.05": int((e <= 0.05).sum())}
    for k in FORMULAS:
        signed = np.array([r[k]["c"] - r["true_c"] for r in rows])
        ratio = np.array([r[k]["gel_ratio"] for r in rows], dtype=np.float64)
        good = np.abs(np.nan_to_num(ratio, nan=0.0) - 1.0) <= GEL_TOLERANCE
        worse = int((err[k] > err["current"]).sum())
        out[k].update(
            {
                "median_err": float(np.median(signed)),
                "gel_ratio_median": float(np.nanmedian(ratio)),
                "gel_ratio_5_95": [float(v) for v in np.nanpercentile(ratio, [5, 95])],
                "gel_within_30pct": float(good.mean()),
                "worse_than_current": worse,
                "rule_median": bool(np.median(err[k]) <= thresholds[0]),
                "rule_worst": bool(err[k].max() <= thresholds[1]),
                "rule_gel": bool(good.mean() >= GEL_SHARE_MIN),
            }
        )
        out[k]["rule"] = out[k]["rule_median"] and out[k]["rule_worst"] and out[k]["rule_gel"]
    return out


def real_sessions(data_dir: Path) -> dict[str, Any]:
    """The real golf presses per session with ``wedge-reference-v4``: a, δ_gel by each reading
    and c per press, per session median and spread."""
    from tactile.io import load_grasps

    cal = get_calibration("wedge-reference-v4")
    sessions = {
        "2023-12-06": sorted((data_dir / "reference_grasps").glob("golf_ball_[0-9].avi")),
        "2023-12-16": sorted((data_dir / "reference_grasps_2023-12-16").glob("golf_ball__t=*.avi")),
    }
    out: dict[str, Any] = {}
    for name, files in sessions.items():
        grasps = [g for p in files for g in load_grasps(p)]
        fit, rows = press_rows(grasps, cal)
        kept = [rows[i] for i in _kept(fit) if "error" not in rows[i]]
        agg: dict[str, Any] = {"rejected": list(fit.rejected), "current_c": None}
        agg["current_c"] = fit.rig_compliance_mm_per_n
        for key in ("a_mm", "delta_H_mm", "delta_D_mm", "delta_cap_mm", "c_H", "c_D", "c_cap"):
            v = np.array([r[key] for r in kept], dtype=np.float64)
            agg[key] = {
                "median": float(np.median(v)),
                "sd": float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
            }
        out[name] = {"presses": rows, "session": agg}
    return out


def _print_rows(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'rig':40s} {'true':>6s} {'curr':>6s} {'refit':>6s} | {'c_H':>6s} {'c_D':>6s} | "
        f"{'gel mm':>6s} {'H/true':>6s} {'D/true':>6s} | a mm (per press)"
    )
    for r in rows:
        a = " ".join(f"{p.get('a_mm', math.nan):.1f}" for p in r["presses"])
        print(
            f"{r['rig'][:40]:40s} {r['true_c']:6.3f} {r['current_c']:6.3f} {r['refit_c']:6.3f} | "
            f"{r['H']['c']:6.3f} {r['D']['c']:6.3f} | {r['true_gel_depth_mm']:6.2f} "
            f"{r['H']['gel_ratio']:6.2f} {r['D']['gel_ratio']:6.2f} | {a}"
        )


def _print_summary(title: str, s: dict[str, Any]) -> None:
    t = s["thresholds"]
    print(
        f"\n{title}: {s['rigs']} rigs, |c_rig error| mm/N (rule: median <= {t[0]:.3f}, "
        f"worst <= {t[1]:.3f}, gel within 30 % on >= 90 %)"
    )
    for k in ("current", "refit", *FORMULAS):
        v = s[k]
        line = (
            f"  {k:8s} median {v['median_abs_err']:.3f}  p90 {v['p90_abs_err']:.3f}  worst "
            f"{v['worst_abs_err']:.3f} ({v['worst_rig']})  within 0.05: {v['within_0.05']}"
        )
        if k in FORMULAS:
            line += (
                f"\n           bias {v['median_err']:+.3f}  gel ratio median "
                f"{v['gel_ratio_median']:.2f} (5-95 % {v['gel_ratio_5_95'][0]:.2f}-"
                f"{v['gel_ratio_5_95'][1]:.2f}), within 30 % {100 * v['gel_within_30pct']:.0f} %"
                f"  worse than current {v['worse_than_current']}  rule: median "
                f"{'pass' if v['rule_median'] else 'FAIL'}, worst "
                f"{'pass' if v['rule_worst'] else 'FAIL'}, gel "
                f"{'pass' if v['rule_gel'] else 'FAIL'}"
                f" -> {'PASS' if v['rule'] else 'FAIL'}"
            )
        print(line)


def _print_real(real: dict[str, Any]) -> None:
    print("\n== real golf presses (wedge-reference-v4)")
    print(
        f"{'press':22s} {'F_h':>5s} {'clos':>5s} {'a':>5s} {'a2/R':>5s} {'a2/2R':>5s} "
        f"{'depth':>5s} | {'c_H':>6s} {'c_cap':>6s} {'c_D':>6s} {'curr':>6s}"
    )
    for name, sess in real.items():
        for r in sess["presses"]:
            if "error" in r:
                print(f"{r['press'][:22]:22s} {r['error']}")
                continue
            mark = " (rejected)" if r["rejected"] else ""
            print(
                f"{r['press'][:22]:22s} {r['hold_force_n']:5.1f} {r['closure_mm']:5.2f} "
                f"{r['a_mm']:5.2f} {r['delta_H_mm']:5.2f} {r['delta_cap_mm']:5.2f} "
                f"{r['delta_D_mm']:5.2f} | {r['c_H']:6.3f} {r['c_cap']:6.3f} {r['c_D']:6.3f} "
                f"{r['current_c']:6.3f}{mark}"
            )
        s = sess["session"]
        print(
            f"  {name}: median (sd) a {s['a_mm']['median']:.2f} ({s['a_mm']['sd']:.2f}), c_H "
            f"{s['c_H']['median']:.3f} ({s['c_H']['sd']:.3f}), c_cap {s['c_cap']['median']:.3f} "
            f"({s['c_cap']['sd']:.3f}), c_D {s['c_D']['median']:.3f} ({s['c_D']['sd']:.3f}); "
            f"current {s['current_c']:.3f}, rejected {s['rejected']}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("files", nargs="*", type=Path, help="simulated grasp files (HDF5)")
    p.add_argument("--rigs", type=int, help="at most this many stored rigs (CPU bound)")
    p.add_argument("--fresh", type=int, default=0, help="also this many new random rigs")
    p.add_argument("--seed", type=int, default=6121, help="seed of the new rigs")
    p.add_argument("--real", type=Path, help="the shared data folder with the golf presses")
    p.add_argument("--per-rig", action="store_true", help="print every rig")
    p.add_argument("--json", type=Path, help="write rows and summaries here")
    args = p.parse_args(argv)
    report: dict[str, Any] = {}
    groups: list[tuple[str, Iterator[Rig], tuple[float, float] | None]] = []
    if args.files:
        thresholds = (STORED_MEDIAN_MAX, STORED_WORST_MAX) if args.rigs is None else None
        groups.append(("stored", stored_rigs(args.files, args.rigs), thresholds))
    if args.fresh:
        groups.append(("fresh", fresh_rigs(args.fresh, args.seed), None))
    for name, rigs, thresholds in groups:
        rows = [analyse_rig(r) for r in rigs]
        report[name] = {"rows": rows, "summary": summary(rows, thresholds)}
        if args.per_rig:
            print(f"\n== {name}")
            _print_rows(rows)
        _print_summary(name, report[name]["summary"])
        if args.json:  # written after each group: the stored result before the fresh one
            args.json.write_text(json.dumps(report, indent=1))
    if args.real:
        report["real"] = real_sessions(args.real)
        _print_real(report["real"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
