"""``tactile inspect``: what is in a grasp file or directory."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tactile.cli._common import add_json_flag, print_json
from tactile.errors import StoreError
from tactile.types import format_pa, pad


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inspect",
        help="list the grasps in a grasp file (.h5) or directory",
        description="Show schema version, grasps, frames, duration, force/width ranges, labels.",
    )
    p.add_argument("file", type=Path, help="grasp dataset: a .h5 file or a directory")
    p.add_argument(
        "--grasp",
        metavar="ID|NAME",
        help="show one grasp in detail, with its metadata: its grasp id, or the name of the "
        "recording it was imported from (e.g. 'golf ball 2': any case, spaces, _ and - alike)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def _span(values: list[float], fmt: str = ".1f") -> str:
    return f"{values[0]:{fmt}}..{values[1]:{fmt}}" if values else "-"


def _geometry(reader: Any, gid: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The object's geometry as the grasp's force and width show it (no images read), with
    the size bias of the calibration the estimators use for it (a simulated rig's own, else the
    one it names); None when it cannot be read. The
    signals are read as the blind estimator reads them (the width on the force's clock, a
    motion force removed: :mod:`tactile.processing.grasp_signals`).

    Second: the force reading's zero as the estimators read it
    (:func:`~tactile.processing.loading.force_zero`): ``{"offset_taken_off_n", "note"}`` where
    it has something to say (an offset taken off, or a start off zero read as a grasp starting
    in contact), else None (review47: inspect never showed the offset it took off)."""
    from tactile.errors import TactileError
    from tactile.processing.grasp_geometry import infer_geometry
    from tactile.processing.grasp_signals import correct_signals
    from tactile.processing.loading import despike, zero_force
    from tactile.sensor import resolve_calibration

    signals = reader.read_signals(gid)
    bias, bias_sd, rig = 0.0, 2.0, 0.0
    try:
        # the calibration the estimators use: a simulated grasp's own stored rig, else its id
        # (review40 M3: by id alone a simulated rig's width bias and compliance were ignored)
        cal = resolve_calibration(signals.meta)
        bias, bias_sd = cal.contact_width_bias_mm, cal.contact_width_bias_sd_mm
        rig = cal.rig_compliance_mm_per_n
    except TactileError:
        pass
    force = np.asarray(signals.force_n, dtype=np.float64)
    width = np.asarray(signals.width_mm, dtype=np.float64)
    if not (np.all(np.isfinite(force)) and np.all(np.isfinite(width))):
        return None, None  # unusable samples (reported as problems)
    zero_shown = None
    if force.size >= 3:  # force glitches removed as blind's features remove them (docs40)
        # a force reading's offset taken off as the estimators take it off (review46 M3)
        force, zero = zero_force(despike(force)[0], width)
        if zero.note is not None:
            level = zero.level_n if zero.taken_off else 0.0
            zero_shown = {"offset_taken_off_n": level, "note": zero.note}
    if force.max() < 0.3:
        return None, zero_shown  # no squeeze
    corrected = correct_signals(np.asarray(signals.t_s, dtype=np.float64), force, width, rig)
    force, width = corrected.force_n, corrected.width_mm
    geo = infer_geometry(
        force,
        width,
        contact_width_bias_mm=bias,
        contact_width_bias_sd_mm=bias_sd,
    )
    return geo.to_dict(), zero_shown


def _imprint_geometry(reader: Any, gid: str) -> tuple[dict[str, Any] | None, str | None]:
    """The object's geometry as the blind estimator reads it from this grasp: force, width and
    the imprint (shape class, pad fill, patch, radius from the imprint's growth), exactly the
    ``details["geometry"]`` of ``tactile estimate --estimator blind``; (None, why) when the
    grasp cannot be read that way (no contact, unreadable frames, ...). Reads the frames the
    estimate needs (about a tenth of a second per command)."""
    from tactile.errors import TactileError
    from tactile.estimators.blind import BlindEstimator
    from tactile.evaluation.runner import estimate_stored

    try:
        _, est = estimate_stored(reader, gid, BlindEstimator(), protocol="blind")
    except TactileError as exc:
        return None, exc.message
    geo = est.details.get("geometry")
    if not isinstance(geo, dict):
        return None, "the blind estimate carries no geometry"
    return geo, None


def _imprint_line(geo: dict[str, Any]) -> str:
    """One line of the imprint's geometry for the text output."""
    parts = [f"shape {geo['shape_class']}"]
    if geo.get("size_mm") is not None:
        # blind's own size and closure (for an object it can only bound it widens the touch
        # beyond the three onset readings, so it can differ from the force-and-width reading,
        # shown only where this one is missing)
        parts.append(
            f"size {geo['size_mm']:.1f} ± {geo['size_sd_mm']:.1f} mm, closure "
            f"{geo['closure_mm']:.1f} mm"
        )
    plausible = geo.get("plausible_shapes") or ()
    if geo["shape_class"] in ("unknown", "irregular") and plausible:
        parts[0] += f" (plausible: {', '.join(plausible)})"
    if geo.get("radius_from_imprint_mm") is not None:
        sd = geo.get("radius_from_imprint_sd_mm")
        parts.append(
            f"radius from the imprint {geo['radius_from_imprint_mm']:.1f}"
            + (f" ± {sd:.1f}" if sd is not None else "")
            + " mm"
        )
    if geo.get("contact_length_mm") is not None:
        parts.append(f"contact length {geo['contact_length_mm']:.1f} mm")
    if geo.get("pad_fill_peak") is not None:
        parts.append(f"pad fill {100 * geo['pad_fill_peak']:.0f} % at the peak")
    if geo.get("patch_aspect") is not None:
        parts.append(f"patch {geo['patch_aspect']:.1f}:1")
    return "; ".join(parts) + f" ({geo.get('evidence', '')})"


def _warn_problems(rows: list[dict[str, Any]]) -> int:
    """Print each grasp's problems (NaN samples ...) to stderr; 1 when there are any."""
    bad = [r for r in rows if r.get("problems")]
    for r in bad:
        for problem in r["problems"]:
            print(f"tactile inspect: warning: grasp {r['grasp_id']}: {problem}", file=sys.stderr)
    if bad:
        print(
            f"tactile inspect: {len(bad)} grasp(s) have unusable samples; re-import or "
            "re-record them (ranges above count only finite values)",
            file=sys.stderr,
        )
    return 1 if bad else 0


def _one_grasp(reader: Any, gid: str, as_json: bool) -> int:
    info = reader.summary(gid)
    meta = reader.metadata(gid).to_dict()
    geometry, zero = _geometry(reader, gid)
    # read even where force and width give no geometry (no squeeze): the estimate then says
    # why (review40: the line and `geometry_imprint_unavailable` were silent there)
    imprint, why = _imprint_geometry(reader, gid)
    if as_json:
        print_json(
            {
                "path": str(reader.path),
                "grasp": info,
                "metadata": meta,
                "geometry": geometry,
                # the blind estimator's reading of force, width and imprint (issue 11)
                "geometry_imprint": imprint,
                "geometry_imprint_unavailable": why,
                "force_zero": zero,
            }
        )
        return _warn_problems([info])
    for key, value in {**info, **{k: v for k, v in meta.items() if k not in info}}.items():
        print(f"{key:<20} {value}")
    if zero is not None:
        print(f"{'force zero':<20} {zero['note']}")
    if imprint is not None:
        print(f"{'geometry (imprint)':<20} {_imprint_line(imprint)}")
    else:
        if why is not None:
            print(f"{'geometry (imprint)':<20} not read: {why}")
        if geometry is not None:
            # only where the imprint could not be read: force and width with blind's signal
            # corrections, but no imprint and no widening of the touch for a bound (docs40)
            print(
                f"{'geometry (grasp)':<20} size {geometry['size_mm']:.1f} ± "
                f"{geometry['size_sd_mm']:.1f} mm, closure {geometry['closure_mm']:.1f} mm at "
                f"{geometry['hold_force_n']:.1f} N (force and width only: no imprint, no "
                "widening for a bound)"
            )
    return _warn_problems([info])


def run(args: argparse.Namespace) -> int:
    from tactile.io import GraspReader
    from tactile.io.sources import grasp_id_named, is_reference_layout

    if is_reference_layout(args.file):  # docs41: a folder of recordings read as 0 grasps, rc 0
        raise StoreError(
            f"{args.file} holds reference recordings (NAME.avi + pickles), not a grasp store",
            hint=f"import it first (`tactile import {shlex.quote(str(args.file))} out.h5`) and "
            f"inspect out.h5, or estimate the recordings directly "
            f"(`tactile estimate {shlex.quote(str(args.file))}`)",
        )
    with GraspReader(args.file) as reader:
        if args.grasp is not None:  # an id, or the recording's name (newuser41)
            return _one_grasp(reader, grasp_id_named(reader, args.grasp), args.json)
        rows = [reader.summary(gid) for gid in reader.ids()]
        header: dict[str, Any] = {
            "path": str(args.file),
            "format": "tactile-grasps",
            "schema_version": reader.schema_version,
            "n_grasps": len(rows),
            "n_files": len(reader.files),
            "pending_ids": reader.pending_ids,
        }
    if args.json:
        print_json({**header, "grasps": rows})
        return _warn_problems(rows)
    print(
        f"{args.file}: tactile-grasps schema {reader.schema_version}, {len(rows)} grasp(s) "
        f"in {header['n_files']} file(s)"
    )
    if header["pending_ids"]:
        print(f"  not yet consolidated (writer running or interrupted): {header['pending_ids']}")
    if not rows:
        return 0
    print(
        f"{'grasp_id':<24} {'object':<20} {'frames':>6} {'HxW':>9} {'dur s':>6} "
        f"{'force N':>11} {'width mm':>11} {'label':>9}  source / calibration"
    )
    for r in rows:
        hw = f"{r['frame_shape'][0]}x{r['frame_shape'][1]}"
        label = format_pa(r["label_modulus_pa"]) if r["label_modulus_pa"] else "none"
        print(
            f"{r['grasp_id']:<24} {pad(r['object_id'], 20)} {r['n_frames']:>6} {hw:>9} "
            f"{r['duration_s']:>6.2f} {_span(r['force_range_n']):>11} "
            f"{_span(r['width_range_mm']):>11} {label:>9}  {r['source']} / {r['calibration_id']}"
        )
    return _warn_problems(rows)
