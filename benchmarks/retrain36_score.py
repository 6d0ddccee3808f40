"""Issue 12 (retrain36): score models side by side on simulated files, blind, with the counts of
the retraining's adoption rule (benchmarks/results/retrain36_prereg.md).

    python benchmarks/retrain36_score.py FILE.h5 --model shipped=models/default \
        --model new=/tmp/ens --json out.json
    python benchmarks/retrain36_score.py --pool a.json b.json [--label validation]

Per file and model: the hybrid's issue-11 counts (:func:`simulated_truth_counts`, as
``score_rigid_points.py``: objects below their grasp's physics limit and how many of them are
within a decade, false bounds, rigid points, soft objects flagged stiffer) and the network's own
(``neural``) share within a decade below the limit and 68 % coverage over the objects it
answered (``summarize``'s ``coverage_68``), both blind (``eval_sim_families.rows_for``: the
grasp's shape and radius removed). ``--pool`` adds the counts of several such files up and
prints one markdown table per file and pooled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_sim_families as esf

from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.evaluation.simulated import (
    per_object,
    simulated_truth_counts,
    stiffer_fields,
    summarize,
)
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration

COUNTS = (
    "objects",
    "refused",
    "below_n",
    "below_hits",
    "false_bounds",
    "n_bounds",
    "rigid_points",
    "rigid_objects",
    "soft_flagged",
    "net_below_hits",
    "net_scored",
    "net_covered_68",
)


def _below_hits(objs: list[dict[str, Any]]) -> tuple[int, int]:
    below = [o for o in objs if not o["refused"] and o["below_limit"]]
    hits = sum((not o["flagged"]) and abs(o["log10"] - o["label"]) <= 1 for o in below)
    return len(below), int(hits)


def score_model(reader: GraspReader, model: str, cal_gel: dict[str, float]) -> dict[str, Any]:
    """The counts of one model on one file (hybrid first: its limits score the network)."""
    loaded = resolve_model(model)
    limits: dict[str, float] = {}
    hyb_rows = esf.rows_for("hybrid", HybridEstimator(loaded), reader, limits, stiffer_fields)
    truth = simulated_truth_counts(hyb_rows, limits, cal_gel)
    hyb_objs = per_object(hyb_rows, limits)
    below_n, below_hits = _below_hits(hyb_objs)
    net_objs = per_object(esf.rows_for("neural", NeuralEstimator(loaded), reader, limits), limits)
    net_scored = [o for o in net_objs if not o["refused"]]
    _, net_hits = _below_hits(net_objs)
    misses = [
        {
            k: o.get(k)
            for k in ("object", "label", "log10", "flagged", "limit_log10", "net_mu", "source")
        }
        for o in hyb_objs
        if not o["refused"]
        and o["below_limit"]
        and (o["flagged"] or abs(o["log10"] - o["label"]) > 1)
    ]
    return {
        "objects": truth["objects"],
        "refused": truth["refused"] or 0,
        "below_n": below_n,
        "below_hits": below_hits,
        "false_bounds": truth["false_bounds"] or 0,
        "n_bounds": truth["n_bounds"],
        "rigid_points": truth["rigid_points"] or 0,
        "rigid_objects": truth["rigid_objects"] or 0,
        "soft_flagged": truth["soft_true_gel_flagged_stiffer"],
        "net_below_hits": net_hits,
        "net_scored": len(net_scored),
        "net_covered_68": int(sum(o["covered_68"] for o in net_scored)),
        "net_summary_all": summarize(net_objs)["all"],
        "hybrid_below_misses": misses,
    }


def table(rows: list[tuple[str, str, dict[str, Any]]]) -> str:
    head = (
        "| file | model | hybrid below-limit within a decade | false bounds / bounds "
        "| rigid points / rigid objects | soft flagged stiffer | refused "
        "| network below-limit within a decade | network 68 % coverage |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for f, m, c in rows:
        share = c["below_hits"] / c["below_n"] if c["below_n"] else float("nan")
        nshare = c["net_below_hits"] / c["below_n"] if c["below_n"] else float("nan")
        cov = c["net_covered_68"] / c["net_scored"] if c["net_scored"] else float("nan")
        lines.append(
            f"| {f} | {m} | {c['below_hits']} of {c['below_n']} ({share:.1%}) "
            f"| {c['false_bounds']} / {c['n_bounds']} | {c['rigid_points']} / "
            f"{c['rigid_objects']} | {c['soft_flagged']} | {c['refused']} "
            f"| {c['net_below_hits']} of {c['below_n']} ({nshare:.1%}) "
            f"| {c['net_covered_68']} of {c['net_scored']} ({cov:.1%}) |"
        )
    return head + "\n".join(lines) + "\n"


def pool(paths: list[Path], label: str) -> str:
    rows: list[tuple[str, str, dict[str, Any]]] = []
    total: dict[str, dict[str, int]] = {}
    for p in paths:
        rep = json.loads(p.read_text())
        for m, c in rep["models"].items():
            rows.append((Path(rep["file"]).stem, m, c))
            t = total.setdefault(m, dict.fromkeys(COUNTS, 0))
            for k in COUNTS:
                t[k] += int(c[k])
    rows += [(f"**{label}, pooled**", m, t) for m, t in total.items()]
    return table(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", nargs="*", type=Path)
    p.add_argument("--model", action="append", default=[], help="NAME=DIR (repeatable)")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--pool", nargs="+", type=Path, default=None)
    p.add_argument("--label", default="pooled")
    args = p.parse_args(argv)
    if args.pool:
        print(pool(args.pool, args.label), end="")
        return 0
    if len(args.data) != 1 or not args.model:
        p.error("one data file and at least one --model NAME=DIR")
    reader = GraspReader(args.data[0])
    cal_gel = {
        g: resolve_calibration(reader.read_signals(g).meta).gel_modulus_pa for g in reader.ids()
    }
    out: dict[str, Any] = {"file": str(args.data[0]), "models": {}}
    for spec in args.model:
        name, _, model = spec.partition("=")
        out["models"][name] = score_model(reader, model or name, cal_gel)
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n")
    print(table([(args.data[0].stem, m, c) for m, c in out["models"].items()]), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
