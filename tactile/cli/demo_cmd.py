"""``tactile demo``: simulate, record, estimate, sort, and write it all up as one HTML page.

Runs with no hardware and no server: the simulator plays the rig, the store writes a real HDF5
file, and the estimator reads it back the way it would read a recorded session. Then a tray of
simulated tomatoes: thresholds fitted on a labelled tray, a second tray sorted with full grasps
and with ``--stop-when-confident``. The report (``report.html``: traces, frames, estimates vs
truth, the online estimate converging, the sorting outcome) is self-contained. The work is
:func:`tactile.reporting.demo.run_demo`; this command parses, calls, prints.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from tactile.cli._common import (
    add_json_flag,
    add_output_flags,
    add_progress_flags,
    print_json,
    show_progress,
)
from tactile.types import format_pa, pad


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


def _print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'object':<20} {'true E':>10} {'estimate':>12} {'68% interval':>24}  verdict"
    print(header)
    print("-" * len(header))
    for r in rows:
        truth = format_pa(r["label_modulus_pa"])
        if "error" in r:
            print(f"{pad(r['object_id'], 20)} {truth:>10} {'—':>12} {'':>24}  failed: {r['error']}")
            continue
        lo, hi = r["interval_68_pa"]
        est = ("> " if r["lower_bound_only"] else "") + format_pa(r["modulus_pa"])
        interval = f"[{format_pa(lo)}, {format_pa(hi)}]"
        flags = f"  flags: {', '.join(r['flags'])}" if r["flags"] else ""
        print(
            f"{pad(r['object_id'], 20)} {truth:>10} {est:>12} {interval:>24}  {r['verdict']}{flags}"
        )


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


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from tactile.reporting.demo import run_demo  # pulls in the simulator

    mode = "new"
    if args.out is not None:  # refuse to replace a file unless told (--overwrite)
        from tactile.io.output import output_mode

        mode = output_mode(args.out, overwrite=args.overwrite, append_flag=None)
    report_path = _report_path(args)
    with tempfile.TemporaryDirectory(prefix="tactile_demo_") as tmp:
        path = args.out if args.out is not None else Path(tmp) / "demo.h5"
        results = run_demo(
            path,
            report_path,
            seed=args.seed,
            estimator=args.estimator,
            network=args.network,
            tray_size=args.tray_size,
            mode=mode,
            progress=show_progress(args),
            say=None if args.json else _progress,
        )
        rows, network, tray = list(results.rows), list(results.network_rows), results.tray
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
            elif results.network_note:
                print(f"\n({results.network_note})")
            if tray is not None:
                _print_tray(tray)
            if args.out is None:
                print("\n(the grasp file was temporary; pass --out FILE.h5 to keep it)")
            print(
                f"\nReport: {report_path}\n(open it in a browser: file://{report_path.resolve()})"
            )
    return 0 if all("error" not in r for r in rows) else 1


def _print_tray(tray: Any) -> None:
    from tactile.decisions.log import summary_table

    print("\nsorting a tray of simulated tomatoes with --stop-when-confident")
    print("(thresholds fitted on a separate labelled tray)")
    print(summary_table(tray.stopped))
    full, stop = tray.full.summary(), tray.stopped.summary()
    print(
        "median peak force, stop when confident / full grasps: "
        f"{stop['peak_force_median_n']:.2f} / {full['peak_force_median_n']:.2f} N over all "
        f"grasps ({stop['n_grasps']} / {full['n_grasps']}), "
        f"{stop['item_peak_force_median_n']:.2f} / {full['item_peak_force_median_n']:.2f} N over "
        "items (each item's largest force)"
    )
