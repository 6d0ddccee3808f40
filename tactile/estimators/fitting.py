"""Robust fits in log space, with a bootstrap standard error.

Every analytical model here is a power law, so one parameter (a modulus or a compliance) is the
intercept of a straight line in log space: each usable frame gives one log10 value, and the fit
is a robust location of those values (Huber M-estimate, k = 1.345, scale = 1.4826·MAD). Its
standard error comes from a bootstrap over frames, with a floor for what the bootstrap cannot
see (neighbouring frames are correlated, and the model is not exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import EstimatorError
from tactile.estimators.montecarlo import bootstrap_draws

HUBER_K = 1.345
#: Smallest standard error (log10 units) a fit may claim: neighbouring video frames are
#: correlated and the contact model is approximate, so a perfect-looking fit is still ±7 %.
MIN_LOG10_SE = 0.03
#: Robust per-frame scatter above this (log10 units, i.e. ×1.6) flags a poor fit.
POOR_FIT_SCATTER = 0.2


@dataclass(frozen=True)
class LogFit:
    """Result of a robust log-space fit of one parameter."""

    log10_value: float
    log10_se: float  # standard error of log10_value (bootstrap, floored)
    scatter_log10: float  # robust per-frame scatter (1.4826 · MAD)
    n_frames: int

    @property
    def value(self) -> float:
        return float(10.0**self.log10_value)

    @property
    def poor(self) -> bool:
        return self.scatter_log10 > POOR_FIT_SCATTER


def _huber_rows(x: np.ndarray, iters: int = 12) -> np.ndarray:
    """Huber location of each row of ``x`` (2-D), by iteratively reweighted means."""
    mu = np.median(x, axis=1)
    mad = np.median(np.abs(x - mu[:, None]), axis=1)
    scale = np.maximum(1.4826 * mad, 1e-6)
    for _ in range(iters):
        r = np.abs(x - mu[:, None]) / scale[:, None]
        w = np.minimum(1.0, HUBER_K / np.maximum(r, 1e-12))
        mu = np.sum(w * x, axis=1) / np.sum(w, axis=1)
    return mu


def robust_log_fit(
    log10_values: np.ndarray, *, n_boot: int = 200, seed: int = 0, min_se: float = MIN_LOG10_SE
) -> LogFit:
    """Robust location of per-frame ``log10_values`` with a bootstrap standard error."""
    x = np.asarray(log10_values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        raise ValueError("robust_log_fit needs at least one finite value")
    center = float(_huber_rows(x[None, :])[0])
    mad = float(np.median(np.abs(x - np.median(x))))
    scatter = 1.4826 * mad
    if n == 1:
        return LogFit(center, max(min_se, 0.3), 0.0, 1)
    rng = np.random.default_rng(seed)
    boot = _huber_rows(x[rng.integers(0, n, size=(bootstrap_draws(n_boot), n))])
    se = float(np.std(boot, ddof=1))
    # with very few frames the bootstrap is blind: fall back on scatter / sqrt(n - 1)
    se = max(se, scatter / math.sqrt(n - 1), min_se)
    return LogFit(center, se, scatter, n)


def fit_log_slope(log_x: np.ndarray, log_y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and its standard error of ``log_y`` against ``log_x``."""
    x = np.asarray(log_x, dtype=np.float64)
    y = np.asarray(log_y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or float(np.ptp(x)) <= 0:
        return math.nan, math.inf
    xm = x - x.mean()
    slope = float(np.sum(xm * (y - y.mean())) / np.sum(xm**2))
    resid = y - y.mean() - slope * xm
    se = float(np.sqrt(np.sum(resid**2) / max(x.size - 2, 1) / np.sum(xm**2)))
    return slope, se


def _theil_sen_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Theil–Sen slope (median of pairwise slopes) of each row of ``x``, ``y`` (2-D)."""
    i, j = np.triu_indices(x.shape[1], k=1)
    dx = x[:, j] - x[:, i]
    dy = y[:, j] - y[:, i]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sort(np.where(np.abs(dx) > 1e-12, dy / dx, np.nan), axis=1)  # NaNs sort last
    k = np.count_nonzero(np.isfinite(s), axis=1)
    rows = np.arange(s.shape[0])
    lo = s[rows, np.maximum((k - 1) // 2, 0)]
    hi = s[rows, np.maximum(k // 2, 0)]
    return np.where(k > 0, 0.5 * (lo + hi), np.nan)


def robust_slope_fit(
    x: np.ndarray, y: np.ndarray, *, n_boot: int = 100, seed: int = 0
) -> tuple[float, float, float]:
    """Theil–Sen slope of ``y`` on ``x``, the bootstrap standard error of log10(slope), and
    the intercept on the x axis (where the fitted line crosses y = 0).

    Robust to outliers and to steps in ``x`` (stair-stepped gripper widths); the x-intercept
    absorbs an error in when contact started. Fewer than 2 points (or ``x`` and ``y`` of
    different lengths) raise :class:`~tactile.errors.EstimatorError`.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = x.size
    if n < 2 or y.size != n:
        raise EstimatorError(
            f"a Theil-Sen slope needs at least 2 points with x and y of equal length, got "
            f"{n} x and {y.size} y value(s)",
            hint="the loading phase has too few usable frames: squeeze further or record "
            "the gripper width",
        )
    slope = float(_theil_sen_rows(x[None, :], y[None, :])[0])
    if not np.isfinite(slope) or slope <= 0:
        return slope, math.inf, math.nan
    x0 = float(np.median(x - y / slope))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(bootstrap_draws(n_boot), n))
    boot = _theil_sen_rows(x[idx], y[idx])
    boot = boot[np.isfinite(boot) & (boot > 0)]
    se = float(np.std(np.log10(boot), ddof=1)) if boot.size > 2 else math.inf
    return slope, se, x0
