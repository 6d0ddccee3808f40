"""Per-object metrics, the constant baseline, text tables and the evaluation plot."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import ConfigError
from tactile.evaluation import (
    constant_baseline_pa,
    format_object_table,
    format_summary,
    per_object_table,
    plot_evaluation,
    summary_metrics,
)
from tactile.types import Flag, ModulusEstimate


def est(value: float, *, spread: float = 2.0, bound: bool = False) -> ModulusEstimate:
    if bound:
        return ModulusEstimate(
            value,
            (value * 1.5, math.inf),
            (value, math.inf),
            "test",
            flags=frozenset({Flag.STIFFER_THAN_GEL}),
            lower_bound_only=True,
        )
    return ModulusEstimate(
        value, (value / spread, value * spread), (value / spread**2, value * spread**2), "test"
    )


def records() -> list[tuple[str, str, float, ModulusEstimate]]:
    return [
        ("soft", "s1", 1e4, est(1.2e4)),
        ("soft", "s2", 1e4, est(3e4)),
        ("soft", "s3", 1e4, est(1e4)),
        ("mid", "m1", 1e6, est(2e7)),  # 1.3 decades off
        ("stiff", "h1", 1e10, est(1e7, bound=True)),  # bound holds but 3 decades low
        ("stiff", "h2", 1e10, est(2e7, bound=True)),
    ]


def test_per_object_median_in_log_space() -> None:
    rows = {r.object_id: r for r in per_object_table(records())}
    assert rows["soft"].n_grasps == 3
    assert rows["soft"].estimate_pa == pytest.approx(1.2e4)
    assert rows["soft"].interval_68_pa == pytest.approx((6e3, 2.4e4))
    assert rows["stiff"].estimate_pa == pytest.approx(math.sqrt(1e7 * 2e7))
    assert rows["stiff"].lower_bound_only and math.isinf(rows["stiff"].interval_95_pa[1])
    assert Flag.STIFFER_THAN_GEL in rows["stiff"].flags
    assert [r.object_id for r in per_object_table(records())] == ["soft", "mid", "stiff"]


def test_summary_metrics_values() -> None:
    m = summary_metrics(per_object_table(records()))
    assert m["n_objects"] == 3
    assert m["within_one_decade"] == pytest.approx(1 / 3)
    assert m["within_half_decade"] == pytest.approx(1 / 3)
    errs = [math.log10(1.2), math.log10(20), abs(math.log10(math.sqrt(2e14) / 1e10))]
    assert m["log10_mae"] == pytest.approx(sum(errs) / 3)
    assert m["spearman"] == pytest.approx(0.5)  # stiff (1.4e7) ranks below mid (2e7)
    # soft: 1e4 right, 1e6 right (2e7 < 1e8), stiff predicted soft (1.4e7) -> wrong
    assert m["soft_hard_accuracy"] == pytest.approx(2 / 3)
    assert m["coverage_68"] == pytest.approx(2 / 3)  # soft yes, mid no, stiff (open) yes
    assert m["bound_holds"] == 1.0 and m["n_lower_bound_only"] == 1
    assert [d["decade"] for d in m["per_decade"]] == [4, 6, 10]


def test_baseline_is_beside_and_uses_given_constant() -> None:
    rows = per_object_table(records())
    m = summary_metrics(rows, baseline_pa=1e6)
    base = m["baseline"]
    assert base["value_pa"] == 1e6
    assert base["within_one_decade"] == pytest.approx(1 / 3)  # only "mid"
    assert base["spearman"] is None  # a constant has no ranking
    assert base["log10_mae"] == pytest.approx((2 + 0 + 4) / 3)


def test_constant_baseline_from_training_labels_only() -> None:
    assert constant_baseline_pa([1e4, 1e6, 1e8]) == pytest.approx(1e6)
    with pytest.raises(ConfigError):
        constant_baseline_pa([])


def test_inconsistent_labels_and_bad_labels_raise() -> None:
    with pytest.raises(ConfigError):
        per_object_table([("a", "1", 1e5, est(1e5)), ("a", "2", 2e5, est(1e5))])
    with pytest.raises(ConfigError):
        per_object_table([("a", "1", 0.0, est(1e5))])
    with pytest.raises(ConfigError):
        summary_metrics([])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(3.0, 11.0), min_size=3, max_size=12))
def test_property_perfect_estimates_score_perfectly(log_labels: list[float]) -> None:
    recs = [(f"o{i}", f"g{i}", 10**v, est(10**v)) for i, v in enumerate(log_labels)]
    m = summary_metrics(per_object_table(recs))
    assert m["within_one_decade"] == 1.0 and m["log10_mae"] == pytest.approx(0.0, abs=1e-9)
    assert m["coverage_95"] == 1.0 and m["soft_hard_accuracy"] == 1.0


def test_text_tables_mention_objects_and_baseline() -> None:
    rows = per_object_table(records())
    table = format_object_table(rows)
    assert "soft" in table and "stiffer_than_gel" in table and ">" in table
    summary = format_summary(summary_metrics(rows, baseline_pa=2e10))
    assert "constant 20 GPa" in summary and "within one decade" in summary
    assert "1e10" in summary


def test_plot_is_a_real_png(tmp_path: Path) -> None:
    rows = per_object_table(records())
    out = plot_evaluation(rows, tmp_path / "sub" / "eval.png", baseline_pa=1e6, title="t")
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 600
    assert image.std() > 10  # not blank


def test_summary_with_other_estimators_in_columns() -> None:
    rows = per_object_table(records())
    analytical = per_object_table([(o, g, lab, est(lab * 3)) for o, g, lab, _ in records()])
    text = format_summary(
        summary_metrics(rows, baseline_pa=1e6),
        name="hybrid",
        others={"analytical": summary_metrics(analytical)},
    )
    header = text.splitlines()[0]
    assert header.index("hybrid") < header.index("analytical") < header.index("constant")
    decade_line = next(line for line in text.splitlines() if "within one decade" in line)
    assert decade_line.split()[-3:] == ["0.333", "1.000", "0.333"]
