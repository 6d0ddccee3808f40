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
