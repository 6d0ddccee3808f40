"""Blind: can the rigid-press curve split gel and rig? (issue 11, "bounds that never lie")

    python benchmarks/bench_rig_split.py SIM.h5 [SIM2.h5 ...] [--real DATA_DIR] [--fresh N]
        [--perturb K] [--per-rig] [--json OUT.json]

``tactile calibrate rig`` (:func:`tactile.processing.rig_fit.fit_rig`) reads the rig's series
compliance at the hold only, ``c_rig = (closure − gel(F))/F``, with the gel as the base
calibration models it, so on a rig whose gel is stiffer than the base's the rig reads short.
The calibration also stores the rigid-press loading curve (``rigid_press_closure_mm`` at
``RIGID_PRESS_FORCES_N``): the gel closes ∝ F^(2/3) (stiffening), the rig ∝ F. This fits,
from what a user's calibration holds only (the curve, the base gel model with its thickness, the
presses' hold), a gel modulus scale ``s`` (the base gel's modulus × s, thin-layer factor and
bottoming as :func:`~tactile.processing.rig_fit.rigid_sphere_gel_closure_mm` computes them) and
``c_rig ≥ 0`` by least squares (grid over log s, linear in the rest), three ways:

- ``curve``: the curve's points (those below the presses' peak: points past it repeat the last
  value) = gel(F; s) + c·F — the pre-registered joint fit;
- ``curve+hold``: the same plus the presses' hold point (median force and closure as
  ``fit_rig`` reads them) = gel(F_h; s) + c·F_h;
- ``curve+offset+hold``: the curve with a free offset (its zero is the detected first contact,
  read through the width's latency) plus the hold point, which anchors the level.

Per rig: the true compliance (simulated rigs carry it in ``extra``), the current fit, each joint
fit (c, s) and its error; the joint fit's spread from refits on curves perturbed by the curve's
own spread (``rigid_press_closure_sd_mm`` × 1.25/√presses, the width step /√12, independent per
point; the hold by the rig sd × F_h/√presses). ``s`` at the grid's edge (0.05 or 200) means
unidentified.

The presses' hold points are not in a simulated grasp's calibration (the simulator keeps only the
fit's signals marker); they are rebuilt from the grasp's stored rig (``apply_rig`` on
``SimGraspConfig.wedge_raw()`` with the stored :class:`~tactile.sim.rigs.RigDraw`, processed with
``wedge-reference-v3``), checked by the rebuilt fit's fields (compliance, its sd, the width bias,
the curve, its spread, the width step) being the stored ones exactly. ``--fresh N``: also N new
rigs (``draw_rig``, seed ``--seed``). ``--real DIR``: the real golf-ball presses (DIR =
../shared/data) per session and both (``wedge-reference-v4``).

Pre-registered rule (before any result): the joint fit goes further only if, over the simulated
rigs of the files, its median |c error| is at most half the current fit's and no rig's error
exceeds the current fit's worst. Findings: BENCHMARKS.md "Blind: can the rigid-press curve split
gel and rig?".
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.processing.rig_fit import RigFit, fit_rig, rigid_sphere_gel_closure_mm
from tactile.sensor import RIGID_PRESS_FORCES_N, SensorCalibration, get_calibration

REFERENCE_DIAMETER_MM = 42.67
LOG_S = np.linspace(math.log(0.05), math.log(200.0), 241)
METHODS = ("curve", "curve+hold", "curve+offset+hold")
BASE_ID = "wedge-reference-v3"


@dataclass(frozen=True)
class JointFit:
    """Gel modulus scale, rig compliance (mm/N), the curve's offset (mm) and the residual."""

    s: float
    c: float
    offset: float
    sse: float

    @property
    def at_edge(self) -> bool:
        return self.s <= math.exp(LOG_S[0]) * 1.001 or self.s >= math.exp(LOG_S[-1]) * 0.999


def gel_closures(cal: SensorCalibration, forces_n: Sequence[float]) -> np.ndarray:
    """Gel closure (mm) on the reference ball, rows over ``LOG_S``, columns over ``forces_n``."""
    radius = REFERENCE_DIAMETER_MM / 2.0
    return np.array(
        [
            [
                rigid_sphere_gel_closure_mm(
                    f, radius, replace(cal, gel_modulus_pa=cal.gel_modulus_pa * math.exp(ls))
                )
                for f in forces_n
            ]
            for ls in LOG_S
        ]
    )


def below_peak(curve: Sequence[float]) -> np.ndarray:
    """Mask of the curve's points below the presses' peak: trailing repeats are dropped (past the
    peak ``rigid_press_curve`` interpolation holds the last value)."""
    c = np.asarray(curve, dtype=np.float64)
    keep = np.ones(c.size, dtype=bool)
    for k in range(c.size - 1, 0, -1):
        if abs(c[k] - c[k - 1]) > 1e-9:
            break
        keep[k] = False
    return keep


def joint_fit(
    curve: np.ndarray,
    keep: np.ndarray,
    table: np.ndarray,
    *,
    offset: bool = False,
    hold: tuple[float, float, np.ndarray] | None = None,
) -> JointFit:
    """Least squares over the ``LOG_S`` grid: curve[keep] = gel(F; s) + c·F (+ offset), and with
    ``hold`` = (F_h, closure_h, gel(F_h; s) over the grid) the hold point = gel + c·F_h; c ≥ 0."""
    forces = np.asarray(RIGID_PRESS_FORCES_N, dtype=np.float64)[keep]
    cols = [forces] + ([np.ones(forces.size)] if offset else [])
    a = np.stack(cols, axis=1)
    b = curve[keep][None, :] - table[:, keep]
    if hold is not None:
        f_h, closure_h, gel_h = hold
        a = np.vstack([a, [f_h] + ([0.0] if offset else [])])
        b = np.hstack([b, (closure_h - gel_h)[:, None]])
    x = b @ np.linalg.pinv(a).T
    negative = x[:, 0] < 0.0
    if negative.any():  # c clipped at 0: only the offset left, the mean of the curve's rows
        x[negative, 0] = 0.0
        if offset:
            x[negative, 1] = b[negative, : forces.size].mean(axis=1)
    sse = ((b - x @ a.T) ** 2).sum(axis=1)
    i = int(np.argmin(sse))
    return JointFit(
        s=float(math.exp(LOG_S[i])),
        c=float(x[i, 0]),
        offset=float(x[i, 1]) if offset else 0.0,
        sse=float(sse[i]),
    )


@dataclass(frozen=True)
class RigCase:
    """One calibrated rig: its calibration, the presses' hold, the truth when simulated."""

    name: str
    calibration: SensorCalibration
    hold_force_n: float
    hold_closure_mm: float
    presses: int
    true_c: float | None = None
    true_gel_pa: float | None = None
    true_gel_mm: float | None = None


def _hold(fit: RigFit) -> tuple[float, float, int]:
    kept = [p for p in fit.presses if p.grasp_id not in fit.rejected]
    return (
        float(np.median([p.hold_force_n for p in kept])),
        float(np.median([p.closure_mm for p in kept])),
        len(kept),
    )


def _simulated_case(name: str, cfg: Any, true: dict[str, Any]) -> tuple[SensorCalibration, RigCase]:
    """The rig's calibration as the simulator made it, and the case with the presses' hold."""
    from tactile.sim.rigs import CALIBRATION_PRESSES, press_signals

    seed = int(1e6 * (float(true["rig_gel_thickness_mm"]) % 1.0))  # as apply_rig seeds it
    presses = [press_signals(cfg, seed + i) for i in range(CALIBRATION_PRESSES)]
    fit = fit_rig(presses, get_calibration(BASE_ID), size_mm=REFERENCE_DIAMETER_MM)
    f_h, c_h, n = _hold(fit)
    cal = cfg.rig_calibration
    return cal, RigCase(
        name,
        cal,
        f_h,
        c_h,
        n,
        float(true["rig_rig_compliance_mm_per_n"]),
        float(true["rig_gel_modulus_pa"]),
        float(true["rig_gel_thickness_mm"]),
    )


def _base_config() -> Any:
    from tactile.sim.grasp import SimGraspConfig

    return replace(SimGraspConfig.wedge_raw(), processing_calibration_id=BASE_ID)


def _fitted(cal: SensorCalibration) -> tuple[Any, ...]:
    """What ``fit_rig`` wrote into a calibration (the id's digest also covers the provenance,
    which older simulated files lack the signals marker in)."""
    return (
        cal.rig_compliance_mm_per_n,
        cal.rig_compliance_sd_mm_per_n,
        cal.contact_width_bias_mm,
        cal.rigid_press_closure_mm,
        cal.rigid_press_closure_sd_mm,
        cal.width_step_mm,
    )


def stored_cases(paths: Sequence[Path]) -> list[RigCase]:
    """Every distinct rig calibration of simulated grasp files, with its presses' hold rebuilt
    from the stored rig (checked against the stored fit, :func:`_fitted`)."""
    import h5py

    from tactile.sim.rigs import RigDraw, apply_rig

    cfg0 = _base_config()
    fields = set(RigDraw.__dataclass_fields__)
    cases: dict[str, RigCase] = {}
    for path in paths:
        with h5py.File(path, "r") as f:
            for gid, g in f["grasps"].items():
                stored = SensorCalibration.from_dict(json.loads(g.attrs["calibration"]))
                if stored.calibration_id in cases:
                    continue
                extra = json.loads(g.attrs["extra"])
                true = {k: v for k, v in extra.items() if k.startswith("rig_")}
                args = {k[4:]: v for k, v in true.items() if k[4:] in fields}
                args["pose_offset_px"] = tuple(args["pose_offset_px"])
                cfg = apply_rig(cfg0, RigDraw(**args))
                cal, case = _simulated_case(f"{Path(path).stem}/{gid}", cfg, true)
                if _fitted(cal) != _fitted(stored):
                    raise SystemExit(
                        f"{path}:{gid}: the rebuilt rig fit {_fitted(cal)} is not the stored "
                        f"{_fitted(stored)}"
                    )
                cases[stored.calibration_id] = replace(case, calibration=stored)
    return list(cases.values())


def fresh_cases(n: int, seed: int) -> list[RigCase]:
    """``n`` new randomised rigs (``draw_rig``), calibrated as the simulator does."""
    from tactile.sim.rigs import RigRanges, apply_rig, draw_rig

    cfg0 = _base_config()
    out = []
    for k in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
        draw = draw_rig(rng, RigRanges())
        cfg = apply_rig(cfg0, draw)
        out.append(_simulated_case(f"fresh/{k:03d}", cfg, draw.summary())[1])
    return out


def real_cases(data_dir: Path) -> list[RigCase]:
    """The real golf-ball presses per session and both (``wedge-reference-v4``), on v3."""
    from tactile.io import load_grasps

    base = get_calibration(BASE_ID)
    sessions = {
        "real 2023-12-06": sorted((data_dir / "reference_grasps").glob("golf_ball_[0-9].avi")),
        "real 2023-12-16": sorted(
            (data_dir / "reference_grasps_2023-12-16").glob("golf_ball__t=*.avi")
        ),
    }
    sessions["real both (v4)"] = sessions["real 2023-12-06"] + sessions["real 2023-12-16"]
    out = []
    for name, files in sessions.items():
        presses = [g for p in files for g in load_grasps(p)]
        fit = fit_rig(presses, base, size_mm=REFERENCE_DIAMETER_MM)
        f_h, c_h, n = _hold(fit)
        out.append(RigCase(name, fit.apply(base, name), f_h, c_h, n))
    return out


def analyse(case: RigCase, perturb: int, rng: np.random.Generator) -> dict[str, Any]:
    """The current fit and the three joint fits of one rig, with the perturbed refits."""
    cal = case.calibration
    curve = np.asarray(cal.rigid_press_closure_mm, dtype=np.float64)
    keep = below_peak(curve)
    table = gel_closures(cal, RIGID_PRESS_FORCES_N)
    gel_h = gel_closures(cal, [case.hold_force_n])[:, 0]
    n = max(case.presses, 1)
    point_sd = math.hypot(
        1.2533 * cal.rigid_press_closure_sd_mm / math.sqrt(n), (cal.width_step_mm or 0.0) / 12**0.5
    )
    hold_sd = cal.rig_compliance_sd_mm_per_n * case.hold_force_n / math.sqrt(n)

    def fits(y: np.ndarray, closure_h: float) -> dict[str, JointFit]:
        hold = (case.hold_force_n, closure_h, gel_h)
        return {
            "curve": joint_fit(y, keep, table),
            "curve+hold": joint_fit(y, keep, table, hold=hold),
            "curve+offset+hold": joint_fit(y, keep, table, offset=True, hold=hold),
        }

    row: dict[str, Any] = {
        "rig": case.name,
        "true_c": case.true_c,
        "true_gel_pa": case.true_gel_pa,
        "true_gel_mm": case.true_gel_mm,
        "current_c": cal.rig_compliance_mm_per_n,
        "curve_mm": [round(v, 3) for v in curve],
        "points_below_peak": int(keep.sum()),
        "hold_force_n": case.hold_force_n,
        "hold_closure_mm": case.hold_closure_mm,
        "point_sd_mm": point_sd,
    }
    best = fits(curve, case.hold_closure_mm)
    draws = [
        fits(
            curve + rng.normal(0.0, point_sd, curve.size),
            case.hold_closure_mm + rng.normal(0.0, hold_sd),
        )
        for _ in range(perturb)
    ]
    for m in METHODS:
        f = best[m]
        row[m] = {"c": f.c, "s": f.s, "offset": f.offset, "s_at_edge": f.at_edge}
        if draws:
            cs = [d[m].c for d in draws]
            ss = [d[m].s for d in draws]
            row[m]["c_5_95"] = [float(v) for v in np.percentile(cs, [5, 95])]
            row[m]["s_5_95"] = [float(v) for v in np.percentile(ss, [5, 95])]
            row[m]["s_edge_share"] = float(np.mean([d[m].at_edge for d in draws]))
    return row


def abs_error_stats(err: np.ndarray, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, 90th percentile and worst of ``err`` (one per row) and the worst row's rig."""
    return {
        "median_abs_err": float(np.median(err)),
        "p90_abs_err": float(np.percentile(err, 90)),
        "worst_abs_err": float(err.max()),
        "worst_rig": rows[int(np.argmax(err))]["rig"],
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and worst |c error| per method over rows with a truth, the 90 % widths of the
    perturbed refits, and the pre-registered rule for each joint fit."""
    rows = [r for r in rows if r["true_c"] is not None]
    err = {"current": np.array([abs(r["current_c"] - r["true_c"]) for r in rows])}
    for m in METHODS:
        err[m] = np.array([abs(r[m]["c"] - r["true_c"]) for r in rows])
    out: dict[str, Any] = {"rigs": len(rows)}
    for k, e in err.items():
        out[k] = abs_error_stats(e, rows)
        if k in METHODS:
            signed = [r[k]["c"] - r["true_c"] for r in rows]
            out[k]["median_err"] = float(np.median(signed))
            out[k]["s_at_edge"] = int(sum(r[k]["s_at_edge"] for r in rows))
            out[k]["rule_median"] = bool(np.median(e) <= 0.5 * np.median(err["current"]))
            out[k]["rule_worst"] = bool(e.max() <= err["current"].max())
            if "c_5_95" in rows[0][k]:
                w = np.array([r[k]["c_5_95"][1] - r[k]["c_5_95"][0] for r in rows])
                ratio = np.array([r[k]["s_5_95"][1] / r[k]["s_5_95"][0] for r in rows])
                cover = [r[k]["c_5_95"][0] <= r["true_c"] <= r[k]["c_5_95"][1] for r in rows]
                out[k]["c_90_width_median"] = float(np.median(w))
                out[k]["c_90_width_p90"] = float(np.percentile(w, 90))
                out[k]["s_90_ratio_median"] = float(np.median(ratio))
                out[k]["s_edge_in_refits"] = float(np.mean([r[k]["s_edge_share"] for r in rows]))
                out[k]["truth_in_c_90"] = float(np.mean(cover))
    return out


def _print_rows(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'rig':44s} {'true':>6s} {'curr':>6s} | "
        + " | ".join(f"{m:>22s}" for m in METHODS)
        + "   (c mm/N, s, 90% c from perturbed refits)"
    )
    for r in rows:
        true = f"{r['true_c']:6.3f}" if r["true_c"] is not None else "     -"
        parts = []
        for m in METHODS:
            f = r[m]
            band = f"{f['c_5_95'][0]:.2f}-{f['c_5_95'][1]:.2f}" if "c_5_95" in f else ""
            edge = "*" if f["s_at_edge"] else " "
            parts.append(f"{f['c']:5.3f} s{f['s']:6.2f}{edge} {band:>9s}")
        print(f"{r['rig'][:44]:44s} {true} {r['current_c']:6.3f} | " + " | ".join(parts))


def _print_summary(title: str, s: dict[str, Any]) -> None:
    print(f"\n{title}: {s['rigs']} rigs, |c_rig error| mm/N")
    for k in ("current", *METHODS):
        v = s[k]
        line = (
            f"  {k:18s} median {v['median_abs_err']:.3f}  p90 {v['p90_abs_err']:.3f}  "
            f"worst {v['worst_abs_err']:.3f} ({v['worst_rig']})"
        )
        if k in METHODS:
            line += (
                f"  bias {v['median_err']:+.3f}  s at grid edge {v['s_at_edge']}"
                f"  rule: median {'pass' if v['rule_median'] else 'FAIL'},"
                f" worst {'pass' if v['rule_worst'] else 'FAIL'}"
            )
        print(line)
        if "c_90_width_median" in v:
            print(
                f"  {'':18s} perturbed refits: c 90% width median {v['c_90_width_median']:.3f} "
                f"(p90 {v['c_90_width_p90']:.3f}), s 90% ratio median "
                f"{v['s_90_ratio_median']:.1f}, s at grid edge in "
                f"{100 * v['s_edge_in_refits']:.0f}% of refits, truth inside the c 90% band "
                f"{100 * v['truth_in_c_90']:.0f}%"
            )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="*", type=Path, help="simulated grasp files (HDF5)")
    p.add_argument("--real", type=Path, help="the shared data folder with the golf presses")
    p.add_argument("--fresh", type=int, default=0, help="also this many new random rigs")
    p.add_argument("--seed", type=int, default=2612, help="seed of the new rigs")
    p.add_argument("--perturb", type=int, default=40, help="perturbed refits per rig")
    p.add_argument("--per-rig", action="store_true", help="print every rig")
    p.add_argument("--json", type=Path, help="write rows and summaries here")
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    report: dict[str, Any] = {}
    groups = [("stored", stored_cases(args.files))] if args.files else []
    if args.fresh:
        groups.append(("fresh", fresh_cases(args.fresh, args.seed)))
    if args.real:
        groups.append(("real", real_cases(args.real)))
    for name, cases in groups:
        rows = [analyse(c, args.perturb, rng) for c in cases]
        report[name] = {"rows": rows}
        if args.per_rig or name == "real":
            print(f"\n== {name}")
            _print_rows(rows)
        if any(r["true_c"] is not None for r in rows):
            report[name]["summary"] = summary(rows)
            _print_summary(name, report[name]["summary"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
