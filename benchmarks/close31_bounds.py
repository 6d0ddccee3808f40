"""What the width-step share of sigma_c moves (helper close31, 2026-12-07): per-grasp answers of
``neural`` and ``hybrid`` under two trees, compared.

    # per grasp, blind protocol (as tactile evaluate / eval_sim_families), one tree at a time
    PYTHONPATH=TREE python benchmarks/close31_bounds.py run OUT.json FILE.h5 [FILE.h5 ...]
    # the simulated comparison (every grasp needs a label and extra["true_gel_modulus_pa"])
    python benchmarks/close31_bounds.py compare MAIN.json NEW.json
    # real sessions: `tactile estimate FILE --estimator E --json` of both trees, labels joined by
    # grasp id from the labelled files
    python benchmarks/close31_bounds.py real LABELLED.h5[,...] MAIN.jsonl NEW.jsonl [...]

``compare`` prints, per estimator: the grasps whose reading was interpolated, the bounds and
false bounds (bound above the label) of each tree, the smallest margin per material and per
shape, the gain on grasps bounded by both (median, q90, min), the grasps moving between bound
and point, the below-limit within-a-decade share (each tree's own ``E_res``; and on main's
below-limit set) and the objects softer than their rig's true gel newly flagged
``stiffer_than_gel``. ``real`` lists every real answer that changed, and the false bounds and
within-a-decade counts of both trees. See benchmarks/results/close31_prereg.md.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np

ESTIMATORS = ("neural", "hybrid")


def run(out_path: str, paths: list[str]) -> None:
    from tactile.errors import TactileError
    from tactile.estimators.registry import get_estimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.io import GraspReader

    ests = {n: get_estimator(n) for n in ESTIMATORS}
    out = []
    for path in paths:
        reader = GraspReader(path)
        for gid in reader.ids():
            meta = reader.read_signals(gid).meta
            ex = meta.extra
            gel = ex.get("true_gel_modulus_pa")
            row: dict[str, Any] = {
                "file": path.rsplit("/", 1)[-1].removesuffix(".h5"),
                "grasp": gid,
                "object": meta.object_id,
                "shape": meta.shape,
                "material": ex.get("object_material"),
                "label": math.log10(meta.label_modulus_pa) if meta.label_modulus_pa else None,
                "gel": math.log10(gel) if gel else None,
            }
            for name, est in ests.items():
                try:
                    e = est.estimate_stored(reader, gid, meta=blind_metadata(meta))
                except TactileError as exc:
                    row[name] = {"error": exc.message}
                    continue
                d = e.details
                row[name] = {
                    "log10": e.log10_modulus,
                    "lb": bool(e.lower_bound_only),
                    "flags": sorted(str(f) for f in e.flags),
                    # absent on a path that computes no limits: counted as an infinite limit,
                    # as eval_sim_families does
                    "eres": (
                        math.log10(d["resolvable_limit_pa"])
                        if isinstance(d.get("resolvable_limit_pa"), float)
                        else math.inf
                    ),
                    "sigma_c": d.get("sigma_closure_mm"),
                    "interp": d.get("closure_interpolated"),
                    "src": d.get("lower_bound_from"),
                }
            out.append(row)
    with open(out_path, "w") as fh:
        json.dump(out, fh)
    print(len(out), "grasps")


def _q(values: list[float], p: float) -> float:
    return float(np.quantile(values, p)) if values else math.nan


def _stiff(answer: dict[str, Any]) -> bool:
    return any("stiffer" in f for f in answer.get("flags", []))


def compare(main_path: str, new_path: str) -> None:
    with open(main_path) as fh:
        a_rows = {(r["file"], r["grasp"]): r for r in json.load(fh)}
    with open(new_path) as fh:
        b_rows = {(r["file"], r["grasp"]): r for r in json.load(fh)}
    keys = [k for k in a_rows if a_rows[k]["label"] is not None and a_rows[k]["gel"] is not None]
    print(f"simulated grasps: {len(keys)}")
    for est in ESTIMATORS:
        ok = [k for k in keys if "log10" in a_rows[k][est] and "log10" in b_rows[k][est]]
        a = {k: a_rows[k][est] for k in ok}
        b = {k: b_rows[k][est] for k in ok}
        lab = {k: a_rows[k]["label"] for k in ok}
        print(f"\n== {est}: scored {len(ok)}, interpolated {sum(bool(b[k]['interp']) for k in ok)}")
        de = [
            b[k]["eres"] - a[k]["eres"]
            for k in ok
            if math.isfinite(a[k]["eres"]) and math.isfinite(b[k]["eres"])
        ]
        print(f"limit absent (infinite): main {sum(not math.isfinite(a[k]['eres']) for k in ok)}")
        print(f"E_res shift (decades): median {_q(de, 0.5):.3f}, q90 {_q(de, 0.9):.3f}")
        for tag, d in (("main", a), ("new", b)):
            bounds = [k for k in ok if d[k]["lb"]]
            false = [k for k in bounds if d[k]["log10"] > lab[k]]
            margin = [lab[k] - d[k]["log10"] for k in bounds]
            below = [k for k in ok if lab[k] < d[k]["eres"]]
            within = [k for k in below if not d[k]["lb"] and abs(d[k]["log10"] - lab[k]) <= 1]
            print(
                f"[{tag}] bounds {len(bounds)}, false {len(false)}, margin min "
                f"{min(margin):.2f} median {_q(margin, 0.5):.2f}, median bound "
                f"{_q([d[k]['log10'] for k in bounds], 0.5):.2f}; below-limit {len(below)}, "
                f"within a decade {len(within)} ({len(within) / max(len(below), 1):.3f})"
            )
        both = [k for k in ok if a[k]["lb"] and b[k]["lb"]]
        gain = [b[k]["log10"] - a[k]["log10"] for k in both]
        print(
            f"bounded by both {len(both)}: gain median {_q(gain, 0.5):.3f}, q90 "
            f"{_q(gain, 0.9):.3f}, min {min(gain):.3f}, max {max(gain):.3f}"
        )
        b2p = [k for k in ok if a[k]["lb"] and not b[k]["lb"]]
        p2b = [k for k in ok if not a[k]["lb"] and b[k]["lb"]]
        b2p_in = sum(abs(b[k]["log10"] - lab[k]) <= 1 for k in b2p)
        print(f"bound -> point {len(b2p)} (within a decade {b2p_in}); point -> bound {len(p2b)}")
        below_a = [k for k in ok if lab[k] < a[k]["eres"]]
        for tag, d in (("main", a), ("new", b)):
            within = [k for k in below_a if not d[k]["lb"] and abs(d[k]["log10"] - lab[k]) <= 1]
            print(f"  on main's below-limit set ({len(below_a)}): {tag} {len(within)}")
        for field in ("material", "shape"):
            parts = []
            for v in sorted({a_rows[k][field] for k in ok}):
                ks = [k for k in ok if a_rows[k][field] == v]
                ma = [lab[k] - a[k]["log10"] for k in ks if a[k]["lb"]]
                mb = [lab[k] - b[k]["log10"] for k in ks if b[k]["lb"]]
                parts.append(
                    f"{v} {len(ma)}/{len(mb)} {min(ma, default=math.nan):.2f}/"
                    f"{min(mb, default=math.nan):.2f}"
                )
            print(f"  smallest margin (n, main/new) by {field}: " + "; ".join(parts))
        soft_new = [
            k for k in ok if lab[k] < a_rows[k]["gel"] and _stiff(b[k]) and not _stiff(a[k])
        ]
        print(f"  softer than the rig's true gel, newly flagged stiffer_than_gel: {len(soft_new)}")
        for k in soft_new:
            print(
                f"    {k[0]} {k[1]}: label {lab[k]:.2f}, true gel {a_rows[k]['gel']:.2f}, "
                f"bound {a[k]['log10']:.2f} -> {b[k]['log10']:.2f}"
            )


def _jsonl(path: str) -> dict[str, dict[str, Any]]:
    with open(path) as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["grasp_id"]: r for r in rows}


def real(labelled: str, pairs: list[str]) -> None:
    from tactile.io import GraspReader

    labels: dict[str, float] = {}
    for path in labelled.split(","):
        reader = GraspReader(path)
        for gid in reader.ids():
            m = reader.read_signals(gid).meta
            if m.label_modulus_pa:
                labels[gid] = math.log10(m.label_modulus_pa)
    for main_path, new_path in zip(pairs[::2], pairs[1::2], strict=True):
        a, b = _jsonl(main_path), _jsonl(new_path)
        changed = false_a = false_b = in_a = in_b = out_moves = 0
        for gid, ra in a.items():
            rb = b[gid]
            if ra.get("error") or rb.get("error"):
                continue
            la, lb_ = math.log10(ra["modulus_pa"]), math.log10(rb["modulus_pa"])
            lab = labels.get(gid)
            if lab is not None:
                ok_a = la <= lab if ra["lower_bound_only"] else abs(la - lab) <= 1
                ok_b = lb_ <= lab if rb["lower_bound_only"] else abs(lb_ - lab) <= 1
                false_a += bool(ra["lower_bound_only"] and la > lab)
                false_b += bool(rb["lower_bound_only"] and lb_ > lab)
                in_a += bool(not ra["lower_bound_only"] and abs(la - lab) <= 1)
                in_b += bool(not rb["lower_bound_only"] and abs(lb_ - lab) <= 1)
                out_moves += bool(ok_a and not ok_b)
            if abs(la - lb_) > 1e-9 or ra["lower_bound_only"] != rb["lower_bound_only"]:
                changed += 1
                print(f"  {gid}: {la:.3f} -> {lb_:.3f} (bound {ra['lower_bound_only']} -> "
                      f"{rb['lower_bound_only']}), label {lab}")  # fmt: skip
        print(
            f"{new_path}: {len(a)} grasps, changed {changed}; false bounds main {false_a} new "
            f"{false_b}; points within a decade main {in_a} new {in_b}; right -> wrong {out_moves}"
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        run(argv[1], argv[2:])
    elif argv[:1] == ["compare"]:
        compare(argv[1], argv[2])
    elif argv[:1] == ["real"]:
        real(argv[1], argv[2:])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
