"""How many random draws the analytical estimators' Monte Carlo steps take, per context.

An estimate has two random steps: the bootstrap of its fit (:mod:`tactile.estimators.fitting`,
100-200 resamples) and the gel separation (:mod:`tactile.estimators.separation`, 4,000 draws).
Offline estimates always use those full counts. The online estimate's *streaming* updates, one
per camera frame during a squeeze, run inside :func:`reduced_draws` (a tenth of the separation
draws, a quarter of the bootstrap resamples): the same code on the same data, with a noisier
interval that costs a fraction of the time. Whatever a streaming update suggests is checked by
an exact update (full counts) before anything is decided on it (see
:mod:`tactile.estimators.online`), and the last frame's update is exact, so no decision or
final answer ever rests on the reduced counts.

The setting is a :class:`contextvars.ContextVar`: it applies to the thread (or task) that
entered the block, never to another one estimating at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from tactile.errors import ConfigError

#: Draws of a streaming update's gel separation (the full count is 4,000).
STREAMING_SEPARATION_DRAWS = 400
#: Share of a fit's bootstrap resamples a streaming update draws.
STREAMING_BOOTSTRAP_SHARE = 0.25
#: Fewest bootstrap resamples a reduced fit draws (a standard error needs a few).
MIN_BOOTSTRAP = 20


@dataclass(frozen=True)
class DrawBudget:
    """``separation``: draws of the gel separation (None: the full count); ``bootstrap_share``:
    share of each fit's bootstrap resamples (1: all)."""

    separation: int | None = None
    bootstrap_share: float = 1.0

    def __post_init__(self) -> None:
        if self.separation is not None and self.separation < 100:
            raise ConfigError(
                f"{self.separation} separation draws are too few for a 95 % interval",
                hint="use at least 100 (streaming updates use 400)",
            )
        if not 0 < self.bootstrap_share <= 1:
            raise ConfigError(
                f"bootstrap share {self.bootstrap_share} must be in (0, 1]",
                hint="streaming updates use 0.25",
            )


FULL = DrawBudget()
STREAMING = DrawBudget(STREAMING_SEPARATION_DRAWS, STREAMING_BOOTSTRAP_SHARE)
_BUDGET: ContextVar[DrawBudget] = ContextVar("tactile_draw_budget", default=FULL)


def current_budget() -> DrawBudget:
    return _BUDGET.get()


def separation_draws(full: int) -> int:
    """The gel separation's draw count here: ``full`` unless a reduced budget is in force."""
    budget = _BUDGET.get()
    return full if budget.separation is None else min(full, budget.separation)


def bootstrap_draws(full: int) -> int:
    """A fit's bootstrap resamples here: ``full`` unless a reduced budget is in force."""
    share = _BUDGET.get().bootstrap_share
    return full if share >= 1 else max(min(full, MIN_BOOTSTRAP), round(full * share))


@contextmanager
def reduced_draws(budget: DrawBudget = STREAMING) -> Iterator[DrawBudget]:
    """Estimates made inside the block (in this thread) use ``budget``'s draw counts."""
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)
