"""Compare two ``tactile evaluate FILE --estimator hybrid --json`` runs of the same file (sig39:
the hybrid with the stored physics sigma scale vs a re-fitted one).

    python benchmarks/sig39_compare.py OLD.json NEW.json [--name NAME]

Prints, for each run, the simulated-truth counts (``summary.simulated_truth``: below-limit hits
of below-limit objects, false bounds of bounds, rigid points of rigid objects, soft objects
flagged stiffer — below their rig's true gel, refused), the hybrid's 68 % / 95 % coverage of the
labels over the objects it answers with a point (``summary.points``), and over the two-sided
ones (a point with a finite 68 % interval); then every object whose answer changed (point or
bound, within a decade, bound holds, 68 % coverage, correct). On a real session (no simulated
truth) the same per object, and how many objects went from correct to wrong and how many new
false bounds appeared. ``--json OUT`` writes it all.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any


def _log10(value: float) -> float:
    return math.log10(value) if value > 0 else -math.inf


def object_view(obj: dict[str, Any]) -> dict[str, Any]:
    """What sig39 reads of one ``objects`` entry of ``tactile evaluate --json``."""
    lab = obj["label_pa"]
    # an open end is written as null by ``--json`` (review28 M1): read it as infinite
    lo, hi = (math.inf if v is None else float(v) for v in obj["interval_68_pa"])
    lo95, hi95 = (math.inf if v is None else float(v) for v in obj["interval_95_pa"])
    bound = bool(obj["lower_bound_only"])
    two_sided = (not bound) and 0 < lo < hi and math.isfinite(hi)
    return {
        "object": obj["object_id"],
        "label_log10": _log10(lab),
        "log10": _log10(obj["estimate_pa"]),
        "bound": bound,
        "two_sided": two_sided,
        "within_decade": (not bound) and abs(_log10(obj["estimate_pa"]) - _log10(lab)) <= 1.0,
        "bound_holds": obj["estimate_pa"] <= lab if bound else None,
        "covered_68": (not bound) and lo <= lab <= hi,
        "covered_95": (not bound) and lo95 <= lab <= hi95,
        "correct": obj.get("correct"),
    }


def summary_row(run: dict[str, Any]) -> dict[str, Any]:
    """The counts of one run (module docstring)."""
    s = run["summary"]
    views = [object_view(o) for o in run["objects"] if o.get("label_pa")]
    two = [v for v in views if v["two_sided"]]
    row: dict[str, Any] = {
        "objects": len(views),
        "points": sum(not v["bound"] for v in views),
        "bounds": sum(v["bound"] for v in views),
        "false_bounds_vs_label": sum(v["bound_holds"] is False for v in views),
        "correct": sum(bool(v["correct"]) for v in views),
        "points_coverage_68": s["points"].get("coverage_68"),
        "points_coverage_95": s["points"].get("coverage_95"),
        "two_sided": len(two),
        "two_sided_covered_68": sum(v["covered_68"] for v in two),
        "two_sided_covered_95": sum(v["covered_95"] for v in two),
    }
    st = s.get("simulated_truth")
    if st:
        below = st["below_limit_objects"]
        row.update(
            below_limit_objects=below,
            below_limit_hits=st["below_limit_hits"] or 0,
            false_bounds=st["false_bounds"],
            n_bounds=st["n_bounds"],
            rigid_points=st["rigid_points"],
            rigid_objects=st["rigid_objects"],
            soft_flagged_stiffer=st["soft_true_gel_flagged_stiffer"],
            soft_cal_flagged_stiffer=st["soft_cal_gel_flagged_stiffer"],
            refused=st["refused"],
            correct_vs_rig_gel=st["correct_vs_rig_gel"],
        )
    return row


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Objects whose answer differs between the runs (value, kind or interval), old and new."""
    a = {o["object_id"]: o for o in old["objects"]}
    out = []
    for o in new["objects"]:
        before = a.get(o["object_id"])
        if before is None or (
            before["estimate_pa"] == o["estimate_pa"]
            and before["interval_68_pa"] == o["interval_68_pa"]
            and before["lower_bound_only"] == o["lower_bound_only"]
        ):
            continue
        if not o.get("label_pa"):
            continue
        out.append({"old": object_view(before), "new": object_view(o)})
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Both runs' counts, the changed objects, and the real-session guard's two counts."""
    ch = changes(old, new)
    return {
        "old": summary_row(old),
        "new": summary_row(new),
        "changed": ch,
        "correct_to_wrong": sum(bool(c["old"]["correct"]) and not c["new"]["correct"] for c in ch),
        "wrong_to_correct": sum(not c["old"]["correct"] and bool(c["new"]["correct"]) for c in ch),
        "new_false_bounds": sum(
            c["new"]["bound_holds"] is False and c["old"]["bound_holds"] is not False for c in ch
        ),
    }


def _fmt_view(v: dict[str, Any]) -> str:
    kind = "bound" if v["bound"] else "point"
    return (
        f"{kind} {v['log10']:.2f} (decade {v['within_decade']}, holds {v['bound_holds']}, "
        f"68% {v['covered_68']}, correct {v['correct']})"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--name", default=None)
    p.add_argument("--json", type=Path, default=None, metavar="OUT")
    args = p.parse_args(argv)
    res = compare(json.loads(args.old.read_text()), json.loads(args.new.read_text()))
    name = args.name or args.new.stem
    for which in ("old", "new"):
        print(f"{name} {which}: " + json.dumps(res[which]))
    for c in res["changed"]:
        print(
            f"  changed {c['new']['object']} (label {c['new']['label_log10']:.2f}): "
            f"{_fmt_view(c['old'])} -> {_fmt_view(c['new'])}"
        )
    print(
        f"{name}: {len(res['changed'])} objects changed; correct -> wrong "
        f"{res['correct_to_wrong']}, wrong -> correct {res['wrong_to_correct']}, new false "
        f"bounds {res['new_false_bounds']}"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
