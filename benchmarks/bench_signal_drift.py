"""Blind: signal drift on the real grasps (issue 11, "a new object, any day, from the grasp alone").

    python benchmarks/bench_signal_drift.py STORE.h5 [STORE2.h5 ...] [--labels LABELLED.h5 ...]
        [--perturbations gain0.95,tare+0.1] [--grasps ID ...] [--limit N] [--json OUT.json]

:mod:`bench_appearance_drift` changed the images of a grasp; this changes its **signals**, one
change at a time, as another day, operator or gripper setting on the same rig would: the force
gauge's gain and tare, the force and width sample rates, the camera's frame rate, when the
recording starts, how hard the gripper squeezes, and where the gripper was homed. Each changed
grasp is written to a scratch HDF5 store (:class:`tactile.io.GraspWriter`, uncompressed raw
frames, the recorded frames' pixels unchanged) and estimated by
:func:`tactile.evaluation.runner.estimate_dataset` with ``protocol="blind"`` and the default
``blind`` estimator — what ``tactile estimate FILE --estimator blind`` does. The unchanged grasp
goes through the same scratch store and is checked to give the identical estimate
(``to_dict()``) as the original file.

Changes (:data:`PERTURBATIONS`, each a function of the recorded :class:`~tactile.types.Grasp`;
the stored grasps have one force and one width per frame):

mild (another day, same procedure)
    ``gain0.95`` / ``gain1.05``: force × 0.95 / × 1.05 (gauge gain).
    ``tare+0.1`` / ``tare-0.1``: force + 0.1 N / − 0.1 N (gauge tare).
    ``force_half``: the force gauge at half the rate: each odd frame repeats the previous
    frame's force (the newest reading at the frame's time).
    ``width_half``: the same for the width reading.
    ``camera_half``: the camera at half the frame rate: every other frame dropped, with its
    force, width and time stamp.
    ``late_start``: the recording starts later: the first 30 % (rounded down) of the frames
    before the force first reaches 5 % of its peak are dropped (fewer no-contact frames).
    ``force_late1`` / ``width_late1``: the force / the width reading one frame (1/fps) later
    than the images (another latency on the bus): each frame gets the previous frame's value.
strong (another procedure)
    ``lighter``: the recording cut at the first frame where the force reaches 70 % of its peak
    (a lighter grasp: no hold, no unloading).
    ``width+0.3``: every width + 0.3 mm (the gripper re-homed).

Pre-registered criterion (written before any changed estimate was computed; BENCHMARKS.md
"Blind: signal drift on the real grasps"), per change, objects grouped by ``meta.object_id``
over all files (with ``--labels``; without, each file's objects are its own and each grasp's
label is its metadata's), labels read from the labelled copies only for scoring:

* no grasp raises anything but a :class:`~tactile.errors.TactileError` (a traceback fails);
* every error is a TactileError with a hint (``(fix: ...)`` in its text);
* no false claim on any grasp: a lower bound (``lower_bound_only``) above the label, or
  ``stiffer_than_gel`` on an object whose label is below the calibration's gel modulus;
* mild changes only, per object: the median log10 E (over the grasps estimated both before
  and after) moves by at most ``--tol`` (0.1 dex), the majority ``stiffer_than_gel`` and
  ``lower_bound_only`` do not change, and no grasp estimated at baseline fails.

Reported but not in the criterion: the 95 % interval's coverage of the label (and grasps whose
interval newly excludes it), per-grasp flips, the worst grasp. On simulated stores (labels in
each grasp's metadata, one grasp per object, randomised rigs) only the first three points were
pre-registered; the shifts are reported. The script prints the verdict of all four and exits 1
when it fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shutil
import statistics
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench_appearance_drift import _majority, object_baseline

from tactile.estimators import get_estimator
from tactile.evaluation.runner import GraspResult, estimate_dataset
from tactile.io import GraspReader, GraspWriter
from tactile.sensor import resolve_calibration
from tactile.types import Flag, Grasp

Perturbation = Callable[[Grasp], Grasp]

#: pre-contact: the frames before the force first reaches this share of its peak
PRE_CONTACT_SHARE = 0.05
LATE_START_DROP = 0.3
LIGHTER_SHARE = 0.7


def _signals(g: Grasp, **changes: np.ndarray) -> Grasp:
    """``g`` with some of its per-frame arrays replaced (its raw device streams dropped: the
    estimate does not read them, and they would no longer match)."""
    return dataclasses.replace(g, streams={}, camera_jpegs=None, **changes)


def _frames(g: Grasp, keep: np.ndarray | slice) -> Grasp:
    """``g`` with only the frames ``keep`` (and their force, width and time stamps)."""
    return _signals(
        g,
        frames=g.frames[keep],
        t_s=g.t_s[keep],
        force_n=g.force_n[keep],
        width_mm=g.width_mm[keep],
    )


def _half_rate(x: np.ndarray) -> np.ndarray:
    """A sensor at half the frame rate: each odd frame repeats the even frame before it."""
    idx = np.arange(len(x))
    return x[idx - idx % 2]


def _one_late(x: np.ndarray) -> np.ndarray:
    """A reading one frame late: each frame gets the previous frame's value."""
    return np.concatenate([x[:1], x[:-1]])


def _late_start(g: Grasp) -> Grasp:
    force = g.force_n
    onset = int(np.argmax(force >= PRE_CONTACT_SHARE * float(np.max(force))))
    return _frames(g, slice(int(LATE_START_DROP * onset), None))


def _lighter(g: Grasp) -> Grasp:
    force = g.force_n
    cut = int(np.argmax(force >= LIGHTER_SHARE * float(np.max(force))))
    return _frames(g, slice(0, cut + 1))


#: name -> (kind, change); "none" is the baseline
PERTURBATIONS: dict[str, tuple[str, Perturbation]] = {
    "none": ("base", lambda g: _signals(g)),
    "gain0.95": ("mild", lambda g: _signals(g, force_n=g.force_n * 0.95)),
    "gain1.05": ("mild", lambda g: _signals(g, force_n=g.force_n * 1.05)),
    "tare+0.1": ("mild", lambda g: _signals(g, force_n=g.force_n + 0.1)),
    "tare-0.1": ("mild", lambda g: _signals(g, force_n=g.force_n - 0.1)),
    "force_half": ("mild", lambda g: _signals(g, force_n=_half_rate(g.force_n))),
    "width_half": ("mild", lambda g: _signals(g, width_mm=_half_rate(g.width_mm))),
    "camera_half": ("mild", lambda g: _frames(g, slice(None, None, 2))),
    "late_start": ("mild", _late_start),
    "force_late1": ("mild", lambda g: _signals(g, force_n=_one_late(g.force_n))),
    "width_late1": ("mild", lambda g: _signals(g, width_mm=_one_late(g.width_mm))),
    "lighter": ("strong", _lighter),
    "width+0.3": ("strong", lambda g: _signals(g, width_mm=g.width_mm + 0.3)),
}


def perturb(grasp: Grasp, name: str) -> Grasp:
    """The recorded ``grasp`` under the change ``name`` (:data:`PERTURBATIONS`)."""
    return PERTURBATIONS[name][1](grasp)


def outcome(res: GraspResult) -> dict[str, Any]:
    """The figures the criterion reads of one result."""
    est = res.estimate
    if est is None:
        return {"error": res.error, "hint": "(fix:" in (res.error or "")}
    lo95, hi95 = est.interval_95_pa
    return {
        "log10_e": math.log10(est.modulus_pa),
        "stiffer_than_gel": Flag.STIFFER_THAN_GEL in est.flags,
        "lower_bound_only": bool(est.lower_bound_only),
        "log10_lo95": math.log10(lo95),
        "log10_hi95": math.log10(hi95) if math.isfinite(hi95) else None,
        "flags": sorted(str(f) for f in est.flags),
    }


def estimate_changed(grasp: Grasp, names: Sequence[str], scratch: Path) -> dict[str, Any]:
    """``{change: outcome}`` of ``grasp`` under each change, each through a scratch store and
    :func:`estimate_dataset` (blind). Anything but a TactileError is kept as a traceback, and
    so is a change whose grasp cannot be built or written; the full baseline estimate is kept
    under ``"_none_dict"`` for the identity check."""
    est = get_estimator("blind")
    out: dict[str, Any] = {}
    for name in names:
        path = scratch / f"{name}.h5"
        try:
            changed = perturb(grasp, name)
            with GraspWriter(path, overwrite=True, compression=None) as w:
                w.append(changed)
            (res,) = estimate_dataset(path, est, protocol="blind")
            out[name] = outcome(res)
            if name == "none":
                out["_none_dict"] = None if res.estimate is None else repr(res.estimate.to_dict())
        except Exception:  # a bug is a result here, kept and reported
            out[name] = {"traceback": traceback.format_exc(limit=6)}
        finally:
            if path.exists():
                path.unlink()
    return out


def read_labels(paths: Sequence[Path]) -> dict[str, float]:
    """object id -> label modulus, from labelled stores."""
    labels: dict[str, float] = {}
    for p in paths:
        reader = GraspReader(p)
        for gid in reader.ids():
            meta = reader.metadata(gid)
            if meta.label_modulus_pa:
                labels[meta.object_id] = float(meta.label_modulus_pa)
    return labels


def false_claims(o: dict[str, Any], label: float | None, gel_pa: float) -> list[str]:
    """What ``o`` claims that its label contradicts."""
    if label is None or "log10_e" not in o:
        return []
    claims = []
    if o["lower_bound_only"] and o["log10_e"] > math.log10(label):
        claims.append("bound_above_label")
    if o["stiffer_than_gel"] and label < gel_pa:
        claims.append("soft_flagged_stiffer")
    return claims


def covers(o: dict[str, Any], label: float) -> bool:
    lo, hi = o["log10_lo95"], o["log10_hi95"]
    return lo <= math.log10(label) and (hi is None or math.log10(label) <= hi)


KEYS = ("stiffer_than_gel", "lower_bound_only")


def summarize(
    rows: dict[str, dict[str, dict[str, Any]]],
    objects: dict[str, str],
    labels: dict[str, float],
    gel_pa: dict[str, float],
    tol_dex: float = 0.1,
) -> dict[str, Any]:
    """``rows[change][grasp] = outcome``; ``objects[grasp] = object id``; ``labels[object]``;
    ``gel_pa[grasp]``: the gel modulus of the grasp's calibration. Per change and object: the
    median shift, majorities changed, failures, false claims; per change the verdict."""
    base = rows["none"]
    by_obj: dict[str, list[str]] = {}
    for g, o in objects.items():
        by_obj.setdefault(o, []).append(g)
    table: dict[str, dict[str, Any]] = {}
    verdicts: dict[str, dict[str, Any]] = {}
    for name, res in rows.items():
        kind = PERTURBATIONS[name][0]
        table[name] = {}
        tracebacks = [g for g in res if "traceback" in res[g]]
        no_hint = [g for g in res if "error" in res[g] and not res[g]["hint"]]
        claims = {
            g: c for g in res if (c := false_claims(res[g], labels.get(objects[g]), gel_pa[g]))
        }
        newly_uncovered = [
            g
            for g in res
            if objects[g] in labels
            and "log10_e" in res[g]
            and "log10_e" in base[g]
            and covers(base[g], labels[objects[g]])
            and not covers(res[g], labels[objects[g]])
        ]
        ok = not tracebacks and not no_hint and not claims
        for obj, gs in sorted(by_obj.items()):
            est_base = [g for g in gs if "log10_e" in base[g]]
            failed = [g for g in est_base if "log10_e" not in res[g]]
            both = [g for g in est_base if "log10_e" in res[g]]
            cell: dict[str, Any] = {
                "failed": failed,
                "errors": [res[g].get("error") or "traceback" for g in failed],
                "changed": {},
                "claims": {g: claims[g] for g in gs if g in claims},
                "n": len(gs),
            }
            cell["delta"] = (
                statistics.median(res[g]["log10_e"] for g in both)
                - statistics.median(base[g]["log10_e"] for g in both)
                if both
                else None
            )
            for key in KEYS:
                before = _majority([base[g][key] for g in est_base]) if est_base else None
                after = _majority([res[g][key] for g in both]) if both else None
                if before != after:
                    cell["changed"][key] = [before, after]
            if kind == "mild":
                cell["pass"] = (
                    not failed
                    and cell["delta"] is not None
                    and abs(cell["delta"]) <= tol_dex
                    and not cell["changed"]
                    and not cell["claims"]
                )
            else:
                cell["pass"] = not cell["claims"]
            ok &= cell["pass"]
            table[name][obj] = cell
        deltas = [
            (abs(res[g]["log10_e"] - base[g]["log10_e"]), g)
            for g in res
            if "log10_e" in res[g] and "log10_e" in base[g]
        ]
        top = max(deltas) if deltas else (math.nan, "")
        verdicts[name] = {
            "kind": kind,
            "pass": ok,
            "tracebacks": tracebacks,
            "errors_without_hint": no_hint,
            "false_claims": claims,
            "newly_uncovered": newly_uncovered,
            "covered": sum(
                1
                for g in res
                if objects[g] in labels
                and "log10_e" in res[g]
                and covers(res[g], labels[objects[g]])
            ),
            "estimated": sum(1 for g in res if "log10_e" in res[g]),
            "errors": sum(1 for g in res if "error" in res[g]),
            "worst_grasp": top[1],
            "worst_delta": (res[top[1]]["log10_e"] - base[top[1]]["log10_e"]) if top[1] else None,
            "n_over_tol": sum(d > tol_dex for d, _ in deltas),
            "grasp_flips": [
                f"{g}:{k}"
                for g in res
                if "log10_e" in res[g] and "log10_e" in base[g]
                for k in KEYS
                if res[g][k] != base[g][k]
            ],
        }
    return {
        "table": table,
        "verdicts": verdicts,
        "pass": all(v["pass"] for n, v in verdicts.items() if n != "none"),
        "tol_dex": tol_dex,
    }


def _fmt_cell(cell: dict[str, Any]) -> str:
    text = "—" if cell["delta"] is None else f"{cell['delta']:+.3f}"
    if cell["changed"]:
        text += "*" + ",".join(k[:5] for k in cell["changed"])
    if cell["failed"]:
        text += f" !{len(cell['failed'])}"
    if cell["claims"]:
        text += f" X{len(cell['claims'])}"
    return text


def markdown(summary: dict[str, Any], baseline: dict[str, Any]) -> str:
    """The per-change table (markdown) and what failed."""
    table, verdicts = summary["table"], summary["verdicts"]
    names = [n for n in table if n != "none"]
    objs = list(baseline)
    lines = [
        "| change | kind | "
        + " | ".join(objs)
        + " | worst grasp | errors | 95 % covers label | verdict |",
        "|---|---|" + "---|" * len(objs) + "---|---|---|---|",
    ]
    for name in ["none", *names]:
        v = verdicts[name]
        cells = (
            [f"{baseline[o]['median_log10_e']:.3f}" for o in objs]
            if name == "none"
            else [_fmt_cell(table[name][o]) for o in objs]
        )
        worst = (
            f"{v['worst_grasp']} {v['worst_delta']:+.3f}"
            if name != "none" and v["worst_grasp"]
            else ""
        )
        verdict = "" if name == "none" else ("pass" if v["pass"] else "**FAIL**")
        lines.append(
            f"| {name} | {v['kind']} | "
            + " | ".join(cells)
            + f" | {worst} | {v['errors']} | {v['covered']}/{v['estimated']} | {verdict} |"
        )
    lines.append("")
    lines.append(
        "Cells: Δ median log10 E (dex) of the object; `*key`: its majority changed; `!n`: n "
        "grasps estimated at baseline fail; `Xn`: n grasps make a false claim. Baseline row: "
        "the median log10 E."
    )
    notes = []
    for name in names:
        v = verdicts[name]
        for g, c in v["false_claims"].items():
            notes.append(f"- {name}: false claim {g}: {', '.join(c)}")
        for g in v["tracebacks"]:
            notes.append(f"- {name}: traceback on {g}")
        for g in v["errors_without_hint"]:
            notes.append(f"- {name}: error without a hint on {g}")
        for obj, cell in table[name].items():
            for key, (before, after) in cell["changed"].items():
                notes.append(f"- {name} / {obj}: majority {key} {before} -> {after}")
            for g, err in zip(cell["failed"], cell["errors"], strict=True):
                notes.append(f"- {name} / {obj}: {g} failed: {err}")
        if v["grasp_flips"]:
            notes.append(f"- {name}: per-grasp flips {v['grasp_flips']}")
        if v["newly_uncovered"]:
            notes.append(
                f"- {name}: 95 % interval newly excludes the label: {v['newly_uncovered']}"
            )
    return "\n".join([*lines, "", *notes])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Blind estimates of stored grasps under one signal change at a time "
        "(force gain/tare, sample rates, frame rate, late start, latency, lighter grasp, "
        "width offset), through a scratch store and tactile estimate's path.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="grasp stores (.h5)")
    parser.add_argument(
        "--labels",
        nargs="*",
        type=Path,
        default=[],
        help="labelled stores to read each object's label from (default: the grasps' own metadata)",
    )
    parser.add_argument(
        "--perturbations",
        default=",".join(n for n in PERTURBATIONS if n != "none"),
        help="comma-separated changes (default: all): "
        + ", ".join(f"{n} ({k})" for n, (k, _) in PERTURBATIONS.items() if n != "none"),
    )
    parser.add_argument("--grasps", nargs="*", default=None, help="only these grasp ids")
    parser.add_argument("--limit", type=int, default=None, help="at most N grasps per file")
    parser.add_argument("--tol", type=float, default=0.1, help="dex (default 0.1)")
    parser.add_argument(
        "--scratch", type=Path, default=None, help="scratch folder (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args(argv)
    names = [n for n in args.perturbations.split(",") if n and n != "none"]
    unknown = [n for n in names if n not in PERTURBATIONS]
    if unknown:
        parser.error(f"unknown changes {unknown}")
    names = ["none", *names]
    scratch = Path(tempfile.mkdtemp(prefix="sigdrift_", dir=args.scratch))
    labels = read_labels(args.labels)
    est = get_estimator("blind")
    t0 = time.perf_counter()
    rows: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in names}
    objects: dict[str, str] = {}
    gel_pa: dict[str, float] = {}
    same = n_checked = 0
    try:
        for path in args.files:
            reader = GraspReader(path)
            ids = [g for g in reader.ids() if not args.grasps or g in args.grasps]
            ids = ids[: args.limit] if args.limit else ids
            original = {
                r.grasp_id: r for r in estimate_dataset(path, est, grasp_ids=ids, protocol="blind")
            }
            for gid in ids:
                grasp = reader.read(gid)
                key = f"{path.name}:{gid}"
                # with --labels an object is the same across files (two sessions of one
                # rig); without, each file's objects are its own (two simulated sets reuse ids)
                obj = grasp.meta.object_id or gid
                objects[key] = obj if args.labels else f"{path.name}:{obj}"
                if not args.labels and grasp.meta.label_modulus_pa:
                    labels[objects[key]] = float(grasp.meta.label_modulus_pa)
                gel_pa[key] = resolve_calibration(grasp.meta, None).gel_modulus_pa
                res = estimate_changed(grasp, names, scratch)
                for name in names:
                    rows[name][key] = res[name]
                r = original[gid]
                n_checked += 1
                same += res.get("_none_dict") == (
                    None if r.estimate is None else repr(r.estimate.to_dict())
                ) and (r.error is None) == ("error" not in res["none"])
                print(f"  {key}: {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary = summarize(rows, objects, labels, gel_pa, args.tol)
    baseline = {
        obj: {**b, "label_log10": math.log10(labels[obj]) if obj in labels else None}
        for obj, b in object_baseline(rows["none"], objects, KEYS).items()
    }
    print(
        f"{len(objects)} grasps, {len(baseline)} objects, {len(names) - 1} changes; "
        f"{time.perf_counter() - t0:.1f} s; load {os.getloadavg()[0]:.2f}"
    )
    print(f"baseline through the scratch store = the original file's estimate: {same}/{n_checked}")
    print("baseline per object: label log10, median log10 E, majority stiffer / bound (grasps)")
    for obj, b in baseline.items():
        lab = "—" if b["label_log10"] is None else f"{b['label_log10']:.3f}"
        print(
            f"  {obj:<24} {lab}  {b['median_log10_e']:.3f}  {b['stiffer_than_gel']}  "
            f"{b['lower_bound_only']}  ({b['n']})"
        )
    print()
    print(markdown(summary, baseline))
    verdict = "HOLDS" if summary["pass"] else "FAILS"
    print(f"\npre-registered criterion: {verdict}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "objects": objects,
                    "labels": labels,
                    "baseline": baseline,
                    "identical_baseline": [same, n_checked],
                    **summary,
                },
                indent=1,
                default=str,
            )
        )
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
