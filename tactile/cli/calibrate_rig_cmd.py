"""``tactile calibrate rig``: rig compliance and contact-width bias from rigid presses.

A thin wrapper over :func:`tactile.calibration.rig.calibrate_rig`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register_rig(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "rig",
        help="rig compliance (fingers, mount, gripper) from presses of a rigid object",
        description=(
            "Fit the rig's series compliance (mm/N, both fingers) and the contact-width bias "
            "from presses of a rigid object of known size (a golf ball, a steel ball or block): "
            "closure = gel(F) + c_rig*F at the hold, with the gel from the base calibration. "
            "Only force and width are read. On a measured gel (`tactile calibrate "
            "gel-measured`) the rig is counted from the force at the read touch. Never "
            "calibrate on the objects you evaluate."
        ),
    )
    p.add_argument("sources", type=Path, nargs="+", help="HDF5 grasp files or reference .avi")
    p.add_argument(
        "--rigid-size-mm",
        type=float,
        required=True,
        metavar="D",
        help="the rigid object's size along the squeeze (a ball's diameter: 42.67 golf ball)",
    )
    p.add_argument(
        "--rigid-shape",
        choices=("sphere", "flat"),
        default="sphere",
        help="sphere (a ball) or flat (a block whose face covers the pad)",
    )
    p.add_argument(
        "--max-press-compliance",
        type=float,
        default=None,
        metavar="MM_PER_N",
        help="leave out presses whose own compliance is above this (mm/N; default 2: the "
        "object deformed, or the fingers are this compliant); raise it for a gripper whose "
        "fingers are that compliant",
    )
    common(p, source=True)
    p.set_defaults(func=run_rig)


def run_rig(args: argparse.Namespace) -> int:
    from tactile.calibration.rig import calibrate_rig
    from tactile.cli.calibrate_cmd import _grasps, _write
    from tactile.processing.rig_fit import MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N
    from tactile.sensor import get_calibration

    base = get_calibration(args.calibration)
    grasps = []
    for src in args.sources:
        grasps.extend(_grasps(src, args.grasp))
    cal, fit = calibrate_rig(
        grasps,
        base,
        size_mm=args.rigid_size_mm,
        shape=args.rigid_shape,
        calibration_id=args.new_id,
        max_press_compliance_mm_per_n=(
            MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N
            if args.max_press_compliance is None
            else args.max_press_compliance
        ),
    )
    for w in fit.warnings:  # on stderr too, not only in the JSON summary
        print(f"tactile calibrate rig: warning: {w}", file=sys.stderr)
    summary: dict[str, Any] = {
        "rig_compliance_mm_per_n": round(fit.rig_compliance_mm_per_n, 4),
        "rig_compliance_sd_mm_per_n": round(fit.rig_compliance_sd_mm_per_n, 4),
        "contact_width_bias_mm": round(fit.contact_width_bias_mm, 3),
        "contact_width_bias_sd_mm": round(fit.contact_width_bias_sd_mm, 3),
        "width_lag_s": fit.width_lag_s,
        "presses": [
            f"{p.grasp_id}: F "
            + ("" if p.contact_force_n is None else f"{p.contact_force_n:.2f} -> ")
            + f"{p.hold_force_n:.1f} N, closure {p.closure_mm:.2f} mm, gel "
            f"{p.gel_closure_mm:.2f} mm, rig {p.rig_compliance_mm_per_n:.3f} mm/N, "
            f"contact width - size {p.contact_width_bias_mm:+.2f} mm, width lag "
            + ("not measurable" if p.width_lag_s is None else f"{p.width_lag_s:.3f} s")
            for p in fit.presses
        ],
        "rejected": list(fit.rejected),
    }
    if fit.not_rigid:
        summary["not_rigid"] = [f"{g}: {r}" for g, r in fit.not_rigid]
    if fit.warnings:
        summary["warnings"] = list(fit.warnings)
    if fit.contact_force_n is not None:  # Fix A (a measured gel); today's fit: as before
        summary["counted_from"] = "the read touch (measured gel)"
        summary["rig_contact_force_n"] = fit.contact_force_n
    return _write(cal, args, summary)
