"""Blind: appearance drift on the real grasps (issue 11, "Day-to-day drift").

    python benchmarks/bench_appearance_drift.py STORE.h5 [STORE2.h5 | REFERENCE_DIR ...]
        [--transforms gain1.25,shift_x3] [--grasps ID ...] [--calibration ID] [--json OUT.json]

Another day on the same rig brings another lighting, exposure, white balance, focus and camera
pose. This applies one appearance change at a time to every image of a grasp (the loading
frames, the no-contact frames a reference is chosen from, and a stored reference frame if the
grasp has one), leaves force, width and time stamps as recorded, and estimates each grasp
blind with the same calibration, the way ``tactile estimate FILE --estimator blind`` does
(:func:`tactile.evaluation.runner.estimate_stored`, its frames read through the change; the
baseline is checked against ``estimate_dataset`` to be identical). A reference-layout folder
(``../shared/data/reference_grasps``) is read whole and estimated through the same partial
path.

Changes (:data:`TRANSFORMS`): global gain x0.8 / x1.25, offset -15 / +15 grey levels, gamma
0.8 / 1.25, white balance (B x1.1, R x0.9), Gaussian blur sigma 1 px, a camera shift of 3 px
in x and in y and a 0.5 deg rotation about the image centre (``cv2.warpAffine``, borders
replicated), a JPEG re-encode at quality 60 (cv2). Not pre-registered, by name only
(:data:`COMBINED`): several at once, as a new day may bring them.

Printed: per change and object (grasps grouped by ``meta.object_id`` over all files), the
shift of the object's median log10 E from the baseline, and any change of the object's
majority ``stiffer_than_gel`` flag, ``lower_bound_only`` or imprint class
(``details["geometry"]["shape_class"]``); per change the worst grasp; and the pre-registered
verdict: robust if every median moves by at most ``--tol`` (0.1 dex) and no majority changes
(a grasp that fails only under a change fails it too). Findings: BENCHMARKS.md "Blind:
appearance drift on the real grasps (issue 11)".
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from tactile.errors import TactileError
from tactile.estimators import get_estimator
from tactile.estimators.base import AnalyticalEstimator, with_pad_area
from tactile.evaluation.runner import estimate_dataset, label_meta
from tactile.io import GraspReader
from tactile.io.reader import GraspSignals
from tactile.io.sources import is_reference_layout, iter_grasps
from tactile.processing.features import FrameSource, extract_features_from
from tactile.sensor import resolve_calibration
from tactile.types import Flag, Grasp, ModulusEstimate, with_recording_flags

Image = np.ndarray
Transform = Callable[[Image], Image]


def _lut(fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    x = np.arange(256, dtype=np.float64)
    return np.clip(np.rint(fn(x)), 0, 255).astype(np.uint8)


def _apply_lut(lut: np.ndarray) -> Transform:
    return lambda img: lut[img]


def _white_balance(img: Image) -> Image:
    """BGR frames: blue x1.1, red x0.9."""
    gains = np.array([1.1, 1.0, 0.9])
    return np.clip(np.rint(img * gains), 0, 255).astype(np.uint8)


def _blur(sigma: float) -> Transform:
    return lambda img: cv2.GaussianBlur(
        img, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE
    )


def _affine(dx: float = 0.0, dy: float = 0.0, angle_deg: float = 0.0) -> Transform:
    def apply(img: Image) -> Image:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle_deg, 1.0)
        m[:, 2] += (dx, dy)
        return cv2.warpAffine(
            img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )

    return apply


def _jpeg(quality: int) -> Transform:
    def apply(img: Image) -> Image:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)

    return apply


#: name -> per-image change (uint8 BGR (H, W, 3) -> same); "none" is the baseline.
TRANSFORMS: dict[str, Transform] = {
    "none": lambda img: img,
    "gain0.8": _apply_lut(_lut(lambda x: 0.8 * x)),
    "gain1.25": _apply_lut(_lut(lambda x: 1.25 * x)),
    "offset-15": _apply_lut(_lut(lambda x: x - 15.0)),
    "offset+15": _apply_lut(_lut(lambda x: x + 15.0)),
    "gamma0.8": _apply_lut(_lut(lambda x: 255.0 * (x / 255.0) ** 0.8)),
    "gamma1.25": _apply_lut(_lut(lambda x: 255.0 * (x / 255.0) ** 1.25)),
    "wb_b1.1_r0.9": _white_balance,
    "blur1": _blur(1.0),
    "shift_x3": _affine(dx=3.0),
    "shift_y3": _affine(dy=3.0),
    "rot0.5": _affine(angle_deg=0.5),
    "jpeg60": _jpeg(60),
}


def _chain(*names: str) -> Transform:
    def apply(img: Image) -> Image:
        for name in names:
            img = TRANSFORMS[name](img)
        return img

    return apply


#: the pre-registered changes (the default), one at a time
SINGLE = tuple(n for n in TRANSFORMS if n != "none")
#: changes a new day may bring together (not pre-registered; ``--transforms`` names them)
COMBINED = {
    "brighter_day": ("gain1.25", "gamma0.8", "offset+15"),
    "darker_day": ("gain0.8", "gamma1.25", "offset-15"),
    "dark+jpeg": ("offset-15", "gamma1.25", "jpeg60"),
    "moved_cam": ("shift_x3", "shift_y3", "rot0.5", "blur1"),
}
TRANSFORMS.update({name: _chain(*parts) for name, parts in COMBINED.items()})


def transform_frames(frames: np.ndarray, transform: Transform) -> np.ndarray:
    """(K, H, W, 3) uint8 frames, each changed by ``transform``."""
    return np.stack([transform(np.ascontiguousarray(f)) for f in frames])


@dataclasses.dataclass(frozen=True)
class GraspSource:
    """What the stored estimate reads of one grasp: its signals (a whole :class:`Grasp` is
    one) and a frame reader."""

    file: str
    grasp_id: str
    signals: GraspSignals | Grasp
    read_frames: Callable[[Sequence[int]], np.ndarray]


def iter_sources(path: Path, grasp_ids: Sequence[str] | None = None) -> Iterator[GraspSource]:
    """The grasps of an HDF5 store (read partially) or a reference-layout folder (read whole)."""
    if is_reference_layout(path):
        for gid, load in iter_grasps(path, grasp_ids=grasp_ids):
            grasp = load()
            frames = grasp.frames
            yield GraspSource(str(path), gid, grasp, lambda idx, f=frames: f[idx])
        return
    reader = GraspReader(path)
    ids = [g for g in reader.ids() if not grasp_ids or g in grasp_ids]
    for gid in ids:
        yield GraspSource(
            str(path), gid, reader.read_signals(gid), partial(reader.read_frames, gid)
        )


def estimate_changed(
    src: GraspSource,
    estimator: AnalyticalEstimator,
    transform: Transform,
    calibration: str | None = None,
    max_image_frames: int | None = 4,
) -> ModulusEstimate:
    """The stored-grasp estimate (:func:`~tactile.evaluation.runner.estimate_stored` step by
    step, then the recording's flags as ``tactile estimate`` adds them) with every image the
    estimate reads, the stored reference included, changed by ``transform``."""
    recorded = src.signals.meta
    meta = label_meta(recorded, None, "given")
    ref = src.signals.reference_frame
    signals = dataclasses.replace(
        src.signals, meta=meta, reference_frame=None if ref is None else transform(ref)
    )
    cal = with_pad_area(resolve_calibration(meta, calibration), signals)
    frames = FrameSource(lambda idx: transform_frames(src.read_frames(idx), transform))
    needed = estimator.image_frames(meta)
    if max_image_frames is not None and needed is not None:
        max_image_frames = min(max_image_frames, needed)
    feats = extract_features_from(signals, frames, cal, max_image_frames=max_image_frames)
    est = estimator.estimate_features(feats, meta=meta, calibration=cal)
    return with_recording_flags(est, recorded)


def outcome(est: ModulusEstimate | None, error: str | None = None) -> dict[str, Any]:
    """The figures the criterion reads of one estimate."""
    if est is None:
        return {"error": error}
    geometry = est.details.get("geometry") or {}
    return {
        "log10_e": math.log10(est.modulus_pa),
        "stiffer_than_gel": Flag.STIFFER_THAN_GEL in est.flags,
        "lower_bound_only": bool(est.lower_bound_only),
        "shape_class": geometry.get("shape_class"),
        "pad_fill_peak": geometry.get("pad_fill_peak"),
        "flags": sorted(str(f) for f in est.flags),
    }


def _majority(values: list[Any]) -> Any:
    """The most common value; a tie is the sorted tuple of the tied values."""
    counts = Counter(values).most_common()
    top = [v for v, c in counts if c == counts[0][1]]
    return top[0] if len(top) == 1 else tuple(sorted(top, key=str))


KEYS = ("stiffer_than_gel", "lower_bound_only", "shape_class")


def object_baseline(
    base: dict[str, dict[str, Any]], objects: dict[str, str], keys: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Per object (``objects``: grasp -> object) of the unchanged rows ``base`` (grasp ->
    outcome): its estimated grasps, their median log10 E and the majority of each of ``keys``
    (None without an estimated grasp)."""
    out = {}
    for obj in sorted(set(objects.values())):
        gs = [g for g, o in objects.items() if o == obj and "log10_e" in base[g]]
        out[obj] = {
            "n": len(gs),
            "median_log10_e": statistics.median(base[g]["log10_e"] for g in gs) if gs else math.nan,
            **{k: _majority([base[g][k] for g in gs]) if gs else None for k in keys},
        }
    return out


def summarize(
    rows: dict[str, dict[str, dict[str, Any]]],
    objects: dict[str, str],
    tol_dex: float = 0.1,
) -> dict[str, Any]:
    """``rows[transform][grasp] = outcome``; ``objects[grasp] = object id``. Per transform and
    object: Δ median log10 E, the majorities that changed, failures; per transform the worst
    grasp; and the verdict."""
    base = rows["none"]
    by_obj: dict[str, list[str]] = {}
    for g, o in objects.items():
        by_obj.setdefault(o, []).append(g)
    table: dict[str, dict[str, Any]] = {}
    worst: dict[str, Any] = {}
    robust = True
    for name, res in rows.items():
        if name == "none":
            continue
        table[name] = {}
        for obj, gs in sorted(by_obj.items()):
            ok = [g for g in gs if "log10_e" in base[g]]
            failed = [g for g in ok if "log10_e" not in res[g]]
            both = [g for g in ok if "log10_e" in res[g]]
            cell: dict[str, Any] = {"failed": failed, "changed": {}}
            if both:
                cell["delta"] = statistics.median(res[g]["log10_e"] for g in both) - (
                    statistics.median(base[g]["log10_e"] for g in ok)
                )
            else:
                cell["delta"] = None
            for key in KEYS:
                before = _majority([base[g][key] for g in ok])
                after = _majority([res[g][key] for g in both]) if both else None
                if before != after:
                    cell["changed"][key] = [before, after]
            cell["pass"] = (
                not failed
                and cell["delta"] is not None
                and abs(cell["delta"]) <= tol_dex
                and not cell["changed"]
            )
            robust &= cell["pass"]
            table[name][obj] = cell
        deltas = [
            (abs(res[g]["log10_e"] - base[g]["log10_e"]), g)
            for g in res
            if "log10_e" in res[g] and "log10_e" in base[g]
        ]
        flips = [
            f"{g}:{k}"
            for g in res
            if "log10_e" in res[g] and "log10_e" in base[g]
            for k in KEYS
            if res[g][k] != base[g][k]
        ]
        fills = [
            (abs(res[g]["pad_fill_peak"] - base[g]["pad_fill_peak"]), g)
            for g in res
            if res[g].get("pad_fill_peak") is not None and base[g].get("pad_fill_peak") is not None
        ]
        top = max(deltas) if deltas else (math.nan, "")
        top_fill = max(fills) if fills else (math.nan, "")
        worst[name] = {
            "grasp": top[1],
            "abs_delta": top[0],
            "delta": res[top[1]]["log10_e"] - base[top[1]]["log10_e"] if top[1] else None,
            "n_over_tol": sum(d > tol_dex for d, _ in deltas),
            "grasp_flips": flips,
            "fill_median_abs": statistics.median(d for d, _ in fills) if fills else None,
            "fill_worst": top_fill[0],
            "fill_worst_grasp": top_fill[1],
            "fill_worst_from_to": [
                base[top_fill[1]]["pad_fill_peak"],
                res[top_fill[1]]["pad_fill_peak"],
            ]
            if top_fill[1]
            else None,
        }
    return {"table": table, "worst": worst, "robust": robust, "tol_dex": tol_dex}


def _fmt_cell(cell: dict[str, Any]) -> str:
    text = "fail" if cell["delta"] is None else f"{cell['delta']:+.3f}"
    if cell["changed"]:
        text += "*" + ",".join(k[:5] for k in cell["changed"])
    if cell["failed"]:
        text += f"!{len(cell['failed'])}"
    return text


def print_report(summary: dict[str, Any], baseline: dict[str, Any]) -> None:
    table = summary["table"]
    names = list(table)
    objs = list(table[names[0]]) if names else []
    print("baseline per object: median log10 E, majority stiffer/bound/class")
    for obj, b in baseline.items():
        print(
            f"  {obj:<22} {b['median_log10_e']:.3f}  {b['stiffer_than_gel']}  "
            f"{b['lower_bound_only']}  {b['shape_class']}  ({b['n']} grasps)"
        )
    print()
    w = max(12, *(len(o) for o in objs)) if objs else 12
    print(
        "Δ median log10 E (dex) per change and object; *key: a majority changed; !n: n grasps "
        "failed"
    )
    print(f"{'change':<14}" + "".join(f"{o[:w]:>{w + 1}}" for o in objs) + "   worst grasp")
    for name in names:
        cells = "".join(f"{_fmt_cell(table[name][o]):>{w + 1}}" for o in objs)
        wst = summary["worst"][name]
        tail = (
            f"   {wst['grasp']} {wst['delta']:+.3f} ({wst['n_over_tol']} grasps > tol)"
            if wst["grasp"] and wst["abs_delta"] > 0
            else "   no grasp's E moved"
        )
        print(f"{name:<14}{cells}{tail}")
    print()
    for name in names:
        for obj in objs:
            cell = table[name][obj]
            for key, (before, after) in cell["changed"].items():
                print(f"  {name} / {obj}: majority {key} {before} -> {after}")
            if cell["failed"]:
                print(f"  {name} / {obj}: failed {cell['failed']}")
        if summary["worst"][name]["grasp_flips"]:
            print(f"  {name}: per-grasp flips {summary['worst'][name]['grasp_flips']}")
    print(
        "\nthe imprint behind the class (not in the criterion): |Δ pad fill at peak| (share of "
        "the pad covered by the contact mask), median and worst grasp"
    )
    for name in names:
        wst = summary["worst"][name]
        if wst["fill_worst_grasp"]:
            a, b = wst["fill_worst_from_to"]
            print(
                f"  {name:<14} median {wst['fill_median_abs']:.3f}  worst {wst['fill_worst']:.3f} "
                f"({wst['fill_worst_grasp']}: {a:.2f} -> {b:.2f})"
            )
    verdict = "ROBUST" if summary["robust"] else "FRAGILE"
    print(f"\ncriterion (≤ {summary['tol_dex']} dex, no majority change): {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Blind estimates of real grasps under one appearance change at a time "
        "(gain, offset, gamma, white balance, blur, camera shift/rotation, JPEG).",
    )
    parser.add_argument("files", nargs="+", type=Path, help="grasp stores or reference folders")
    parser.add_argument(
        "--transforms",
        default=",".join(SINGLE),
        help=f"comma-separated changes (default: the pre-registered {', '.join(SINGLE)}); "
        + "; ".join(f"{k} = {' then '.join(v)}" for k, v in COMBINED.items()),
    )
    parser.add_argument("--grasps", nargs="*", default=None, help="only these grasp ids")
    parser.add_argument("--calibration", default=None, help="default: the one each grasp names")
    parser.add_argument("--tol", type=float, default=0.1, help="dex (default 0.1)")
    parser.add_argument(
        "--no-cli-check",
        action="store_true",
        help="skip checking the baseline against estimate_dataset (tactile estimate)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args(argv)
    names = [n for n in args.transforms.split(",") if n]
    unknown = [n for n in names if n not in TRANSFORMS]
    if unknown:
        parser.error(f"unknown changes {unknown}")
    names = ["none", *[n for n in names if n != "none"]]
    estimator = get_estimator("blind")
    assert isinstance(estimator, AnalyticalEstimator)
    t0 = time.perf_counter()
    rows: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in names}
    objects: dict[str, str] = {}
    cli_same = cli_n = 0
    full: dict[str, str | None] = {}  # the baseline estimates, whole, for the check
    for path in args.files:
        for src in iter_sources(path, args.grasps):
            key = f"{path.name}:{src.grasp_id}"
            objects[key] = src.signals.meta.object_id or src.grasp_id
            for name in names:
                try:
                    est = estimate_changed(src, estimator, TRANSFORMS[name], args.calibration)
                    rows[name][key] = outcome(est)
                except TactileError as exc:
                    est = None
                    rows[name][key] = outcome(None, str(exc))
                if name == "none":
                    full[key] = None if est is None else repr(est.to_dict())
        if not args.no_cli_check:
            for r in estimate_dataset(
                path, estimator, grasp_ids=args.grasps, calibration=args.calibration
            ):
                key = f"{path.name}:{r.grasp_id}"
                cli_n += 1
                theirs = None if r.estimate is None else repr(r.estimate.to_dict())
                cli_same += full[key] == theirs and rows["none"][key].get("error") == r.error
    if not rows["none"]:
        parser.error("no grasps read")
    summary = summarize(rows, objects, args.tol)
    baseline = object_baseline(rows["none"], objects, KEYS)
    print(
        f"{len(objects)} grasps, {len(baseline)} objects, {len(names) - 1} changes; "
        f"{time.perf_counter() - t0:.1f} s; load {os.getloadavg()[0]:.2f}"
    )
    if not args.no_cli_check:
        print(f"baseline = tactile estimate --estimator blind: {cli_same}/{cli_n} identical")
    print_report(summary, baseline)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"rows": rows, "objects": objects, "baseline": baseline, **summary},
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
