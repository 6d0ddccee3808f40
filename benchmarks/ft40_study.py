"""Issue 12 (ft40, exploratory): fine-tuning the network on one real session, scored on the other.

    python benchmarks/ft40_study.py single models/default OUT_DIR
    python benchmarks/ft40_study.py carry FT_DIR models/default OUT_DIR [--keys KEY ...]
    python benchmarks/ft40_study.py split ref_0612.h5 --seed 0
    python benchmarks/ft40_study.py real EVAL_DIR [--seeds]
    python benchmarks/ft40_study.py offset TRAIN_SESSION_EVAL.json HELD_OUT_EVAL.json

``single``: the first member of an ensemble alone (``model.pt`` with ``info["ensemble"]``
removed). ``carry``: a fine-tuned checkpoint with the base model's OOD reference and hybrid
physics sigma scale (``analytical_sigma_scale``) copied back (weights, normalisation,
``sigma_scale`` and everything else as the fine-tune wrote them; ``--keys`` restores only
some of them, e.g. the hybrid's physics scale alone). ``split``: the object the
fine-tune holds out for early stopping (``split_objects`` as ``train_network`` calls it).
``real``: per-object and per-session tables of ``tactile evaluate --json`` files named
``<model>__<session>__<estimator>.json`` (benchmarks/results/ft40.md). ``offset``: the
post-hoc comparator of a constant log10 shift fitted on the training session's point answers
(:func:`offset_comparator`).

    python benchmarks/ft40_study.py sim FILE.h5 --model NAME=DIR ... [--json OUT]

``sim``: ``retrain36_score.py``'s counts with ONE set of limits for every model: the grasps'
resolvable limits as the shipped model's hybrid reports them (they come from the rig's physics,
not the weights; a hybrid that answers with the physics because the network is out of
distribution reports none, and its own count would call such an object "below the limit"). Also
how many grasps the hybrid answered with the physics alone (network out of distribution) and how
many objects ``neural`` refused.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

#: labels below this (Pa) are the soft objects whose order is scored
SOFT_LIMIT_PA = 1e6
#: info entries that ``--finetune`` re-fits or drops and ``carry`` restores from the base
CARRIED = ("ood", "analytical_sigma_scale", "analytical_sigma_scale_fitted_on")


def _resave(src: Path, out: Path, info: dict[str, Any]) -> None:
    from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint

    loaded = load_checkpoint(src)
    out.mkdir(parents=True, exist_ok=True)
    save_checkpoint(
        out / "model.pt",
        loaded.model,
        loaded.normalization,
        sigma_scale=loaded.sigma_scale,
        metrics=loaded.metrics,
        info=info,
    )


def single(base: Path, out: Path) -> None:
    from tactile.estimators.neural.checkpoint import load_checkpoint

    info = {k: v for k, v in load_checkpoint(base / "model.pt").info.items() if k != "ensemble"}
    _resave(base / "model.pt", out, info)


def carry(ft: Path, base: Path, out: Path, keys: tuple[str, ...] = CARRIED) -> None:
    from tactile.estimators.neural.checkpoint import load_checkpoint

    base_info = load_checkpoint(base / "model.pt").info
    info = dict(load_checkpoint(ft / "model.pt").info)
    for key in keys:
        if key in base_info:
            info[key] = base_info[key]
    info["ft40_carried_from"] = str(base / "model.pt")
    _resave(ft / "model.pt", out, info)


def held_out_object(data: Path, seed: int, val_fraction: float = 0.15) -> list[str]:
    """The objects ``train_network`` keeps for early stopping (``split_objects``)."""
    from tactile.estimators.neural.data import build_dataset, split_objects
    from tactile.estimators.neural.estimator import resolve_model

    ds = build_dataset([data], resolve_model("default").config, progress=False)
    _, va = split_objects(ds.object_ids, ds.log10_modulus, val_fraction, seed=seed)
    return sorted({str(o) for o in ds.object_ids[va]})


def spearman(a: list[float], b: list[float]) -> float:
    """Rank correlation (no ties expected); NaN for fewer than 3 pairs."""
    if len(a) < 3:
        return math.nan
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def object_row(o: dict[str, Any]) -> dict[str, Any]:
    """One object of ``tactile evaluate --json``: log10 label/estimate/interval, correct, flag."""
    lo, hi = o["interval_68_pa"]
    label = math.log10(o["label_pa"])
    est = math.log10(o["estimate_pa"]) if o.get("estimate_pa") else math.nan
    hi_l = math.log10(hi) if hi and math.isfinite(hi) else math.inf
    lo_l = math.log10(lo) if lo and lo > 0 else -math.inf
    return {
        "object": o["object_id"],
        "label": label,
        "estimate": est,
        "bound": bool(o.get("lower_bound_only")),
        "error": o.get("log10_error"),
        "lo68": lo_l,
        "hi68": hi_l,
        "covered68": lo_l <= label <= hi_l,
        "correct": bool(o.get("correct")),
        "grasps": int(o.get("n_grasps") or 0),
    }


def session_figures(rows: list[dict[str, Any]], n_objects: int) -> dict[str, float]:
    """Correct (of all ``n_objects``: a refused object is not correct), MAE over point answers,
    Spearman over answered soft objects, 68 % coverage over answered objects."""
    points = [r for r in rows if not r["bound"] and math.isfinite(r["estimate"])]
    soft = [r for r in rows if r["label"] < math.log10(SOFT_LIMIT_PA)]
    soft = [r for r in soft if math.isfinite(r["estimate"])]
    return {
        "n": n_objects,
        "answered": len(rows),
        "correct": sum(r["correct"] for r in rows),
        "mae": float(np.mean([abs(r["estimate"] - r["label"]) for r in points]))
        if points
        else math.nan,
        "spearman_soft": spearman([r["label"] for r in soft], [r["estimate"] for r in soft]),
        "coverage68": float(np.mean([r["covered68"] for r in rows])) if rows else math.nan,
        "bounds": sum(r["bound"] for r in rows),
    }


def offset_comparator(
    train_rows: list[dict[str, Any]], held_rows: list[dict[str, Any]]
) -> dict[str, float]:
    """A constant log10 shift instead of fine-tuning (post hoc, not pre-registered): the mean
    signed error of one model's point answers on the training session, subtracted from its
    point answers on the held-out session; MAE and mean signed error there before and after."""
    train = [r["estimate"] - r["label"] for r in train_rows if not r["bound"]]
    held = [r["estimate"] - r["label"] for r in held_rows if not r["bound"]]
    shift = -float(np.mean(train)) if train else 0.0
    return {
        "shift": shift,
        "mae_before": float(np.mean(np.abs(held))) if held else math.nan,
        "mae_after": float(np.mean(np.abs(np.asarray(held) + shift))) if held else math.nan,
        "bias_before": float(np.mean(held)) if held else math.nan,
        "bias_after": float(np.mean(held)) + shift if held else math.nan,
    }


def read_eval(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    return [object_row(o) for o in data["objects"]]


def real_tables(folder: Path) -> str:
    """Markdown: one row per evaluation file, then one row per object (refused objects too)."""
    files = sorted(folder.glob("*__*__*.json"))
    evals = {f: read_eval(f) for f in files}
    objects: dict[str, set[str]] = {}
    for file, rows in evals.items():
        objects.setdefault(file.stem.split("__")[1], set()).update(r["object"] for r in rows)
    lines = [
        "| model | session | estimator | answered | correct | MAE points (dex) "
        "| Spearman soft | 68 % coverage (answered) | bounds |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    per_object: list[str] = []
    for path, rows in evals.items():
        model, session, estimator = path.stem.split("__")
        f = session_figures(rows, len(objects[session]))
        lines.append(
            f"| {model} | {session} | {estimator} | {f['answered']} of {f['n']} "
            f"| {f['correct']} of {f['n']} | {f['mae']:.2f} "
            f"| {f['spearman_soft']:.2f} | {f['coverage68']:.0%} | {f['bounds']} |"
        )
        by_name = {r["object"]: r for r in rows}
        for name in sorted(objects[session]):
            r = by_name.get(name)
            if r is None:
                per_object.append(
                    f"| {model} | {session} | {estimator} | {name} | 0 | | refused | | | ✗ | |"
                )
                continue
            est = f"≥ {r['estimate']:.2f}" if r["bound"] else f"{r['estimate']:.2f}"
            err = "" if r["bound"] else f"{r['estimate'] - r['label']:+.2f}"
            per_object.append(
                f"| {model} | {session} | {estimator} | {name} | {r['grasps']} "
                f"| {r['label']:.2f} | {est} "
                f"| {err} | [{r['lo68']:.2f}, {r['hi68']:.2f}] | {'✓' if r['correct'] else '✗'} "
                f"| {'yes' if r['bound'] else 'no'} |"
            )
    head = (
        "| model | session | estimator | object | grasps answered | label | estimate | log10 error "
        "| 68 % interval | correct | bound (stiff flag) |\n"
        "|---|---|---|---|---:|---:|---:|---:|---|---|---|"
    )
    return "\n".join(lines) + "\n\n" + head + "\n" + "\n".join(per_object) + "\n"


def sim_scores(data: Path, models: dict[str, str], reference: str = "default") -> dict[str, Any]:
    """Per model: the hybrid's and the network's counts on one simulated file, blind, with
    ``reference``'s hybrid limits for every model (``sim`` above)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import eval_sim_families as esf
    import retrain36_score as r36

    from tactile.estimators.neural.estimator import (
        HybridEstimator,
        NeuralEstimator,
        resolve_model,
    )
    from tactile.evaluation.simulated import per_object, simulated_truth_counts, stiffer_fields
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    def fields(e: Any) -> dict[str, Any]:
        return {**stiffer_fields(e), "source": e.details.get("source")}

    reader = GraspReader(data)
    cal_gel = {
        g: resolve_calibration(reader.read_signals(g).meta).gel_modulus_pa for g in reader.ids()
    }
    limits: dict[str, float] = {}
    esf.rows_for("hybrid", HybridEstimator(resolve_model(reference)), reader, limits, fields)
    out: dict[str, Any] = {"file": str(data), "limits_from": reference, "models": {}}
    for name, model in models.items():
        loaded = resolve_model(model)
        own: dict[str, float] = {}
        hyb = esf.rows_for("hybrid", HybridEstimator(loaded), reader, own, fields)
        truth = simulated_truth_counts(hyb, limits, cal_gel)
        below_n, hits = r36._below_hits(per_object(hyb, limits))
        net = per_object(esf.rows_for("neural", NeuralEstimator(loaded), reader, {}), limits)
        _, net_hits = r36._below_hits(net)
        scored = [o for o in net if not o["refused"]]
        out["models"][name] = {
            "below_n": below_n,
            "below_hits": hits,
            "false_bounds": truth["false_bounds"] or 0,
            "n_bounds": truth["n_bounds"],
            "rigid_points": truth["rigid_points"] or 0,
            "rigid_objects": truth["rigid_objects"] or 0,
            "soft_flagged": truth["soft_true_gel_flagged_stiffer"],
            "hybrid_refused": truth["refused"] or 0,
            "hybrid_physics_ood": sum(
                "out of distribution" in str(r.get("source")) for r in hyb if "log10" in r
            ),
            "grasps": len(hyb),
            "net_refused": len(net) - len(scored),
            "net_below_hits": net_hits,
            "net_scored": len(scored),
            "net_covered_68": int(sum(o["covered_68"] for o in scored)),
        }
    return out


def sim_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| file | model | hybrid below-limit within a decade | false bounds / bounds "
        "| rigid points / rigid objects | soft flagged stiffer | hybrid grasps on physics "
        "alone (network OOD) | neural refused objects | network below-limit within a decade "
        "| network 68 % coverage (answered) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        stem = Path(res["file"]).stem
        for m, c in res["models"].items():
            lines.append(
                f"| {stem} | {m} | {c['below_hits']} of {c['below_n']} "
                f"| {c['false_bounds']} / {c['n_bounds']} "
                f"| {c['rigid_points']} / {c['rigid_objects']} | {c['soft_flagged']} "
                f"| {c['hybrid_physics_ood']} of {c['grasps']} | {c['net_refused']} "
                f"| {c['net_below_hits']} of {c['below_n']} "
                f"| {c['net_covered_68']} of {c['net_scored']} |"
            )
    return "\n".join(lines) + "\n"


def seed_table(folder: Path, variants: tuple[str, ...] = ("ft", "ftc", "fts")) -> str:
    """Per direction, estimator and variant: each figure over the seeds (``a / b / c``) beside
    the first member alone (``single``) and the ensemble (``shipped``) on the same session."""
    directions = (("0612", "1612"), ("1612", "0612"))
    n_obj = {s: len(read_eval(folder / f"shipped__{s}__neural.json")) for s in ("0612", "1612")}
    lines = [
        "| fine-tuned on → held out | estimator | model | answered | correct | MAE points (dex) "
        "| Spearman soft | 68 % coverage (answered) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def fmt(values: list[float], spec: str) -> str:
        return " / ".join("n/a" if math.isnan(v) else format(v, spec) for v in values)

    for estimator in ("neural", "hybrid"):
        for train, held in directions:
            models = ["shipped", "single"] + [
                v for v in variants if (folder / f"{v}{train}s0__{held}__{estimator}.json").exists()
            ]
            for m in models:
                names = (
                    [f"{m}__{held}__{estimator}.json"]
                    if m in ("shipped", "single")
                    else [f"{m}{train}s{k}__{held}__{estimator}.json" for k in range(3)]
                )
                figs = [session_figures(read_eval(folder / n), n_obj[held]) for n in names]
                lines.append(
                    f"| {train} → {held} | {estimator} | {m} "
                    f"| {fmt([f['answered'] for f in figs], '.0f')} of {n_obj[held]} "
                    f"| {fmt([f['correct'] for f in figs], '.0f')} "
                    f"| {fmt([f['mae'] for f in figs], '.2f')} "
                    f"| {fmt([f['spearman_soft'] for f in figs], '.2f')} "
                    f"| {fmt([100 * f['coverage68'] for f in figs], '.0f')} % |"
                )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("single")
    s.add_argument("base", type=Path)
    s.add_argument("out", type=Path)
    c = sub.add_parser("carry")
    c.add_argument("ft", type=Path)
    c.add_argument("base", type=Path)
    c.add_argument("out", type=Path)
    c.add_argument("--keys", nargs="+", default=list(CARRIED), choices=CARRIED)
    sp = sub.add_parser("split")
    sp.add_argument("data", type=Path)
    sp.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("real")
    r.add_argument("folder", type=Path)
    r.add_argument("--seeds", action="store_true", help="the per-seed summary table instead")
    of = sub.add_parser("offset")
    of.add_argument("train", type=Path)
    of.add_argument("held", type=Path)
    si = sub.add_parser("sim")
    si.add_argument("data", type=Path, nargs="+")
    si.add_argument("--model", action="append", default=[], help="NAME=DIR (repeatable)")
    si.add_argument("--json", type=Path, default=None)
    si.add_argument("--table", action="store_true", help="DATA are --json outputs: print")
    args = p.parse_args(argv)
    if args.cmd == "single":
        single(args.base, args.out)
    elif args.cmd == "carry":
        carry(args.ft, args.base, args.out, tuple(args.keys))
    elif args.cmd == "split":
        print(" ".join(held_out_object(args.data, args.seed)))
    elif args.cmd == "real":
        print((seed_table if args.seeds else real_tables)(args.folder), end="")
    elif args.cmd == "offset":
        res = offset_comparator(read_eval(args.train), read_eval(args.held))
        print(" ".join(f"{k} {v:+.2f}" for k, v in res.items()))
    elif args.table:
        print(sim_table([json.loads(f.read_text()) for f in args.data]), end="")
    else:
        models = dict(spec.partition("=")[::2] for spec in args.model)
        res = sim_scores(args.data[0], {k: v or k for k, v in models.items()})
        if args.json is not None:
            args.json.write_text(json.dumps(res, indent=1) + "\n")
        print(sim_table([res]), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
