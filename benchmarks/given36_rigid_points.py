"""Issue 11/12 (given36): with the geometry GIVEN, which physics answers a rigid object with a
point, and what blind reads on the same grasp.

    python benchmarks/given36_rigid_points.py FILE.h5 [--json out.json]

Per grasp, under the ``given`` protocol: the label, the rig's true gel
(``extra["true_gel_modulus_pa"]``), ``auto``'s answer (its chosen estimator, point or bound, the
95 % interval, whether blind's check changed it), the chosen estimator's own answer on the same
features and ``blind``'s answer on the same features (bound or point, flagged
``stiffer_than_gel``, its 95 % interval), then the ``hybrid``'s answer (source, network mean).
Printed: the objects at least 100x their rig's true gel that ``auto`` or ``hybrid`` answer with a
point, and, over all objects, how blind reads the grasps whose given-geometry physics answered a
two-sided point (rigid or not), so a rule "blind's flagged bound overrules a given point" can be
sized on its false bounds before it is written. ``auto`` and ``hybrid`` are run without the
given36 point check (main's answers; the rules are counted from blind's reading here). Results:
benchmarks/results/given36.md.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from tactile.errors import TactileError
from tactile.estimators.auto import AutoEstimator, choose_estimator
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.neural.estimator import HybridEstimator
from tactile.evaluation.runner import FAST_IMAGE_FRAMES, _stored_features
from tactile.io import GraspReader
from tactile.types import Flag, ModulusEstimate


def _brief(e: ModulusEstimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    lo, hi = e.interval_95_pa
    return {
        "log10": e.log10_modulus,
        "bound": bool(e.lower_bound_only),
        "stiffer": Flag.STIFFER_THAN_GEL in e.flags,
        "lo95": math.log10(lo) if lo > 0 else None,
        "hi95": math.log10(hi) if math.isfinite(hi) else None,
        "open_point": "open_point_pa" in e.details,
        "source": e.details.get("source"),
        "auto_chose": e.details.get("auto_chose"),
        "given_point_pa": e.details.get("given_point_pa"),
        "net_mu": e.details.get("network_log10_mean"),
        "limit_log10": (
            math.log10(e.details["resolvable_limit_pa"])
            if isinstance(e.details.get("resolvable_limit_pa"), float)
            else None
        ),
    }


def study(path: Path) -> list[dict[str, Any]]:
    reader = GraspReader(path)
    auto, blind = AutoEstimator(check_points=False), BlindEstimator()
    hybrid = HybridEstimator(check_given_points=False)
    rows = []
    for gid in reader.ids():
        recorded = reader.metadata(gid)
        gel = recorded.extra.get("true_gel_modulus_pa")
        row: dict[str, Any] = {
            "grasp": gid,
            "object": recorded.object_id,
            "shape": recorded.shape,
            "material": recorded.extra.get("object_material"),
            "label": math.log10(recorded.label_modulus_pa or 1.0),
            "gel": math.log10(gel) if isinstance(gel, float) else None,
        }
        try:
            meta, feats, cal = _stored_features(
                reader, gid, auto, None, None, FAST_IMAGE_FRAMES, "given", recorded
            )
            inner = choose_estimator(meta)
            row["chose"] = inner.name
            row["auto"] = _brief(auto.estimate_features(feats, meta=meta, calibration=cal))
            row["inner"] = _brief(inner.estimate_features(feats, meta=meta, calibration=cal))
            try:
                row["blind"] = _brief(blind.estimate_features(feats, meta=meta, calibration=cal))
            except TactileError as exc:
                row["blind_error"] = exc.message
        except TactileError as exc:
            row["auto_error"] = exc.message
        try:
            hy = hybrid.estimate_stored(reader, gid, meta=recorded)
            row["hybrid"] = _brief(hy)
        except TactileError as exc:
            row["hybrid_error"] = exc.message
        rows.append(row)
    return rows


def rules(r: dict[str, Any]) -> dict[str, bool]:
    """Which candidate rules would answer blind's bound instead of the given point."""
    inner, bl = r.get("inner"), r.get("blind")
    if not inner or inner["bound"] or not bl:
        return {"R0": False, "R1": False, "R1o": False, "R2": False}
    flagged = bl["bound"] and bl["stiffer"]
    return {
        # blind reads only a bound (flagged or not; not an open interval)
        "R0": bl["bound"] and not bl["open_point"],
        # blind reads only a bound, flagged stiffer than the gel (not an open interval)
        "R1": flagged and not bl["open_point"],
        # the same, an open interval's lower end included
        "R1o": flagged,
        # R1 and blind's bound above the given point's upper 95 % end
        "R2": flagged
        and not bl["open_point"]
        and inner["hi95"] is not None
        and bl["log10"] > inner["hi95"],
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"grasps": len(rows)}
    rigid = [r for r in rows if r["gel"] is not None and r["label"] - r["gel"] >= 2.0]
    out["rigid"] = len(rigid)
    for name in ("auto", "hybrid"):
        pts = [r for r in rigid if r.get(name) and not r[name]["bound"]]
        out[f"{name}_rigid_points"] = [
            {
                "grasp": r["grasp"],
                "label": round(r["label"], 2),
                "gel": round(r["gel"], 2),
                "answer": round(r[name]["log10"], 2),
                "source": r[name]["source"],
                "chose": r.get("chose"),
                "inner": r.get("inner"),
                "blind": r.get("blind"),
                "net_mu": r.get("hybrid", {}) and r["hybrid"]["net_mu"],
                "rules": rules(r),
            }
            for r in pts
        ]
    two = [r for r in rows if r.get("inner") and not r["inner"]["bound"]]
    out["given_points"] = len(two)
    for rule in ("R0", "R1", "R1o", "R2"):
        hit = [r for r in two if rules(r)[rule]]
        lim = {r["grasp"]: (r.get("hybrid") or {}).get("limit_log10") for r in rows}
        out[rule] = {
            "fires": len(hit),
            "rigid": sum(1 for r in hit if r in rigid),
            "false_bound": [r["grasp"] for r in hit if r["label"] < r["blind"]["log10"]],
            "below_limit": [
                r["grasp"]
                for r in hit
                if lim[r["grasp"]] is not None and r["label"] < lim[r["grasp"]]
            ],
            "below_true_gel": [
                r["grasp"] for r in hit if r["gel"] is not None and r["label"] < r["gel"]
            ],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    rows = study(args.data)
    out = summary(rows)
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": out, "rows": rows}, indent=1, default=str))
    print(f"{args.data}: {out['grasps']} grasps, {out['rigid']} rigid (>= 100x the true gel)")
    for name in ("auto", "hybrid"):
        print(f"{name}: {len(out[name + '_rigid_points'])} rigid points")
        for e in out[name + "_rigid_points"]:
            inner, bl = e["inner"] or {}, e["blind"] or {}
            print(
                f"  {e['grasp']:32s} label {e['label']:.2f} gel {e['gel']:.2f} answer "
                f"{e['answer']:.2f} ({e['source']}) chose {e['chose']}: inner "
                f"{inner.get('log10', math.nan):.2f} [{inner.get('lo95')}, {inner.get('hi95')}]"
                f" blind {'bound' if bl.get('bound') else 'point'} {bl.get('log10', math.nan):.2f}"
                f" stiffer {bl.get('stiffer')} open {bl.get('open_point')} net {e['net_mu']}"
                f" rules {e['rules']}"
            )
    print(f"given-geometry points: {out['given_points']}")
    for rule in ("R0", "R1", "R1o", "R2"):
        r = out[rule]
        print(
            f"{rule}: fires {r['fires']}, rigid {r['rigid']}, false bounds {r['false_bound']}, "
            f"below limit {r['below_limit']}, below true gel {r['below_true_gel']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
