"""The demo report's sorting figures (faults found by the issue-16 review): the "full vs
stopped" trace shows a fruit that stopped early (or says none did), and reject markers sit
inside the final axes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tactile.reporting import demo_report, plots


@pytest.fixture(scope="module")
def tray() -> Any:
    from tactile.reporting.demo import demo_tray

    return demo_tray(3, 0)  # the labelled tray gets 6 fruit whatever the size


def _html(tray: Any) -> str:
    rep = demo_report.Report("t", "s")
    demo_report._fruit_traces(rep, tray)
    demo_report._online_section(rep, tray)
    return rep.render()


def _no_early_stop(tray: Any, *, at_peak: bool = False) -> Any:
    """The tray with no early stop: every stop at the safe force, or (``at_peak``) confident
    but only at the full grasp's peak force (the hold), which saves nothing."""

    def run_of(run: Any, full: Any) -> Any:
        if at_peak:
            return replace(
                full, stop_reason="confident", stop_index=int(full.grasp.force_n.argmax())
            )
        return replace(run, stop_reason="safe_force")

    results = [
        replace(
            r,
            attempts=tuple(replace(a, run=run_of(a.run, f.attempts[0].run)) for a in r.attempts),
        )
        for r, f in zip(tray.stopped.results, tray.full.results, strict=True)
    ]
    return replace(tray, stopped=replace(tray.stopped, results=results))


def test_the_stopped_trace_shows_the_earliest_stop(tray: Any) -> None:
    idx = demo_report.early_stop_index(tray)
    assert idx is not None, "seed 0: some first grasp stops early"
    runs = [r.attempts[0].run for r in tray.stopped.results]
    force = {
        i: r.grasp.force_n[r.stop_index] for i, r in enumerate(runs) if r.stop_reason == "confident"
    }
    assert min(force.values()) == force[idx]
    assert force[idx] < 0.95 * tray.full.results[idx].attempts[0].run.grasp.force_n.max()
    page = _html(tray)
    assert f"{tray.stopped.results[idx].item.item_id}, the tray&#x27;s earliest stop" in page


@pytest.mark.parametrize("at_peak", [False, True])
def test_the_report_says_when_no_fruit_stopped_early(tray: Any, at_peak: bool) -> None:
    none = _no_early_stop(tray, at_peak=at_peak)
    assert demo_report.early_stop_index(none) is None
    page = _html(none)
    assert "No fruit of this tray stopped early" in page
    assert "earliest stop" not in page and "no stop to mark" in page


def test_reject_markers_lie_inside_the_final_axes(tray: Any, monkeypatch: Any) -> None:
    figures = []
    monkeypatch.setattr(plots, "png_bytes", lambda fig: figures.append(fig) or b"")
    results = list(tray.stopped.results)
    results[0] = replace(results[0], sorted_as="reject")  # at least one reject to mark
    plots.sorting_figure(replace(tray.stopped, results=results))
    fig = figures[0]
    fig.canvas.draw()
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_text() == "×"]
    n_rejects = sum(r.sorted_as == "reject" for r in results)
    assert len(marks) == n_rejects
    box = ax.get_window_extent()
    for t in marks:
        x, y = t.get_transform().transform(t.get_position())
        assert box.x0 <= x <= box.x1 and box.y0 <= y <= box.y0 + 0.05 * box.height


def _figure_of(monkeypatch: Any, draw: Any) -> Any:
    """The matplotlib figure a plot function builds (before it becomes PNG bytes)."""
    figures: list[Any] = []
    monkeypatch.setattr(plots, "png_bytes", lambda fig: figures.append(fig) or b"")
    draw()
    fig = figures[0]
    fig.canvas.draw()
    return fig


def _limits_drawn(ax: Any) -> tuple[list[float], list[float], list[float]]:
    """The dashed and dotted horizontal lines (data y) and the shaded bands' y ranges, in
    order and flattened (lo, hi, lo, hi, ...)."""
    import numpy as np

    dashed, dotted = [], []
    for line in ax.get_lines():
        x, y = line.get_xdata(), line.get_ydata()
        if len(y) == 2 and y[0] == y[1] and list(x) == [0, 1]:  # an axhline
            if line.get_linestyle() == "--":
                dashed.append(float(y[0]))
            elif line.get_linestyle() == ":":
                dotted.append(float(y[0]))
    spans = []
    for p in ax.patches:
        if p.get_alpha() is not None and abs(p.get_alpha() - 0.22) < 1e-9:
            ys = np.asarray(p.get_path().transformed(p.get_patch_transform()).vertices)[:, 1]
            spans.append((float(ys.min()), float(ys.max())))
    return sorted(dashed), sorted(dotted), [y for span in sorted(spans) for y in span]


@pytest.mark.parametrize("which", ["fitted", "literature"])
def test_the_plots_draw_each_class_limit_with_its_band_and_label_it(
    tray: Any, which: str, monkeypatch: Any
) -> None:
    """Issue-review faults 2 and 4: the limits where the decision uses them, the undecided
    bands shaded, the band middles the text quotes drawn and labelled, the classes named, and
    every marker (the reject × included) in the legend."""
    from tactile.decisions.decide import limit_bands
    from tactile.decisions.sorter import fmt_value

    prof = tray.fitted if which == "fitted" else tray.literature
    run = replace(tray.stopped, profile=prof)
    bands = limit_bands(prof)
    fig = _figure_of(monkeypatch, lambda: plots.sorting_figure(run))
    ax = fig.axes[0]
    dashed, dotted, spans = _limits_drawn(ax)
    assert dashed == pytest.approx(sorted({y for b in bands for y in (b.limit_low, b.limit_high)}))
    assert spans == pytest.approx([y for b in bands for y in (b.lo, b.hi)])
    gaps = [b.middle for b in bands if b.limit_high > b.limit_low]
    assert dotted == pytest.approx(gaps) and bool(gaps) == (which == "fitted")
    texts = [t.get_text() for t in ax.texts]
    for b in bands:
        assert f"{b.lower}|{b.upper} {fmt_value(prof.quantity, b.middle)}" in texts
    assert set(prof.class_names) <= set(texts)
    legend = {
        t.get_text(): h
        for t, h in zip(ax.get_legend().texts, ax.get_legend().legend_handles, strict=True)
    }
    assert plots.REJECT_LABEL in legend and legend[plots.REJECT_LABEL].get_marker() == "x"
    assert {plots.BAND_LABEL, plots.LIMIT_LABEL} <= set(legend)
    assert (plots.MIDDLE_LABEL in legend) == (which == "fitted")
    assert {"lower bound only", "hollow: wrong class", "rejected"} <= set(legend)


def test_the_online_plot_draws_the_same_limits(tray: Any, monkeypatch: Any) -> None:
    from tactile.decisions.decide import limit_bands
    from tactile.decisions.estimator import ProduceEstimator
    from tactile.decisions.grasping import run_online

    grasp = tray.full.results[0].attempts[0].run.grasp
    trace, _, _ = run_online(grasp, ProduceEstimator(), None, skip_below_n=0.3)
    fig = _figure_of(monkeypatch, lambda: plots.convergence_figure(trace, profile=tray.fitted))
    ax = fig.axes[0]
    bands = limit_bands(tray.fitted)
    dashed, dotted, spans = _limits_drawn(ax)
    assert dashed == pytest.approx(sorted(y for b in bands for y in (b.limit_low, b.limit_high)))
    assert dotted == pytest.approx([b.middle for b in bands])
    assert spans == pytest.approx([y for b in bands for y in (b.lo, b.hi)])
    legend = [t.get_text() for t in ax.get_legend().texts]
    assert plots.BAND_LABEL in legend and plots.LIMIT_LABEL in legend


def test_the_sorting_text_gives_both_medians_the_bands_and_the_rule(tray: Any) -> None:
    """Faults 1 and 3: forces to two decimals, both medians (all grasps, items) stopping and
    full, named; the bands' numbers as drawn; the futile stop and the bands in the rule."""
    import html

    from tactile.decisions.decide import limit_bands

    rep = demo_report.Report("t", "s")
    demo_report._sorting_section(rep, tray)
    page = html.unescape(rep.render())
    stop, full = tray.stopped.summary(), tray.full.summary()
    for key in ("peak_force_median_n", "item_peak_force_median_n"):
        assert f"{stop[key]:.2f} N / {full[key]:.2f} N" in page
        assert f"<td class=num>{stop[key]:.2f}</td><td class=num>{full[key]:.2f}</td>" in page
    assert "median peak force over all grasps" in page
    assert "median over items of each item's largest force" in page
    for b in limit_bands(tray.fitted):
        assert plots.band_text(tray.fitted, b) in page
    assert "Futile stop" in page and "without a re-grasp" in page and "inside a band" in page
    assert "Out of range" in page and f"up to {tray.fitted.max_regrasps} more times" in page
    # a literature profile: the value within a limit's uncertainty rejects at once
    lit = " ".join(demo_report.rule_items(tray.literature))
    assert "within a limit's uncertainty is rejected at once" in lit


def test_a_held_bound_is_not_called_stiffer_than_the_gel() -> None:
    """A lower bound that holds says only that: a bound below the gel's modulus proves nothing
    about the gel (``unresolved``), so the demo's verdict does not claim it."""
    from tactile.reporting.demo import verdict

    assert verdict(5e3, True, 7e3) == "ok (lower bound holds)"
    assert verdict(5e3, True, 4e3) == "bound violated"
