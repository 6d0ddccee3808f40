"""The report ``tactile demo`` writes: what was grasped, estimated, and sorted, and why.

Sections: the objects and the tray; grasp traces and the gel at contact and peak; estimates
against the truth; the online estimate converging during one squeeze, against the fitted class
limits and their undecided bands; the rule the sorter applies (confident, uncertain, futile stops,
out of range); the sorting outcome item by item with the reason, and the peak forces (medians
over all grasps and over items) with and without stopping when confident.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile import __version__
from tactile.decisions.decide import limit_bands
from tactile.decisions.fit import Boundary
from tactile.decisions.log import item_row
from tactile.decisions.profiles import ProduceProfile
from tactile.decisions.sorter import REJECT, SortRun
from tactile.decisions.stopping import CONFIDENT_STOP, FUTILE_FORCE_RATIO
from tactile.reporting import plots
from tactile.reporting.html import Report
from tactile.types import Grasp, format_pa


@dataclass
class DemoTray:
    literature: ProduceProfile
    fitted: ProduceProfile
    boundaries: Sequence[Boundary]
    labelled: SortRun
    full: SortRun
    stopped: SortRun


@dataclass
class DemoResults:
    objects: Sequence[dict[str, Any]]  # name, shape, radius_mm, modulus_pa
    grasps: Sequence[Grasp]  # the recorded sphere grasps
    rows: Sequence[dict[str, Any]]  # analytical estimate rows (demo.estimate_rows)
    network_rows: Sequence[dict[str, Any]]
    network_name: str
    network_note: str | None
    estimator: str
    tray: DemoTray | None


def _estimate_cells(r: dict[str, Any]) -> list[str]:
    if "error" in r:
        return ["—", "—", f"failed: {r['error']}"]
    lo, hi = r["interval_68_pa"]
    est = ("> " if r["lower_bound_only"] else "") + format_pa(r["modulus_pa"])
    flags = ", ".join(r["flags"])
    return [
        est,
        f"{format_pa(lo)} – {format_pa(hi)}",
        r["verdict"] + (f" ({flags})" if flags else ""),
    ]


def _objects_section(rep: Report, res: DemoResults) -> None:
    rep.section("1. What was grasped", "grasped")
    rep.text(
        "Everything below is simulated (no hardware): the physics simulator squeezes each object "
        "between two fingers, one carrying a GelSight-like gel pad filmed by a camera, and "
        "records frames, grip force and gripper width as a real rig would; the recordings are "
        "written to HDF5 and estimated back from the file."
    )
    rep.table(
        ["object", "shape", "radius (mm)", "true Young's modulus"],
        [
            [o["name"], o["shape"], f"{o['radius_mm']:g}", format_pa(o["modulus_pa"])]
            for o in res.objects
        ],
    )
    if res.tray is not None:
        t = res.tray
        items = t.full.results
        rep.text(
            f"Then a tray of {len(items)} simulated {t.literature.name}es (the labelled tray for "
            f"fitting thresholds had {len(t.labelled.results)} more): each fruit is a "
            "near-spherical ellipsoid (radius and semi-axes scattered a few per cent) with a thin "
            "stiff skin over softer flesh; its ripeness sets the flesh modulus and so its true "
            "class. The sorter sees none of this: only its grasp."
        )


def _traces_section(rep: Report, res: DemoResults) -> None:
    from tactile.processing.loading import find_loading_phase

    rep.section("2. The grasps", "grasps")
    picks = [g for g in res.grasps if (g.meta.label_modulus_pa or 0) <= 2e5][:3] or list(
        res.grasps[:3]
    )
    rep.figure(
        plots.grasp_trace_figure(picks),
        "Grip force and gripper width over three sphere grasps: the fingers close at constant "
        "speed, the force rises from first contact to the gripper's force target, holds, and "
        "the gripper opens.",
    )
    g = picks[0]
    phase = find_loading_phase(g.force_n, g.width_mm)
    rep.figure(
        plots.frames_figure(g, phase.contact_index, phase.peak_index),
        f"The gel under {g.meta.object_id}: unloaded, at first contact and at peak force. The "
        "imprint's size and the gripper's closure carry the stiffness.",
    )
    if res.tray is not None and res.tray.stopped.results:
        _fruit_traces(rep, res.tray)


def _fruit_traces(rep: Report, tray: DemoTray) -> None:
    """The gel under one fruit, and its grasp full and with --stop-when-confident: the tray's
    earliest stop, or a note that no fruit stopped early."""
    from tactile.processing.loading import find_loading_phase

    idx = early_stop_index(tray)
    full = tray.full.results[0 if idx is None else idx].attempts[0].run.grasp
    ph = find_loading_phase(full.force_n, full.width_mm)
    rep.figure(
        plots.frames_figure(full, ph.contact_index, ph.peak_index),
        f"The gel under fruit {full.meta.object_id} (full grasp to {full.force_n.max():.2f} N).",
    )
    if idx is None:
        rep.text(
            "No fruit of this tray stopped early with --stop-when-confident: on no first grasp "
            "did the estimate's interval stay inside one class long enough before the "
            "gripper's force target, so the stopped grasps are as hard as the full ones.",
            css="note",
        )
        return
    a = tray.stopped.results[idx].attempts[0]
    stop = a.run.stop_index
    if stop is None:  # early_stop_index picks confident stops, which have one
        return
    rep.figure(
        plots.grasp_trace_figure(
            [full, a.run.grasp], [None, stop], ["full grasp", "--stop-when-confident"]
        ),
        f"The same fruit squeezed to the gripper's force target (blue, {full.force_n.max():.2f}"
        f" N) and with --stop-when-confident (orange, × where the online estimate decided, at "
        f"{a.run.grasp.force_n[stop]:.2f} N): {tray.stopped.results[idx].item.item_id}, the "
        "tray's earliest stop.",
    )


#: A stop is early when its force is below this share of the same fruit's full-grasp peak (a
#: confident stop during the hold at the force target saves nothing).
EARLY_SHARE = 0.95


def early_stop_index(tray: DemoTray) -> int | None:
    """The item whose first grasp with --stop-when-confident stopped earliest: a confident stop
    at the lowest force, below ``EARLY_SHARE`` of its full grasp's peak; None when none did."""
    early = []
    for i, (r, f) in enumerate(zip(tray.stopped.results, tray.full.results, strict=True)):
        if not (r.attempts and f.attempts):
            continue
        run, full = r.attempts[0].run, f.attempts[0].run.grasp
        if run.stop_reason != CONFIDENT_STOP or run.stop_index is None:
            continue
        force = float(run.grasp.force_n[run.stop_index])
        if force < EARLY_SHARE * float(full.force_n.max()):
            early.append((force, i))
    return min(early)[1] if early else None


def _estimates_section(rep: Report, res: DemoResults) -> None:
    rep.section("3. What was estimated", "estimated")
    rep.text(
        f"Estimator {res.estimator!r} (analytical: Hertz contact with the gel's compliance "
        "removed). An object much stiffer than the gel gets a lower bound, never a made-up "
        "number. Intervals are 68 %."
    )
    rep.table(
        ["object", "true E", "estimate", "68 % interval", "verdict"],
        [[r["object_id"], format_pa(r["label_modulus_pa"]), *_estimate_cells(r)] for r in res.rows],
    )
    ok = [r for r in res.rows if "error" not in r and r.get("label_modulus_pa")]
    if ok:
        rep.figure(
            plots.truth_figure(ok),
            "Estimated against true E. Triangles are lower bounds (the object's own "
            "deformation not resolved): they must lie below the diagonal.",
        )
    if res.network_rows:
        rep.text(f"The shipped network ({res.network_name}, models/default) on the same grasps:")
        rep.table(
            ["object", "true E", "estimate", "68 % interval", "verdict"],
            [
                [r["object_id"], format_pa(r["label_modulus_pa"]), *_estimate_cells(r)]
                for r in res.network_rows
            ],
        )
    elif res.network_note:
        rep.text(f"(Network not run: {res.network_note}.)")


def _online_section(rep: Report, tray: DemoTray) -> None:
    from tactile.decisions.estimator import ProduceEstimator
    from tactile.decisions.grasping import run_online

    rep.section("4. The estimate during the squeeze", "online")
    early = early_stop_index(tray)
    idx = 0 if early is None else early
    pick = tray.stopped.results[idx]
    full = tray.full.results[idx].attempts[0].run.grasp
    trace, _, _ = run_online(full, ProduceEstimator(), None, skip_below_n=0.3)
    final = next((u.estimate for u in reversed(trace) if u.estimate is not None), None)
    rep.figure(
        plots.convergence_figure(
            trace,
            profile=tray.fitted,
            final_log10=final.log10_modulus if final else None,
            stop_index=pick.attempts[0].run.stop_index if early is not None else None,
            title=f"{pick.item.item_id} (true class {pick.item.truth_class})",
        ),
        "Online estimate of log10 E after each frame of one fruit's full squeeze, with its 95 % "
        "interval (blue band); red: the estimate from the whole grasp. The fitted classes are "
        "named at the right; dashed: the class limits the decision uses, grey between them: "
        f"each limit's undecided band ({_bands_in_words(tray.fitted)}), dotted: its middle. A "
        "value in a grey band is never sorted, however narrow its interval; "
        + (
            "green: where --stop-when-confident stopped (the interval had stayed inside one "
            f"class, clear of the bands, for {tray.fitted.stop.stable_updates} updates)."
            if early is not None
            else "no fruit of this tray stopped early, so there is no stop to mark."
        ),
    )


def _bands_in_words(prof: ProduceProfile) -> str:
    return "; ".join(plots.band_text(prof, b) for b in limit_bands(prof))


#: The lead of the rule's list in the report.
RULE_LEAD = "How a fruit is sorted (the rule the code applies; docs/sorting.md):"


def rule_items(prof: ProduceProfile) -> list[str]:
    """The decision and stopping rule the sorter applies with ``prof``, in words, one item
    per case (:mod:`tactile.decisions.decide`, :mod:`~tactile.decisions.stopping`,
    :mod:`~tactile.decisions.sorter`)."""
    s = prof.stop
    banded = all(u == 0 for pair in prof.limit_uncertainties() for u in pair)
    if banded:
        limits = (
            "These fitted classes end at the edges of the bands the fit left between them "
            "(the dashed lines in the plots), so an interval that reaches into a band is not "
            "confident."
        )
        zone = "inside a band"
    else:
        limits = (
            "Each class limit carries an uncertainty (the shaded zones in the plots), which a "
            "confident interval must clear: the estimate's half-width and the limit's "
            "uncertainty added in quadrature."
        )
        zone = "within a limit's uncertainty"
    uncertain = (
        "Uncertain: the interval reaches a band or spans two classes. The fruit is grasped "
        f"again (up to {prof.max_regrasps} more times), then rejected as uncertain."
    )
    if not banded:
        uncertain += (
            f" A fruit whose value itself lies {zone} is rejected at once: a narrower interval "
            "around it could not clear the limit."
        )
    return [
        f"Each grasp gives log10 E with its {prof.interval} % interval. A full grasp closes to "
        "the gripper's force target (90 % of the safe force); any grasp stops at the safe force.",
        "Confident: the whole interval lies inside one class, and the fruit is sorted there. "
        + limits,
        "Out of range: the interval lies below the lowest or above the highest class; "
        "rejected at once.",
        uncertain,
        "With --stop-when-confident the gripper stops closing early, once the force is at "
        f"least {s.min_force_n:g} N after {s.min_loading_frames} loading frames and an exact "
        f"estimate confirms it. Confident stop: the same confident class (or out of range) "
        f"for {s.stable_updates} updates in a row; the fruit is sorted on it.",
        f"Futile stop (--stop-when-confident): the value has sat {zone}, where no interval "
        f"however narrow is confident, for {s.stable_updates} updates in a row, and either its "
        "whole interval lies there too or the value held there while the force rose "
        f"{FUTILE_FORCE_RATIO:g}-fold. More force could not decide it, so the fruit is rejected "
        "as uncertain at once, without a re-grasp.",
        "Nothing is ever put in a class its interval did not lie in.",
    ]


def force_rows(s_stop: dict[str, Any], s_full: dict[str, Any]) -> list[list[str]]:
    """The peak-force table: both medians (over all grasps, over items), the largest force,
    two decimals, stopping when confident against full grasps."""

    def n(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    return [
        ["grasps", str(s_stop["n_grasps"]), str(s_full["n_grasps"])],
        [
            "median peak force over all grasps (re-grasps included), N",
            n(s_stop["peak_force_median_n"]),
            n(s_full["peak_force_median_n"]),
        ],
        [
            "median over items of each item's largest force, N",
            n(s_stop["item_peak_force_median_n"]),
            n(s_full["item_peak_force_median_n"]),
        ],
        [
            "largest force on any item, N",
            n(s_stop["peak_force_max_n"]),
            n(s_full["peak_force_max_n"]),
        ],
    ]


def _sorting_section(rep: Report, tray: DemoTray) -> None:
    prof = tray.fitted
    rep.section("5. Sorting", "sorting")
    rep.text(
        f"Profile {tray.literature.name!r}: classes {', '.join(prof.class_names)} as ranges of "
        f"log10 E; safe grasp force {prof.max_force_n:g} N. Literature limits (replaced here): "
        f"{_bands_in_words(tray.literature)}. Fitted on the labelled tray (tactile sort fit), "
        f"used for sorting and drawn in the plots: {_bands_in_words(prof)}."
    )
    rep.bullets(rule_items(prof), lead=RULE_LEAD)
    s_full, s_stop = tray.full.summary(), tray.stopped.summary()

    def pct(s: dict[str, Any]) -> str:
        acc = s["confident_accuracy"]
        return "—" if acc is None else f"{100 * acc:.0f} % ({s['n_right']}/{s['n_scored']})"

    def both(key: str) -> str:
        return f"{s_stop[key]:.2f} N / {s_full[key]:.2f} N"

    rep.kpis(
        [
            ("confident decisions right", pct(s_stop)),
            ("rejected as uncertain", f"{s_stop['n_rejected']} of {s_stop['n_items']}"),
            (
                "median over items of each item's largest force: stop when confident / full",
                both("item_peak_force_median_n"),
            ),
            (
                "median peak force over all grasps: stop when confident / full",
                both("peak_force_median_n"),
            ),
            (
                "largest force (limit)",
                f"{s_stop['peak_force_max_n']:.2f} N ({prof.max_force_n:g} N)",
            ),
        ]
    )
    rep.table(
        ["peak grip force", "--stop-when-confident", "full grasps"],
        force_rows(s_stop, s_full),
        numeric=(1, 2),
    )
    again = [r for r in tray.stopped.results if len(r.attempts) > 1]
    rep.text(
        "Which median: over items, each fruit counts once with the largest force it felt (what "
        "a typical fruit went through); over all grasps, every re-grasp counts too. With "
        f"--stop-when-confident {sum(len(r.attempts) for r in again)} of the "
        f"{s_stop['n_grasps']} grasps were of the {len(again)} fruit grasped more than once, "
        "so the median over all grasps moves less when the others stop early."
    )
    rep.figure(
        plots.sorting_figure(tray.stopped),
        "With --stop-when-confident. Left: each fruit's measured log10 E with its interval "
        "(from its last grasp), coloured by where it was sorted (grey: rejected, with × under "
        "it; hollow marker: wrong class; triangle: a lower bound only); the classes are named "
        "at the right, the dashed lines are the class limits the decision uses, grey between "
        "them each limit's undecided band, dotted its middle. Right: the largest force each "
        "fruit felt, against the safe limit.",
    )
    header = ["item", "true class", "sorted as", "grasps", "peak force (N)", "why"]
    rows, classes = [], []
    for r in tray.stopped.results:
        row = item_row(r)
        rows.append([r.item.item_id, r.item.truth_class or "—", r.sorted_as, row["n_grasps"],
                     f"{r.max_peak_force_n:.2f}", r.reason])  # fmt: skip
        classes.append("wrong" if r.correct is False else "reject" if r.sorted_as == REJECT else "")
    rep.table(header, rows, row_classes=classes, numeric=(3, 4))
    rep.text(
        f"Full grasps on the same tray: {pct(s_full)} of confident decisions right, "
        f"{s_full['n_rejected']} rejected, median peak force {s_full['peak_force_median_n']:.2f} N "
        f"over all {s_full['n_grasps']} grasps, {s_full['item_peak_force_median_n']:.2f} N over "
        "items."
    )


def build_demo_report(res: DemoResults) -> Report:
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rep = Report(
        "tactile demo: how soft is it?",
        f"Simulated grasps, estimated and sorted by tactile {__version__} on {when}.",
    )
    _objects_section(rep, res)
    _traces_section(rep, res)
    _estimates_section(rep, res)
    if res.tray is not None:
        _online_section(rep, res.tray)
        _sorting_section(rep, res.tray)
    rep.section("What this shows and what it does not", "limits")
    rep.text(
        "All grasps here are simulated, with the object's shape given for the spheres and only "
        "'near-spherical' for the fruit (radius read from the grasp). Fruit thresholds were fitted "
        "on a separate labelled tray, not on the tray that was sorted. The simulated skin makes a "
        "fruit look stiffer than its flesh, which is why literature thresholds alone misplace "
        "fruit near a boundary. Real-fruit accuracy is not measured here.",
        css="note",
    )
    return rep


def write_demo_report(res: DemoResults, path: Path) -> Path:
    return build_demo_report(res).write(path)


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
