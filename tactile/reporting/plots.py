"""Figures for the sorting summary and the HTML report, as PNG bytes (matplotlib, Agg)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from tactile.decisions.decide import LimitBand
    from tactile.decisions.profiles import ProduceProfile
    from tactile.decisions.sorter import ItemResult, SortRun
    from tactile.estimators.online import OnlineUpdate
    from tactile.types import Grasp

CLASS_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
REJECT_COLOUR = "#888888"


def _figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0)) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    return fig, axes


def png_bytes(fig: Figure) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()


def class_colour(run: SortRun, name: str) -> str:
    return profile_colour(run.profile, name)


def profile_colour(profile: ProduceProfile, name: str) -> str:
    names = profile.class_names
    return CLASS_COLOURS[names.index(name) % len(CLASS_COLOURS)] if name in names else REJECT_COLOUR


#: Legend labels of the class-limit artists (tests read them from the legend).
BAND_LABEL = "undecided band (a value here cannot be sorted)"
LIMIT_LABEL = "class limit the decision uses"
MIDDLE_LABEL = "band middle (fitted threshold)"
REJECT_LABEL = "× under an item: rejected"


def band_text(profile: ProduceProfile, band: LimitBand) -> str:
    """A band in words, with the numbers the plots draw: its limits (or the shared limit and
    its uncertainty zone) in the profile's units."""
    from tactile.decisions.sorter import fmt_value

    q = profile.quantity
    if band.limit_low == band.limit_high:
        if band.hi <= band.lo:
            return f"{band.lower}|{band.upper} at {fmt_value(q, band.limit_low)}"
        return (
            f"{band.lower}|{band.upper} at {fmt_value(q, band.limit_low)}, undecided from "
            f"{fmt_value(q, band.lo)} to {fmt_value(q, band.hi)}"
        )
    return (
        f"{band.lower}|{band.upper} band {fmt_value(q, band.lo)} – {fmt_value(q, band.hi)} "
        f"(middle {fmt_value(q, band.middle)})"
    )


def draw_class_limits(ax: Any, profile: ProduceProfile, *, label_x: float | None = None) -> None:
    """Each class limit where the decision uses it (dashed), its undecided band shaded, the
    middle of a fitted band dotted and labelled with its value (at ``label_x`` in data units,
    else at the axes' left edge). Call :func:`label_classes` once the y-range is final."""
    from matplotlib.transforms import blended_transform_factory

    from tactile.decisions.decide import limit_bands
    from tactile.decisions.sorter import fmt_value

    if label_x is None:
        trans, x = blended_transform_factory(ax.transAxes, ax.transData), 0.01
    else:
        trans, x = ax.transData, label_x
    for band in limit_bands(profile):
        if band.hi > band.lo:
            ax.axhspan(band.lo, band.hi, color="0.55", alpha=0.22, lw=0, zorder=0)
        for y in sorted({band.limit_low, band.limit_high}):
            ax.axhline(y, color="k", lw=0.8, ls="--", zorder=1)
        gap = band.limit_high > band.limit_low
        if gap:
            ax.axhline(band.middle, color="k", lw=0.8, ls=":", zorder=1)
        ax.text(
            x,
            band.middle,
            f"{band.lower}|{band.upper} {fmt_value(profile.quantity, band.middle)}",
            transform=trans,
            fontsize=7,
            ha="left",
            va="center",
            zorder=2,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )


def limit_legend_handles(profile: ProduceProfile) -> list[Any]:
    """Legend entries for :func:`draw_class_limits` (the middle only where a band has one)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from tactile.decisions.decide import limit_bands

    bands = limit_bands(profile)
    handles: list[Any] = []
    if any(b.hi > b.lo for b in bands):
        handles.append(Patch(color="0.55", alpha=0.22, label=BAND_LABEL))
    handles.append(Line2D([], [], color="k", lw=0.8, ls="--", label=LIMIT_LABEL))
    if any(b.limit_high > b.limit_low for b in bands):
        handles.append(Line2D([], [], color="k", lw=0.8, ls=":", label=MIDDLE_LABEL))
    return handles


def log10_pa_ticks(ax: Any) -> None:
    """y tick labels of a log10 E (Pa) axis with the modulus beside: "5.50 (316 kPa)"."""
    from matplotlib.ticker import FuncFormatter

    from tactile.types import format_pa

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.2f} ({format_pa(10**v)})"))
    ax.tick_params(axis="y", labelsize=7)


def label_classes(ax: Any, profile: ProduceProfile) -> None:
    """Each class's name just right of the axes, in its colour, at the middle of the part of
    the class a value can be sorted into (the class itself where no part can) that shows."""
    from matplotlib.transforms import blended_transform_factory

    from tactile.decisions.decide import limit_bands

    y0, y1 = ax.get_ylim()
    bands = limit_bands(profile)
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for i, c in enumerate(profile.classes):
        lo = max(bands[i - 1].hi, c.min_value) if i > 0 else c.min_value
        hi = min(bands[i].lo, c.max_value) if i < len(bands) else c.max_value
        if hi <= lo:
            lo, hi = c.min_value, c.max_value
        lo, hi = max(lo, y0), min(hi, y1)
        if hi <= lo:
            continue
        ax.text(
            1.01,
            (lo + hi) / 2,
            c.name,
            transform=trans,
            color=profile_colour(profile, c.name),
            fontsize=8,
            fontweight="bold",
            ha="left",
            va="center",
            clip_on=False,
        )


def sorting_figure(run: SortRun) -> bytes:
    """Left: each item's measured value and interval, coloured by where it was sorted, with
    the class limits and their undecided bands; right: each item's peak grasp force against
    the safe limit."""
    from matplotlib.lines import Line2D

    from tactile.decisions.sorter import REJECT

    fig, axes = _figure(1, 2, (12.0, 5.2))
    ax, axf = axes[0]
    prof = run.profile
    xs = np.arange(len(run.results))
    draw_class_limits(ax, prof, label_x=-1.9)
    for x, r in zip(xs, run.results, strict=True):
        m = r.attempts[-1].measurement if r.attempts else None  # none: aborted at once
        colour = class_colour(run, r.sorted_as)
        if m is not None:
            top = m.hi if math.isfinite(m.hi) else m.value + 1.0
            ax.plot([x, x], [m.lo, top], color=colour, lw=2, zorder=3)
            marker = "^" if m.lower_bound_only else "o"
            face = colour if r.correct is not False else "white"
            ax.plot([x], [m.value], marker=marker, color=colour, mfc=face, ms=7, zorder=4)
        if r.sorted_as == REJECT:  # at the bottom of the axes whatever the final y-range
            ax.text(
                x,
                0.01,
                "×",
                ha="center",
                va="bottom",
                color=REJECT_COLOUR,
                transform=ax.get_xaxis_transform(),
            )
    ax.set_xlim(-2.0, len(xs) - 0.5)
    ticks = [r.item.item_id.rsplit("_", 1)[-1] for r in run.results]
    ax.set_xticks(xs, ticks, fontsize=7)
    ax.set_xlabel("item")
    from tactile.decisions.profiles import QUANTITIES

    ax.set_ylabel(QUANTITIES[prof.quantity] + f", {prof.interval} % interval")
    ax.set_title("decision per item (its last grasp), with the class limits", fontsize=9)
    if prof.quantity == "log10_modulus_pa":
        log10_pa_ticks(ax)
    label_classes(ax, prof)
    handles: list[Any] = [
        Line2D([], [], color=class_colour(run, c.name), lw=3, label=f"sorted {c.name}")
        for c in prof.classes
    ]
    handles += [
        Line2D([], [], color=REJECT_COLOUR, lw=3, label="rejected"),
        Line2D([], [], ls="", marker="x", color=REJECT_COLOUR, ms=6, label=REJECT_LABEL),
        Line2D([], [], ls="", marker="o", color="k", mfc="k", label="estimate and interval"),
        Line2D([], [], ls="", marker="^", color="k", mfc="k", label="lower bound only"),
        Line2D([], [], ls="", marker="o", color="k", mfc="white", label="hollow: wrong class"),
        *limit_legend_handles(prof),
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    peaks = [r.max_peak_force_n for r in run.results]
    axf.bar(xs, peaks, color=[class_colour(run, r.sorted_as) for r in run.results])
    axf.axhline(prof.max_force_n, color="r", lw=1.2, label=f"safe limit {prof.max_force_n:g} N")
    axf.set_ylim(0, 1.15 * max([prof.max_force_n, *peaks]))
    axf.set_xticks(xs, ticks, fontsize=7)
    axf.set_ylabel("peak grasp force (N)")
    axf.set_xlabel("item")
    axf.legend(fontsize=7, loc="upper right")
    axf.set_title("largest force on each item (all its grasps; colour: where sorted)", fontsize=9)
    return png_bytes(fig)


def grasp_trace_figure(
    grasps: Sequence[Grasp], stops: Sequence[int | None] = (), labels: Sequence[str] = ()
) -> bytes:
    """Force and gripper width against time for a few grasps (labelled by object id unless
    ``labels`` are given)."""
    fig, axes = _figure(1, 2, (11.0, 3.6))
    axf, axw = axes[0]
    for i, g in enumerate(grasps):
        t = g.t_s - g.t_s[0]
        label = labels[i] if i < len(labels) else g.meta.object_id
        axf.plot(t, g.force_n, color=f"C{i}", lw=1.2, label=label)
        axw.plot(t, g.width_mm, color=f"C{i}", lw=1.2)
        stop = stops[i] if i < len(stops) else None
        if stop is not None and stop < g.n_frames:
            axf.plot([t[stop]], [g.force_n[stop]], "kx", ms=8)
    axf.set_xlabel("time (s)")
    axf.set_ylabel("grip force (N)")
    axf.legend(fontsize=7)
    axw.set_xlabel("time (s)")
    axw.set_ylabel("gripper width (mm)")
    return png_bytes(fig)


def frames_figure(grasp: Grasp, contact_index: int, peak_index: int) -> bytes:
    """The gel at rest, at first contact and at peak force (BGR frames shown as RGB), and the
    change from rest at peak, amplified, where the imprint shows."""
    fig, axes = _figure(1, 4, (12.0, 2.7))
    ref = grasp.reference_frame if grasp.reference_frame is not None else grasp.frames[0]
    peak = grasp.frames[peak_index]
    change = np.abs(peak.astype(np.float32) - ref.astype(np.float32)).mean(axis=2)
    panels = (
        ("at rest", ref[..., ::-1]),
        (f"first contact (frame {contact_index})", grasp.frames[contact_index][..., ::-1]),
        (f"peak force (frame {peak_index}, {grasp.force_n[peak_index]:.1f} N)", peak[..., ::-1]),
    )
    for ax, (title, img) in zip(axes[0][:3], panels, strict=True):
        ax.imshow(np.asarray(img))
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    ax = axes[0][3]
    ax.imshow(change, cmap="magma", vmin=0.0, vmax=max(float(np.percentile(change, 99.5)), 1.0))
    ax.set_title("change from rest at peak (the imprint)", fontsize=8)
    ax.axis("off")
    return png_bytes(fig)


def convergence_figure(
    trace: Sequence[OnlineUpdate],
    *,
    profile: ProduceProfile | None = None,
    final_log10: float | None = None,
    stop_index: int | None = None,
    title: str = "",
) -> bytes:
    """The online log10 E and its 95 % interval against the grasp force as frames arrived,
    with ``profile``'s class limits and undecided bands (log10 E profiles only)."""
    fig, axes = _figure(1, 1, (9.5, 4.0))
    ax = axes[0][0]
    pts = [(u.force_n, u.estimate) for u in trace if u.estimate is not None]
    if pts:
        f = np.array([p[0] for p in pts])
        v = np.array([p[1].log10_modulus for p in pts])
        lo = np.array([math.log10(p[1].interval_95_pa[0]) for p in pts])
        hi_raw = np.array([p[1].interval_95_pa[1] for p in pts])
        hi = np.where(
            np.isfinite(hi_raw), np.log10(np.where(np.isfinite(hi_raw), hi_raw, 1)), v + 1
        )
        ax.fill_between(f, lo, hi, color="C0", alpha=0.25, label="95 % interval")
        ax.plot(f, v, "C0-o", ms=3, label="online estimate")
    if profile is not None and profile.quantity == "log10_modulus_pa":
        draw_class_limits(ax, profile)
    if final_log10 is not None:
        ax.axhline(final_log10, color="C3", lw=1, label="whole-grasp estimate")
    if stop_index is not None:
        stopped = [u for u in trace if u.frame_index == stop_index]
        if stopped:
            ax.axvline(stopped[0].force_n, color="C2", lw=1.2, label="stopped (confident)")
    ax.set_xlabel("grip force when the frame arrived (N)")
    ax.set_ylabel("log10 E (Pa)")
    ax.set_title(title, fontsize=9)
    handles, _ = ax.get_legend_handles_labels()
    log10_pa_ticks(ax)
    if profile is not None and profile.quantity == "log10_modulus_pa":
        label_classes(ax, profile)
        handles += limit_legend_handles(profile)
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.12, 1.0))
    return png_bytes(fig)


def truth_figure(rows: Sequence[dict[str, Any]]) -> bytes:
    """Estimated against true E (log-log) for labelled grasps; the 2x and 10x bands."""
    fig, axes = _figure(1, 1, (5.2, 4.6))
    ax = axes[0][0]
    truth = np.array([r["label_modulus_pa"] for r in rows], dtype=float)
    est = np.array([r["modulus_pa"] for r in rows], dtype=float)
    bound = np.array([bool(r.get("lower_bound_only")) for r in rows])
    lim = (
        10 ** math.floor(np.log10(min(truth.min(), est.min()))),
        10 ** math.ceil(np.log10(max(truth.max(), est.max()))),
    )
    x = np.array(lim)
    ax.fill_between(x, x / 10, x * 10, color="0.92", label="within 10x")
    ax.fill_between(x, x / 2, x * 2, color="0.82", label="within 2x")
    ax.plot(x, x, "k-", lw=0.8)
    ax.scatter(truth[~bound], est[~bound], color="C0", zorder=3, label="estimate")
    if bound.any():
        ax.scatter(truth[bound], est[bound], marker="^", color="C3", zorder=3, label="lower bound")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("true E (Pa)")
    ax.set_ylabel("estimated E (Pa)")
    ax.legend(fontsize=7, loc="upper left")
    return png_bytes(fig)


def results_of(run: SortRun) -> list[ItemResult]:
    return list(run.results)
