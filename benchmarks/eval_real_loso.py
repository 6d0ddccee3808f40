"""Leave-one-session-out evaluation of the network and the hybrid on real grasps.

    python benchmarks/eval_real_loso.py --model models/default \
        --session S1_NOLABEL.h5 S1_LABELLED.h5 wedge-2023-12-06 \
        --session S2_NOLABEL.h5 S2_LABELLED.h5 wedge-2023-12-16 [--json out.json] [--fit-out F]

Each session is given as: its grasps imported *without* labels (what the estimators read),
the same grasps imported with labels (read only for scoring), and the name of the rig
calibration measured on that session's golf-ball grasps (``calibration/rigs/<name>.json``).

For session A the estimators get the rig calibration of the *other* session B, and the
sim-to-real variance term is fitted on B's objects only: the smallest extra log10 standard
deviation ``s`` with which the network's 68 % intervals, ``sqrt(sigma^2 + s^2)``, contain the
label for at least 68 % of B's objects. Nothing about A (labels, golf ball) is used for A.

Per session and estimator (``neural``, ``hybrid``, ``auto``, and the constant = the model's
mean training label): per object (median over its grasps) the estimate, whether it is within
a decade of the label or correctly flagged (a lower bound at or below the label, for an object
whose label is beyond the grasp's resolvable limit: a soft object flagged "stiffer" is wrong),
the Spearman order of the soft objects (label < 1 MPa) by the estimates' means (also of
flagged ones), and 68 % / 95 % coverage (a flagged object counts as covered when its bound
holds). ``--fit-out`` writes the term fitted on *all* sessions (what the
shipped model stores; figures on those sessions are then not a test of it).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.estimators.neural.predict import Z68
from tactile.estimators.neural.rig import load_rig_calibration
from tactile.estimators.registry import get_estimator
from tactile.io import GraspReader

SOFT_LIMIT_LOG10 = 6.0


def labels_of(path: Path) -> dict[str, float]:
    reader = GraspReader(path)
    out = {}
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        if meta.label_modulus_pa:
            out[meta.object_id] = math.log10(meta.label_modulus_pa)
    return out


def with_s2r(loaded: LoadedModel, s: float) -> LoadedModel:
    return replace(loaded, info={**loaded.info, "sim_to_real_log10_sd": s})


def run_estimator(est: Any, path: Path) -> list[dict[str, Any]]:
    reader = GraspReader(path)
    rows = []
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        try:
            e = (
                est.estimate_stored(reader, gid)
                if hasattr(est, "estimate_stored")
                else est.estimate(reader.read(gid))
            )
        except TactileError as exc:
            rows.append({"object": meta.object_id, "grasp": gid, "error": exc.message})
            continue
        d = e.details
        rows.append(
            {
                "object": meta.object_id,
                "grasp": gid,
                "log10": e.log10_modulus,
                "lo68": math.log10(e.interval_68_pa[0]),
                "hi68": math.log10(e.interval_68_pa[1])
                if math.isfinite(e.interval_68_pa[1])
                else math.inf,
                "lo95": math.log10(e.interval_95_pa[0]),
                "hi95": math.log10(e.interval_95_pa[1])
                if math.isfinite(e.interval_95_pa[1])
                else math.inf,
                "flagged": bool(e.lower_bound_only),
                "net_mu": d.get("network_log10_mean"),
                "net_sigma": d.get("network_log10_sigma"),
                "s2r": d.get("sim_to_real_log10_sd", 0.0),
                "ood": d.get("ood_score"),
                "source": d.get("source"),
                "excess_mm": d.get("excess_closure_mm"),
                "mu": d.get("log10_mean", e.log10_modulus),
                "e_res": d.get("resolvable_limit_pa"),
            }
        )
    return rows


def per_object(rows: list[dict[str, Any]], labels: dict[str, float]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for obj in sorted({r["object"] for r in rows}):
        rs = [r for r in rows if r["object"] == obj and "log10" in r]
        lab = labels.get(obj, math.nan)
        if not rs:
            out[obj] = {"label": lab, "refused": True}
            continue
        flagged = sum(r["flagged"] for r in rs) > len(rs) / 2
        use = [r for r in rs if r["flagged"] == flagged]
        med = float(np.median([r["log10"] for r in use]))
        cov = {}
        for lvl in ("68", "95"):
            lo = float(np.median([r[f"lo{lvl}"] for r in use]))
            hi = float(np.median([r[f"hi{lvl}"] for r in use]))
            cov[lvl] = bool(lo <= lab <= hi)
        # a flag ("only a lower bound is physical") is correct when the bound holds and the
        # object is beyond the grasp's resolvable limit; a soft object flagged is not
        e_res = [r["e_res"] for r in use if r.get("e_res")]
        beyond = bool(e_res) and lab >= math.log10(float(np.median(e_res)))
        ok = (flagged and med <= lab and beyond) or (not flagged and abs(med - lab) <= 1.0)
        out[obj] = {
            "label": lab,
            "log10": med,
            "flagged": flagged,
            "within_decade_or_flagged": bool(ok),
            "mean_log10": float(np.median([r["mu"] for r in rs])),
            "resolvable_limit_log10": math.log10(float(np.median(e_res))) if e_res else None,
            "covered_68": cov["68"],
            "covered_95": cov["95"],
            "ood": float(np.median([r["ood"] for r in use if r.get("ood") is not None] or [0])),
            "source": use[0].get("source"),
        }
    return out


def spearman_soft(objs: dict[str, dict[str, Any]]) -> float:
    soft = [o for o in objs.values() if o["label"] < SOFT_LIMIT_LOG10 and "log10" in o]
    if len(soft) < 3:
        return math.nan
    a = np.argsort(np.argsort([o["label"] for o in soft]))
    b = np.argsort(np.argsort([o["mean_log10"] for o in soft]))  # the estimate, not a bound
    return float(np.corrcoef(a, b)[0, 1])


def fit_s2r(rows: list[dict[str, Any]], labels: dict[str, float], target: float = 0.68) -> float:
    """Smallest extra sd so that >= target of the objects' 68 % network intervals hold."""
    per: list[tuple[float, float, float]] = []
    for obj in {r["object"] for r in rows}:
        rs = [r for r in rows if r["object"] == obj and r.get("net_mu") is not None]
        if not rs or obj not in labels:
            continue
        mu = float(np.median([r["net_mu"] for r in rs]))
        sd = float(
            np.median([math.sqrt(max(r["net_sigma"] ** 2 - r["s2r"] ** 2, 0.0)) for r in rs])
        )
        per.append((mu, sd, labels[obj]))
    for s in np.arange(0.0, 3.01, 0.01):
        covered = [abs(mu - lab) <= Z68 * math.hypot(sd, s) for mu, sd, lab in per]
        if np.mean(covered) >= target:
            return float(round(s, 2))
    return 3.0


def store_term(path: Path, s: float, fitted_on: list[str]) -> None:
    """Rewrite a checkpoint with ``info["sim_to_real_log10_sd"] = s`` (weights unchanged)."""
    from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint

    ckpt = path / "model.pt" if path.is_dir() else path
    loaded = load_checkpoint(ckpt)
    info = {**loaded.info, "sim_to_real_log10_sd": s, "sim_to_real_fitted_on": fitted_on}
    save_checkpoint(
        ckpt,
        loaded.model,
        loaded.normalization,
        sigma_scale=loaded.sigma_scale,
        metrics=loaded.metrics,
        info=info,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="default")
    p.add_argument("--session", nargs=3, action="append", required=True,
                   metavar=("NOLABEL", "LABELLED", "RIG"))  # fmt: skip
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--fit-out", type=Path, default=None)
    p.add_argument(
        "--store-in",
        type=Path,
        default=None,
        help="also write the term fitted on all sessions into this checkpoint's info",
    )
    args = p.parse_args(argv)
    loaded = resolve_model(args.model)
    constant = loaded.normalization.target_mean
    sessions = [(Path(a), Path(b), c) for a, b, c in args.session]
    labels = {str(s[0]): labels_of(s[1]) for s in sessions}
    # pass 1: network answers without a sim-to-real term, each session with the other's rig
    raw: dict[str, list[dict[str, Any]]] = {}
    for i, (nolabel, _, _) in enumerate(sessions):
        other_rig = load_rig_calibration(
            sessions[1 - i][2] if len(sessions) == 2 else sessions[i][2]
        )
        est = NeuralEstimator(with_s2r(loaded, 0.0), rig_calibration=other_rig)
        raw[str(nolabel)] = run_estimator(est, nolabel)
    report: dict[str, Any] = {"constant_log10": constant, "sessions": {}}
    for i, (nolabel, _, _) in enumerate(sessions):
        other = sessions[1 - i] if len(sessions) == 2 else sessions[i]
        s = fit_s2r(raw[str(other[0])], labels[str(other[0])])
        rig = load_rig_calibration(other[2])
        model = with_s2r(loaded, s)
        lab = labels[str(nolabel)]
        res: dict[str, Any] = {"s2r_fitted_on": str(other[0].name), "s2r_log10_sd": s}
        for name, est in (
            ("neural", NeuralEstimator(model, rig_calibration=rig)),
            ("hybrid", HybridEstimator(model, rig_calibration=rig)),
            ("auto", get_estimator("auto")),
        ):
            objs = per_object(run_estimator(est, nolabel), lab)
            scored = [o for o in objs.values() if "log10" in o]
            res[name] = {
                "objects": objs,
                "within_decade_or_flagged": float(
                    np.mean([o["within_decade_or_flagged"] for o in scored])
                )
                if scored
                else math.nan,
                "coverage_68": float(np.mean([o["covered_68"] for o in scored]))
                if scored
                else math.nan,
                "coverage_95": float(np.mean([o["covered_95"] for o in scored]))
                if scored
                else math.nan,
                "spearman_soft": spearman_soft(objs),
            }
        res["constant"] = {
            "within_decade": float(np.mean([abs(constant - v) <= 1 for v in lab.values()]))
        }
        report["sessions"][nolabel.name] = res
    if args.fit_out is not None:
        pooled_rows = [r for rows in raw.values() for r in rows]
        pooled_labels = {k: v for d in labels.values() for k, v in d.items()}
        s_all = fit_s2r(pooled_rows, pooled_labels)
        args.fit_out.write_text(json.dumps({"sim_to_real_log10_sd": s_all}) + "\n")
        report["s2r_all_sessions"] = s_all
        if args.store_in is not None:
            store_term(args.store_in, s_all, [str(s[0].name) for s in sessions])
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
    for sess, res in report["sessions"].items():
        print(
            f"\n## {sess} (sim-to-real sd {res['s2r_log10_sd']} fitted on {res['s2r_fitted_on']})"
        )
        print("| object | label | neural | hybrid | auto |")
        print("|---|---|---|---|---|")
        for obj, o in res["neural"]["objects"].items():
            cells = []
            for name in ("neural", "hybrid", "auto"):
                q = res[name]["objects"].get(obj, {})
                if "log10" not in q:
                    cells.append("refused")
                    continue
                mark = "✓" if q["within_decade_or_flagged"] else "✗"
                val = (
                    f"≥ {q['log10']:.2f} (mean {q['mean_log10']:.2f})"
                    if q["flagged"]
                    else f"{q['log10']:.2f}"
                )
                cells.append(f"{val} {mark}{' (68 % ok)' if q['covered_68'] else ''}")
            print(f"| {obj} | {o['label']:.2f} | " + " | ".join(cells) + " |")
        for name in ("neural", "hybrid", "auto"):
            r = res[name]
            print(
                f"{name}: within a decade or correctly flagged "
                f"{r['within_decade_or_flagged']:.0%}, "
                f"68 % coverage {r['coverage_68']:.0%}, 95 % {r['coverage_95']:.0%}, "
                f"soft-object Spearman {r['spearman_soft']:.2f}"
            )
        print(
            f"constant (10^{constant:.2f} Pa): within a decade "
            f"{res['constant']['within_decade']:.0%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
