"""Blind: a per-hypothesis touch (touchfit, issue 11), a prototype with a pre-registered rule.

    python benchmarks/bench_touch_fit.py [--sim-below F] [--sim-test F] [--sim-val F]
        [--extra F ...] [--real F ...] [--variants main V1 V2] [--limit N] [--json OUT]

Question: blind reads a soft or curved object's first touch late (BENCHMARKS.md "Blind: how late
is the touch read?": the median of ``hinge_1.5``, ``hinge_1`` and ``force_onset`` is a median
2.8 mm late on sim_below). Does centring each shape hypothesis on the touch of its own contact
law (``BlindEstimator(touch_per_hypothesis=...)``, opt-in, off by default) fix enough of it?

Variants (``benchmarks/results/touchfit_prereg.md``, committed before any result):

* ``main``: ``BlindEstimator()`` (every hypothesis at the median touch);
* ``V1`` (``touch_per_hypothesis="all"``): sphere from ``hinge_1.5``, cylinder from the line
  law's hinge (:func:`tactile.processing.grasp_geometry.line_contact_width`), flat from
  ``hinge_1``;
* ``V2`` (``"curved"``): V1 for the sphere and cylinder, the flat face at the median.

The rig calibrations are the stored ones (their golf presses are not re-read with the laws).

Criterion (every clause must pass; main re-measured here is the reference):

(a) sim_below within a decade ≥ 85 % (eval_sim_families' per-object scoring, flagged = wrong,
    every object counted below the limit);
(b) no false bound (flagged, lower bound above the label), per grasp, on every simulated file;
(c) sim_test objects with label ≥ 100 × their rig's true gel flagged: not fewer than main;
(d) the real grasps (``estimate_dataset`` with the stored calibration, as ``tactile estimate
    FILE --estimator blind --json``): each object's median log10 within 0.1 dex of main's and
    the same flag (majority lower-bound-only);
(e) ``blind+gel`` (the simulated rig's true gel) on sim_below within a decade ≥ 95 %.

Command (all files, ~15 min on one core at load ~1; ``--limit N``: the first N grasps of each
simulated file, a smoke run)::

    PYTHONPATH=. python benchmarks/bench_touch_fit.py --sim-below /tmp/data/sim_below.h5 \\
        --sim-test /tmp/data/sim_test.h5 --sim-val /tmp/data/sim_val.h5 \\
        --extra /tmp/boundreview/rr.h5 /tmp/boundreview/rr2.h5 \\
        --real /tmp/data/ref_0612_nolabel.h5 /tmp/data/ref_1612_nolabel.h5 --json touchfit.json

Findings: BENCHMARKS.md "Blind: a per-hypothesis touch (touchfit ...)".
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_sim_families import estimate_fields, per_object, with_true_gel

from tactile.errors import TactileError
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.evaluation.runner import estimate_dataset
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration

#: The estimators compared (the pre-registered variants).
VARIANTS: dict[str, str | None] = {"main": None, "V1": "all", "V2": "curved"}
WITHIN_MIN = 0.85
WITH_GEL_MIN = 0.95
REAL_MAX_DEX = 0.1
RIGID_FACTOR = 100.0


def estimator(variant: str) -> BlindEstimator:
    return BlindEstimator(touch_per_hypothesis=VARIANTS[variant])


def sim_rows(
    path: Path, variants: Sequence[str], limit: int | None, with_gel: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Per variant (and ``<variant>+gel`` with ``with_gel``), one row per grasp as
    ``eval_sim_families.rows_for`` writes it (blind on ``blind_metadata``, the grasp's
    calibration), plus the rig's true gel modulus; each grasp read once."""
    out: dict[str, list[dict[str, Any]]] = {}
    reader = GraspReader(path)
    ests = {v: estimator(v) for v in variants}
    for gid in reader.ids()[:limit]:
        grasp = reader.read(gid)
        meta = grasp.meta
        g = replace(grasp, meta=blind_metadata(meta))
        base = {
            "grasp": gid,
            "object": meta.object_id,
            "label": math.log10(meta.label_modulus_pa or 1.0),
            "family": "foam" if meta.extra.get("object_material") == "foam" else "linear",
            "material": str(meta.extra.get("object_material", "")),
            "shape": meta.shape,
            "true_gel_pa": float(meta.extra.get("true_gel_modulus_pa", math.nan)),
        }
        cals = {"": resolve_calibration(meta)}
        if with_gel:
            cals["+gel"] = with_true_gel(meta)
        for v, est in ests.items():
            for suffix, cal in cals.items():
                row = dict(base)
                try:
                    e = est.estimate(g, calibration=cal)
                except TactileError as exc:
                    row["error"] = exc.message
                else:
                    row.update(estimate_fields(e))
                out.setdefault(v + suffix, []).append(row)
    return out


def within_share(rows: list[dict[str, Any]]) -> tuple[float, int, int]:
    """(share within a decade, within, objects) per object as eval_sim_families scores blind
    without the network (every object below the limit; a flagged object counts as wrong)."""
    objs = per_object(rows, {})
    ok = sum((not o["refused"]) and (not o["flagged"]) and abs(o["log10"] - o["label"]) <= 1.0
             for o in objs)  # fmt: skip
    return ok / max(len(objs), 1), ok, len(objs)


def false_bounds(rows: list[dict[str, Any]]) -> list[str]:
    """Grasps flagged with a lower bound above the label."""
    return [r["grasp"] for r in rows if r.get("flagged") and r["log10"] > r["label"]]


def rigid_flagged(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(flagged, objects) among the grasps whose label is ≥ 100 × their rig's true gel."""
    rigid = [
        r for r in rows
        if math.isfinite(r["true_gel_pa"])
        and r["label"] >= math.log10(RIGID_FACTOR * r["true_gel_pa"])
    ]  # fmt: skip
    return sum(bool(r.get("flagged")) for r in rigid), len(rigid)


def real_objects(path: Path, variant: str) -> dict[str, dict[str, Any]]:
    """Per object of a real file: the median log10 of its grasps' estimates and whether most
    are lower bounds (``estimate_dataset`` with the stored calibration, as ``tactile estimate
    FILE --estimator blind`` runs)."""
    by: dict[str, list[Any]] = {}
    for r in estimate_dataset(path, estimator(variant)):
        by.setdefault(r.object_id, []).append(r.estimate)
    out = {}
    for obj, es in by.items():
        ok = [e for e in es if e is not None]
        out[obj] = {
            "n": len(es),
            "failed": len(es) - len(ok),
            "log10": float(np.median([e.log10_modulus for e in ok])) if ok else math.nan,
            "flagged": sum(e.lower_bound_only for e in ok) > len(ok) / 2,
        }
    return out


def compare_real(
    main: dict[str, dict[str, Any]], other: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Clause (d): the largest |Δ median log10| over the objects and the flags that changed."""
    deltas = {k: other[k]["log10"] - main[k]["log10"] for k in main}
    moved = {k: d for k, d in deltas.items() if not abs(d) <= REAL_MAX_DEX}
    flips = [k for k in main if main[k]["flagged"] != other[k]["flagged"]]
    worst = max((abs(d) for d in deltas.values()), default=0.0)
    return {"max_dex": worst, "moved": moved, "flag_changes": flips, "deltas": deltas}


def verdicts(results: dict[str, Any], variant: str) -> dict[str, bool]:
    """The five clauses for one variant, from ``results`` (see :func:`run`)."""
    main = results["clauses"]["main"]
    mine = results["clauses"][variant]
    out = {}
    if "a_within" in mine:
        out["a"] = mine["a_within"] >= WITHIN_MIN
    if "b_false_bounds" in mine:
        out["b"] = mine["b_false_bounds"] == 0
    if "c_rigid_flagged" in mine:
        out["c"] = mine["c_rigid_flagged"] >= main["c_rigid_flagged"]
    if "d_real" in mine:
        out["d"] = mine["d_real"]["max_dex"] <= REAL_MAX_DEX and not mine["d_real"]["flag_changes"]
    if "e_within_gel" in mine:
        out["e"] = mine["e_within_gel"] >= WITH_GEL_MIN
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    variants = list(args.variants)
    clauses: dict[str, dict[str, Any]] = {v: {} for v in variants}
    per_file: dict[str, dict[str, list[dict[str, Any]]]] = {}
    sims = [
        (p, role) for p, role in (
            (args.sim_below, "below"), (args.sim_test, "test"), (args.sim_val, "val"),
        ) if p is not None
    ] + [(p, "extra") for p in args.extra]  # fmt: skip
    for path, role in sims:
        rows = sim_rows(path, variants, args.limit, with_gel=role == "below")
        per_file[path.name] = rows
        for v in variants:
            c = clauses[v]
            fb = false_bounds(rows[v])
            c.setdefault("b_false_bounds", 0)
            c["b_false_bounds"] += len(fb)
            c.setdefault("b_detail", {})[path.name] = {
                "false": fb,
                "flagged": sum(bool(r.get("flagged")) for r in rows[v]),
                "failed": sum("error" in r for r in rows[v]),
                "n": len(rows[v]),
            }
            if role == "below":
                c["a_within"], c["a_ok"], c["a_objects"] = within_share(rows[v])
                c["e_within_gel"], c["e_ok"], _ = within_share(rows[v + "+gel"])
                c["a_missed"] = [
                    o["object"] for o in per_object(rows[v], {})
                    if o["refused"] or o["flagged"] or abs(o["log10"] - o["label"]) > 1.0
                ]  # fmt: skip
                fbg = false_bounds(rows[v + "+gel"])
                c["e_false_bounds"] = len(fbg)
            if role == "test":
                c["c_rigid_flagged"], c["c_rigid_objects"] = rigid_flagged(rows[v])
        print(f"{path.name}: done", flush=True)
    if args.real:
        real = {v: {} for v in variants}  # type: dict[str, dict[str, Any]]
        for path in args.real:
            for v in variants:
                real[v].update({f"{path.name}:{k}": o for k, o in real_objects(path, v).items()})
        for v in variants:
            clauses[v]["d_real"] = compare_real(real["main"], real[v])
            clauses[v]["d_objects"] = real[v]
        print("real: done", flush=True)
    results: dict[str, Any] = {"clauses": clauses, "rows": per_file}
    results["verdicts"] = {v: verdicts(results, v) for v in variants if v != "main"}
    return results


def report(results: dict[str, Any]) -> None:
    clauses = results["clauses"]
    print("\nclause | " + " | ".join(clauses))
    print("---|" + "---|" * len(clauses))

    def line(name: str, fmt: Any) -> None:
        print(f"{name} | " + " | ".join(fmt(c) for c in clauses.values()))

    line("(a) sim_below within", lambda c: (
        f"{100 * c['a_within']:.1f} % ({c['a_ok']}/{c['a_objects']})" if "a_within" in c else "–"
    ))  # fmt: skip
    line("(b) false bounds", lambda c: f"{c.get('b_false_bounds', '–')}")
    for name in next(iter(clauses.values())).get("b_detail", {}):
        line(f"  {name} flagged / false / failed", lambda c, n=name: (
            f"{c['b_detail'][n]['flagged']}/{c['b_detail'][n]['n']} / "
            f"{len(c['b_detail'][n]['false'])} / {c['b_detail'][n]['failed']}"
        ))  # fmt: skip
    line("(c) sim_test rigid flagged", lambda c: f"{c['c_rigid_flagged']}/{c['c_rigid_objects']}"
         if "c_rigid_flagged" in c else "–")  # fmt: skip
    line("(d) real max |Δ| dex, flag changes", lambda c: (
        f"{c['d_real']['max_dex']:.3f}, {len(c['d_real']['flag_changes'])}"
        if "d_real" in c else "–"
    ))  # fmt: skip
    line("(e) sim_below +gel within", lambda c: f"{100 * c['e_within_gel']:.1f} % ({c['e_ok']})"
         if "e_within_gel" in c else "–")  # fmt: skip
    line("sim_below missed", lambda c: " ".join(c.get("a_missed", [])))
    for v, verdict in results["verdicts"].items():
        ok = all(verdict.values()) and len(verdict) == 5
        print(f"{v}: " + ", ".join(f"({k}) {'pass' if p else 'FAIL'}" for k, p in verdict.items())
              + f" -> {'PASS' if ok else 'fail'}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--sim-below", type=Path)
    p.add_argument("--sim-test", type=Path)
    p.add_argument("--sim-val", type=Path)
    p.add_argument("--extra", nargs="*", type=Path, default=[], help="more simulated files (b)")
    p.add_argument("--real", nargs="*", type=Path, default=[], help="real grasp files (d)")
    p.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--limit", type=int, help="only the first N grasps of each simulated file")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    if "main" not in args.variants:
        args.variants = ["main", *args.variants]
    results = run(args)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
