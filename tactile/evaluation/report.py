"""Plain-text tables of evaluation results (what ``tactile evaluate`` prints)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tactile.evaluation.metrics import ObjectRow
from tactile.types import format_pa


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


def format_object_table(rows: Sequence[ObjectRow]) -> str:
    """One line per object: median estimate, 68 % interval, label, within a decade, flags;
    with the size along the squeeze and the imprint's shape class (grasps agreeing) when the
    estimator inferred the geometry (``blind``)."""
    with_geo = any("geometry" in r.extra for r in rows)
    geo_head = f" {'size':>13} {'shape':<15}" if with_geo else ""
    header = (
        f"{'object':<24} {'n':>2} {'estimate':>11} {'68% interval':>24} {'label':>10} "
        f"{'log10 err':>9} {'1 dec':>5}{geo_head}  flags"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        geo = " " + _geometry_cells(r) if with_geo else ""
        lines.append(
            f"{r.object_id[:24]:<24} {r.n_grasps:>2} "
            f"{format_estimate(r.estimate_pa, r.lower_bound_only):>11} "
            f"{format_interval(r.interval_68_pa):>24} {_pa(r.label_pa):>10} "
            f"{r.log10_error:>+9.2f} {'yes' if r.within_one_decade else 'no':>5}{geo}  "
            f"{', '.join(sorted(str(f) for f in r.flags))}"
        )
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


SUMMARY_KEYS = (
    ("within_one_decade", "share within one decade"),
    ("within_half_decade", "share within half a decade"),
    ("log10_mae", "log10 MAE"),
    ("spearman", "Spearman rank correlation"),
    ("soft_hard_accuracy", "soft/hard accuracy at 1e8 Pa"),
    ("coverage_68", "68 % interval coverage"),
    ("coverage_95", "95 % interval coverage"),
)


def format_summary(
    metrics: dict[str, Any],
    *,
    name: str = "estimate",
    others: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """Summary metrics, with the constant baseline's in a column when present.

    ``others``: metrics of other estimators on the same objects (e.g. ``{"analytical": m}``
    beside a network's), each in its own column before the constant.
    """
    base = metrics.get("baseline")
    columns = [(name, metrics), *(others or {}).items()]
    head = f"{'metric (' + str(metrics['n_objects']) + ' objects)':<32}"
    head += "".join(f" {col:>12}" for col, _ in columns)
    if base:
        head += f" {'constant ' + _pa(base['value_pa']):>22}"
    lines = [head, "-" * len(head)]
    for key, label in SUMMARY_KEYS:
        line = f"{label:<32}" + "".join(f" {_fmt(m.get(key)):>12}" for _, m in columns)
        if base:
            line += f" {_fmt(base.get(key)):>22}"
        lines.append(line)
    if metrics.get("n_lower_bound_only"):
        lines.append(
            f"{'lower bounds that hold':<32} {_fmt(metrics.get('bound_holds')):>12}"
            f"  ({metrics['n_lower_bound_only']} object(s) answered with a lower bound only)"
        )
    lines.append("")
    lines.append("per label decade: n, log10 MAE (constant), share within one decade")
    base_dec = {d["decade"]: d for d in (base or {}).get("per_decade", [])}
    for d in metrics.get("per_decade", []):
        b = base_dec.get(d["decade"])
        extra = f" ({b['log10_mae']:.2f})" if b else ""
        lines.append(
            f"  1e{d['decade']:<3} n={d['n_objects']:<3} MAE {d['log10_mae']:.2f}{extra:<8} "
            f"within {d['within_one_decade']:.2f}"
        )
    return "\n".join(lines)
