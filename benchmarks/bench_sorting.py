"""Produce sorting and the online estimate: accuracy, forces, how early, cost per frame.

    python benchmarks/bench_sorting.py [--profile tomato] [--labelled 12] [--tray 30]
                                       [--real ../shared/data/reference_grasps] [--skip-tray]

1. **Tray** (simulated fruit of known ripeness): thresholds fitted (``sort fit``) on a labelled
   tray, then a separate tray sorted with full grasps and with ``--stop-when-confident``; the
   same with the literature thresholds; and the same trays with the grasp stiffness (N/mm) as
   the quantity instead of log10 E. Prints confident-decision accuracy, rejects, peak forces.
2. **How early** the online estimate agrees with the whole-grasp estimate, replaying grasps frame
   by frame: the first frame from which every later online estimate stays within 0.1 dex of the
   whole-grasp one, as a share of the peak force and in seconds from first contact. On the
   simulated fruit (produce estimator) and on the real reference grasps (``auto`` with the
   label table's geometry).
3. **Cost per frame** of an online update (one core, single-threaded BLAS/OpenCV): during the
   loading phase, and averaged over whole grasps (frames before contact are cheap).

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from tactile.decisions import ProduceEstimator, load_produce_profile
from tactile.decisions.fit import Sample, fit_profile
from tactile.decisions.grasping import SimGrasper
from tactile.decisions.sorter import SortRun, sort_tray
from tactile.decisions.tray import sim_tray
from tactile.estimators import get_estimator
from tactile.estimators.online import replay_online

AGREE_DEX = 0.1


def _pin() -> None:
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _fit(profile: Any, run: SortRun) -> Any:
    samples = [
        Sample(r.attempts[0].measurement.value, r.item.truth_class)
        for r in run.results
        if r.attempts[0].measurement is not None and r.item.truth_class
    ]
    return fit_profile(profile, samples)[0]


def _row(name: str, s: dict[str, Any]) -> str:
    acc = s["confident_accuracy"]
    acc_txt = "—" if acc is None else f"{100 * acc:.1f} % ({s['n_right']}/{s['n_scored']})"
    return (
        f"| {name} | {acc_txt} | {s['n_rejected']}/{s['n_items']} | {s['n_grasps']} | "
        f"{s['peak_force_median_n']:.2f} | {s['first_grasp_peak_force_median_n']:.2f} | "
        f"{_opt(s['sorted_item_peak_force_median_n'])} | {s['peak_force_max_n']:.2f} | "
        f"{'yes' if s['force_limit_exceeded'] else 'no'} |"
    )


def _opt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _more_runs(lit: Any, fitted: Any, fitted_k: Any) -> dict[str, tuple[Any, bool]]:
    return {
        "log10 E, literature thresholds, full grasps": (lit, False),
        "grasp stiffness N/mm, fitted, full grasps": (fitted_k, False),
        "grasp stiffness N/mm, fitted, stop when confident": (fitted_k, True),
    }


def tray_section(args: argparse.Namespace) -> list[SortRun]:
    lit = load_produce_profile(args.profile)
    est = ProduceEstimator()
    grasper = SimGrasper(est, lit.max_force_n)
    labelled = sort_tray(sim_tray(lit, args.labelled, 11), grasper, est, lit)
    fitted = _fit(lit, labelled)
    items = sim_tray(lit, args.tray, 22)
    stiff_lit = dataclasses.replace(lit, quantity="stiffness_n_per_mm")
    labelled_k = sort_tray(sim_tray(stiff_lit, args.labelled, 11), grasper, est, stiff_lit)
    fitted_k = _fit(stiff_lit, labelled_k)
    runs = {
        "log10 E, fitted thresholds, full grasps": (fitted, False),
        "log10 E, fitted thresholds, stop when confident": (fitted, True),
    }
    if not args.fitted_e_only:
        runs |= _more_runs(lit, fitted, fitted_k)
    print(f"\n### Tray: {args.tray} simulated {lit.name}es (seed 22), thresholds fitted on "
          f"{args.labelled} others (seed 11)\n")  # fmt: skip
    print("| run | confident decisions right | rejected | grasps | median peak N, all grasps "
          "| median peak N, first grasps | median peak N, sorted items | max peak N "
          "| limit exceeded |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    out = []
    for name, (prof, stop) in runs.items():
        t0 = time.perf_counter()
        run = sort_tray(items, grasper, est, prof, stop_when_confident=stop)
        print(
            _row(name, run.summary()) + f"  <!-- {time.perf_counter() - t0:.0f} s -->", flush=True
        )
        out.append(run)
    bounds = ", ".join(f"{c.name} [{c.min_value:.3g}, {c.max_value:.3g})" for c in fitted.classes)
    print(f"\nfitted log10 E classes: {bounds}")
    bounds = ", ".join(f"{c.name} [{c.min_value:.3g}, {c.max_value:.3g})" for c in fitted_k.classes)
    print(f"fitted stiffness classes (N/mm): {bounds}")
    return out


def _early(trace: list[Any]) -> tuple[float, float, float] | None:
    """(share of peak force, seconds after contact, the update) where agreement starts."""
    pts = [u for u in trace if u.estimate is not None]
    if not pts:
        return None
    final = pts[-1].estimate.log10_modulus
    agree = [abs(u.estimate.log10_modulus - final) <= AGREE_DEX for u in pts]
    first = len(agree) - 1
    while first > 0 and agree[first - 1]:
        first -= 1
    u = pts[first]
    feats = pts[-1].features
    peak = float(max(x.force_n for x in trace))
    t_contact = float(feats.t_s[feats.contact_index]) if feats is not None else float(u.t_s)
    return u.force_n / peak, max(u.t_s - t_contact, 0.0), u.cost_s


def early_section(grasps: list[Any], estimator: Any, label: str) -> None:
    shares, secs, load_costs, all_costs = [], [], [], []
    for g in grasps:
        trace = list(replay_online(g, estimator))
        got = _early(trace)
        if got is None:
            continue
        shares.append(got[0])
        secs.append(got[1])
        feats = next((u.features for u in reversed(trace) if u.features is not None), None)
        if feats is not None:
            load = [
                u.cost_s for u in trace if feats.contact_index <= u.frame_index <= feats.peak_index
            ]
            load_costs += load
        all_costs += [u.cost_s for u in trace]
    if not shares:
        print(f"| {label} | no estimates | | | | |")
        return
    print(
        f"| {label} | {len(shares)} | {100 * statistics.median(shares):.0f} % "
        f"({100 * min(shares):.0f}–{100 * max(shares):.0f} %) | "
        f"{statistics.median(secs):.2f} s | "
        f"{1e3 * statistics.median(load_costs):.1f} / "
        f"{1e3 * float(np.percentile(load_costs, 95)):.1f} ms | "
        f"{1e3 * statistics.mean(all_costs):.1f} ms |",
        flush=True,
    )


def real_grasps(folder: Path) -> list[Any]:
    from tactile.io import load_reference_grasp
    from tactile.io.labels import read_label_table

    labels = read_label_table(folder.parent / "objects_and_compliance.csv")
    out = []
    for avi in sorted(folder.glob("*.avi")):
        g = load_reference_grasp(avi, labels=labels)
        cal = "wedge-reference-v3"
        out.append(dataclasses.replace(g, meta=dataclasses.replace(g.meta, calibration_id=cal)))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="tomato")
    p.add_argument("--labelled", type=int, default=12)
    p.add_argument("--tray", type=int, default=30)
    p.add_argument("--real", type=Path, default=Path("../shared/data/reference_grasps"))
    p.add_argument("--skip-tray", action="store_true")
    p.add_argument("--fitted-e-only", action="store_true", help="only the two fitted log10 E runs")
    p.add_argument("--skip-online", action="store_true")
    args = p.parse_args()
    _pin()
    print(f"load average {os.getloadavg()[0]:.1f}; one core")
    if not args.skip_tray:
        runs = tray_section(args)
        full_grasps = [r.attempts[0].run.grasp for r in runs[0].results]
    else:
        lit = load_produce_profile(args.profile)
        est = ProduceEstimator()
        tray = sort_tray(sim_tray(lit, 10, 22), SimGrasper(est, lit.max_force_n), est, lit)
        full_grasps = [r.attempts[0].run.grasp for r in tray.results]
    if args.skip_online:
        return
    print(f"\n### Online estimate: first frame within {AGREE_DEX} dex of the whole-grasp "
          "estimate for good (replayed frame by frame)\n")  # fmt: skip
    print("| grasps | n | force at agreement (share of peak; range) | time after contact "
          "| cost per update while loading (median / p95) | mean cost per frame |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    early_section(full_grasps, ProduceEstimator(), f"simulated {args.profile}es, produce estimator")
    if args.real.is_dir():
        real = real_grasps(args.real)
        spheres = [g for g in real if (g.meta.shape or "") == "sphere"]
        early_section(
            spheres, get_estimator("auto"), "real Wedge spheres (12), auto + label geometry"
        )
        early_section(real, ProduceEstimator(), "real Wedge grasps (15), produce estimator")
    else:
        print(f"(no real grasps at {args.real})")


if __name__ == "__main__":
    main()
