"""What a sorting run leaves behind: a CSV and a JSON log per item, a summary, a plot, grasps.

``OUT/items.csv`` (one row per item: truth, decision, the measurement that decided it, peak
force, why), ``OUT/items.json`` (every grasp of every item, with its estimate),
``OUT/summary.json``, ``OUT/summary.png`` and ``OUT/grasps.h5`` (every grasp, re-grasps too,
readable by ``tactile inspect`` and replayable with ``--tray replay://OUT/grasps.h5``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tactile.decisions.sorter import ItemResult, SortRun, fmt_value

CSV_COLUMNS = (
    "item_id",
    "kind",
    "truth_class",
    "ripeness",
    "true_modulus_pa",
    "sorted_as",
    "correct",
    "n_grasps",
    "quantity",
    "value",
    "interval_lo",
    "interval_hi",
    "stop_reason",
    "stop_time_s",
    "max_peak_force_n",
    "reason",
)


def item_row(r: ItemResult) -> dict[str, Any]:
    a = r.attempts[-1] if r.attempts else None  # none: stopped before 2 frames were recorded
    m = a.measurement if a is not None else None
    return {
        "item_id": r.item.item_id,
        "kind": r.item.kind,
        "truth_class": r.item.truth_class or "",
        "ripeness": "" if r.item.ripeness is None else round(float(r.item.ripeness), 4),
        "true_modulus_pa": ""
        if r.item.true_modulus_pa is None
        else f"{r.item.true_modulus_pa:.4g}",
        "sorted_as": r.sorted_as,
        "correct": "" if r.correct is None else str(r.correct).lower(),
        "n_grasps": len(r.attempts),
        "quantity": m.quantity if m else "",
        "value": "" if m is None else f"{m.value:.5g}",
        "interval_lo": "" if m is None or not math.isfinite(m.lo) else f"{m.lo:.5g}",
        "interval_hi": "" if m is None or not math.isfinite(m.hi) else f"{m.hi:.5g}",
        "stop_reason": a.run.stop_reason if a is not None else "aborted",
        "stop_time_s": "" if a is None or a.stop_time_s is None else f"{a.stop_time_s:.3f}",
        "max_peak_force_n": f"{r.max_peak_force_n:.3f}",
        "reason": r.reason,
    }


def write_run(
    run: SortRun,
    out_dir: Path,
    *,
    grasps: bool = True,
    plot: Callable[[SortRun], bytes] | None = None,
) -> dict[str, Path]:
    """Write the logs, summary, plot (and grasps) of ``run`` into ``out_dir``.

    ``plot``: renders ``summary.png`` (``tactile.reporting.plots.sorting_figure``, which sits a
    layer above this package); without it no plot is written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "items_csv": out_dir / "items.csv",
        "items_json": out_dir / "items.json",
        "summary_json": out_dir / "summary.json",
    }
    with paths["items_csv"].open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for r in run.results:
            writer.writerow(item_row(r))
    paths["items_json"].write_text(
        json.dumps([_clean(r.to_dict()) for r in run.results], indent=1) + "\n"
    )
    paths["summary_json"].write_text(json.dumps(_clean(run.summary()), indent=1) + "\n")
    if plot is not None:
        paths["summary_png"] = out_dir / "summary.png"
        paths["summary_png"].write_bytes(plot(run))
    if grasps:
        from tactile.io import GraspWriter

        paths["grasps_h5"] = out_dir / "grasps.h5"
        with GraspWriter(paths["grasps_h5"], overwrite=True) as w:
            for r in run.results:
                for a in r.attempts:
                    w.append(a.run.grasp)
    return paths


def summary_table(run: SortRun) -> str:
    """The per-item table and the totals, as text for people."""
    prof = run.profile
    lines = [
        f"{'item':<14} {'truth':<10} {'sorted as':<10} {'grasps':>6} {'peak N':>7}  "
        f"{prof.quantity} ({prof.interval} % interval) / why"
    ]
    lines.append("-" * len(lines[0]))
    for r in run.results:
        m = r.attempts[-1].measurement if r.attempts else None
        value = (
            f"{fmt_value(prof.quantity, m.value)} [{fmt_value(prof.quantity, m.lo)}, "
            f"{fmt_value(prof.quantity, m.hi)}]"
            if m
            else r.reason
        )
        mark = {True: "", False: "  WRONG", None: ""}[r.correct]
        lines.append(
            f"{r.item.item_id:<14} {r.item.truth_class or '-':<10} {r.sorted_as:<10} "
            f"{len(r.attempts):>6} {r.max_peak_force_n:>7.2f}  {value}{mark}"
        )
    s = run.summary()
    lines += [
        "",
        f"{s['n_items']} items, {s['n_grasps']} grasps: {s['n_confident']} sorted, "
        f"{s['n_rejected']} rejected ({', '.join(f'{k} {v}' for k, v in s['per_class'].items())})",
        "confident decisions right: " + _accuracy_text(s, run),
        _peaks_line(s, prof.max_force_n),
    ]
    if run.stopped is not None:
        lines.append(
            f"stopped before the end of the tray ({s['n_aborted']} item(s) aborted): {run.stopped}"
        )
    return "\n".join(lines)


def _accuracy_text(s: dict[str, Any], run: SortRun) -> str:
    if s["confident_accuracy"] is not None:
        return f"{s['n_right']}/{s['n_scored']} ({100 * s['confident_accuracy']:.0f} %)"
    with_truth = sum(r.item.truth_class is not None for r in run.results)
    if with_truth:  # truth known, but nothing with truth was decided confidently
        return f"none to score (no confident decision on the {with_truth} item(s) with truth)"
    return "no truth"


def _peaks_line(s: dict[str, Any], limit_n: float) -> str:
    if s["peak_force_max_n"] is None:
        return f"no grasp recorded (safe limit {limit_n:g} N)"
    return (
        f"peak force: median {s['peak_force_median_n']:.2f} N, max {s['peak_force_max_n']:.2f} N "
        f"(safe limit {limit_n:g} N{', EXCEEDED' if s['force_limit_exceeded'] else ''})"
    )


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    return obj
