"""Issues 11/12 (given38): run the ``tactile`` CLI with the hybrid's given-geometry point check
on flagged blind bounds only, as the pre-registered test's "variant" runs do
(benchmarks/results/given38_prereg.md).

    python benchmarks/given38_variants.py hybrid-flagged TACTILE-ARGS...

``hybrid-flagged``: the name ``hybrid`` means ``HybridEstimator(check_given_points="flagged")``
(the physics' given point replaced by blind's bound before the combination only where that bound
is flagged ``stiffer_than_gel``, ``auto``'s rule since given37). Everything else is the CLI
unchanged; the hybrid's physics is ``auto`` unchecked before its own check
(``tactile.estimators.neural.data.analytical_estimator``).
"""

from __future__ import annotations

import sys
from functools import partial
from typing import Literal

from tactile.cli.main import main as tactile_main
from tactile.estimators.registry import register_estimator


def run_variant(
    argv: list[str], variant: str, check: Literal["flagged", "network"], usage: str
) -> int:
    """``tactile`` with the CLI args ``argv[1:]`` and the name ``hybrid`` meaning
    ``HybridEstimator(check_given_points=check)``, when ``argv[0]`` is ``variant``; else print
    ``usage`` and return 2 (also given39_variants.py's runner)."""
    if not argv or argv[0] != variant:
        print(usage, file=sys.stderr)
        return 2
    from tactile.estimators.neural.estimator import HybridEstimator

    register_estimator("hybrid", partial(HybridEstimator, check_given_points=check), overwrite=True)
    return int(tactile_main(argv[1:]) or 0)


def main(argv: list[str]) -> int:
    return run_variant(argv, "hybrid-flagged", "flagged", __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
