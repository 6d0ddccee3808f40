"""``tactile demo``: simulate objects of known E, record them to HDF5, estimate, compare.

Runs with no hardware and no server: the simulator plays the rig, the store writes a real HDF5
file, and the estimator reads it back the way it would read a recorded session.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json
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
    p.add_argument("--estimator", default="auto", help="estimator name (default: auto)")
    p.add_argument(
        "--network",
        default="hybrid",
        metavar="NAME",
        help="also estimate with this network estimator and the shipped default model "
        "(default: hybrid; 'none' to skip; needs the nn extra)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation")
    add_json_flag(p)
    p.set_defaults(func=run)


def _record(path: Path, seed: int) -> list[str]:
    from tactile.io import GraspWriter
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    ids = []
    with GraspWriter(path, overwrite=True) as writer:
        for i, spec in enumerate(DEMO_OBJECTS):
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


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tactile_demo_") as tmp:
        path = args.out if args.out is not None else Path(tmp) / "demo.h5"
        _record(path, args.seed)
        rows = _estimate_all(path, args.estimator)
        network, why_not = _network_rows(path, args.network)
        if args.json:
            payload: dict[str, Any] = {"file": str(path) if args.out else None, "grasps": rows}
            if network:
                payload["network"] = {"estimator": args.network, "grasps": network}
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
            if args.out is None:
                print("\n(the file was temporary; pass --out FILE.h5 to keep it)")
    return 0 if all("error" not in r for r in rows) else 1
