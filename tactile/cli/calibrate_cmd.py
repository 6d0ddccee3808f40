"""``tactile calibrate geometry|depth|gel|gel-measured|rig|show``: write versioned sensor
calibration files.

Each step starts from an existing calibration (``--calibration``, an id or a JSON path), changes
only what it measures, and writes ``calibration/<id>.json`` (or ``--out``). Grasp files then
reference the new id.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json
from tactile.errors import ConfigError
from tactile.sensor import (
    BUILTIN_CALIBRATIONS,
    CALIBRATION_DIR,
    SHIPPED_JSON_CALIBRATIONS,
    SensorCalibration,
    get_calibration,
)
from tactile.types import Grasp, format_pa


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="calibrate a tactile sensor (geometry, depth, gel modulus, rig compliance)",
        description=__doc__,
    )
    sub = p.add_subparsers(dest="step", metavar="STEP")
    _register_geometry(sub)
    _register_depth(sub)
    _register_gel(sub)
    _register_gel_measured(sub)
    from tactile.cli.calibrate_hw_cmd import register_steps  # rig calibrations: gripper, gauge
    from tactile.cli.calibrate_rig_cmd import register_rig

    register_steps(sub)
    register_rig(sub, _common)
    show = sub.add_parser("show", help="print a calibration (id or JSON path)")
    show.add_argument("calibration", help="calibration id or path")
    add_json_flag(show)
    show.set_defaults(func=run_show)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _common(p: argparse.ArgumentParser, *, source: bool, new_base: bool = False) -> None:
    """The options every step shares; ``new_base``: the base must be named and the result
    needs an id of its own (``gel-measured``)."""
    base: dict[str, Any] = {"required": True} if new_base else {"default": "wedge-reference-v1"}
    p.add_argument("--calibration", help="calibration to start from (id/path)", **base)
    id_rule = "(required; not the base's)" if new_base else "(default: keep)"
    p.add_argument("--id", dest="new_id", help=f"id of the new calibration {id_rule}")
    p.add_argument("--out", type=Path, help="output JSON (default: calibration/<id>.json)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output JSON")
    if source:
        p.add_argument("--grasp", help="grasp id inside an HDF5 file (default: all / first)")
    add_json_flag(p)


def _register_geometry(sub: Any) -> None:
    p = sub.add_parser("geometry", help="pad corners and size -> per-axis mm/px")
    p.add_argument(
        "--corners", nargs=8, type=float, metavar="V",
        help="x y of the top-left, top-right, bottom-left, bottom-right pad corners (raw px)",
    )  # fmt: skip
    p.add_argument("--corners-csv", type=Path, help="CSV with Name,x,y rows (reference layout)")
    p.add_argument("--pad-size-mm", nargs=2, type=float, required=True, metavar=("W", "H"))
    p.add_argument("--warp-size-px", nargs=2, type=int, default=(400, 300), metavar=("W", "H"))
    p.add_argument("--crop-px", type=int, default=0)
    p.add_argument("--roi-px", nargs=4, type=int, metavar=("X0", "Y0", "X1", "Y1"))
    _common(p, source=False)
    p.set_defaults(func=run_geometry)


def _register_depth(sub: Any) -> None:
    p = sub.add_parser("depth", help="colour -> slope model from a ball press of known radius")
    p.add_argument("source", type=Path, help="press: reference .avi, HDF5 grasp file or image")
    p.add_argument("--ball-radius-mm", type=float, required=True)
    p.add_argument("--frame", type=int, help="press frame index (default: peak force)")
    p.add_argument("--reference-frame", type=int, help="unloaded frame (default: before contact)")
    p.add_argument("--reference-image", type=Path, help="unloaded image when SOURCE is an image")
    p.add_argument("--model", choices=("hertz", "cap"), default="hertz",
                   help="gel surface under the ball: thick gel (hertz) or thin (cap)")  # fmt: skip
    p.add_argument("--contact-radius-mm", type=float, help="known contact radius (skip search)")
    p.add_argument("--contact-radius-from-mask", action="store_true",
                   help="take the contact radius from the intensity contact mask")  # fmt: skip
    p.add_argument("--contact-method", choices=("intensity", "depth"),
                   help="contact mask method stored in the calibration")  # fmt: skip
    p.add_argument("--record-contrast", action="store_true",
                   help="record the press's unloaded gel contrast as the one the profile's "
                   "contact threshold was chosen at (when the base records none): later "
                   "grasps' thresholds then follow the camera's contrast")  # fmt: skip
    _common(p, source=True)
    p.set_defaults(func=run_depth)


def _register_gel(sub: Any) -> None:
    p = sub.add_parser("gel", help="gel modulus from grasps of objects with known E")
    p.add_argument("sources", type=Path, nargs="+", help="HDF5 grasp files or reference .avi")
    p.add_argument("--labels", type=Path, help="label CSV for reference .avi files")
    p.add_argument("--estimator", default="hertz", help="analytical estimator to calibrate")
    p.add_argument(
        "--rigid-sphere-radius-mm",
        type=float,
        metavar="R",
        help="the sources are presses of a rigid ball of radius R (e.g. 21.335, golf ball): "
        "fit the effective gel from force and width at the hold, no labels needed",
    )
    p.add_argument(
        "--gel-model",
        choices=("half-space", "thin-layer"),
        help="gel mechanics stored in the calibration (thin-layer: a gel bonded to a rigid "
        "window stiffens as the contact grows; default: keep the base calibration's)",
    )
    _common(p, source=True)
    p.set_defaults(func=run_gel)


def _register_gel_measured(sub: Any) -> None:
    from tactile.calibration.gel_measured import (
        DEFAULT_COUPON_REL_SD,
        DEFAULT_MAX_STRAIN,
        DEFAULT_POISSON,
    )

    p = sub.add_parser(
        "gel-measured",
        help="a gel measured off the sensor (a coupon's modulus, the pad's thickness)",
        description=(
            "Write a calibration whose gel is the one you measured: a coupon of the same "
            "gel batch (its Young's modulus from an indentation or compression test, "
            "docs/calibration.md) and the pad's thickness (calipers). The gel law is the "
            "reference's (half-space Hertz, bottoming at --max-strain of the thickness); the "
            "rest of the base calibration is kept. Then run `tactile calibrate rig` on the "
            "result: on a measured gel it counts the rig from the read touch."
        ),
    )
    p.add_argument("--thickness-mm", type=float, required=True, metavar="H",
                   help="the pad's gel thickness (mm, calipers)")  # fmt: skip
    p.add_argument("--coupon-modulus-pa", type=float, required=True, metavar="E",
                   help="the coupon's Young's modulus (Pa; 250 kPa is 2.5e5)")  # fmt: skip
    p.add_argument("--coupon-rel-sd", type=float, default=DEFAULT_COUPON_REL_SD, metavar="S",
                   help="the coupon test's relative uncertainty (default %(default)s: "
                   "±15 %%)")  # fmt: skip
    p.add_argument("--poisson", type=float, default=DEFAULT_POISSON,
                   help="the gel's Poisson ratio (default %(default)s)")  # fmt: skip
    p.add_argument("--max-strain", type=float, default=DEFAULT_MAX_STRAIN,
                   help="share of the thickness at which the gel bottoms out, assumed "
                   "(default %(default)s)")  # fmt: skip
    _common(p, source=False, new_base=True)
    p.set_defaults(func=run_gel_measured)


# --- loading inputs ---------------------------------------------------------------------------


def _grasps(path: Path, grasp_id: str | None = None, labels: Path | None = None) -> list[Grasp]:
    from tactile.io import load_grasps, read_label_table

    table = read_label_table(labels) if labels else None
    return load_grasps(path, grasp_ids=[grasp_id] if grasp_id else None, labels=table)


# --- commands ---------------------------------------------------------------------------------


def _shipped_profile_at(path: Path) -> str | None:
    """The id of the shipped profile (built in, or JSON-only like v4) whose file ``path`` is."""
    target = path.resolve()
    for shipped_id in (*BUILTIN_CALIBRATIONS, *SHIPPED_JSON_CALIBRATIONS):
        if (CALIBRATION_DIR / f"{shipped_id}.json").resolve() == target:
            return shipped_id
    return None


def _write(cal: SensorCalibration, args: argparse.Namespace, summary: dict[str, Any]) -> int:
    out = args.out or CALIBRATION_DIR / f"{cal.calibration_id}.json"
    shipped_id = _shipped_profile_at(out)
    if shipped_id is not None and get_calibration(shipped_id) != cal:
        raise ConfigError(
            f"{out} is the shipped, versioned profile {shipped_id!r}: writing different "
            "values there would change what grasps naming it mean",
            hint="give the result a new id with --id (e.g. my-rig-v1) or another path with --out",
        )
    from tactile.io.output import file_mode

    file_mode(out, overwrite=args.overwrite)  # refuses an existing file unless --overwrite
    out.parent.mkdir(parents=True, exist_ok=True)
    cal.save(out)  # temporary file + atomic rename
    summary = {"calibration_id": cal.calibration_id, "path": str(out), **summary}
    if args.json:
        print_json(summary)
    else:
        for k, v in summary.items():
            print(f"{k}: {v}")
    return 0


def _corners(args: argparse.Namespace) -> tuple[tuple[float, float], ...]:
    if args.corners:
        v = args.corners
        return tuple((v[i], v[i + 1]) for i in range(0, 8, 2))
    if args.corners_csv:
        from tactile.calibration.geometry import read_corners_csv

        return read_corners_csv(args.corners_csv)
    raise ConfigError("give --corners or --corners-csv", hint="the four pad corners in raw px")


def run_geometry(args: argparse.Namespace) -> int:
    from tactile.calibration.geometry import calibrate_geometry

    base = get_calibration(args.calibration)
    cal = calibrate_geometry(
        base,
        calibration_id=args.new_id or base.calibration_id,
        corners_px=_corners(args),
        pad_size_mm=tuple(args.pad_size_mm),
        warp_size_px=tuple(args.warp_size_px),
        crop_px=args.crop_px,
        roi_px=tuple(args.roi_px) if args.roi_px else None,
    )
    return _write(cal, args, {"mm_per_px_x": cal.mm_per_px_x, "mm_per_px_y": cal.mm_per_px_y})


def run_depth(args: argparse.Namespace) -> int:
    from tactile.calibration.depth_fit import calibrate_depth_from_press

    base = get_calibration(args.calibration)
    cal = calibrate_depth_from_press(
        args.source,
        base,
        ball_radius_mm=args.ball_radius_mm,
        model=args.model,
        contact_radius_mm=args.contact_radius_mm,
        radius_from_mask=args.contact_radius_from_mask,
        record_contrast=args.record_contrast,
        contact_method=args.contact_method,
        calibration_id=args.new_id,
        grasp_id=args.grasp,
        frame=args.frame,
        reference_frame=args.reference_frame,
        reference_image=args.reference_image,
    )
    fit = cal.provenance["depth_fit"]
    return _write(cal, args, {"depth_scale": cal.depth_scale_mm_per_unit, **fit})


def run_gel(args: argparse.Namespace) -> int:
    from tactile.calibration.gel_labelled import calibrate_gel
    from tactile.calibration.gel_rigid import calibrate_gel_rigid_sphere

    base = get_calibration(args.calibration)
    if args.gel_model:
        base = replace(base, gel_model=args.gel_model)
    grasps = [g for src in args.sources for g in _grasps(src, args.grasp, args.labels)]
    new_id = args.new_id or base.calibration_id
    if args.rigid_sphere_radius_mm is not None:
        cal = calibrate_gel_rigid_sphere(
            grasps, base, radius_mm=args.rigid_sphere_radius_mm, calibration_id=new_id
        )
    else:
        cal = calibrate_gel(grasps, base, estimator=args.estimator, calibration_id=new_id)
    summary = {
        "gel_modulus_pa": cal.gel_modulus_pa,
        "gel_modulus": format_pa(cal.gel_modulus_pa),
        "gel_modulus_log10_sd": cal.gel_modulus_log10_sd,
        **cal.provenance["gel_fit"],
    }
    return _write(cal, args, summary)


def run_gel_measured(args: argparse.Namespace) -> int:
    from tactile.calibration.gel_measured import measured_gel_calibration

    base = get_calibration(args.calibration)
    cal = measured_gel_calibration(  # refuses a missing id, or the base's own
        base,
        calibration_id=args.new_id,
        thickness_mm=args.thickness_mm,
        coupon_modulus_pa=args.coupon_modulus_pa,
        coupon_rel_sd=args.coupon_rel_sd,
        poisson=args.poisson,
        max_strain=args.max_strain,
    )
    summary = {
        "gel_source": cal.gel_source,
        "gel_modulus_pa": cal.gel_modulus_pa,
        "gel_modulus": format_pa(cal.gel_modulus_pa),
        "gel_modulus_log10_sd": cal.gel_modulus_log10_sd,
        "gel_thickness_mm": cal.gel_thickness_mm,
        "gel_model": cal.gel_model,
        "gel_max_strain": cal.gel_max_strain,
        "next": "fit the rig on it: tactile calibrate rig PRESSES --rigid-size-mm D "
        f"--calibration {args.out or cal.calibration_id} --id {cal.calibration_id}-rig",
    }
    return _write(cal, args, summary)


def run_show(args: argparse.Namespace) -> int:
    cal = get_calibration(args.calibration)
    if args.json:
        print_json(cal.to_dict())
        return 0
    for k, v in cal.to_dict().items():
        print(f"{k}: {v}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - convenience
    from tactile.cli.main import main as tactile_main

    return tactile_main(["calibrate", *(argv or [])])
