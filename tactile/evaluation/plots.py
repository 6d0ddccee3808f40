"""Figures of an evaluation (matplotlib, Agg backend; files only, never a window)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tactile.evaluation.metrics import ObjectRow, constant_rows, per_decade

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _figure(ncols: int) -> tuple[Figure, list[Axes]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(5.5 * ncols, 5.0), squeeze=False)
    return fig, list(axes[0])


def _draw_loglog(ax: Axes, rows: Sequence[ObjectRow], baseline_pa: float | None) -> None:
    labels = np.array([r.label_pa for r in rows])
    est = np.array([r.estimate_pa for r in rows])
    lo = np.array([r.interval_68_pa[0] for r in rows])
    hi = np.array([r.interval_68_pa[1] for r in rows])
    bound = np.array([r.lower_bound_only for r in rows])
    extra = [baseline_pa] if baseline_pa is not None else []
    span = np.concatenate([labels, est[np.isfinite(est)], extra])
    lim = (10 ** math.floor(np.log10(span.min())), 10 ** math.ceil(np.log10(span.max())))
    hi_plot = np.where(np.isfinite(hi), hi, lim[1])
    point = ~bound & np.isfinite(est)
    # A per-object median of grasp estimates can lie outside the combined interval (or an
    # interval end be missing): draw no bar on that side rather than a negative one.
    below = np.nan_to_num(est - lo, nan=0.0, posinf=0.0, neginf=0.0).clip(min=0.0)
    above = np.nan_to_num(hi_plot - est, nan=0.0, posinf=0.0, neginf=0.0).clip(min=0.0)
    ax.errorbar(
        labels[point],
        est[point],
        yerr=[below[point], above[point]],
        fmt="o",
        color="C0",
        capsize=3,
        label="estimate (68 % interval)",
    )
    if bound.any():
        ax.scatter(labels[bound], est[bound], marker="^", color="C3", label="lower bound (> gel)")
    grid = np.array(lim)
    ax.plot(grid, grid, "k-", lw=1, label="estimate = label")
    ax.fill_between(grid, grid / 10, grid * 10, color="0.9", label="within one decade")
    if baseline_pa is not None:
        ax.axhline(baseline_pa, color="C2", ls="--", label=f"constant {baseline_pa:.2g} Pa")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("label E [Pa]")
    ax.set_ylabel("estimated E [Pa]")
    ax.legend(fontsize=8, loc="upper left")


def _draw_decades(ax: Axes, rows: Sequence[ObjectRow], baseline_pa: float | None) -> None:
    dec = per_decade(rows)
    x = np.arange(len(dec))
    width = 0.4 if baseline_pa is not None else 0.8
    ax.bar(x, [d["log10_mae"] for d in dec], width, label="estimate")
    if baseline_pa is not None:
        base = per_decade(constant_rows(rows, baseline_pa))
        ax.bar(x + width, [d["log10_mae"] for d in base], width, label="constant")
    ax.set_xticks(x + (width / 2 if baseline_pa is not None else 0))
    ax.set_xticklabels([f"1e{d['decade']}\n(n={d['n_objects']})" for d in dec])
    # every answer as a value (``as_values``): a lower bound is drawn at its bound's error
    ax.set_ylabel("log10 MAE (decades; a lower bound scored at its bound)")
    ax.set_xlabel("label decade")
    ax.axhline(1.0, color="k", lw=0.8, ls=":")
    ax.legend(fontsize=8)


def plot_evaluation(
    rows: Sequence[ObjectRow],
    path: str | Path,
    *,
    baseline_pa: float | None = None,
    title: str | None = None,
) -> Path:
    """Write estimate-vs-label (log-log, 68 % intervals) beside per-decade errors to ``path``."""
    import matplotlib.pyplot as plt

    fig, (ax_ll, ax_dec) = _figure(2)
    _draw_loglog(ax_ll, rows, baseline_pa)
    _draw_decades(ax_dec, rows, baseline_pa)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
