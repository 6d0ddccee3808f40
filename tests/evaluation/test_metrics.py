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


def test_summary_metrics_as_values_are_the_old_figures() -> None:
    """Every answer scored as a value (a bound at its bound): what the summary's top level
    held before points and bounds were scored apart, unchanged under ``as_values``."""
    m = summary_metrics(per_object_table(records()))["as_values"]
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
    values = base["as_values"]
    assert values["within_one_decade"] == pytest.approx(1 / 3)  # only "mid"
    assert values["spearman"] is None  # a constant has no ranking
    assert values["log10_mae"] == pytest.approx((2 + 0 + 4) / 3)
    # a constant answers every object with a point: correct = within a decade, no bounds
    assert base["correct"] == 1 and base["n_points"] == 3 and base["n_bounds"] == 0
    assert base["false_bounds"] == 0 and base["points"]["log10_mae"] == values["log10_mae"]
    # beside the estimator's points: the constant on the same two objects (soft, mid)
    same = base["points_same_objects"]
    assert same["n"] == 2 and same["log10_mae"] == pytest.approx((2 + 0) / 2)
    assert same["n_within_one_decade"] == 1


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
    assert m["correct"] == m["n_objects"] == m["n_points"] and m["false_bounds"] == 0
    p = m["points"]
    assert p["within_one_decade"] == 1.0 and p["log10_mae"] == pytest.approx(0.0, abs=1e-9)
    assert p["coverage_95"] == 1.0 and p["soft_hard_accuracy"] == 1.0
    assert m["as_values"]["log10_mae"] == pytest.approx(0.0, abs=1e-9)


def test_text_tables_mention_objects_and_baseline() -> None:
    rows = per_object_table(records())
    table = format_object_table(rows)
    assert "soft" in table and "stiffer_than_gel" in table and ">" in table
    summary = format_summary(summary_metrics(rows, baseline_pa=2e10))
    assert "constant 20 GPa" in summary and "within one decade" in summary
    assert "1e10" in summary
    head = next(line for line in summary.splitlines() if line.startswith("correct:"))
    assert head.split()[-6:] == ["2", "of", "3", "1", "of", "3"]  # soft + stiff's bound; 2e10
    stiff = next(line for line in table.splitlines() if line.startswith("stiff"))
    assert "bound holds" in stiff and "(-2.85)" in stiff  # the bound's gap: not an error
    assert "point no" in next(line for line in table.splitlines() if line.startswith("mid"))


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
    # the points-only block: hybrid's two points (soft yes, mid no), analytical's three (all
    # 3x off: yes), the constant on hybrid's two points (mid only)
    decade_line = next(line for line in text.splitlines() if "share within one decade" in line)
    assert decade_line.split()[-3:] == ["0.500", "1.000", "0.500"]
    old = [line for line in text.splitlines() if "share within one decade" in line][-1]
    assert old.split()[-3:] == ["0.333", "1.000", "0.333"]  # every answer as a value


GEL_PA = 2e5


def answer(value: float, *, bound: bool = False, flag: Flag | None = None) -> ModulusEstimate:
    """A point (3x interval) or a lower bound, naming the calibration's gel (200 kPa)."""
    if bound:
        return ModulusEstimate(
            value,
            (value, math.inf),
            (value, math.inf),
            "test",
            flags=frozenset({flag or Flag.STIFFER_THAN_GEL}),
            lower_bound_only=True,
            details={"gel_modulus_pa": GEL_PA},
        )
    return ModulusEstimate(
        value,
        (value / 3, value * 3),
        (value / 9, value * 9),
        "test",
        details={"gel_modulus_pa": GEL_PA},
    )


def mixed() -> list[tuple[str, str, float, ModulusEstimate]]:
    """Points within and outside a decade, a rigid object answered with a point, a bound that
    holds, a false bound on an object softer than the gel, an unresolved bound that holds."""
    return [
        ("foam", "f", 2e4, answer(4e4)),  # point, 0.30 dex
        ("rubber", "r", 1e6, answer(3e5)),  # point, -0.52 dex
        ("puck", "p", 3e7, answer(2e5)),  # point, -2.18 dex: a miss; rigid (>= 100 x gel)
        ("golf", "g", 8.5e8, answer(1e5 * 3, bound=True)),  # holds, stiffer than the gel
        ("sponge", "s", 1e5, answer(6e5, bound=True)),  # FALSE: label below the bound and gel
        ("gelpad", "u", 5e4, answer(3e4, bound=True, flag=Flag.UNRESOLVED)),  # holds
    ]


def test_points_and_bounds_are_scored_apart() -> None:
    m = summary_metrics(per_object_table(mixed()), baseline_pa=1e6)
    assert (m["n_objects"], m["n_points"], m["n_bounds"]) == (6, 3, 3)
    # foam and rubber within a decade, puck not; golf's and gelpad's bounds hold, but the
    # gelpad (50 kPa) is under 10x the 200 kPa gel: its true bound is not its answer
    assert m["correct"] == 3 and m["correct_share"] == pytest.approx(3 / 6)
    assert m["bounds"]["holding_below_resolution"] == 1
    assert m["false_bounds"] == 1 and m["rigid_points"] == 1
    p = m["points"]
    assert p["n"] == 3 and p["n_within_one_decade"] == 2
    errs = [math.log10(2), math.log10(3e5 / 1e6), math.log10(2e5 / 3e7)]
    assert p["log10_mae"] == pytest.approx(sum(map(abs, errs)) / 3)
    assert p["log10_bias"] == pytest.approx(sum(errs) / 3)
    b = m["bounds"]
    assert (b["n"], b["holding"], b["false"]) == (3, 2, 1)
    assert b["stiffer_than_gel"] == 2  # golf and sponge; gelpad is unresolved
    assert b["stiffer_than_gel_label_above_gel"] == 1  # golf (850 MPa >= 200 kPa)
    assert b["stiffer_than_gel_label_below_gel"] == 1  # sponge (100 kPa < 200 kPa)
    assert b["stiffer_than_gel_gel_unknown"] == 0
    by_id = {o["object_id"]: o for o in b["objects"]}
    assert by_id["golf"]["holds"] and not by_id["sponge"]["holds"] and by_id["gelpad"]["holds"]
    assert by_id["sponge"]["label_above_gel"] is False and by_id["golf"]["gel_modulus_pa"] == GEL_PA
    # the constant (1 MPa) answers every object with a point: rubber, and sponge at exactly
    # one decade, are within a decade of it
    base = m["baseline"]
    assert base["correct"] == 2 and base["false_bounds"] == 0 and base["n_bounds"] == 0
    assert base["points_same_objects"]["n"] == 3  # foam, rubber, puck: the estimator's points
    assert base["points_same_objects"]["n_within_one_decade"] == 1  # rubber
    # per label decade: the sponge's false bound in 1e5, the puck's miss in 1e7
    dec = {d["decade"]: d for d in m["per_decade"]}
    assert dec[5]["false_bounds"] == 1 and dec[5]["points_log10_mae"] is None
    assert dec[7]["correct"] == 0 and dec[8]["correct"] == 1 and dec[8]["n_bounds"] == 1


def test_spearman_ranks_points_only() -> None:
    """A bound that holds far below its label ranks, as a value, below every point: the old
    figure punished it; over points only the ranking is the points' own."""
    recs = [
        ("a", "a", 1e4, answer(2e4)),
        ("b", "b", 1e5, answer(1e5)),
        ("c", "c", 1e6, answer(5e5)),
        ("golf", "g", 1e9, answer(1.5e4, bound=True)),  # holds; as a value the lowest
    ]
    m = summary_metrics(per_object_table(recs))
    assert m["points"]["spearman"] == pytest.approx(1.0)
    assert m["as_values"]["spearman"] == pytest.approx(-0.2)  # golf, stiffest, ranked softest
    assert m["correct"] == 4 and m["false_bounds"] == 0
    # a stronger (higher, still true) bound changes the as-value figures, not the headline
    higher = summary_metrics(
        per_object_table([*recs[:3], ("golf", "g", 1e9, answer(1e8, bound=True))])
    )
    assert higher["correct"] == 4 and higher["points"] == m["points"]
    assert higher["as_values"]["log10_mae"] < m["as_values"]["log10_mae"]


def test_no_points_or_no_bounds_leave_scores_undefined_not_zero() -> None:
    only_bounds = summary_metrics(per_object_table([mixed()[3], mixed()[4]]))
    assert only_bounds["n_points"] == 0 and only_bounds["points"]["log10_mae"] is None
    assert only_bounds["points"]["spearman"] is None and only_bounds["rigid_points"] is None
    assert format_summary(only_bounds)  # prints n/a, never divides by zero
    only_points = summary_metrics(per_object_table(mixed()[:3]))
    assert only_points["bounds"]["n"] == 0 and only_points["bounds"]["objects"] == []
    assert only_points["as_values"]["bound_holds"] is None


def test_gel_unknown_is_counted_as_unknown() -> None:
    bare = ModulusEstimate(
        1e6, (1e6, math.inf), (1e6, math.inf), "t", frozenset({Flag.STIFFER_THAN_GEL}), True
    )
    m = summary_metrics(per_object_table([("x", "x", 1e9, bare)]))
    b = m["bounds"]
    assert b["stiffer_than_gel"] == 1 and b["stiffer_than_gel_gel_unknown"] == 1
    assert b["stiffer_than_gel_label_above_gel"] == 0 and m["rigid_points"] is None


def test_row_json_marks_the_answer() -> None:
    rows = {r.object_id: r.to_json() for r in per_object_table(mixed())}
    assert rows["golf"]["answer"] == "bound" and rows["golf"]["bound_holds"] is True
    assert rows["sponge"]["correct"] is False and rows["sponge"]["bound_holds"] is False
    assert rows["foam"]["answer"] == "point" and rows["foam"]["bound_holds"] is None
    assert rows["foam"]["correct"] is True and rows["foam"]["gel_modulus_pa"] == GEL_PA


def test_text_marks_false_bounds_and_counts_them() -> None:
    rows = per_object_table(mixed())
    table = format_object_table(rows)
    sponge = next(line for line in table.splitlines() if line.startswith("sponge"))
    assert ">600 kPa" in sponge and "bound FALSE" in sponge
    # a true bound on an object under 10x the gel is marked, not called right
    gelpad = next(line for line in table.splitlines() if line.startswith("gelpad"))
    assert "bound <10x gel" in gelpad and "bound holds" not in gelpad
    golf = next(line for line in table.splitlines() if line.startswith("golf"))
    assert "bound holds" in golf
    text = format_summary(summary_metrics(rows, baseline_pa=1e6))
    false_line = next(line for line in text.splitlines() if line.startswith("false lower"))
    assert false_line.split()[-4:] == ["1", "of", "3", "-"]  # the constant makes no bound
    above = next(line for line in text.splitlines() if "label above the gel" in line)
    assert above.split()[-4:-1] == ["1", "of", "2"]  # golf yes, sponge no (gelpad unflagged)


def test_the_given_calibration_supplies_an_unnamed_gel() -> None:
    from tactile.evaluation.workflow import _with_gel

    bare = ModulusEstimate(
        1e6, (1e6, math.inf), (1e6, math.inf), "t", frozenset({Flag.STIFFER_THAN_GEL}), True
    )
    rows = per_object_table([("x", "x", 1e9, bare), ("y", "y", 1e5, answer(1e5))])
    filled = {r.object_id: r.gel_modulus_pa for r in _with_gel(rows, "wedge-reference-v4")}
    assert filled["x"] == pytest.approx(54689.4) and filled["y"] == GEL_PA  # named wins
    for calibration in (None, "no-such-calibration"):  # none given, or unknown: stays unknown
        kept = {r.object_id: r.gel_modulus_pa for r in _with_gel(rows, calibration)}
        assert kept == {"x": None, "y": GEL_PA}
