"""``tactile demo``: simulate, record, estimate, sort, and write it all up as one HTML page.

Runs with no hardware and no server: the simulator plays the rig, the store writes a real HDF5
file, and the estimator reads it back the way it would read a recorded session. Then a tray of
simulated tomatoes: thresholds fitted on a labelled tray, a second tray sorted with full grasps
and with ``--stop-when-confident``. The report (``report.html``: traces, frames, estimates vs
truth, the online estimate converging, the sorting outcome) is self-contained.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile.cli._common import (
    add_json_flag,
    add_output_flags,
    add_progress_flags,
    print_json,
    show_progress,
)
from tactile.types import format_pa


@dataclass(frozen=True)
class DemoObject:
    name: str
    modulus_pa: float
    radius_mm: float


#: Spheres from soft foam-like rubber to steel; the gel of the simulated sensor is ~200 kPa.
DEMO_OBJECTS: tuple[DemoObject, ...] = (
    DemoObject("soft_foam_ball", 2.0e4, 25.0),
    DemoObject("orange_rubber_ball", 5.0e4, 25.0),
    DemoObject("green_rubber_ball", 1.0e5, 25.0),
    DemoObject("purple_rubber_ball", 2.0e5, 20.0),
    DemoObject("hard_plastic_ball", 2.0e9, 20.0),
    DemoObject("steel_ball", 2.0e11, 15.0),
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="simulate objects of known stiffness, record, estimate, and compare",
        description=(
            "Simulate a few spheres of known Young's modulus squeezed by a gripper with a "
            "GelSight-like sensor, record them to an HDF5 file, estimate E from the file, and "
            "print truth vs estimate."
        ),
    )
    p.add_argument("--out", type=Path, default=None, help="HDF5 file to keep (default: temporary)")
    add_output_flags(p, append=False)
    add_progress_flags(p)
    p.add_argument("--estimator", default="auto", help="estimator name (default: auto)")
    p.add_argument(
        "--network",
        default="hybrid",
        metavar="NAME",
        help="also estimate with this network estimator and the shipped default model "
        "(default: hybrid; 'none' to skip; needs the nn extra)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation")
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="HTML",
        help="write the report here (default: report.html in a new folder under the temp dir)",
    )
    p.add_argument(
        "--tray-size",
        type=int,
        default=6,
        metavar="N",
        help="simulated tomatoes on the sorted tray and on the labelled tray (which gets at "
        "least 6) (default 6; 0 skips the sorting part)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def _record(path: Path, seed: int, mode: str = "new", progress: bool = False) -> list[str]:
    from tqdm import tqdm

    from tactile.io.output import WriteMode, open_grasp_output
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    ids = []
    objects = tqdm(DEMO_OBJECTS, desc="simulate", unit="grasp", disable=not progress)
    with open_grasp_output(path, WriteMode(mode), frame_codec="jpeg") as writer:
        for i, spec in enumerate(objects):
            obj = SimObject(
                shape="sphere", radius_mm=spec.radius_mm, modulus_pa=spec.modulus_pa, name=spec.name
            )
            grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=seed + i)
            ids.append(writer.append(grasp))
    return ids


def _network_rows(path: Path, name: str) -> tuple[list[dict[str, Any]], str | None]:
    """Rows of the network estimator, or none and the reason it cannot run here."""
    if name.lower() == "none":
        return [], None
    import importlib.util

    from tactile.errors import TactileError

    if importlib.util.find_spec("torch") is None:
        return [], "install the nn extra (pip install -e '.[nn]') to compare the network"
    try:
        return _estimate_all(path, name), None
    except TactileError as exc:  # e.g. a model file that does not load
        return [], f"network estimator {name!r} unavailable: {exc}"


def _estimate_all(path: Path, estimator_name: str) -> list[dict[str, Any]]:
    from tactile.errors import TactileError
    from tactile.estimators import get_estimator
    from tactile.io import GraspReader

    estimator = get_estimator(estimator_name)
    rows: list[dict[str, Any]] = []
    with GraspReader(path) as reader:
        for gid in reader.ids():
            grasp = reader.read(gid)
            truth = grasp.meta.label_modulus_pa
            row: dict[str, Any] = {"grasp_id": gid, "object_id": grasp.meta.object_id}
            row["label_modulus_pa"] = truth
            try:
                est = estimator.estimate(grasp)
            except TactileError as exc:
                row.update(error=str(exc), verdict="failed")
                rows.append(row)
                continue
            row.update(est.to_dict())
            row["verdict"] = _verdict(est.modulus_pa, est.lower_bound_only, truth)
            rows.append(row)
    return rows


def _verdict(estimate_pa: float, lower_bound_only: bool, truth_pa: float | None) -> str:
    if truth_pa is None:
        return "no label"
    if lower_bound_only:
        return "ok (stiffer than gel)" if truth_pa >= estimate_pa else "bound violated"
    ratio = estimate_pa / truth_pa
    if 0.5 <= ratio <= 2.0:
        return "ok (within 2x)"
    return "ok (within 10x)" if abs(math.log10(ratio)) <= 1 else "off"


def _print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'object':<20} {'true E':>10} {'estimate':>12} {'68% interval':>24}  verdict"
    print(header)
    print("-" * len(header))
    for r in rows:
        truth = format_pa(r["label_modulus_pa"])
        if "error" in r:
            print(f"{r['object_id']:<20} {truth:>10} {'—':>12} {'':>24}  failed: {r['error']}")
            continue
        lo, hi = r["interval_68_pa"]
        est = ("> " if r["lower_bound_only"] else "") + format_pa(r["modulus_pa"])
        interval = f"[{format_pa(lo)}, {format_pa(hi)}]"
        flags = f"  flags: {', '.join(r['flags'])}" if r["flags"] else ""
        print(f"{r['object_id']:<20} {truth:>10} {est:>12} {interval:>24}  {r['verdict']}{flags}")


def _report_path(args: argparse.Namespace) -> Path:
    from tactile.errors import ConfigError

    if args.report is None:
        return Path(tempfile.mkdtemp(prefix="tactile_demo_")) / "report.html"
    if args.report.exists() and not args.overwrite:
        raise ConfigError(
            f"{args.report} already exists; refusing to overwrite it",
            hint="pass --overwrite, or choose another --report",
        )
    return args.report


def _progress(json_out: bool, text: str) -> None:
    if not json_out:
        print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    mode = "new"
    if args.out is not None:  # refuse to replace a file unless told (--overwrite)
        from tactile.io.output import output_mode

        mode = output_mode(args.out, overwrite=args.overwrite, append_flag=None)
    report_path = _report_path(args)
    with tempfile.TemporaryDirectory(prefix="tactile_demo_") as tmp:
        path = args.out if args.out is not None else Path(tmp) / "demo.h5"
        _progress(args.json, f"simulating and recording {len(DEMO_OBJECTS)} spheres ...")
        _record(path, args.seed, mode, show_progress(args))
        rows = _estimate_all(path, args.estimator)
        network, why_not = _network_rows(path, args.network)
        tray = None
        if args.tray_size > 0:
            _progress(args.json, f"sorting simulated tomatoes ({args.tray_size} per tray) ...")
            tray = demo_tray(args.tray_size, args.seed)
        _progress(args.json, "writing the report ...")
        results = _results(path, rows, network, why_not, args, tray)
        from tactile.reporting.demo_report import write_demo_report  # pulls in the simulator

        write_demo_report(results, report_path)
        if args.json:
            payload: dict[str, Any] = {"file": str(path) if args.out else None, "grasps": rows}
            if network:
                payload["network"] = {"estimator": args.network, "grasps": network}
            if tray is not None:
                payload["sorting"] = {
                    "full_grasps": tray.full.summary(),
                    "stop_when_confident": tray.stopped.summary(),
                }
            payload["report"] = str(report_path)
            print_json(payload)
        else:
            print(f"Recorded {len(rows)} simulated grasps to {path}\n")
            print(f"estimator: {args.estimator}")
            _print_table(rows)
            if network:
                print(f"\nestimator: {args.network} (network, models/default; see docs/network.md)")
                _print_table(network)
            elif why_not:
                print(f"\n({why_not})")
            if tray is not None:
                _print_tray(tray)
            if args.out is None:
                print("\n(the grasp file was temporary; pass --out FILE.h5 to keep it)")
            print(
                f"\nReport: {report_path}\n(open it in a browser: file://{report_path.resolve()})"
            )
    return 0 if all("error" not in r for r in rows) else 1


#: Fruit on the labelled tray at least: with fewer, a class can be missing (ripeness is spread
#: evenly over [0, 1] and the tomato's ripe class spans about 0.38 of it).
MIN_LABELLED_TRAY = 6


def demo_tray(size: int, seed: int) -> Any:
    """Fit the tomato thresholds on a labelled tray (``size`` fruit, at least
    ``MIN_LABELLED_TRAY``), then sort another tray of ``size`` fruit twice."""
    from tactile.decisions import ProduceEstimator, load_produce_profile
    from tactile.decisions.fit import Sample, fit_profile
    from tactile.decisions.grasping import SimGrasper
    from tactile.decisions.sorter import sort_tray
    from tactile.decisions.tray import sim_tray
    from tactile.errors import ConfigError, TactileError
    from tactile.reporting.demo_report import DemoTray

    literature = load_produce_profile("tomato")
    est = ProduceEstimator()
    grasper = SimGrasper(est, literature.max_force_n, seed=seed)
    n_labelled = max(size, MIN_LABELLED_TRAY)
    labelled = sort_tray(sim_tray(literature, n_labelled, seed + 101), grasper, est, literature)
    samples = [
        Sample(r.attempts[0].measurement.value, r.item.truth_class)
        for r in labelled.results
        if r.attempts[0].measurement is not None and r.item.truth_class
    ]
    try:
        fitted, boundaries = fit_profile(literature, samples)
    except TactileError as exc:
        raise ConfigError(
            f"the demo's labelled tray ({n_labelled} simulated tomatoes, seed {seed}) cannot "
            f"fit thresholds: {exc.message}",
            hint="use a larger --tray-size (e.g. 12) or another --seed",
        ) from exc
    items = sim_tray(fitted, size, seed + 202)
    full = sort_tray(items, grasper, est, fitted, source="sim")
    stopped = sort_tray(items, grasper, est, fitted, stop_when_confident=True, source="sim")
    return DemoTray(literature, fitted, boundaries, labelled, full, stopped)


def _print_tray(tray: Any) -> None:
    from tactile.decisions.log import summary_table

    print("\nsorting a tray of simulated tomatoes with --stop-when-confident")
    print("(thresholds fitted on a separate labelled tray)")
    print(summary_table(tray.stopped))
    full = tray.full.summary()
    print(f"full grasps instead: median peak force {full['peak_force_median_n']:.2f} N")


def _results(
    path: Path,
    rows: list[dict[str, Any]],
    network: list[dict[str, Any]],
    why_not: str | None,
    args: argparse.Namespace,
    tray: Any,
) -> Any:
    from tactile.io import GraspReader
    from tactile.reporting.demo_report import DemoResults

    with GraspReader(path) as reader:
        grasps = [reader.read(gid) for gid in reader.ids()]
    objects = [
        {"name": o.name, "shape": "sphere", "radius_mm": o.radius_mm, "modulus_pa": o.modulus_pa}
        for o in DEMO_OBJECTS
    ]
    return DemoResults(objects, grasps, rows, network, args.network, why_not, args.estimator, tray)
