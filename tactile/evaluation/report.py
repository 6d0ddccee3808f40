"""Plain-text tables of evaluation results (what ``tactile evaluate`` prints)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tactile.evaluation.metrics import ObjectRow
from tactile.types import clip, format_pa, pad


def _pa(value: float | None) -> str:
    return format_pa(value)


def format_estimate(value_pa: float, lower_bound_only: bool) -> str:
    return (">" if lower_bound_only else "") + _pa(value_pa)


def format_interval(interval: tuple[float, float]) -> str:
    return f"[{_pa(interval[0])}, {_pa(interval[1])}]"


def _geometry_cells(row: ObjectRow) -> str:
    geo = row.extra.get("geometry")
    if not geo:
        return f"{'-':>13} {'-':<15}"
    size = f"{geo['size_mm']:.0f}±{geo['size_sd_mm']:.0f} mm"
    return f"{size:>13} {geo['shape_class'] + ' ' + geo['shape_votes']:<15}"


def _answer_cell(row: ObjectRow) -> str:
    if row.lower_bound_only:
        if not row.bound_holds:
            return "bound FALSE"
        # true, but on an object the sensor can resolve: not counted correct
        return "bound holds" if row.label_beyond_resolution is not False else "bound <10x gel"
    return "point yes" if row.within_one_decade else "point no"


def format_object_table(rows: Sequence[ObjectRow]) -> str:
    """One line per object: median estimate (">" marks a lower bound), 68 % interval, label,
    log10(estimate / label) (in parentheses for a bound: not an error), the answer scored (a
    point within one decade: yes / no; a bound: holds / FALSE), flags; with the size along the
    squeeze and the imprint's shape class (grasps agreeing) when the estimator inferred the
    geometry (``blind``)."""
    with_geo = any("geometry" in r.extra for r in rows)
    geo_head = f" {'size':>13} {'shape':<15}" if with_geo else ""
    header = (
        f"{'object':<24} {'n':>2} {'estimate':>11} {'68% interval':>24} {'label':>10} "
        f"{'log10 err':>9} {'answer':<11}{geo_head}  flags"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        geo = " " + _geometry_cells(r) if with_geo else ""
        err = f"({r.log10_error:+.2f})" if r.lower_bound_only else f"{r.log10_error:+.2f}"
        lines.append(
            f"{pad(clip(r.object_id, 24), 24)} {r.n_grasps:>2} "
            f"{format_estimate(r.estimate_pa, r.lower_bound_only):>11} "
            f"{format_interval(r.interval_68_pa):>24} {_pa(r.label_pa):>10} "
            f"{err:>9} {_answer_cell(r):<11}{geo}  "
            f"{', '.join(sorted(str(f) for f in r.flags))}"
        )
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _of(count: Any, n: Any) -> str:
    return "-" if not n or count is None else f"{count} of {n}"


#: (label, cell) rows of the headline block: points and bounds scored apart.
_COUNT_ROWS: tuple[tuple[str, Any], ...] = (
    (
        "correct: point in a decade or true bound >=10x gel",
        lambda m: _of(m["correct"], m["n_objects"]),
    ),
    (
        "  points within one decade",
        lambda m: _of(m["points"]["n_within_one_decade"], m["n_points"]),
    ),
    ("  lower bounds that hold", lambda m: _of(m["bounds"]["holding"], m["n_bounds"])),
    (
        "    of them on objects < 10x gel (not correct)",
        lambda m: _of(m["bounds"]["holding_below_resolution"], m["bounds"]["holding"]),
    ),
    ("false lower bounds (label below the bound)", lambda m: _of(m["false_bounds"], m["n_bounds"])),
    (
        "stiffer_than_gel, label above the gel",
        lambda m: _of(
            m["bounds"]["stiffer_than_gel_label_above_gel"],
            m["bounds"]["stiffer_than_gel"] - m["bounds"]["stiffer_than_gel_gel_unknown"],
        ),
    ),
    ("rigid (>= 100x gel) answered with a point", lambda m: _fmt(m.get("rigid_points"))),
)

#: (key, label) of the point scores (over point answers only).
POINT_KEYS = (
    ("within_one_decade", "share within one decade"),
    ("within_half_decade", "share within half a decade"),
    ("log10_mae", "log10 MAE"),
    ("log10_bias", "log10 bias (+: too stiff)"),
    ("spearman", "Spearman rank correlation"),
    ("soft_hard_accuracy", "soft/hard accuracy at 1e8 Pa"),
    ("coverage_68", "68 % interval coverage"),
    ("coverage_95", "95 % interval coverage"),
)

#: (key, label) of the every-answer-as-a-value scores (the figures before the split).
AS_VALUE_KEYS = (
    ("within_one_decade", "share within one decade"),
    ("log10_mae", "log10 MAE"),
    ("spearman", "Spearman rank correlation"),
)

_LABEL_WIDTH = 50


def format_summary(
    metrics: dict[str, Any],
    *,
    name: str = "estimate",
    others: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """Summary metrics, points and bounds apart, with the constant baseline's in a column when
    present: the headline counts (correct, false bounds), the point scores (the constant's on
    the same objects), and every answer scored as a value (a bound at its bound: the figures
    before the split, not a headline).

    ``others``: metrics of other estimators on the same objects (e.g. ``{"analytical": m}``
    beside a network's), each in its own column before the constant.
    """
    base = metrics.get("baseline")
    columns: list[tuple[str, dict[str, Any]]] = [(name, metrics), *(others or {}).items()]
    widths = [max(12, len(col)) for col, _ in columns]
    base_head = f"constant {_pa(base['value_pa'])}" if base else ""
    base_w = max(22, len(base_head))
    head = f"{'metric (' + str(metrics['n_objects']) + ' objects)':<{_LABEL_WIDTH}}"
    head += "".join(f" {col:>{w}}" for (col, _), w in zip(columns, widths, strict=True))
    if base:
        head += f" {base_head:>{base_w}}"
    lines = [head, "-" * len(head)]

    def line(label: str, cells: Sequence[str], base_cell: str | None) -> str:
        text = f"{label:<{_LABEL_WIDTH}}"
        text += "".join(f" {c:>{w}}" for c, w in zip(cells, widths, strict=True))
        if base:
            text += f" {base_cell or '':>{base_w}}"
        return text

    for label, cell in _COUNT_ROWS:
        lines.append(line(label, [cell(m) for _, m in columns], cell(base) if base else None))
    n_points = ", ".join(str(m["n_points"]) for _, m in columns)
    lines.append(f"points only (n = {n_points}; the constant on the same objects):")
    base_points = (base or {}).get("points_same_objects", {})
    for key, label in POINT_KEYS:
        cells = [_fmt(m["points"].get(key)) for _, m in columns]
        lines.append(line("  " + label, cells, _fmt(base_points.get(key)) if base else None))
    lines.append("every answer as a value, a bound at its bound (old figures; not the headline):")
    base_values = (base or {}).get("as_values", {})
    for key, label in AS_VALUE_KEYS:
        cells = [_fmt(m["as_values"].get(key)) for _, m in columns]
        lines.append(line("  " + label, cells, _fmt(base_values.get(key)) if base else None))
    lines.append("")
    lines.append(
        "per label decade: n, correct (constant), false bounds, points' log10 MAE (constant)"
    )
    base_dec = {d["decade"]: d for d in (base or {}).get("per_decade", [])}
    base_same = {d["decade"]: d for d in (base or {}).get("per_decade_points_same_objects", [])}
    for d in metrics.get("per_decade", []):
        b = base_dec.get(d["decade"])
        correct = f"{d['correct']}/{d['n_objects']}" + (f" ({b['correct']})" if b else "")
        mae = "n/a" if d["points_log10_mae"] is None else f"{d['points_log10_mae']:.2f}"
        same = base_same.get(d["decade"])
        if same and same["points_log10_mae"] is not None:
            mae += f" ({same['points_log10_mae']:.2f})"
        lines.append(
            f"  1e{d['decade']:<3} n={d['n_objects']:<3} correct {correct:<10} "
            f"false bounds {d['false_bounds']}  points MAE {mae}"
        )
    return "\n".join(lines)


def format_simulated_truth(block: Mapping[str, Any], *, name: str = "estimate") -> str:
    """The ``simulated_truth`` block (:func:`~tactile.evaluation.workflow.simulated_truth_block`):
    issue 11's simulated criteria as BENCHMARKS.md counts them, against each rig's true gel and
    the network's resolvable limits."""
    below = block.get("below_limit_objects")
    hits = block.get("below_limit_hits")
    share = block.get("below_within_decade")
    below_cell = (
        f"{hits} of {below} ({share:.1%})" if hits is not None and share is not None else "n/a"
    )
    rows = (
        ("objects (of them refused)", f"{block['objects']} ({block.get('refused')})"),
        ("below the grasp's limit: points within a decade", below_cell),
        (
            "correct vs the rig's gel (point in a decade or true bound >=10x rig gel)",
            _fmt(block.get("correct_vs_rig_gel")),
        ),
        ("false lower bounds", _of(block.get("false_bounds"), block.get("n_bounds"))),
        (
            "rigid (>= 100x rig gel) answered with a point",
            _of(block.get("rigid_points"), block.get("rigid_objects")),
        ),
        ("soft (< rig gel) flagged stiffer_than_gel", _fmt(block["soft_true_gel_flagged_stiffer"])),
        (
            "soft (< calibration gel) flagged stiffer_than_gel",
            _fmt(block["soft_cal_gel_flagged_stiffer"]),
        ),
    )
    width = max(len(label) for label, _ in rows)
    lines = [
        f"simulated truth, {name} (BENCHMARKS.md's issue-11 criteria, as "
        "score_rigid_points.py counts them: each rig's true gel, the network's resolvable "
        "limits)",
        *(f"  {label:<{width}}  {cell}" for label, cell in rows),
        f"  limits from: {block.get('limits_from')}",
    ]
    return "\n".join(lines)
